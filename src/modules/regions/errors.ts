import { defineError, ForbiddenError, NotFoundError } from '@/common/errors/domain-error';

export class RegionExistsError extends defineError({
  status: 409,
  code: 'region-exists',
  title: 'Conflict',
  description: 'A region with this code already exists.',
}) {
  constructor(code: string) {
    super(`Region ${code} already exists.`);
  }
}

export class RegionNotFoundError extends NotFoundError {
  static override readonly description = 'No region has this code.';

  constructor(code: string) {
    super(`Region ${code}`);
  }
}

/** Only an administrator, or a cadre bound to a region, sees regional data. */
export class NoRegionScopeError extends ForbiddenError {
  static override readonly description =
    'The caller is neither an administrator nor a cadre bound to a region.';

  constructor() {
    super('Your account is not bound to a region.');
  }
}
