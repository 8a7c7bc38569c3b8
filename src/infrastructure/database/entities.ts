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
import { OutboxEntity } from '@/infrastructure/outbox/outbox.entity';
import { SandboxTransactionEntity } from '@/infrastructure/payments/sandbox-transaction.entity';
import { OrderEntity } from '@/modules/orders/entities/order.entity';
import { OrderLineEntity } from '@/modules/orders/entities/order-line.entity';
import { PaymentEntity } from '@/modules/orders/entities/payment.entity';
import { PaymentAgreementEntity } from '@/modules/orders/entities/payment-agreement.entity';
import { RefundEntity } from '@/modules/orders/entities/refund.entity';
import { HarvestEntity } from '@/modules/ledger/entities/harvest.entity';
import { JournalEntryEntity } from '@/modules/ledger/entities/journal-entry.entity';
import { LedgerAccountEntity } from '@/modules/ledger/entities/ledger-account.entity';
import { PayoutBatchEntity, PayoutLineEntity } from '@/modules/ledger/entities/payout.entity';
import { PostingEntity } from '@/modules/ledger/entities/posting.entity';
import { ReconciliationEntity } from '@/modules/ledger/entities/reconciliation.entity';
import { SeasonCloseEntity } from '@/modules/ledger/entities/season-close.entity';

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
  OutboxEntity,
  SandboxTransactionEntity,
  OrderEntity,
  OrderLineEntity,
  PaymentEntity,
  PaymentAgreementEntity,
  RefundEntity,
  LedgerAccountEntity,
  JournalEntryEntity,
  PostingEntity,
  HarvestEntity,
  SeasonCloseEntity,
  ReconciliationEntity,
  PayoutBatchEntity,
  PayoutLineEntity,
];
