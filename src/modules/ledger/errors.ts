import { DomainError } from '@/common/errors/domain-error';

/** Payout batches are made one at a time; a request that comes while one is being made is refused at once. */
export class PayoutInProgressError extends DomainError {
  constructor() {
    super(
      409,
      'payout-in-progress',
      'Conflict',
      'Another payout batch is being created right now; ask again once it is done (it may leave nothing to pay).',
      undefined,
      { 'Retry-After': '1' },
    );
  }
}

export class NothingToPayError extends DomainError {
  constructor(minimumFen: number) {
    super(
      422,
      'nothing-to-pay',
      'Nothing to pay',
      `No household with a bank account has ${minimumFen} fen or more available.`,
    );
  }
}
