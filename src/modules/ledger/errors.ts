import { defineError } from '@/common/errors/domain-error';

export class ReconciliationNotFoundError extends defineError({
  status: 404,
  code: 'reconciliation-not-found',
  title: 'Not found',
  description: 'No reconciliation has run (or been asked for) for this business date.',
}) {
  constructor(date: string) {
    super(`A reconciliation for ${date} was not found.`);
  }
}

export class SeasonClosedError extends defineError({
  status: 409,
  code: 'season-closed',
  title: 'Conflict',
  description: 'The supplier’s season was closed already; it is closed once.',
}) {
  constructor(season: string) {
    super(`Season ${season} is already closed.`);
  }
}

export class NoPlotContractsError extends defineError({
  status: 422,
  code: 'no-plot-contracts',
  title: 'No plot contracts',
  description: 'The supplier has no plot contracts, so there is no season to close.',
}) {
  constructor() {
    super('This supplier has no plot contracts to close a season for.');
  }
}

export class PlotContractNotFoundError extends defineError({
  status: 404,
  code: 'plot-contract-not-found',
  title: 'Not found',
  description: 'The household has no active plot contract with this supplier.',
}) {
  constructor(householdId: string) {
    super(`A plot contract between this supplier and household ${householdId} was not found.`);
  }
}

export class NothingToPayError extends defineError({
  status: 422,
  code: 'nothing-to-pay',
  title: 'Nothing to pay',
  description: 'No household with a bank account has the minimum or more available.',
}) {
  constructor(minimumFen: number) {
    super(`No household with a bank account has ${minimumFen} fen or more available.`);
  }
}

export class PayoutNotFoundError extends defineError({
  status: 404,
  code: 'payout-not-found',
  title: 'Not found',
  description: 'No payout batch has this id.',
}) {
  constructor(id: string) {
    super(`Payout batch ${id} was not found.`);
  }
}

export class PayoutAlreadyPaidError extends defineError({
  status: 409,
  code: 'payout-already-paid',
  title: 'Conflict',
  description: 'The batch is already marked paid.',
}) {
  constructor() {
    super('This batch is already marked paid.');
  }
}

/** Payout batches are made one at a time; a request that comes while one is being made is refused at once. */
export class PayoutInProgressError extends defineError({
  status: 409,
  code: 'payout-in-progress',
  title: 'Conflict',
  description: 'Another payout batch is being created right now; ask again once it is done.',
}) {
  constructor() {
    super(
      'Another payout batch is being created right now; ask again once it is done (it may leave nothing to pay).',
      undefined,
      { 'Retry-After': '1' },
    );
  }
}

/** A reconciliation is asked for a business date that has not begun in Asia/Shanghai. */
export class DateInFutureError extends defineError({
  status: 422,
  code: 'date-in-future',
  title: 'Date in the future',
  description: 'The business date (Asia/Shanghai) has not begun; there is nothing to reconcile yet.',
}) {
  constructor(date: string, today: string) {
    super(
      `${date} has not begun in Asia/Shanghai (today is ${today}); business dates are Asia/Shanghai dates.`,
    );
  }
}
