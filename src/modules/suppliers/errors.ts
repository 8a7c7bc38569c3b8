import { defineError, ForbiddenError, NotFoundError } from '@/common/errors/domain-error';

export class SupplierNotFoundError extends NotFoundError {
  static override readonly description = 'No supplier has this id.';

  constructor(id: string) {
    super(`Supplier ${id}`);
  }
}

/** A SUPPLIER account acts only for the supplier it is bound to. */
export class NotOwnSupplierError extends ForbiddenError {
  static override readonly description = 'A supplier account may act only for its own supplier.';

  constructor() {
    super('You may act only for your own supplier.');
  }
}

export class LinkageNotApplicableError extends defineError({
  status: 422,
  code: 'linkage-not-applicable',
  title: 'Linkage not applicable',
  description:
    'A household supplier’s sales are its own income already; linkages belong to cooperatives and enterprises.',
}) {
  constructor() {
    super(
      "A household supplier's sales are already its own income; linkages belong to cooperatives and enterprises.",
    );
  }
}

export class SharesExceedSaleError extends defineError({
  status: 422,
  code: 'shares-exceed-sale',
  title: 'Shares exceed the sale',
  description: 'The supplier’s revenue shares would add up to more than 10000 bps of a sale.',
}) {
  constructor(totalBps: number) {
    super(`Revenue shares of this supplier would add up to ${totalBps} bps, more than 10000.`);
  }
}

export class LinkageExistsError extends defineError({
  status: 409,
  code: 'linkage-exists',
  title: 'Conflict',
  description: 'The beneficiary already has a linkage of this type with the supplier.',
}) {
  constructor(type: string) {
    super(`This beneficiary already has a ${type} linkage with this supplier.`);
  }
}
