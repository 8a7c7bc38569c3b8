import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '@/common/errors/domain-error';
import { PAYMENT_PROVIDERS, PaymentProvider } from '@/infrastructure/payments/payment-provider';

export class UnknownProviderError extends DomainError {
  static readonly code = 'unknown-provider';
  constructor(name: string) {
    super(
      422,
      UnknownProviderError.code,
      'Unknown payment provider',
      `No payment provider is called ${name}.`,
    );
  }
}

/** The registered payment providers by name, for the payment use cases. */
@Injectable()
export class PaymentProviders {
  constructor(@Inject(PAYMENT_PROVIDERS) private readonly providers: Map<string, PaymentProvider>) {}

  /** The provider called `name`; 422 `unknown-provider` when none is. */
  get(name: string): PaymentProvider {
    const p = this.providers.get(name);
    if (!p) {
      throw new UnknownProviderError(name);
    }
    return p;
  }
}
