import { defineError, ForbiddenError, NotFoundError } from '@/common/errors/domain-error';

export class HouseholdExistsError extends defineError({
  status: 409,
  code: 'household-exists',
  title: 'Conflict',
  description: 'A household with this registry number or ID number is already registered.',
}) {
  constructor() {
    super('A household with this registry number or ID number already exists.');
  }
}

export class HouseholdNotFoundError extends NotFoundError {
  static override readonly description = 'No household has this id.';

  constructor(id: string) {
    super(`Household ${id}`);
  }
}

/** A cadre sees only the households of its own region. */
export class HouseholdOutsideRegionError extends ForbiddenError {
  static override readonly description = 'The household lives outside the cadre’s region.';

  constructor() {
    super('This household is outside your region.');
  }
}
