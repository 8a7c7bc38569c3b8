import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { newId } from '@/common/ids';
import {
  isDuplicateKey,
  runStatements,
  Statement,
  withBatchTransaction,
  withTransaction,
} from '@/infrastructure/database/transaction';
import { AccountType } from './entities/ledger-account.entity';
import { EntryKind } from './entities/journal-entry.entity';
import { IncomeSource } from './entities/posting.entity';

export interface AccountKey {
  type: AccountType;
  ownerId: string;
}

export interface PostingInput {
  account: AccountKey;
  amountFen: number;
  source: IncomeSource;
  channel?: string | null;
  /** PENDING until this business date; null: until an event (a procurement acceptance). */
  availableOn: string | null;
  lotId?: string | null;
  supplierId?: string | null;
  baseFen?: number | null;
  rateBps?: number | null;
}

export interface EntryInput {
  key: string;
  kind: EntryKind;
  businessDate: string;
  orderId?: string | null;
  orderLineId?: string | null;
  channel?: string | null;
  memo?: string | null;
  postings: PostingInput[];
}

export class UnbalancedEntryError extends Error {}

const accountKey = (a: AccountKey) => `${a.type}:${a.ownerId}`;

/**
 * The only way postings are written. Each entry must sum to zero (checked here, before anything is
 * written) and carries a unique idempotency key: an entry whose key exists is skipped, so a job that runs
 * twice posts once. Rows go in as multi-row INSERTs.
 */
@Injectable()
export class LedgerWriter {
  private readonly accounts = new Map<string, string>();

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Account ids for these owners, created (committed, outside any transaction) when missing. */
  async accountIds(keys: AccountKey[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const missing: AccountKey[] = [];
    for (const k of keys) {
      const id = this.accounts.get(accountKey(k));
      if (id) {
        out.set(accountKey(k), id);
      } else if (!missing.some((m) => accountKey(m) === accountKey(k))) {
        missing.push(k);
      }
    }
    if (missing.length) {
      await this.db.query(
        `INSERT IGNORE INTO ledger_accounts (type, owner_id) VALUES ${missing.map(() => '(?, ?)').join(',')}`,
        missing.flatMap((k) => [k.type, k.ownerId]),
      );
      const rows = (await this.db.query(
        `SELECT id, type, owner_id AS ownerId FROM ledger_accounts WHERE ${missing.map(() => '(type = ? AND owner_id = ?)').join(' OR ')}`,
        missing.flatMap((k) => [k.type, k.ownerId]),
      )) as { id: string; type: AccountType; ownerId: string }[];
      for (const r of rows) {
        this.accounts.set(accountKey(r), String(r.id));
        out.set(accountKey(r), String(r.id));
      }
    }
    return out;
  }

  /** Posts the entries not posted yet, inside the caller's transaction; returns how many it wrote. */
  async post(em: EntityManager, entries: EntryInput[]): Promise<number> {
    if (entries.length === 0) {
      return 0;
    }
    assertBalanced(entries);
    const ids = await this.accountIds(entries.flatMap((e) => e.postings.map((p) => p.account)));
    // Optimistic: insert every entry; a duplicate key (a retried job) fails only that statement, and then the
    // entries already on the books are left out.
    let rows = entries.map((e) => ({ ...e, id: newId() }));
    try {
      await runStatements(em, [entriesStatement(rows)]);
    } catch (e) {
      if (!isDuplicateKey(e)) {
        throw e;
      }
      const existing = new Set(
        (
          (await em.query(
            `SELECT idempotency_key AS k FROM journal_entries WHERE idempotency_key IN (${entries.map(() => '?').join(',')})`,
            entries.map((x) => x.key),
          )) as { k: string }[]
        ).map((r) => r.k),
      );
      rows = rows.filter((r) => !existing.has(r.key));
      if (rows.length === 0) {
        return 0;
      }
      await runStatements(em, [entriesStatement(rows)]);
    }
    await runStatements(em, postingsStatements(rows, ids));
    return rows.length;
  }

  /**
   * Posts entries in a transaction of its own, in one round trip when none is on the books yet (the usual
   * case: a job's first run); when one is (a retried job), falls back to `post`, which leaves those out.
   */
  async postAlone(entries: EntryInput[]): Promise<number> {
    if (entries.length === 0) {
      return 0;
    }
    assertBalanced(entries);
    const ids = await this.accountIds(entries.flatMap((e) => e.postings.map((p) => p.account)));
    const rows = entries.map((e) => ({ ...e, id: newId() }));
    try {
      await withBatchTransaction(this.db, (tx) =>
        tx.commit([entriesStatement(rows), ...postingsStatements(rows, ids)]),
      );
      return rows.length;
    } catch (e) {
      if (!isDuplicateKey(e)) {
        throw e;
      }
      return withTransaction(this.db, (em) => this.post(em, entries));
    }
  }

  /** The available balance of an account (postings whose date has come), inside the caller's transaction. */
  async availableBalance(em: EntityManager, accountId: string, today: string): Promise<number> {
    const [{ b }] = (await em.query(
      'SELECT COALESCE(SUM(amount_fen), 0) AS b FROM postings WHERE account_id = ? AND available_on <= ?',
      [accountId, today],
    )) as { b: string }[];
    return Number(b);
  }
}

function assertBalanced(entries: EntryInput[]): void {
  for (const e of entries) {
    const sum = e.postings.reduce((a, p) => a + p.amountFen, 0);
    if (sum !== 0 || e.postings.length < 2 || e.postings.some((p) => !Number.isSafeInteger(p.amountFen))) {
      throw new UnbalancedEntryError(
        `entry ${e.key} does not balance (sum ${sum} over ${e.postings.length} postings)`,
      );
    }
  }
}

function entriesStatement(rows: (EntryInput & { id: string })[]): Statement {
  return [
    `INSERT INTO journal_entries (id, idempotency_key, kind, order_id, order_line_id, channel, business_date, memo) VALUES ${rows
      .map(() => '(?, ?, ?, ?, ?, ?, ?, ?)')
      .join(',')}`,
    rows.flatMap((e) => [
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

/** The postings of entries, 2,000 rows a statement. */
function postingsStatements(rows: (EntryInput & { id: string })[], ids: Map<string, string>): Statement[] {
  const postings = rows.flatMap((e) => e.postings.map((p) => ({ p, e })));
  const out: Statement[] = [];
  for (let i = 0; i < postings.length; i += 2000) {
    const chunk = postings.slice(i, i + 2000);
    out.push([
      `INSERT INTO postings (entry_id, account_id, amount_fen, source, channel, available_on, business_date, lot_id, supplier_id, base_fen, rate_bps) VALUES ${chunk
        .map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .join(',')}`,
      chunk.flatMap(({ p, e }) => [
        e.id,
        ids.get(accountKey(p.account)),
        p.amountFen,
        p.source,
        p.channel ?? e.channel ?? null,
        p.availableOn,
        e.businessDate,
        p.lotId ?? null,
        p.supplierId ?? null,
        p.baseFen ?? null,
        p.rateBps ?? null,
      ]),
    ]);
  }
  return out;
}
