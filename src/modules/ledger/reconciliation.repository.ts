import { BatchPool } from '@/infrastructure/database/batch-pool';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { runStatements } from '@/infrastructure/database/transaction';
import { ReconciliationEntity } from './entities/reconciliation.entity';

/** One of our payments as a provider's statement is checked against it. */
export interface StatementPayment {
  id: string;
  ref: string;
  status: string;
  amountFen: number;
}

/** A paid line of an order that has no sale entry. */
export interface UnallocatedLine {
  lineId: string;
  orderId: string;
}

export interface ChannelFen {
  channel: string;
  fen: number;
}

/** The three totals of a business date that must agree, each per channel. */
export interface ChannelTotals {
  /** Payments captured that day for orders paid that day. */
  payments: ChannelFen[];
  /** Orders paid that day and not cancelled. */
  paidOrders: ChannelFen[];
  /** What the sale entries of orders paid that day took from the payment clearing accounts. */
  posted: ChannelFen[];
}

type ChannelFenRow = { channel: string; fen: string | null };
const channelFen = (rows: ChannelFenRow[]): ChannelFen[] =>
  rows.map((r) => ({ channel: r.channel, fen: Number(r.fen) }));

/** The queries of the daily reconciliation and its stored outcomes. */
@Injectable()
export class ReconciliationRepository {
  constructor(
    @Inject(BatchPool) private readonly batch: BatchPool,
    @InjectDataSource() private readonly db: DataSource,
    @InjectRepository(ReconciliationEntity)
    private readonly reconciliations: Repository<ReconciliationEntity>,
  ) {}

  /** Marks a date's reconciliation RUNNING, creating it when new. */
  async markRunning(date: string): Promise<void> {
    await this.db.query(
      "INSERT INTO reconciliations (business_date, status) VALUES (?, 'RUNNING') ON DUPLICATE KEY UPDATE status = 'RUNNING'",
      [date],
    );
  }

  findByDate(date: string): Promise<ReconciliationEntity | null> {
    return this.reconciliations.findOne({ where: { date } });
  }

  /** Stores a date's outcome over the one there. */
  async save(outcome: Omit<ReconciliationEntity, 'updatedAt'>): Promise<void> {
    await this.reconciliations.save(outcome);
  }

  /** A provider's payments captured on `date` or named by one of `refs` (the provider's references). */
  async providerPayments(
    provider: string,
    date: string,
    refs: readonly string[],
  ): Promise<StatementPayment[]> {
    const rows = (await this.db.query(
      'SELECT id, provider_ref AS ref, status, amount_fen AS amountFen FROM payments WHERE provider = ? AND (captured_date = ? OR provider_ref IN (?))',
      // IN () is not SQL: an empty list becomes a reference no payment has.
      [provider, date, refs.length ? [...refs] : ['-']],
    )) as { id: string; ref: string; status: string; amountFen: string }[];
    return rows.map((r) => ({ id: r.id, ref: r.ref, status: r.status, amountFen: Number(r.amountFen) }));
  }

  /** The lines of orders paid on `date` (and not cancelled) that have no sale entry. */
  async unallocatedLines(date: string): Promise<UnallocatedLine[]> {
    const rows = (await this.db.query(
      `SELECT l.id, l.order_id AS orderId FROM orders o JOIN order_lines l ON l.order_id = o.id
         LEFT JOIN journal_entries e ON e.idempotency_key = CONCAT('sale:', l.id)
        WHERE o.paid_date = ? AND o.status <> 'CANCELLED' AND e.id IS NULL`,
      [date],
    )) as { id: string; orderId: string }[];
    return rows.map((r) => ({ lineId: r.id, orderId: r.orderId }));
  }

  /** The date's captured payments, paid orders and posted sales per channel, in one round trip. */
  async channelTotals(date: string): Promise<ChannelTotals> {
    const [payments, paidOrders, posted] = (await runStatements(this.batch, [
      [
        `SELECT o.channel, SUM(p.amount_fen) AS fen FROM payments p JOIN orders o ON o.id = p.order_id
          WHERE p.captured_date = ? AND p.status = 'CAPTURED' AND o.paid_date = ? GROUP BY o.channel`,
        [date, date],
      ],
      [
        "SELECT channel, SUM(total_fen) AS fen FROM orders WHERE paid_date = ? AND status <> 'CANCELLED' GROUP BY channel",
        [date],
      ],
      [
        `SELECT o.channel, -SUM(p.amount_fen) AS fen FROM orders o
           JOIN journal_entries e ON e.order_id = o.id AND e.kind = 'SALE'
           JOIN postings p ON p.entry_id = e.id JOIN ledger_accounts a ON a.id = p.account_id AND a.type = 'PAYMENT_CLEARING'
          WHERE o.paid_date = ? GROUP BY o.channel`,
        [date],
      ],
    ])) as [ChannelFenRow[], ChannelFenRow[], ChannelFenRow[]];
    return { payments: channelFen(payments), paidOrders: channelFen(paidOrders), posted: channelFen(posted) };
  }
}
