import { Column, Entity, Index } from 'typeorm';
import { CreatedAt, IdColumn } from '@/common/entity-columns';

/** The first answer to a POST carrying an Idempotency-Key, replayed for repeats until `expiresAt`. */
@Entity('idempotency_keys')
@Index('uq_idempotency_scope_key', ['scope', 'key'], { unique: true })
export class IdempotencyKeyEntity {
  @IdColumn() id: string;

  /** The caller's user id. */
  @Column({ type: 'varchar', length: 40 })
  scope: string;

  @Column({ name: 'idem_key', type: 'varchar', length: 255 })
  key: string;

  @Column({ name: 'request_hash', type: 'char', length: 64 })
  requestHash: string;

  @Column({ type: 'varchar', length: 12 })
  state: 'PENDING' | 'DONE';

  @Column({ name: 'status_code', type: 'int', nullable: true })
  statusCode: number | null;

  @Column({ name: 'response_body', type: 'mediumtext', nullable: true })
  responseBody: string | null;

  @Index('ix_idempotency_expires')
  @Column({ name: 'expires_at', type: 'datetime', precision: 3 })
  expiresAt: Date;

  @CreatedAt() createdAt: Date;
}
