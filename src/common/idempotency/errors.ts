import { registerError } from '@/common/errors/error-catalog';

/** The answers of an Idempotency-Key the interceptor refuses, listed on every @Idempotent() route. */
export const IDEMPOTENCY_ERRORS = {
  invalidKey: registerError({
    status: 400,
    code: 'invalid-idempotency-key',
    title: 'Invalid Idempotency-Key',
    description: 'The Idempotency-Key is not 1 to 255 visible ASCII characters.',
  }),
  keyInProgress: registerError({
    status: 409,
    code: 'idempotency-key-in-progress',
    title: 'Request in progress',
    description: 'The first request with this Idempotency-Key is still running; retry shortly.',
  }),
  keyReused: registerError({
    status: 422,
    code: 'idempotency-key-reused',
    title: 'Idempotency key reused',
    description: 'This Idempotency-Key was already used with a different request.',
  }),
} as const;
