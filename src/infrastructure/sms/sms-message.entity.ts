import { Column, Entity, Index } from 'typeorm';
import { CreatedAt, IdColumn } from '@/common/entity-columns';

/** A message kept by the `log` SMS provider (development and tests) instead of being sent. */
@Entity('sms_messages')
@Index('ix_sms_phone_created', ['phoneHash', 'createdAt'])
export class SmsMessageEntity {
  @IdColumn() id: string;

  @Column({ name: 'phone_hash', type: 'char', length: 64 })
  phoneHash: string;

  @Column({ name: 'phone_enc', type: 'varchar', length: 255 })
  phoneEnc: string;

  @Column({ type: 'varchar', length: 500 })
  text: string;

  @CreatedAt() createdAt: Date;
}
