import { defineError, ForbiddenError } from '@/common/errors/domain-error';
import type { OrderState } from './order-lifecycle';

/** A line cannot be filled from the stock there is: nothing of the order is taken. */
export class OutOfStockError extends defineError({
  status: 409,
  code: 'out-of-stock',
  title: 'Out of stock',
  description: 'A line cannot be filled from the stock there is; nothing of the order is taken.',
}) {
  constructor(detail = 'The stock was taken by other buyers meanwhile.') {
    super(detail);
  }
}

/** A product without a valid certificate is not on sale on any channel. */
export class ProductNotCertifiedError extends defineError({
  status: 422,
  code: 'product-not-certified',
  title: 'Product not certified',
  description: 'A line names a product whose certificate is missing or has lapsed; it is not on sale.',
}) {
  constructor(field: string, productName: string) {
    super(`“${productName}” has no valid poverty-alleviation product certificate and is not on sale.`, [
      { field, message: `${field} must name a certified product` },
    ]);
  }
}

export class OrderNotFoundError extends defineError({
  status: 404,
  code: 'order-not-found',
  title: 'Not found',
  description: 'No order has this id.',
}) {
  constructor(id: string) {
    super(`Order ${id} was not found.`);
  }
}

/** Orders are seen by their buyer and administrators, and paid by their buyer only. */
export class NotTheBuyerError extends ForbiddenError {
  static override readonly description = 'The order (or payment) belongs to another buyer.';
}

export class OrderNotPayableError extends defineError({
  status: 409,
  code: 'order-not-payable',
  title: 'Conflict',
  description:
    'The order is no longer awaiting payment (paid, cancelled or refunded), or is not paid online (an invoiced unit procurement order).',
}) {
  constructor(status: string, why?: string) {
    super(why ? `The order is ${status}, but ${why}.` : `The order is ${status}.`);
  }
}

export class OrderExpiredError extends defineError({
  status: 409,
  code: 'order-expired',
  title: 'Conflict',
  description: 'The time to pay the order (payBy) has passed.',
}) {
  constructor() {
    super('The time to pay this order has passed.');
  }
}

export class PaymentNotFoundError extends defineError({
  status: 404,
  code: 'payment-not-found',
  title: 'Not found',
  description: 'No payment has this id.',
}) {
  constructor(id: string) {
    super(`Payment ${id} was not found.`);
  }
}

export class UnknownProviderError extends defineError({
  status: 422,
  code: 'unknown-provider',
  title: 'Unknown payment provider',
  description: 'No payment provider is registered under this name.',
}) {
  constructor(name: string) {
    super(`No payment provider is called ${name}.`);
  }
}

export class PaymentProviderUnavailableError extends defineError({
  status: 502,
  code: 'payment-provider-unavailable',
  title: 'Payment provider unavailable',
  description: 'The payment provider did not answer; nothing was charged, the request can be retried.',
}) {
  constructor() {
    super('The payment provider did not answer; try again.');
  }
}

/** A provider notification whose signature or content does not check out: nothing is applied. */
export class InvalidNotificationProblem extends defineError({
  status: 400,
  code: 'invalid-notification',
  title: 'Invalid notification',
  description: 'The provider notification is unsigned, badly signed or unreadable; nothing is applied.',
}) {
  constructor(detail: string) {
    super(detail);
  }
}

export class OrderNotRefundableError extends defineError({
  status: 409,
  code: 'order-not-refundable',
  title: 'Conflict',
  description: 'The order is not paid (or already fully refunded), or has no captured payment.',
}) {
  constructor(detail: string) {
    super(detail);
  }
}

export class RefundExceedsPaymentError extends defineError({
  status: 422,
  code: 'refund-exceeds-payment',
  title: 'Refund too large',
  description: 'The amount is more than what is left to refund of the order.',
}) {
  constructor(leftFen: number) {
    super(`At most ${leftFen} fen can be refunded.`);
  }
}

export class InvalidTransitionError extends defineError({
  status: 409,
  code: 'invalid-order-transition',
  title: 'Not allowed in this state',
  description: 'The order’s status does not allow this change.',
}) {
  constructor(from: OrderState, to: OrderState) {
    super(`An order that is ${from} cannot become ${to}.`);
  }
}
