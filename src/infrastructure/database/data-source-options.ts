import { TypeOrmModuleOptions } from '@nestjs/typeorm';
import { extname, join } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { Env } from '@/config/env';
import { parseDatabaseUrl } from './database-url';
import { MIGRATIONS } from './migrations';

/**
 * Every entity file of the code that is running: each *.entity.ts under src with ts-node and Jest, each
 * *.entity.js under dist in the build. The CLI data source finds the entities by it (the migrations are
 * generated from them); the app takes each module's own instead (`appDataSourceOptions`).
 */
export const ENTITY_GLOB = join(__dirname, '..', '..', '**', `*.entity${extname(__filename)}`);

/**
 * The session settings every connection of the service uses (TypeORM's pool and the batch pool alike), so
 * that a row reads the same whichever pool read it: UTC times, BIGINT money as strings, DATE as text.
 */
export function connectionSettings(databaseUrl: string) {
  const t = parseDatabaseUrl(databaseUrl);
  return {
    host: t.host,
    port: t.port,
    user: t.user,
    password: t.password,
    database: t.database,
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: ['DATE'] as 'DATE'[],
  };
}

export function dataSourceOptions(
  env: Pick<Env, 'DATABASE_URL' | 'DATABASE_POOL_SIZE'>,
  entities: NonNullable<DataSourceOptions['entities']> = [ENTITY_GLOB],
): DataSourceOptions {
  const { user, ...settings } = connectionSettings(env.DATABASE_URL);
  return {
    type: 'mysql',
    username: user,
    ...settings,
    entities,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    // One statement per query here; the hot paths' batches go through a pool of their own (BatchPool).
    multipleStatements: false,
    poolSize: env.DATABASE_POOL_SIZE,
    extra: { connectionLimit: env.DATABASE_POOL_SIZE, enableKeepAlive: true },
  };
}

/** The app's connection: each module registers its own entities (`TypeOrmModule.forFeature`). */
export function appDataSourceOptions(env: Env): TypeOrmModuleOptions {
  return { ...dataSourceOptions(env, []), autoLoadEntities: true };
}
