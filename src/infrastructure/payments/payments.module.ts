import { DynamicModule, Global, Module } from '@nestjs/common';
import { Env } from '@/config/env';
import { DevSandboxController } from './dev-sandbox.controller';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PAYMENT_PROVIDERS, PaymentProvider } from './payment-provider';
import { SandboxProvider } from './sandbox.provider';
import { SandboxTransactionEntity } from './sandbox-transaction.entity';

/** The registry of payment providers by name; a real provider is one more entry here. */
@Global()
@Module({})
export class PaymentsModule {
  static forRoot(env: Env): DynamicModule {
    return {
      module: PaymentsModule,
      imports: [TypeOrmModule.forFeature([SandboxTransactionEntity])],
      controllers: env.NODE_ENV === 'production' ? [] : [DevSandboxController],
      providers: [
        SandboxProvider,
        {
          provide: PAYMENT_PROVIDERS,
          inject: [SandboxProvider],
          useFactory: (sandbox: SandboxProvider): Map<string, PaymentProvider> =>
            new Map([[sandbox.name, sandbox]]),
        },
      ],
      exports: [PAYMENT_PROVIDERS, SandboxProvider],
    };
  }
}
