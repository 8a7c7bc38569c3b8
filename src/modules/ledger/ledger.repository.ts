import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { retryingDeadlocks, runStatements, Statement } from '@/infrastructure/database/transaction';
import { AccountType } from './entities/ledger-account.entity';
import { EntryKind } from './entities/journal-entry.entity';
import { IncomeSource } from './entities/posting.entity';

/** An account as its owner names it: one account per type and owner. */
export interface AccountKey {
  type: AccountType;
  ownerId: string;
}

export interface Account extends AccountKey {
  id: string;
}

/** A journal entry row to insert. */
export interface NewEntry {
  id: string;
  key: string;
  kind: EntryKind;
  businessDate: string;
  orderId?: string | null;
  orderLineId?: string | null;
  channel?: string | null;
  memo?: string | null;
}

/** A posting row to insert, its account resolved. */
export interface NewPosting {
  entryId: string;
  accountId: string;
  amountFen: number;
  source: IncomeSource;
  channel: string | null;
  availableOn: string | null;
  businessDate: string;
  lotId: string | null;
  supplierId: string | null;
  baseFen: number | null;
  rateBps: number | null;
}

/** A posting of an entry read back with its account (to reverse it). */
export interface EntryPosting {
  accountId: string;
  account: AccountKey;
  amountFen: number;
  source: IncomeSource;
  channel: string | null;
  availableOn: string | null;
  lotId: string | null;
  supplierId: string | null;
}

/** Postings per multi-row INSERT. */
const POSTINGS_PER_STATEMENT = 2000;

/** The statements on `ledger_accounts`, `journal_entries` and `postings`, with their row mappers. */
@Injectable()
export class LedgerRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** These accounts, created when missing; committed on their own, outside any transaction. */
  async ensureAccounts(keys: readonly AccountKey[]): Promise<Account[]> {
    if (keys.length === 0) {
      return [];
    }
    // In one order everywhere, so two jobs creating the same accounts at once lock them in the same order;
    // InnoDB may still pick a victim among concurrent INSERT IGNOREs on one key, so a deadlock is retried.
    const sorted = [...keys].sort((a, b) =>
      a.type === b.type
        ? a.ownerId < b.ownerId
          ? -1
          : a.ownerId > b.ownerId
            ? 1
            : 0
        : a.type < b.type
          ? -1
          : 1,
    );
    const params = sorted.flatMap((k) => [k.type, k.ownerId]);
    await retryingDeadlocks(5, () =>
      this.db.query(
        `INSERT IGNORE INTO ledger_accounts (type, owner_id) VALUES ${sorted.map(() => '(?, ?)').join(',')}`,
        params,
      ),
    );
    const rows = (await this.db.query(
      `SELECT id, type, owner_id AS ownerId FROM ledger_accounts WHERE ${keys.map(() => '(type = ? AND owner_id = ?)').join(' OR ')}`,
      params,
    )) as { id: string | number; type: AccountType; ownerId: string }[];
    return rows.map((r) => ({ id: String(r.id), type: r.type, ownerId: r.ownerId }));
  }

  /** The multi-row INSERT of these entries; it fails with a duplicate key when one's key is on the books. */
  insertEntriesStatement(entries: readonly NewEntry[]): Statement {
    return [
      `INSERT INTO journal_entries (id, idempotency_key, kind, order_id, order_line_id, channel, business_date, memo) VALUES ${entries
        .map(() => '(?, ?, ?, ?, ?, ?, ?, ?)')
        .join(',')}`,
      entries.flatMap((e) => [
        e.id,
        e.key,
        e.kind,
        e.orderId ?? null,
        e.orderLineId ?? null,
        e.channel ?? null,
        e.businessDate,
        e.memo ?? null,
      ]),
    ];
  }

  /** The multi-row INSERTs of these postings, 2,000 rows a statement. */
  insertPostingsStatements(postings: readonly NewPosting[]): Statement[] {
    const out: Statement[] = [];
    for (let i = 0; i < postings.length; i += POSTINGS_PER_STATEMENT) {
      const chunk = postings.slice(i, i + POSTINGS_PER_STATEMENT);
      out.push([
        `INSERT INTO postings (entry_id, account_id, amount_fen, source, channel, available_on, business_date, lot_id, supplier_id, base_fen, rate_bps) VALUES ${chunk
          .map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
          .join(',')}`,
        chunk.flatMap((p) => [
          p.entryId,
          p.accountId,
          p.amountFen,
          p.source,
          p.channel,
          p.availableOn,
          p.businessDate,
          p.lotId,
          p.supplierId,
          p.baseFen,
          p.rateBps,
        ]),
      ]);
    }
    return out;
  }

  /** Inserts entries in one statement inside the caller's transaction. */
  async insertEntries(em: EntityManager, entries: readonly NewEntry[]): Promise<void> {
    await runStatements(em, [this.insertEntriesStatement(entries)]);
  }

  /** Inserts postings in one round trip inside the caller's transaction. */
  async insertPostings(em: EntityManager, postings: readonly NewPosting[]): Promise<void> {
    await runStatements(em, this.insertPostingsStatements(postings));
  }

  /** Which of these idempotency keys have an entry already. */
  async existingEntryKeys(em: EntityManager, keys: readonly string[]): Promise<Set<string>> {
    const rows = (await em.query(
      `SELECT idempotency_key AS k FROM journal_entries WHERE idempotency_key IN (${keys.map(() => '?').join(',')})`,
      [...keys],
    )) as { k: string }[];
    return new Set(rows.map((r) => r.k));
  }

  /** The sum of an account's postings whose date has come, inside the caller's transaction. */
  async availableBalance(em: EntityManager, accountId: string, today: string): Promise<number> {
    const [{ b }] = (await em.query(
      'SELECT COALESCE(SUM(amount_fen), 0) AS b FROM postings WHERE account_id = ? AND available_on <= ?',
      [accountId, today],
    )) as { b: string }[];
    return Number(b);
  }

  /** The postings of the entry with this idempotency key, in the order they were written; none when absent. */
  async postingsOfEntry(em: EntityManager, key: string): Promise<EntryPosting[]> {
    const rows = (await em.query(
      `SELECT p.account_id AS accountId, a.type, a.owner_id AS ownerId, p.amount_fen AS amountFen, p.source, p.channel,
              p.available_on AS availableOn, p.lot_id AS lotId, p.supplier_id AS supplierId
         FROM journal_entries e JOIN postings p ON p.entry_id = e.id JOIN ledger_accounts a ON a.id = p.account_id
        WHERE e.idempotency_key = ? ORDER BY p.id`,
      [key],
    )) as {
      accountId: string | number;
      type: AccountType;
      ownerId: string;
      amountFen: string;
      source: IncomeSource;
      channel: string | null;
      availableOn: string | null;
      lotId: string | null;
      supplierId: string | null;
    }[];
    return rows.map((r) => ({
      accountId: String(r.accountId),
      account: { type: r.type, ownerId: r.ownerId },
      amountFen: Number(r.amountFen),
      source: r.source,
      channel: r.channel,
      availableOn: r.availableOn,
      lotId: r.lotId,
      supplierId: r.supplierId,
    }));
  }

  /** Of these orders, the ones whose credits are held. */
  async heldOrders(orderIds: readonly string[]): Promise<Set<string>> {
    if (!orderIds.length) {
      return new Set();
    }
    const rows = (await this.db.query(
      `SELECT order_id AS orderId FROM credit_holds WHERE order_id IN (${orderIds.map(() => '?').join(',')})`,
      [...orderIds],
    )) as { orderId: string }[];
    return new Set(rows.map((r) => r.orderId));
  }

  /**
   * Holds an order's household credits (its sale's, and its refunds' reversals) still PENDING on `today`:
   * their `available_on` becomes NULL, pending until released; returns how many postings it held. Available
   * ones are left as they are.
   */
  async holdPendingCredits(orderId: string, today: string): Promise<number> {
    // The hold itself first: credits of this order posted from now on are held as they are written.
    await this.db.query('INSERT IGNORE INTO credit_holds (order_id) VALUES (?)', [orderId]);
    const r = (await this.db.query(
      `UPDATE postings p JOIN journal_entries e ON e.id = p.entry_id JOIN ledger_accounts a ON a.id = p.account_id
          SET p.available_on = NULL
        WHERE e.order_id = ? AND e.kind IN ('SALE', 'REFUND') AND a.type = 'HOUSEHOLD' AND p.available_on > ?`,
      [orderId, today],
    )) as { affectedRows: number };
    return r.affectedRows;
  }

  /** Releases an order's held household credits (sale and reversals together): AVAILABLE from `availableOn`. */
  async releaseHeldCredits(orderId: string, availableOn: string): Promise<number> {
    await this.db.query('DELETE FROM credit_holds WHERE order_id = ?', [orderId]);
    const r = (await this.db.query(
      `UPDATE postings p JOIN journal_entries e ON e.id = p.entry_id JOIN ledger_accounts a ON a.id = p.account_id
          SET p.available_on = ?
        WHERE e.order_id = ? AND e.kind IN ('SALE', 'REFUND') AND a.type = 'HOUSEHOLD' AND p.available_on IS NULL`,
      [availableOn, orderId],
    )) as { affectedRows: number };
    return r.affectedRows;
  }
}
