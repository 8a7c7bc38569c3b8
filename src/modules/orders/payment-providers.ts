import { Inject, Injectable } from '@nestjs/common';
import { PAYMENT_PROVIDERS, PaymentProvider } from '@/infrastructure/payments/payment-provider';
import { UnknownProviderError } from './errors';

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
