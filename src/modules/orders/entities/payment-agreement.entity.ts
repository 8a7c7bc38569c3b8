import { Column, Entity, Index } from 'typeorm';
import { CreatedAt, IdColumn } from '@/common/entity-columns';

/** A citizen's pay-after-use authorisation with a provider (used by cabinets). */
@Entity('payment_agreements')
@Index('uq_agreements_user_provider', ['userId', 'provider'], { unique: true })
export class PaymentAgreementEntity {
  @IdColumn() id: string;

  @Column({ name: 'user_id', type: 'char', length: 26 })
  userId: string;

  @Column({ type: 'varchar', length: 32 })
  provider: string;

  @Column({ name: 'agreement_ref', type: 'varchar', length: 64 })
  agreementRef: string;

  @Column({ type: 'varchar', length: 12 })
  status: 'ACTIVE' | 'REVOKED';

  @CreatedAt() createdAt: Date;
}
