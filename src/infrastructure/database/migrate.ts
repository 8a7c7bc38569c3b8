import { DataSource } from 'typeorm';
import { Env } from '@/config/env';
import { ensureDatabase, parseDatabaseUrl } from './database-url';
import { dataSourceOptions } from './data-source-options';

/**
 * Creates the database if missing and runs pending migrations. A MySQL named lock makes concurrent
 * starts (several api copies) take turns; the second finds nothing left to do.
 */
export async function migrate(env: Env, direction: 'up' | 'down' = 'up'): Promise<string[]> {
  await ensureDatabase(env.DATABASE_URL);
  // Running migrations needs no entity metadata: nothing to load, however the code is running.
  const ds = new DataSource(dataSourceOptions({ ...env, DATABASE_POOL_SIZE: 2 }, []));
  await ds.initialize();
  const lock = ds.createQueryRunner();
  const lockName = `cs_migrations:${parseDatabaseUrl(env.DATABASE_URL).database}`.slice(0, 64);
  try {
    await lock.connect();
    // Named locks are server-wide: one per database, so migrating one database never waits for another.
    const [{ ok }] = (await lock.query('SELECT GET_LOCK(?, 120) AS ok', [lockName])) as { ok: number }[];
    if (Number(ok) !== 1) {
      throw new Error('Could not take the migration lock within 120 s');
    }
    if (direction === 'down') {
      await ds.undoLastMigration({ transaction: 'each' });
      return [];
    }
    return (await ds.runMigrations({ transaction: 'each' })).map((m) => m.name);
  } finally {
    await lock.query('SELECT RELEASE_LOCK(?)', [lockName]).catch(() => undefined);
    await lock.release();
    await ds.destroy();
  }
}
