import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { HouseholdStatus } from '@/modules/households/entities/household.entity';
import { IncomeSource } from './entities/posting.entity';

/** One posting on a household's account, with its entry. */
export interface HouseholdPosting {
  entryId: string;
  kind: string;
  date: string;
  source: IncomeSource;
  channel: string | null;
  amountFen: number;
  availableOn: string | null;
  orderId: string | null;
  lotId: string | null;
  memo: string | null;
}

/** A household under monitoring and its income over a period. */
export interface HouseholdIncome {
  householdId: string;
  members: number;
  status: HouseholdStatus;
  incomeFen: number;
}

/** The queries that read households' income from the postings. */
@Injectable()
export class IncomeRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** A household's postings dated within `from`..`to` (each bound optional), by date, then as written. */
  async householdPostings(householdId: string, from?: string, to?: string): Promise<HouseholdPosting[]> {
    const rows = (await this.db.query(
      `SELECT e.id AS entryId, e.kind, p.business_date AS date, p.source, p.channel, p.amount_fen AS amountFen,
              p.available_on AS availableOn, e.order_id AS orderId, p.lot_id AS lotId, e.memo
         FROM ledger_accounts a
         JOIN postings p ON p.account_id = a.id
         JOIN journal_entries e ON e.id = p.entry_id
        WHERE a.type = 'HOUSEHOLD' AND a.owner_id = ?
          ${from ? 'AND p.business_date >= ?' : ''} ${to ? 'AND p.business_date <= ?' : ''}
        ORDER BY p.business_date, p.id`,
      [householdId, ...(from ? [from] : []), ...(to ? [to] : [])],
    )) as (Omit<HouseholdPosting, 'amountFen'> & { amountFen: string })[];
    return rows.map((r) => ({
      entryId: r.entryId,
      kind: r.kind,
      date: r.date,
      source: r.source,
      channel: r.channel,
      amountFen: Number(r.amountFen),
      availableOn: r.availableOn,
      orderId: r.orderId,
      lotId: r.lotId,
      memo: r.memo,
    }));
  }

  /**
   * How many fen of an order's sales (net of its refunds) are on households' accounts; null while none of
   * its lines is allocated yet (the ledger posts all of an order's lines together).
   */
  async householdFenOfOrder(orderId: string): Promise<number | null> {
    const [{ entries, fen }] = (await this.db.query(
      `SELECT COUNT(DISTINCT e.id) AS entries,
              COALESCE(SUM(CASE WHEN a.type = 'HOUSEHOLD' THEN p.amount_fen END), 0) AS fen
         FROM journal_entries e
         JOIN postings p ON p.entry_id = e.id JOIN ledger_accounts a ON a.id = p.account_id
        WHERE e.order_id = ? AND e.kind IN ('SALE', 'REFUND')`,
      [orderId],
    )) as { entries: string; fen: string }[];
    return Number(entries) === 0 ? null : Number(fen);
  }

  /** The households each order's sale still credits (net of refunds), for `orderIds`. */
  async householdsOfOrders(orderIds: readonly string[]): Promise<{ orderId: string; householdId: string }[]> {
    if (!orderIds.length) {
      return [];
    }
    return (await this.db.query(
      `SELECT e.order_id AS orderId, a.owner_id AS householdId
         FROM journal_entries e
         JOIN postings p ON p.entry_id = e.id JOIN ledger_accounts a ON a.id = p.account_id
        WHERE e.order_id IN (?) AND e.kind IN ('SALE', 'REFUND') AND a.type = 'HOUSEHOLD'
        GROUP BY e.order_id, a.owner_id HAVING SUM(p.amount_fen) > 0`,
      [orderIds],
    )) as { orderId: string; householdId: string }[];
  }

  /** How many fen of a lot's sales are on households' accounts. */
  async householdFenOfLot(lotId: string): Promise<number> {
    const [{ fen }] = (await this.db.query(
      `SELECT COALESCE(SUM(p.amount_fen), 0) AS fen FROM postings p JOIN ledger_accounts a ON a.id = p.account_id
        WHERE p.lot_id = ? AND a.type = 'HOUSEHOLD'`,
      [lotId],
    )) as { fen: string }[];
    return Number(fen);
  }

  /**
   * Every LIFTED or MONITORED household with its income (sales, dividends, management and picking fees,
   * wages; not payouts) dated after `since` up to `until`.
   */
  async monitoredIncome(since: string, until: string): Promise<HouseholdIncome[]> {
    const rows = (await this.db.query(
      `SELECT h.id, h.members, h.status, COALESCE(SUM(CASE WHEN p.source IN ('SALE','DIVIDEND','MANAGEMENT_FEE','PICKING_FEE','WAGE') THEN p.amount_fen END), 0) AS income
         FROM households h
         LEFT JOIN ledger_accounts a ON a.type = 'HOUSEHOLD' AND a.owner_id = h.id
         LEFT JOIN postings p ON p.account_id = a.id AND p.business_date > ? AND p.business_date <= ?
        WHERE h.status IN ('LIFTED', 'MONITORED')
        GROUP BY h.id, h.members, h.status`,
      [since, until],
    )) as { id: string; members: number; status: HouseholdStatus; income: string }[];
    return rows.map((r) => ({
      householdId: r.id,
      members: Number(r.members),
      status: r.status,
      incomeFen: Number(r.income),
    }));
  }

  /**
   * Households' sale income (net of refunds) of entries dated within [from, to], per channel, buying
   * organization (the order's employer or organization in its attribution) and household.
   */
  async saleIncome(
    from: string,
    to: string,
  ): Promise<{ channel: string; organizationId: string | null; householdId: string; fen: number }[]> {
    const rows = (await this.db.query(
      `SELECT e.channel,
              COALESCE(o.employer_id, JSON_UNQUOTE(JSON_EXTRACT(o.attribution, '$.organizationId'))) AS org,
              a.owner_id AS household, SUM(p.amount_fen) AS fen
         FROM journal_entries e
         JOIN postings p ON p.entry_id = e.id JOIN ledger_accounts a ON a.id = p.account_id
         LEFT JOIN orders o ON o.id = e.order_id
        WHERE e.business_date BETWEEN ? AND ? AND e.kind IN ('SALE', 'REFUND') AND a.type = 'HOUSEHOLD'
        GROUP BY e.channel, org, a.owner_id`,
      [from, to],
    )) as { channel: string; org: string | null; household: string; fen: string }[];
    return rows.map((r) => ({
      channel: r.channel,
      organizationId: r.org,
      householdId: r.household,
      fen: Number(r.fen),
    }));
  }
}
