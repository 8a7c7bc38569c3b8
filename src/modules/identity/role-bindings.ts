import { Injectable } from '@nestjs/common';

/** The user fields that bind a role to a record another module owns. */
export const BINDING_FIELDS = ['organizationId', 'hostId', 'supplierId', 'regionCode'] as const;
export type BindingField = (typeof BINDING_FIELDS)[number];

export type BindingCheck = (value: string) => Promise<boolean>;

/**
 * How identity learns whether a user's binding names an existing record: the module that owns the records
 * (procurement: organizations, livestream: hosts, suppliers, regions) registers its check at init, so identity
 * imports none of them.
 */
@Injectable()
export class RoleBindings {
  private readonly checks = new Map<BindingField, BindingCheck>();

  register(field: BindingField, exists: BindingCheck): void {
    if (this.checks.has(field)) {
      throw new Error(`${field} is already checked by another module`);
    }
    this.checks.set(field, exists);
  }

  /** Whether `value` names an existing record of the field's module. */
  async exists(field: BindingField, value: string): Promise<boolean> {
    const check = this.checks.get(field);
    if (!check) {
      throw new Error(`No module checks the user binding ${field}`);
    }
    return check(value);
  }

  /** Throws when a field has no check: a user bound to it could not be validated. */
  assertComplete(): void {
    const missing = BINDING_FIELDS.filter((f) => !this.checks.has(f));
    if (missing.length > 0) {
      throw new Error(
        `No module checks the user bindings ${missing.join(', ')} (the module that owns the records registers a check with RoleBindings)`,
      );
    }
  }
}
