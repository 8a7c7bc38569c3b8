import { BeforeApplicationShutdown, Controller, Get, Inject, Injectable, Module, Res } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { Public } from '@/common/auth/decorators';
import { MqttService } from '@/infrastructure/mqtt/mqtt.module';
import { RedisService } from '@/infrastructure/redis/redis.module';

type Check = { status: 'up' | 'down'; latencyMs?: number; error?: string };

class CheckView implements Check {
  @ApiProperty({ enum: ['up', 'down'] })
  status: 'up' | 'down';

  @ApiPropertyOptional({ example: 1.2, description: 'When up' })
  latencyMs?: number;

  @ApiPropertyOptional({ description: 'When down: why' })
  error?: string;
}

class ChecksView {
  @ApiProperty({ type: CheckView })
  mysql: CheckView;

  @ApiProperty({ type: CheckView })
  redis: CheckView;

  @ApiProperty({ type: CheckView, description: 'The cabinets’ broker' })
  mqtt: CheckView;
}

class HealthView {
  @ApiProperty({ enum: ['ok', 'error'] })
  status: 'ok' | 'error';

  @ApiProperty({ type: ChecksView })
  checks: ChecksView;
}

class ReadinessView {
  @ApiProperty({ enum: ['ready', 'not-ready'] })
  status: 'ready' | 'not-ready';

  @ApiProperty()
  pendingMigrations: boolean;

  @ApiProperty()
  shuttingDown: boolean;

  @ApiProperty({ type: ChecksView })
  checks: ChecksView;
}

async function timed(fn: () => Promise<unknown>, timeoutMs = 2000): Promise<Check> {
  const start = performance.now();
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs).unref(),
      ),
    ]);
    return { status: 'up', latencyMs: Math.round((performance.now() - start) * 10) / 10 };
  } catch (e) {
    return { status: 'down', error: (e as Error).message };
  }
}

@Injectable()
export class HealthService implements BeforeApplicationShutdown {
  shuttingDown = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(RedisService) private readonly redis: RedisService,
    @Inject(MqttService) private readonly mqtt: MqttService,
  ) {}

  async checks(): Promise<Record<'mysql' | 'redis' | 'mqtt', Check>> {
    const [mysql, redis, mqtt] = await Promise.all([
      timed(() => this.db.query('SELECT 1')),
      timed(() => this.redis.ping()),
      timed(async () => {
        if (!this.mqtt.connected) {
          throw new Error('not connected to the broker');
        }
      }),
    ]);
    return { mysql, redis, mqtt };
  }

  async pendingMigrations(): Promise<boolean> {
    return this.db.showMigrations();
  }

  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
  }
}

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(@Inject(HealthService) private readonly health: HealthService) {}

  @Get()
  @Public()
  @ApiOperation({
    summary: 'Liveness with the state of MySQL, Redis and the MQTT broker (503 when one is down)',
  })
  @ApiOkResponse({ type: HealthView })
  @ApiServiceUnavailableResponse({ type: HealthView, description: 'A dependency is down' })
  async live(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthView> {
    const checks = await this.health.checks();
    const ok = Object.values(checks).every((c) => c.status === 'up');
    void reply.status(ok ? 200 : 503);
    return { status: ok ? 'ok' : 'error', checks };
  }

  @Get('ready')
  @Public()
  @ApiOperation({ summary: 'Readiness: dependencies up, no pending migration, not shutting down' })
  @ApiOkResponse({ type: ReadinessView })
  @ApiServiceUnavailableResponse({ type: ReadinessView, description: 'Not ready to take traffic' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessView> {
    const checks = await this.health.checks();
    const pending = checks.mysql.status === 'up' ? await this.health.pendingMigrations() : true;
    const ok = !this.health.shuttingDown && !pending && Object.values(checks).every((c) => c.status === 'up');
    void reply.status(ok ? 200 : 503);
    return {
      status: ok ? 'ready' : 'not-ready',
      pendingMigrations: pending,
      shuttingDown: this.health.shuttingDown,
      checks,
    };
  }
}

@Module({ controllers: [HealthController], providers: [HealthService] })
export class HealthModule {}
