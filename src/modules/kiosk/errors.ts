import { defineError, ForbiddenError } from '@/common/errors/domain-error';

/** No cabinet has this code, or the QR code was forged or altered. */
export class CabinetNotFoundError extends defineError({
  status: 404,
  code: 'cabinet-not-found',
  title: 'Not found',
  description: 'No cabinet has this code, or the QR code was forged or altered.',
}) {
  constructor(detail = 'This QR code belongs to no cabinet of ours.') {
    super(detail);
  }
}

export class CabinetOfflineError extends defineError({
  status: 503,
  code: 'cabinet-offline',
  title: 'Cabinet offline',
  description: 'The cabinet has not been heard from within 90 seconds (or the broker is unreachable).',
}) {
  constructor() {
    super('The cabinet is offline; please try again later.');
  }
}

export class CabinetMaintenanceError extends defineError({
  status: 503,
  code: 'cabinet-maintenance',
  title: 'Cabinet under maintenance',
  description: 'The cabinet reported a fault and is out of service until an operator clears it.',
}) {
  constructor() {
    super('The cabinet is under maintenance.');
  }
}

export class CabinetBusyError extends defineError({
  status: 409,
  code: 'cabinet-busy',
  title: 'Cabinet busy',
  description: 'Another session is open at this cabinet (at most one at a time).',
}) {
  constructor() {
    super('Someone else is using this cabinet; please wait until the door is closed.');
  }
}

export class PaymentAgreementRequiredError extends defineError({
  status: 402,
  code: 'payment-agreement-required',
  title: 'Payment agreement required',
  description: 'The citizen has not agreed to pay after use (POST /me/payment-agreements).',
}) {
  constructor() {
    super('Agree to pay after use before opening a cabinet.');
  }
}

export class UnpaidBalanceError extends defineError({
  status: 402,
  code: 'unpaid-balance',
  title: 'Unpaid balance',
  description: 'An earlier cabinet purchase of the citizen is unpaid; it must be paid before the next one.',
}) {
  constructor(fen: number) {
    super(`An earlier cabinet purchase of ${fen} fen is unpaid; pay it first.`);
  }
}

export class KioskSessionNotFoundError extends defineError({
  status: 404,
  code: 'kiosk-session-not-found',
  title: 'Not found',
  description: 'No cabinet session has this id.',
}) {
  constructor(id: string) {
    super(`Cabinet session ${id} was not found.`);
  }
}

export class NotYourSessionError extends ForbiddenError {
  static override readonly description = 'The cabinet session belongs to another citizen.';
}

export class SessionNotDisputableError extends defineError({
  status: 409,
  code: 'session-not-disputable',
  title: 'Conflict',
  description: 'Only a settled sale session can be disputed, once, within the kiosk refund window.',
}) {}

export class SessionNotInReviewError extends defineError({
  status: 409,
  code: 'session-not-in-review',
  title: 'Conflict',
  description: 'Only a session in REVIEW can be resolved.',
}) {
  constructor(status: string) {
    super(`The session is ${status}, not in review.`);
  }
}

export class SlotNotFoundError extends defineError({
  status: 404,
  code: 'slot-not-found',
  title: 'Not found',
  description: 'The cabinet has no such slot.',
}) {
  constructor(slotNo: number) {
    super(`The cabinet has no slot ${slotNo}.`);
  }
}

export class LotNotOfProductError extends defineError({
  status: 422,
  code: 'lot-not-of-product',
  title: 'Lot of another product',
  description: 'The supply lot named for a slot is not a lot of the slot’s product.',
}) {}

export class NotAMaintenanceCabinetError extends defineError({
  status: 409,
  code: 'cabinet-not-in-maintenance',
  title: 'Conflict',
  description: 'The cabinet is not in maintenance, so there is nothing to clear.',
}) {
  constructor() {
    super('The cabinet is not in maintenance.');
  }
}

export class PaymentInFlightError extends defineError({
  status: 409,
  code: 'payment-in-flight',
  title: 'Conflict',
  description: 'The disputed order has a payment under way; decide once the payment provider has answered.',
}) {
  constructor() {
    super('A payment of this order is under way; decide again in a moment.');
  }
}
