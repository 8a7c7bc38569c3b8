import { defineError, ForbiddenError, NotFoundError } from '@/common/errors/domain-error';

export class OrganizationNotFoundError extends NotFoundError {
  static override readonly description = 'No organization has this id.';

  constructor(id: string) {
    super(`Organization ${id}`);
  }
}

/** Buyers and approvers see only the organization they are bound to. */
export class NotOwnOrganizationError extends ForbiddenError {
  static override readonly description = 'Unit buyers and approvers see only their own organization.';

  constructor() {
    super('You may see only your own organization.');
  }
}

export class ProcurementOrderNotFoundError extends NotFoundError {
  constructor(id: string) {
    super(`Procurement order ${id}`);
  }
}

export class FairNotFoundError extends NotFoundError {
  constructor(id: string) {
    super(`Fair ${id}`);
  }
}

export class QuotaNotFoundError extends NotFoundError {
  constructor(year: number) {
    super(`The organization's quota for ${year}`);
  }
}

export class ShareBelowFloorError extends defineError({
  status: 422,
  code: 'share-below-floor',
  title: 'Share below the floor',
  description:
    "A reserved share of canteen food purchases must be at least the district's floor (1000 bps, 10 %, unless the district sets more).",
}) {
  constructor(floorBps: number) {
    super(`The reserved share must be at least ${floorBps} bps (${floorBps / 100} %).`, [
      { field: 'shareBps', message: `shareBps must be at least ${floorBps}` },
    ]);
  }
}

export class NoCanteenError extends defineError({
  status: 422,
  code: 'no-canteen',
  title: 'No canteen',
  description:
    'An organization without a canteen has no canteen food purchases to reserve a share of; give a fixed amount.',
}) {
  constructor() {
    super('This organization has no canteen: declare a fixed amountFen instead of a share.');
  }
}

/** The approver of an order is never the one who submitted it. */
export class FourEyesError extends defineError({
  status: 403,
  code: 'four-eyes',
  title: 'Four eyes',
  description:
    'The user who submitted a procurement order cannot approve or reject it; another approver must.',
}) {
  constructor() {
    super('You submitted this order; another approver of your organization must decide on it.');
  }
}

export class ProcurementStateError extends defineError({
  status: 409,
  code: 'invalid-procurement-state',
  title: 'Not allowed in this state',
  description:
    'The procurement order is not in a state that allows this step (for example, approving a draft).',
}) {
  constructor(status: string, action: string) {
    super(`The order is ${status}; it cannot be ${action} now.`);
  }
}

export class NotYourLinesError extends ForbiddenError {
  static override readonly description =
    'A supplier confirms, ships and sees only its own lines of an order.';

  constructor() {
    super('This order has no lines of your supplier.');
  }
}

export class NothingReceivedError extends defineError({
  status: 422,
  code: 'nothing-received',
  title: 'Nothing received',
  description:
    'An acceptance must receive at least one unit; a delivery that never came is taken up with the supplier.',
}) {
  constructor() {
    super('Every received quantity is 0: nothing to accept.', [
      { field: 'lines', message: 'at least one line must have a receivedQuantity above 0' },
    ]);
  }
}

export class NotEmployedError extends NotFoundError {
  constructor() {
    super('A link of this citizen to this organization');
  }
}

export class FairNotHeldYetError extends defineError({
  status: 422,
  code: 'fair-not-held-yet',
  title: 'Fair not held yet',
  description: 'Stall sales are recorded on or after the market day, not before it.',
}) {
  constructor(date: string) {
    super(`This fair is on ${date}; record its sales on that day or after.`);
  }
}
