import { Column, Entity, Index } from 'typeorm';
import { CreatedAt, IdColumn } from '@/common/entity-columns';

/** A one-time login code sent by SMS; only its hash is kept. */
@Entity('otp_codes')
@Index('ix_otp_phone_created', ['phoneHash', 'createdAt'])
export class OtpCodeEntity {
  @IdColumn() id: string;

  @Column({ name: 'phone_hash', type: 'char', length: 64 })
  phoneHash: string;

  @Column({ name: 'code_hash', type: 'char', length: 64 })
  codeHash: string;

  @Column({ name: 'expires_at', type: 'datetime', precision: 3 })
  expiresAt: Date;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ name: 'consumed_at', type: 'datetime', precision: 3, nullable: true })
  consumedAt: Date | null;

  @CreatedAt() createdAt: Date;
}
