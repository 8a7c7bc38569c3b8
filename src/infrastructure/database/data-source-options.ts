import { DataSourceOptions } from 'typeorm';
import { Env } from '@/config/env';
import { parseDatabaseUrl } from './database-url';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

export function dataSourceOptions(env: Pick<Env, 'DATABASE_URL' | 'DATABASE_POOL_SIZE'>): DataSourceOptions {
  const t = parseDatabaseUrl(env.DATABASE_URL);
  return {
    type: 'mysql',
    host: t.host,
    port: t.port,
    username: t.user,
    password: t.password,
    database: t.database,
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: ['DATE'],
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    // Hot paths send a transaction's statements in one round trip (`runStatements`); every value is still
    // bound through a placeholder, never pasted into SQL.
    multipleStatements: true,
    poolSize: env.DATABASE_POOL_SIZE,
    extra: { connectionLimit: env.DATABASE_POOL_SIZE, enableKeepAlive: true },
  };
}
