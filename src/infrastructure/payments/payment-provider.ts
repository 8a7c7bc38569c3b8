/** What a provider says about one of its transactions. */
export type ProviderStatus = 'PENDING' | 'SUCCEEDED' | 'DECLINED' | 'CANCELLED' | 'UNKNOWN';

export interface ProviderPayment {
  /** The provider's reference. */
  ref: string;
  status: ProviderStatus;
  amountFen: number;
}

/** A verified notification: the provider's event id (for de-duplication) and the transaction's state. */
export interface ProviderNotification {
  eventId: string;
  ref: string;
  merchantRef: string;
  status: ProviderStatus;
  amountFen: number;
}

export interface StatementLine {
  ref: string;
  merchantRef: string;
  kind: 'PAYMENT' | 'REFUND';
  amountFen: number;
}

/**
 * A payment gateway. The sandbox ships; real providers (WeChat Pay, Alipay, UnionPay) implement the same calls
 * and register under their name.
 */
export interface PaymentProvider {
  readonly name: string;
  /** Opens a payment for `merchantRef` (our payment id); confirmation arrives later by notification. */
  create(merchantRef: string, amountFen: number): Promise<ProviderPayment>;
  /** Completes an authorised payment (a provider that captures at once answers its state). */
  capture(ref: string): Promise<ProviderPayment>;
  cancel(ref: string): Promise<ProviderPayment>;
  refund(ref: string, merchantRefundRef: string, amountFen: number): Promise<ProviderPayment>;
  query(ref: string): Promise<ProviderPayment>;
  /** Checks a notification's signature and reads it; throws when it is not genuine. */
  verifyNotification(
    headers: Record<string, string | string[] | undefined>,
    rawBody: string,
  ): ProviderNotification;
  /** What the provider settled on a business date. */
  fetchStatement(date: string): Promise<StatementLine[]>;
  /** Pay-after-use: an agreement lets later charges go through without the buyer confirming each. */
  createAgreement(userRef: string): Promise<{ agreementRef: string; status: 'ACTIVE' }>;
  chargeAgreement(agreementRef: string, merchantRef: string, amountFen: number): Promise<ProviderPayment>;
}

export const PAYMENT_PROVIDERS = Symbol('PAYMENT_PROVIDERS');

export class InvalidNotificationError extends Error {}
