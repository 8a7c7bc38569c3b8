import { Column, Entity, Index } from 'typeorm';
import { CreatedAt, IdColumn, UpdatedAt } from '@/common/entity-columns';
import { MoneyColumn } from '@/common/money';
import type { SlotWeight } from '../device/protocol';

export enum SessionKind {
  /** A citizen takes goods and is charged. */
  Sale = 'SALE',
  /** An operator puts goods in (or takes expired goods out); nobody is charged. */
  Restock = 'RESTOCK',
}

export enum SessionStatus {
  Unlocking = 'UNLOCKING',
  Open = 'OPEN',
  Settled = 'SETTLED',
  Cancelled = 'CANCELLED',
  Review = 'REVIEW',
}

/** Why a session is in review (or was cancelled), as a stable code a client can translate. */
export enum ReasonCode {
  OutOfTolerance = 'OUT_OF_TOLERANCE',
  WeightGrew = 'WEIGHT_GREW',
  UnknownSlot = 'UNKNOWN_SLOT',
  MissingReading = 'MISSING_READING',
  NotCertified = 'NOT_CERTIFIED',
  NoDoorOpened = 'NO_DOOR_OPENED',
  SessionLost = 'SESSION_LOST',
  Disputed = 'DISPUTED',
  RestockLotShort = 'RESTOCK_LOT_SHORT',
  UnlockExpired = 'UNLOCK_EXPIRED',
  UnlockNotSent = 'UNLOCK_NOT_SENT',
  /** The door opened after the session had been cancelled for not opening in time. */
  LateDoorOpened = 'LATE_DOOR_OPENED',
}

/**
 * How long past an unlock's `exp` the service still takes the door's opening: the cabinet decides by its own
 * clock, which may run a little behind ours. The session is cancelled only after this grace.
 */
export const UNLOCK_GRACE_MS = 5000;

/** What was taken from one slot, priced. */
export interface SessionItem {
  slotNo: number;
  productId: string;
  /** The product's name when it was sold (receipts and views need no further read). */
  productName?: string;
  lotId: string;
  quantity: number;
  unitPriceFen: number;
  amountFen: number;
}

/** Why a session is in review, with what the scales said. */
export interface ReviewEvidence {
  slots: {
    slotNo: number;
    productId: string | null;
    unitWeightGrams: number | null;
    toleranceGrams: number | null;
    beforeGrams: number | null;
    afterGrams: number | null;
    deltaGrams: number | null;
    /** The whole numbers of units the delta could mean (nearest first). */
    candidateQuantities: number[];
    problem: 'OUT_OF_TOLERANCE' | 'WEIGHT_GREW' | 'UNKNOWN_SLOT' | 'MISSING_READING' | null;
  }[];
  /** Items as charged (a disputed session) or as the scales suggest. */
  candidateItems: { slotNo: number; productId: string; quantity: number }[];
}

/**
 * What the operator's decision on a disputed purchase still has to do with money, kept with the session so
 * that it is done exactly once whatever fails: every step reads the order's state and does what is missing.
 */
export interface Correction {
  /** The order that was disputed. */
  orderId: string;
  /** Of that order, what the citizen keeps paying for (at the prices charged); the rest is refunded. */
  keptFen: number;
  /** The same per item, so the refund goes to the lines (and households) of the units not taken. */
  kept: SessionItem[];
  /** Units taken beyond the charge, charged as a further order with this id. */
  extraOrderId: string | null;
  extraItems: SessionItem[];
  /** The order was unpaid when decided: it is cancelled and replaced by one for every item, with this id. */
  replacementOrderId: string | null;
}

/** For a restock session: where the units put in come from, and what happens to units taken out. */
export interface RestockPlan {
  /** slotNo → lot that units put in come from (the slot's lot when not named). */
  lots: Record<string, string>;
  /** Units taken out go back to their lot (RETURN) or are written off (WRITE_OFF) with a reason. */
  removed: 'RETURN' | 'WRITE_OFF';
  writeOffReason: string | null;
}

/**
 * One use of a cabinet: unlocked for a citizen (or an operator restocking), opened, closed, settled.
 * `open_cabinet_id` is the cabinet's id while the session is not over and NULL after: a unique index on it
 * keeps at most one open session per cabinet, whatever the concurrency.
 */
@Entity('kiosk_sessions')
@Index('ix_kiosk_sessions_user', ['userId', 'createdAt'])
@Index('ix_kiosk_sessions_status', ['status', 'updatedAt'])
export class KioskSessionEntity {
  @IdColumn() id: string;

  @Index('ix_kiosk_sessions_cabinet')
  @Column({ name: 'cabinet_id', type: 'char', length: 26 })
  cabinetId: string;

  @Index('uq_kiosk_sessions_open_cabinet', { unique: true })
  @Column({ name: 'open_cabinet_id', type: 'char', length: 26, nullable: true })
  openCabinetId: string | null;

  @Column({ type: 'varchar', length: 12 })
  kind: SessionKind;

  @Column({ name: 'user_id', type: 'char', length: 26 })
  userId: string;

  @Column({ type: 'varchar', length: 12 })
  status: SessionStatus;

  @Column({ name: 'unlock_expires_at', type: 'datetime', precision: 3 })
  unlockExpiresAt: Date;

  @Column({ name: 'opened_at', type: 'datetime', precision: 3, nullable: true })
  openedAt: Date | null;

  @Column({ name: 'closed_at', type: 'datetime', precision: 3, nullable: true })
  closedAt: Date | null;

  @Column({ name: 'weights_before', type: 'simple-json', nullable: true })
  weightsBefore: SlotWeight[] | null;

  @Column({ name: 'weights_after', type: 'simple-json', nullable: true })
  weightsAfter: SlotWeight[] | null;

  @Column({ type: 'simple-json', nullable: true })
  items: SessionItem[] | null;

  @MoneyColumn({ name: 'total_fen', default: 0 })
  totalFen: number;

  @Index('ix_kiosk_sessions_order')
  @Column({ name: 'order_id', type: 'char', length: 26, nullable: true })
  orderId: string | null;

  @Column({ name: 'review_reason', type: 'varchar', length: 255, nullable: true })
  reviewReason: string | null;

  @Column({ name: 'reason_code', type: 'varchar', length: 24, nullable: true })
  reasonCode: ReasonCode | null;

  @Column({ type: 'simple-json', nullable: true })
  evidence: ReviewEvidence | null;

  @Column({ name: 'dispute_reason', type: 'varchar', length: 500, nullable: true })
  disputeReason: string | null;

  @Column({ name: 'resolved_by', type: 'char', length: 26, nullable: true })
  resolvedBy: string | null;

  @Column({ name: 'resolution_note', type: 'varchar', length: 500, nullable: true })
  resolutionNote: string | null;

  @Column({ name: 'restock', type: 'simple-json', nullable: true })
  restock: RestockPlan | null;

  /** When the charge of the session's order was attempted (its outcome is the order's and payment's). */
  @Column({ name: 'charged_at', type: 'datetime', precision: 3, nullable: true })
  chargedAt: Date | null;

  @Column({ name: 'receipt_sent_at', type: 'datetime', precision: 3, nullable: true })
  receiptSentAt: Date | null;

  @Column({ type: 'simple-json', nullable: true })
  correction: Correction | null;

  /** One corrector at a time (the operator's request, the watchdog): a lease that runs out if it dies. */
  @Column({ name: 'correction_lease_until', type: 'datetime', precision: 3, nullable: true })
  correctionLeaseUntil: Date | null;

  @Column({ name: 'correction_done_at', type: 'datetime', precision: 3, nullable: true })
  correctionDoneAt: Date | null;

  @CreatedAt() createdAt: Date;
  @UpdatedAt() updatedAt: Date;
}
