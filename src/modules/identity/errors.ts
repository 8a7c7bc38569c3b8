import { defineError, TooManyRequestsError } from '@/common/errors/domain-error';

export class InvalidCredentialsError extends defineError({
  status: 401,
  code: 'invalid-credentials',
  title: 'Unauthenticated',
  description: 'The username or password is wrong.',
}) {
  constructor() {
    super('The username or password is wrong.');
  }
}

export class InvalidCodeError extends defineError({
  status: 401,
  code: 'invalid-code',
  title: 'Unauthenticated',
  description: 'The one-time code is wrong, expired, already used, or tried too often.',
}) {
  constructor(detail = 'The code is wrong or has expired.') {
    super(detail);
  }
}

export class AccountDisabledError extends defineError({
  status: 403,
  code: 'account-disabled',
  title: 'Account disabled',
  description: 'The account exists but is disabled.',
}) {
  constructor() {
    super('This account is disabled.');
  }
}

export class UsernameTakenError extends defineError({
  status: 409,
  code: 'username-taken',
  title: 'Conflict',
  description: 'Another user already has this username.',
}) {
  constructor(username: string) {
    super(`The username ${username} is taken.`);
  }
}

/** A code was sent to this phone less than OTP_RESEND_SECONDS ago. */
export class OtpResendTooSoonError extends TooManyRequestsError {
  static override readonly description =
    'A code was sent to this phone recently (one per OTP_RESEND_SECONDS); see Retry-After.';

  constructor(retryAfterSeconds: number) {
    super(`A code was sent to this phone recently; ask again in ${retryAfterSeconds} s.`, retryAfterSeconds);
  }
}
