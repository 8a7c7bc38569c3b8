import { BatchPool } from '@/infrastructure/database/batch-pool';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { newId } from '@/common/ids';
import { isDuplicateKey, withBatchTransaction, withTransaction } from '@/infrastructure/database/transaction';
import { EntryKind } from './entities/journal-entry.entity';
import { IncomeSource } from './entities/posting.entity';
import { AccountKey, LedgerRepository, NewPosting } from './ledger.repository';

export type { AccountKey } from './ledger.repository';

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

  constructor(
    @Inject(BatchPool) private readonly batch: BatchPool,
    @InjectDataSource() private readonly db: DataSource,
    @Inject(LedgerRepository) private readonly repo: LedgerRepository,
  ) {}

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
    for (const a of await this.repo.ensureAccounts(missing)) {
      this.accounts.set(accountKey(a), a.id);
      out.set(accountKey(a), a.id);
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
      await this.repo.insertEntries(em, rows);
    } catch (e) {
      if (!isDuplicateKey(e)) {
        throw e;
      }
      const existing = await this.repo.existingEntryKeys(
        em,
        entries.map((x) => x.key),
      );
      rows = rows.filter((r) => !existing.has(r.key));
      if (rows.length === 0) {
        return 0;
      }
      await this.repo.insertEntries(em, rows);
    }
    await this.repo.insertPostings(em, postingsOf(rows, ids));
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
      await withBatchTransaction(this.batch, (tx) =>
        tx.commit([
          this.repo.insertEntriesStatement(rows),
          ...this.repo.insertPostingsStatements(postingsOf(rows, ids)),
        ]),
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
  availableBalance(em: EntityManager, accountId: string, today: string): Promise<number> {
    return this.repo.availableBalance(em, accountId, today);
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

/** The posting rows of entries, each on its resolved account and dated like its entry. */
function postingsOf(rows: (EntryInput & { id: string })[], ids: Map<string, string>): NewPosting[] {
  return rows.flatMap((e) =>
    e.postings.map((p) => ({
      entryId: e.id,
      // Every account was resolved by accountIds before this.
      accountId: ids.get(accountKey(p.account))!,
      amountFen: p.amountFen,
      source: p.source,
      channel: p.channel ?? e.channel ?? null,
      availableOn: p.availableOn,
      businessDate: e.businessDate,
      lotId: p.lotId ?? null,
      supplierId: p.supplierId ?? null,
      baseFen: p.baseFen ?? null,
      rateBps: p.rateBps ?? null,
    })),
  );
}
