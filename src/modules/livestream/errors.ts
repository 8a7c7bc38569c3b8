import { defineError, ForbiddenError, NotFoundError } from '@/common/errors/domain-error';

export class LiveSessionNotFoundError extends NotFoundError {
  constructor(id: string) {
    super(`Live session ${id}`);
  }
}

export class HostNotFoundError extends NotFoundError {
  constructor(id: string) {
    super(`Host ${id}`);
  }
}

export class OfferNotFoundError extends NotFoundError {
  constructor(id: string) {
    super(`Offer ${id} of this session`);
  }
}

export class ImportNotFoundError extends NotFoundError {
  constructor(id: string) {
    super(`Import ${id}`);
  }
}

/** A host user acts only on its own host profile and sessions. */
export class NotYourSessionError extends ForbiddenError {
  constructor(detail = 'A host sees and runs only its own sessions.') {
    super(detail);
  }
}

export class SessionNotLiveError extends defineError({
  status: 409,
  code: 'session-not-live',
  title: 'Session not live',
  description: 'The session has not started yet or has ended; its offers are not on sale.',
}) {
  constructor(status: string) {
    super(`The session is ${status}; orders are taken only while it is LIVE.`);
  }
}

export class SoldOutError extends defineError({
  status: 409,
  code: 'sold-out',
  title: 'Sold out',
  description:
    'The offer has fewer units left than asked for (units in unpaid orders come back when they expire).',
}) {
  constructor(left: number) {
    super(left > 0 ? `Only ${left} left.` : 'Sold out.');
  }
}

export class LimitExceededError extends defineError({
  status: 422,
  code: 'limit-exceeded',
  title: 'Limit exceeded',
  description:
    "The order would take the buyer past the offer's per-buyer limit (reserved and paid units count).",
}) {
  constructor(limit: number, had: number) {
    super(`At most ${limit} per buyer; you already hold ${had}.`);
  }
}

export class InvalidSessionTransitionError extends defineError({
  status: 409,
  code: 'invalid-session-transition',
  title: 'Invalid session transition',
  description: 'Sessions go SCHEDULED → LIVE → ENDED, once each.',
}) {
  constructor(from: string, to: string) {
    super(`A ${from} session cannot become ${to}.`);
  }
}

export class StockBusyError extends defineError({
  status: 503,
  code: 'stock-busy',
  title: 'Stock being rebuilt',
  description: "The offer's flash-sale stock is being rebuilt from the database; try again in a moment.",
}) {
  constructor() {
    super('The stock is being counted again; please try again in a moment.', undefined, {
      'Retry-After': '1',
    });
  }
}
