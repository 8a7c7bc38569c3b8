import { DataSource, EntityManager } from 'typeorm';
import { errorCode } from '@/common/errors/db-errors';

// The driver-error helpers live in common (the error filter needs them); modules still import them from here.
export { errorCode, isDuplicateKey } from '@/common/errors/db-errors';

/**
 * Only a deadlock is retried: InnoDB rolled the victim back at once. A lock-wait timeout means a lock was
 * held for the whole timeout; waiting that long again would only repeat it.
 */
const RETRYABLE = new Set(['ER_LOCK_DEADLOCK']);

/**
 * Runs `work` in one transaction at the edge of a use case; the manager is passed down explicitly.
 * A deadlock is retried a bounded number of times.
 */
export async function withTransaction<T>(
  dataSource: DataSource,
  work: (em: EntityManager) => Promise<T>,
  attempts = 3,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await dataSource.transaction(work);
    } catch (e) {
      const code = errorCode(e);
      if (attempt >= attempts || !code || !RETRYABLE.has(code)) {
        throw e;
      }
      await new Promise((r) => setTimeout(r, 10 * attempt + Math.floor(Math.random() * 20)));
    }
  }
}

/** One SQL statement and its parameters. */
export type Statement = readonly [sql: string, params?: readonly unknown[]];

interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/**
 * Sends several statements in one round trip (the pool allows multiple statements; every value still goes
 * through a placeholder) and returns one result per statement. MySQL stops at the first statement that
 * fails and the call rejects with its error.
 */
export async function runStatements(on: Queryable, statements: readonly Statement[]): Promise<unknown[]> {
  const sql = statements.map((s) => s[0]).join(';\n');
  const params = statements.flatMap((s) => s[1] ?? []);
  const result = await on.query(sql, params);
  return statements.length === 1 ? [result] : (result as unknown[]);
}

/**
 * A transaction whose statements travel in batches: the first batch opens it in the same round trip and
 * `commit` closes it in the same round trip as its own statements. A hot path with a known shape (place an
 * order, settle a payment) then costs one or two round trips instead of one per statement.
 */
export class BatchTransaction {
  private opened = false;
  committed = false;

  constructor(
    private readonly on: Queryable,
    private readonly isolation?: 'READ COMMITTED',
  ) {}

  /** Runs statements inside the transaction; one result per statement. */
  async run(statements: readonly Statement[]): Promise<unknown[]> {
    if (this.opened) {
      return runStatements(this.on, statements);
    }
    this.opened = true;
    const open: Statement[] = this.isolation
      ? [[`SET TRANSACTION ISOLATION LEVEL ${this.isolation}`], ['START TRANSACTION']]
      : [['START TRANSACTION']];
    return (await runStatements(this.on, [...open, ...statements])).slice(open.length);
  }

  /** Runs the last statements and commits, in one round trip; one result per statement. */
  async commit(statements: readonly Statement[] = []): Promise<unknown[]> {
    const results = await this.run([...statements, ['COMMIT']]);
    this.committed = true;
    return results.slice(0, statements.length);
  }
}

/**
 * Runs `work` in a batched transaction on one pooled connection: rolled back when `work` throws or does not
 * commit, retried on a deadlock like `withTransaction`.
 */
export async function withBatchTransaction<T>(
  dataSource: DataSource,
  work: (tx: BatchTransaction) => Promise<T>,
  { attempts = 3, isolation }: { attempts?: number; isolation?: 'READ COMMITTED' } = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const runner = dataSource.createQueryRunner();
    const tx = new BatchTransaction(runner, isolation);
    try {
      const result = await work(tx);
      if (!tx.committed) {
        await runner.query('ROLLBACK');
      }
      return result;
    } catch (e) {
      if (!tx.committed) {
        await runner.query('ROLLBACK').catch(() => undefined);
      }
      if (attempt >= attempts || !RETRYABLE.has(errorCode(e) ?? '')) {
        throw e;
      }
      await new Promise((r) => setTimeout(r, 10 * attempt + Math.floor(Math.random() * 20)));
    } finally {
      await runner.release();
    }
  }
}
