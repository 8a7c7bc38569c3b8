import { Column, Entity, Index } from 'typeorm';
import { CreatedAt, IdColumn } from '@/common/entity-columns';

export enum AlertKind {
  /** The cabinet reported a FAULT; it is in maintenance until cleared. */
  Fault = 'FAULT',
  /** The door stayed open over two minutes. */
  DoorOpenTooLong = 'DOOR_OPEN_TOO_LONG',
  /** No DOOR_CLOSED within ten minutes of the door opening: the session went to review. */
  SessionLost = 'SESSION_LOST',
  /** No heartbeat for 90 seconds. */
  Offline = 'OFFLINE',
  /** The door opened (or closed) after its session was over: the session went to review. */
  LateDoor = 'LATE_DOOR',
  /** The scales say more was taken than the slot's stock record holds. */
  StockMismatch = 'STOCK_MISMATCH',
}

/** Something an operator should look at: every fault and alert of every cabinet, kept. */
@Entity('kiosk_alerts')
@Index('ix_kiosk_alerts_cabinet', ['cabinetId', 'createdAt'])
export class KioskAlertEntity {
  @IdColumn() id: string;

  @Column({ name: 'cabinet_id', type: 'char', length: 26 })
  cabinetId: string;

  @Column({ name: 'session_id', type: 'char', length: 26, nullable: true })
  sessionId: string | null;

  @Column({ type: 'varchar', length: 24 })
  kind: AlertKind;

  @Column({ type: 'varchar', length: 500 })
  detail: string;

  @Column({ name: 'cleared_at', type: 'datetime', precision: 3, nullable: true })
  clearedAt: Date | null;

  @Column({ name: 'cleared_by', type: 'char', length: 26, nullable: true })
  clearedBy: string | null;

  @CreatedAt() createdAt: Date;
}
