import { DataSource, EntityManager } from 'typeorm';
import { errorCode } from '@/common/errors/db-errors';
import { BatchConnection, BatchPool } from './batch-pool';

// The driver-error helpers live in common (the error filter needs them); modules still import them from here.
export { errorCode, isDuplicateKey } from '@/common/errors/db-errors';

/**
 * Only a deadlock is retried: InnoDB rolled the victim back at once. A lock-wait timeout means a lock was
 * held for the whole timeout; waiting that long again would only repeat it.
 */
const RETRYABLE = new Set(['ER_LOCK_DEADLOCK']);

export interface TransactionOptions {
  /** Tries in all when a deadlock rolls the transaction back; 3 when omitted. */
  attempts?: number;
  isolation?: 'READ COMMITTED';
}

/**
 * The one retry policy (of both transaction helpers, and of a lone statement that can deadlock): deadlocks
 * only, a bounded number of times.
 */
export async function retryingDeadlocks<T>(attempts: number, run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (e) {
      if (attempt >= attempts || !RETRYABLE.has(errorCode(e) ?? '')) {
        throw e;
      }
      await new Promise((r) => setTimeout(r, 10 * attempt + Math.floor(Math.random() * 20)));
    }
  }
}

/**
 * Runs `work` in one transaction at the edge of a use case; the manager is passed down explicitly.
 * A deadlock is retried a bounded number of times. On a manager of its own connection (a query runner's, as
 * when a named lock is held on it) the transaction runs on that connection.
 */
export function withTransaction<T>(
  dataSource: DataSource | EntityManager,
  work: (em: EntityManager) => Promise<T>,
  { attempts = 3, isolation }: TransactionOptions = {},
): Promise<T> {
  return retryingDeadlocks(attempts, () =>
    isolation ? dataSource.transaction(isolation, work) : dataSource.transaction(work),
  );
}

/** One SQL statement and its parameters. */
export type Statement = readonly [sql: string, params?: readonly unknown[]];

interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/**
 * Runs statements and returns one result per statement. On the batch pool (or one of its connections) they
 * travel in one round trip (every value still goes through a placeholder) and MySQL stops at the first
 * that fails; anywhere else (a TypeORM manager, whose pool takes one statement at a time) they run one after
 * the other.
 */
export async function runStatements(on: Queryable, statements: readonly Statement[]): Promise<unknown[]> {
  if (statements.length === 1) {
    return [await on.query(statements[0][0], [...(statements[0][1] ?? [])])];
  }
  if (!(on instanceof BatchPool) && !isBatchConnection(on)) {
    const results: unknown[] = [];
    for (const [sql, params] of statements) {
      results.push(await on.query(sql, [...(params ?? [])]));
    }
    return results;
  }
  const sql = statements.map((s) => s[0]).join(';\n');
  const params = statements.flatMap((s) => s[1] ?? []);
  return (await on.query(sql, params)) as unknown[];
}

const batchConnections = new WeakSet<object>();
const isBatchConnection = (on: object): on is BatchConnection => batchConnections.has(on);

/**
 * A transaction whose statements travel in batches: the first batch opens it in the same round trip and
 * `commit` closes it in the same round trip as its own statements. A hot path with a known shape (place an
 * order, settle a payment) then costs one or two round trips instead of one per statement.
 */
export class BatchTransaction {
  private opened = false;
  committed = false;

  constructor(
    private readonly on: BatchConnection,
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
 * Runs `work` in a batched transaction on a connection of the batch pool: rolled back when `work` throws or
 * does not commit, retried on a deadlock like `withTransaction`.
 */
export function withBatchTransaction<T>(
  pool: BatchPool,
  work: (tx: BatchTransaction) => Promise<T>,
  { attempts = 3, isolation }: TransactionOptions = {},
): Promise<T> {
  return retryingDeadlocks(attempts, async () => {
    const conn = await pool.connection();
    batchConnections.add(conn);
    const tx = new BatchTransaction(conn, isolation);
    let healthy = true;
    try {
      const result = await work(tx);
      if (!tx.committed) {
        await conn.query('ROLLBACK');
      }
      return result;
    } catch (e) {
      if (!tx.committed) {
        await conn.query('ROLLBACK').catch(() => (healthy = false));
      }
      throw e;
    } finally {
      if (healthy) {
        conn.release();
      } else {
        conn.destroy();
      }
    }
  });
}
