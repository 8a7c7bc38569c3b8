export enum Role {
  Admin = 'ADMIN',
  Operator = 'OPERATOR',
  Citizen = 'CITIZEN',
  UnitBuyer = 'UNIT_BUYER',
  UnitApprover = 'UNIT_APPROVER',
  Host = 'HOST',
  Supplier = 'SUPPLIER',
  Cadre = 'CADRE',
}

export const ALL_ROLES: readonly Role[] = Object.values(Role);

/** Who is calling: the claims of a verified access token. */
export interface AuthUser {
  id: string;
  username: string;
  roles: Role[];
  organizationId: string | null;
  hostId: string | null;
  supplierId: string | null;
  regionCode: string | null;
}

export function hasRole(user: AuthUser | undefined, ...roles: Role[]): boolean {
  return !!user && roles.some((r) => user.roles.includes(r));
}
