import { IdempotencyKeyEntity } from '@/common/idempotency/idempotency-key.entity';
import { ProductEntity } from '@/modules/catalog/entities/product.entity';
import { LotSourceEntity } from '@/modules/catalog/entities/lot-source.entity';
import { SupplyLotEntity } from '@/modules/catalog/entities/supply-lot.entity';
import { HouseholdEntity } from '@/modules/households/entities/household.entity';
import { OtpCodeEntity } from '@/modules/identity/entities/otp-code.entity';
import { UserEntity } from '@/modules/identity/entities/user.entity';
import { HostEntity } from '@/modules/livestream/entities/host.entity';
import { OrganizationEntity } from '@/modules/procurement/entities/organization.entity';
import { RegionEntity } from '@/modules/regions/entities/region.entity';
import { BenefitLinkageEntity } from '@/modules/suppliers/entities/benefit-linkage.entity';
import { SupplierEntity } from '@/modules/suppliers/entities/supplier.entity';
import { SmsMessageEntity } from '@/infrastructure/sms/sms-message.entity';

/** Every table's entity; the migrations are generated from these. */
export const ENTITIES = [
  UserEntity,
  OtpCodeEntity,
  RegionEntity,
  HouseholdEntity,
  SupplierEntity,
  BenefitLinkageEntity,
  ProductEntity,
  SupplyLotEntity,
  LotSourceEntity,
  OrganizationEntity,
  HostEntity,
  IdempotencyKeyEntity,
  SmsMessageEntity,
];
