/** A field-level validation message in a 400 answer. */
export interface FieldError {
  field: string;
  message: string;
}

/**
 * An expected business outcome: a stable machine `code`, an HTTP status and a human title.
 * The global problem filter turns it into application/problem+json.
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

export class ValidationFailedError extends DomainError {
  constructor(errors: FieldError[], detail = 'The request is not valid.') {
    super(400, 'validation-failed', 'Validation failed', detail, errors);
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string, code = 'not-found') {
    super(404, code, 'Not found', `${what} was not found.`);
  }
}

export class ConflictError extends DomainError {
  constructor(code: string, detail: string) {
    super(409, code, 'Conflict', detail);
  }
}

export class UnauthenticatedError extends DomainError {
  constructor(detail = 'A valid access token is required.', code = 'unauthenticated') {
    super(401, code, 'Unauthenticated', detail);
  }
}

export class ForbiddenError extends DomainError {
  constructor(detail = 'Your role or scope does not allow this.', code = 'forbidden') {
    super(403, code, 'Forbidden', detail);
  }
}

export class TooManyRequestsError extends DomainError {
  constructor(detail: string, retryAfterSeconds: number) {
    super(429, 'too-many-requests', 'Too many requests', detail, undefined, {
      'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))),
    });
  }
}

/** JSON nested deeper than the service reads (every level costs a stack frame in the parser and validators). */
export class TooDeeplyNestedError extends DomainError {
  constructor(maxDepth: number) {
    super(
      400,
      'too-deeply-nested',
      'Too deeply nested',
      `The body nests arrays and objects more than ${maxDepth} levels deep.`,
    );
  }
}
