import { DomainError } from '@/common/errors/domain-error';

/** A line cannot be filled from the stock there is: nothing of the order is taken. */
export class OutOfStockError extends DomainError {
  static readonly code = 'out-of-stock';
  constructor(detail = 'The stock was taken by other buyers meanwhile.') {
    super(409, OutOfStockError.code, 'Out of stock', detail);
  }
}

/** A product without a valid certificate is not on sale on any channel. */
export class ProductNotCertifiedError extends DomainError {
  static readonly code = 'product-not-certified';
  constructor(field: string, productName: string) {
    super(
      422,
      ProductNotCertifiedError.code,
      'Product not certified',
      `“${productName}” has no valid poverty-alleviation product certificate and is not on sale.`,
      [{ field, message: `${field} must name a certified product` }],
    );
  }
}

export class OrderNotFoundError extends DomainError {
  static readonly code = 'order-not-found';
  constructor(id: string) {
    super(404, OrderNotFoundError.code, 'Not found', `Order ${id} was not found.`);
  }
}
