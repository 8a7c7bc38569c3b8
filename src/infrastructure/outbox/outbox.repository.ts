import { Inject, Injectable } from '@nestjs/common';
import { BatchPool } from '@/infrastructure/database/batch-pool';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { newId } from '@/common/ids';
import { Statement, withBatchTransaction } from '@/infrastructure/database/transaction';
import { JobName } from '@/infrastructure/queue/jobs';

/** An outbox row as the dispatcher reads it. */
export type OutboxRow = { id: string; jobName: JobName; payload: string | object; runAt: Date | null };

/** Rows one dispatcher has claimed: no other takes them until it marks them sent or releases them. */
export interface OutboxClaim {
  token: string;
  rows: OutboxRow[];
}

/**
 * Rows not sent yet whose time has come (`run_at` up to `?`), spelled so that the index on
 * (dispatched_at, run_at, id, claimed_until) is read as one range in (run_at, id) order.
 */
const DUE = '((dispatched_at IS NULL AND run_at IS NULL) OR (dispatched_at IS NULL AND run_at <= ?))';
/** No live claim: never claimed, given back, or its lease has run out (its dispatcher died). */
const UNCLAIMED = '(claimed_until IS NULL OR claimed_until <= NOW(3))';

const list = (ids: readonly unknown[]) => ids.map(() => '?').join(',');

/** The outbox's own queries: claiming rows for the dispatcher, marking them sent, purging history. */
@Injectable()
export class OutboxRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(BatchPool) private readonly batch: BatchPool,
  ) {}

  /**
   * Claims up to `limit` unclaimed rows due by `dueBy`, oldest first, for `leaseSeconds`, and commits: the
   * rows are held by the claim, not by a lock, once this returns. SKIP LOCKED lets several dispatchers claim
   * at once, each its own rows. READ COMMITTED: no gap locks, so inserts of new rows never wait for it.
   */
  /**
   * The INSERT that records a job, for the caller's transaction; with `ifPreviousChanged`, only if the
   * statement just before it in the same batch changed a row.
   */
  insertStatement(
    row: { id: string; jobName: JobName; payload: object; runAt: Date | null },
    { ifPreviousChanged = false }: { ifPreviousChanged?: boolean } = {},
  ): Statement {
    return [
      `INSERT INTO outbox (id, job_name, payload, run_at) SELECT ?, ?, ?, ? FROM DUAL${ifPreviousChanged ? ' WHERE ROW_COUNT() > 0' : ''}`,
      [row.id, row.jobName, JSON.stringify(row.payload), row.runAt],
    ];
  }

  /**
   * The DELETE of a row not sent yet (a delayed job made moot), for the caller's transaction; with
   * `ifPreviousChanged`, only if the statement just before it changed a row. A row claimed meanwhile is
   * deleted too: marking it sent afterwards finds nothing.
   */
  deleteUnsentStatement(
    id: string,
    jobName: JobName,
    { ifPreviousChanged = false }: { ifPreviousChanged?: boolean } = {},
  ): Statement {
    return [
      `DELETE FROM outbox WHERE id = ? AND job_name = ? AND dispatched_at IS NULL${ifPreviousChanged ? ' AND ROW_COUNT() > 0' : ''}`,
      [id, jobName],
    ];
  }

  async claimDue(limit: number, dueBy: Date, leaseSeconds: number): Promise<OutboxClaim> {
    const token = newId();
    const rows = await withBatchTransaction(
      this.batch,
      async (tx) => {
        const [found] = (await tx.run([
          [
            `SELECT id, job_name AS jobName, payload, run_at AS runAt FROM outbox
              WHERE ${DUE} AND ${UNCLAIMED}
              ORDER BY run_at, id LIMIT ${Number(limit)} FOR UPDATE SKIP LOCKED`,
            [dueBy],
          ],
        ])) as OutboxRow[][];
        if (found.length > 0) {
          await tx.commit([
            [
              `UPDATE outbox SET claim_token = ?, claimed_until = NOW(3) + INTERVAL ? SECOND
                WHERE id IN (${list(found)})`,
              [token, leaseSeconds, ...found.map((r) => r.id)],
            ],
          ]);
        }
        return found;
      },
      { isolation: 'READ COMMITTED' },
    );
    return { token, rows };
  }

  /**
   * Marks claimed rows sent; returns how many. A row deleted meanwhile (a paid order's deadline) or whose
   * claim was taken away (a Redis that lost its data asks for everything again) is left alone.
   */
  async markSent(token: string, ids: readonly string[]): Promise<number> {
    if (ids.length === 0) {
      return 0;
    }
    const r = (await this.db.query(
      `UPDATE outbox SET dispatched_at = NOW(3), claim_token = NULL, claimed_until = NULL
        WHERE id IN (${list(ids)}) AND claim_token = ?`,
      [...ids, token],
    )) as { affectedRows: number };
    return r.affectedRows;
  }

  /** Gives claimed rows back (their enqueue failed): the next round takes them again. */
  async release(token: string, ids: readonly string[]): Promise<number> {
    if (ids.length === 0) {
      return 0;
    }
    const r = (await this.db.query(
      `UPDATE outbox SET claim_token = NULL, claimed_until = NULL WHERE id IN (${list(ids)}) AND claim_token = ?`,
      [...ids, token],
    )) as { affectedRows: number };
    return r.affectedRows;
  }

  /** Rows due by `dueBy` and not sent yet, claimed or not. */
  async countDue(dueBy: Date): Promise<number> {
    const [{ n }] = (await this.db.query(`SELECT COUNT(*) AS n FROM outbox WHERE ${DUE}`, [dueBy])) as {
      n: string;
    }[];
    return Number(n);
  }

  /**
   * Every row sent, or being sent, becomes unsent and unclaimed (their jobs are no longer in Redis); a
   * dispatcher in flight then marks nothing sent, and the rows go again. Returns how many.
   */
  async unsendAll(): Promise<number> {
    const [r] = (await withBatchTransaction(
      this.batch,
      (tx) =>
        tx.commit([
          [
            `UPDATE outbox SET dispatched_at = NULL, claim_token = NULL, claimed_until = NULL
              WHERE dispatched_at IS NOT NULL OR claim_token IS NOT NULL`,
          ],
        ]),
      { isolation: 'READ COMMITTED' },
    )) as { affectedRows: number }[];
    return r.affectedRows;
  }

  /** Deletes rows sent more than `days` days ago; returns how many. */
  async purgeSent(days: number): Promise<number> {
    const r = (await this.db.query(
      'DELETE FROM outbox WHERE dispatched_at IS NOT NULL AND dispatched_at < NOW(3) - INTERVAL ? DAY',
      [days],
    )) as { affectedRows: number };
    return r.affectedRows;
  }
}
