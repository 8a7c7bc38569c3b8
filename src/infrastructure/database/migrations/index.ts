import { MigrationInterface } from 'typeorm';
import { Foundation1795915758569 } from './1795915758569-Foundation';
import { Spine1795917295387 } from './1795917295387-Spine';
import { CheckoutPaths1795930000000 } from './1795930000000-CheckoutPaths';
import { OutboxClaims1795940000000 } from './1795940000000-OutboxClaims';
import { OrderPolicies1795950000000 } from './1795950000000-OrderPolicies';
import { Kiosk1795960000000 } from './1795960000000-Kiosk';
import { CreditHolds1795970000000 } from './1795970000000-CreditHolds';
import { Livestream1795980000000 } from './1795980000000-Livestream';
import { Procurement1796303550450 } from './1796303550450-Procurement';

/** Every migration in order; the only way the schema changes. */
export const MIGRATIONS: (new () => MigrationInterface)[] = [
  Foundation1795915758569,
  Spine1795917295387,
  CheckoutPaths1795930000000,
  OutboxClaims1795940000000,
  OrderPolicies1795950000000,
  Kiosk1795960000000,
  CreditHolds1795970000000,
  Livestream1795980000000,
  Procurement1796303550450,
];
