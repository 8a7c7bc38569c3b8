import { createSecretKey } from 'node:crypto';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { Env } from '@/config/env';
import { AuthGuard } from '@/common/auth/auth.guard';
import { ProblemFilter } from '@/common/errors/problem.filter';
import { IdempotencyModule } from '@/infrastructure/idempotency/idempotency.module';
import { RedisThrottlerStorage } from '@/infrastructure/throttle/redis-throttler.storage';
import { AppThrottlerGuard, isLoginThrottled } from '@/common/throttle/throttler.guard';
import { ConfigModule } from '@/infrastructure/config.module';
import { BatchPoolModule } from '@/infrastructure/database/batch-pool';
import { appDataSourceOptions } from '@/infrastructure/database/data-source-options';
import { HealthModule } from '@/infrastructure/health/health.controller';
import { loggerOptions } from '@/infrastructure/logging';
import { MetricsModule } from '@/infrastructure/metrics/metrics';
import { MqttModule } from '@/infrastructure/mqtt/mqtt.module';
import { OutboxModule } from '@/infrastructure/outbox/outbox.module';
import { PaymentsModule } from '@/infrastructure/payments/payments.module';
import { QueueModule } from '@/infrastructure/queue/queue.module';
import { RedisModule, RedisService } from '@/infrastructure/redis/redis.module';
import { SmsModule } from '@/infrastructure/sms/sms.module';
import { CatalogModule } from '@/modules/catalog/catalog.module';
import { HouseholdsModule } from '@/modules/households/households.module';
import { IdentityModule } from '@/modules/identity/identity.module';
import { KioskModule } from '@/modules/kiosk/kiosk.module';
import { LedgerModule } from '@/modules/ledger/ledger.module';
import { LivestreamModule } from '@/modules/livestream/livestream.module';
import { OrdersModule } from '@/modules/orders/orders.module';
import { ProcurementModule } from '@/modules/procurement/procurement.module';
import { RegionsModule } from '@/modules/regions/regions.module';
import { SuppliersModule } from '@/modules/suppliers/suppliers.module';

export type Role = 'api' | 'worker' | 'all';

export interface AppOptions {
  env: Env;
  role: Role;
  /** Where log lines go; stdout when omitted (tests pass a stream to read them). */
  logStream?: NodeJS.WritableStream;
}

@Module({})
export class AppModule {
  static forRoot({ env, role, logStream }: AppOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(env, role),
        LoggerModule.forRoot(loggerOptions(env, logStream)),
        TypeOrmModule.forRoot(appDataSourceOptions(env)),
        BatchPoolModule,
        // A ready KeyObject: given a string, jsonwebtoken first tries (and fails) to read it as a public key on
        // every verification, which costs more than the HMAC itself.
        JwtModule.register({
          global: true,
          secret: createSecretKey(Buffer.from(env.JWT_SECRET)) as unknown as string,
          signOptions: { algorithm: 'HS256' },
        }),
        ThrottlerModule.forRootAsync({
          inject: [RedisService],
          useFactory: (redis: RedisService) => ({
            throttlers: [
              { name: 'default', ttl: 60_000, limit: env.RATE_LIMIT_PER_MINUTE },
              {
                name: 'login',
                ttl: 60_000,
                limit: env.LOGIN_RATE_LIMIT_PER_MINUTE,
                skipIf: (ctx) => !isLoginThrottled(ctx),
              },
            ],
            storage: new RedisThrottlerStorage(redis, env),
          }),
        }),
        RedisModule,
        MqttModule,
        QueueModule.forRoot(role !== 'api'),
        OutboxModule,
        PaymentsModule.forRoot(env),
        SmsModule.forRoot(env),
        MetricsModule,
        HealthModule,
        IdempotencyModule,
        RegionsModule,
        HouseholdsModule,
        SuppliersModule,
        CatalogModule,
        IdentityModule,
        OrdersModule,
        LedgerModule,
        KioskModule,
        LivestreamModule,
        ProcurementModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: ProblemFilter },
        // Order matters: who is calling is known before the rate limit picks its counter.
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_GUARD, useClass: AppThrottlerGuard },
      ],
    };
  }
}
