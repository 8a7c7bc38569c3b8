import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Env } from '@/config/env';
import { DevSandboxController } from './dev-sandbox.controller';
import { PAYMENT_PROVIDERS, PaymentProvider } from './payment-provider';
import { SandboxProvider } from './sandbox.provider';
import { SandboxTransactionEntity } from './sandbox-transaction.entity';

/**
 * The registry of payment providers by name; a real provider is one more entry here. The sandbox is only
 * registered while PAYMENTS_SANDBOX_ENABLED (off in production unless asked for): a provider that is not
 * registered takes no payment and no notification is accepted in its name.
 */
@Global()
@Module({})
export class PaymentsModule {
  static forRoot(env: Env): DynamicModule {
    const gateways: (typeof SandboxProvider)[] = env.PAYMENTS_SANDBOX_ENABLED ? [SandboxProvider] : [];
    return {
      module: PaymentsModule,
      imports: [TypeOrmModule.forFeature([SandboxTransactionEntity])],
      controllers:
        env.PAYMENTS_SANDBOX_ENABLED && env.NODE_ENV !== 'production' ? [DevSandboxController] : [],
      providers: [
        ...gateways,
        {
          provide: PAYMENT_PROVIDERS,
          inject: gateways,
          useFactory: (...registered: PaymentProvider[]): Map<string, PaymentProvider> =>
            new Map(registered.map((p) => [p.name, p])),
        },
      ],
      exports: [PAYMENT_PROVIDERS, ...gateways],
    };
  }
}
