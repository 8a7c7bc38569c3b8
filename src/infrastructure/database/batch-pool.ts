import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { createPool, Pool, PoolConnection } from 'mysql2/promise';
import { Env, ENV } from '@/config/env';
import { connectionSettings } from './data-source-options';

/**
 * The connections that may carry several statements in one round trip (`multipleStatements`), for the hot
 * paths' batched transactions (`withBatchTransaction`, `runStatements`) only; every value still goes
 * through a placeholder. The rest of the service uses TypeORM's pool, where a statement is one statement, so
 * a query that pastes text into SQL by mistake cannot smuggle a second one in.
 */
@Injectable()
export class BatchPool implements OnApplicationShutdown {
  private readonly pool: Pool;
  private closed = false;

  constructor(@Inject(ENV) env: Env) {
    // The same session settings as TypeORM's pool, so rows read the same.
    this.pool = createPool({
      ...connectionSettings(env.DATABASE_URL),
      multipleStatements: true,
      connectionLimit: env.DATABASE_POOL_SIZE,
      enableKeepAlive: true,
    });
  }

  /** One statement or several (joined by `;`), on any free connection; the driver's result. */
  async query(sql: string, params?: unknown[]): Promise<unknown> {
    const [result] = await this.pool.query(sql, params);
    return result;
  }

  /** A connection of its own, for a transaction; release it when done. */
  async connection(): Promise<BatchConnection> {
    const conn = await this.pool.getConnection();
    return {
      query: async (sql: string, params?: unknown[]) => (await conn.query(sql, params))[0],
      release: () => conn.release(),
      destroy: () => (conn as PoolConnection).destroy(),
    };
  }

  /** Closes the pool once; a close that fails (a connection already gone) is no reason to fail the stop. */
  async onApplicationShutdown(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    await this.pool.end().catch(() => undefined);
  }
}

export interface BatchConnection {
  query(sql: string, params?: unknown[]): Promise<unknown>;
  release(): void;
  /** Drops a connection whose state is unknown (a failed ROLLBACK) instead of returning it to the pool. */
  destroy(): void;
}

/** Provides the batch pool to every module. */
@Global()
@Module({ providers: [BatchPool], exports: [BatchPool] })
export class BatchPoolModule {}
