import { ForbiddenError, NotFoundError } from '@/common/errors/domain-error';

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
