import { ErrorSpec, registerError } from './error-catalog';

/** A field-level validation message in a 400 answer. */
export interface FieldError {
  field: string;
  message: string;
}

/**
 * An expected business outcome: a stable machine `code`, an HTTP status and a human title.
 * The global problem filter turns it into application/problem+json. Declare one through defineError.
 */
export class DomainError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(detail ?? title);
  }
}

/** A typed error class: its spec is readable without an instance (for @ApiErrors and the catalog). */
export interface DomainErrorClass extends ErrorSpec {
  new (...args: never[]): DomainError;
}

/**
 * The base class of one expected outcome, its code registered in the error catalog:
 * `class OutOfStockError extends defineError({ status: 409, code: 'out-of-stock', … }) { … }`.
 * Subclasses give their constructor the arguments their detail needs.
 */
export function defineError(spec: ErrorSpec) {
  registerError(spec);
  return class extends DomainError {
    static readonly status = spec.status;
    static readonly code = spec.code;
    static readonly title = spec.title;
    static readonly description = spec.description;

    constructor(detail?: string, errors?: FieldError[], headers?: Record<string, string>) {
      super(spec.status, spec.code, spec.title, detail, errors, headers);
    }
  };
}

export class ValidationFailedError extends defineError({
  status: 400,
  code: 'validation-failed',
  title: 'Validation failed',
  description: 'A field is missing, unknown or not valid; `errors` names each field with one message.',
}) {
  constructor(errors: FieldError[], detail = 'The request is not valid.') {
    super(detail, errors);
  }
}

/** Something the request names does not exist; modules name theirs (`RegionNotFoundError extends NotFoundError`). */
export class NotFoundError extends defineError({
  status: 404,
  code: 'not-found',
  title: 'Not found',
  description: 'No such route or resource.',
}) {
  constructor(what: string) {
    super(`${what} was not found.`);
  }
}

export class UnauthenticatedError extends defineError({
  status: 401,
  code: 'unauthenticated',
  title: 'Unauthenticated',
  description: 'The access token is missing, malformed, invalid or expired.',
}) {
  constructor(detail = 'A valid access token is required.') {
    super(detail);
  }
}

/** The caller's role or scope does not allow this; modules name their scope checks as subclasses. */
export class ForbiddenError extends defineError({
  status: 403,
  code: 'forbidden',
  title: 'Forbidden',
  description: 'The caller’s role or scope does not allow this.',
}) {
  constructor(detail = 'Your role or scope does not allow this.') {
    super(detail);
  }
}

export class TooManyRequestsError extends defineError({
  status: 429,
  code: 'too-many-requests',
  title: 'Too many requests',
  description: 'The caller sent too many requests; slow down (see Retry-After).',
}) {
  constructor(detail: string, retryAfterSeconds: number) {
    super(detail, undefined, { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) });
  }
}

/** JSON nested deeper than the service reads (every level costs a stack frame in the parser and validators). */
export class TooDeeplyNestedError extends defineError({
  status: 400,
  code: 'too-deeply-nested',
  title: 'Too deeply nested',
  description: 'The body nests arrays and objects deeper than the service reads.',
}) {
  constructor(maxDepth: number) {
    super(`The body nests arrays and objects more than ${maxDepth} levels deep.`);
  }
}
