import { DataSource, EntityManager } from 'typeorm';

const RETRYABLE = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);

/**
 * Runs `work` in one transaction at the edge of a use case; the manager is passed down explicitly.
 * A deadlock or lock-wait timeout is retried a bounded number of times.
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
      const code =
        (e as { driverError?: { code?: string }; code?: string }).driverError?.code ??
        (e as { code?: string }).code;
      if (attempt >= attempts || !code || !RETRYABLE.has(code)) {
        throw e;
      }
      await new Promise((r) => setTimeout(r, 10 * attempt + Math.floor(Math.random() * 20)));
    }
  }
}

export function isDuplicateKey(e: unknown): boolean {
  const err = e as { driverError?: { code?: string }; code?: string };
  return (err.driverError?.code ?? err.code) === 'ER_DUP_ENTRY';
}
