import { createConnection } from 'mysql2/promise';
import { randomBytes } from 'node:crypto';
import { loadEnv } from '@/config/env';
import { parseDatabaseUrl } from '@/infrastructure/database/database-url';

export const TEST_DB_PREFIX = 'cs_t_';

/** Each Jest run has its own template and databases, named by the run's process id. */
export function runId(): string {
  return process.env.CS_TEST_RUN ?? String(process.pid);
}

export function templateDb(): string {
  return `${TEST_DB_PREFIX}${runId()}_template`;
}

export function serverUrl(): string {
  return loadEnv().DATABASE_URL.replace(/\/[^/?]+(\?.*)?$/, '');
}

export function urlFor(database: string): string {
  return `${serverUrl()}/${database}`;
}

async function server() {
  const t = parseDatabaseUrl(urlFor('mysql'));
  return createConnection({
    host: t.host,
    port: t.port,
    user: t.user,
    password: t.password,
    multipleStatements: true,
  });
}

/**
 * A fresh database for one test file, cloned from the migrated template (tables with their keys and foreign
 * keys, and the migrations table's rows), like Immich's template clone: far faster than migrating each time.
 */
export async function createTestDatabase(label: string): Promise<string> {
  const name =
    `${TEST_DB_PREFIX}${runId()}_${label.replace(/[^a-z0-9]/gi, '_').slice(0, 30)}_${randomBytes(3).toString('hex')}`.toLowerCase();
  const conn = await server();
  try {
    await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    const [tables] = (await conn.query(
      "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = ? AND table_type = 'BASE TABLE'",
      [templateDb()],
    )) as unknown as [{ t: string }[]];
    const ddl: string[] = ['SET FOREIGN_KEY_CHECKS = 0'];
    for (const { t } of tables) {
      const [[row]] = (await conn.query(`SHOW CREATE TABLE \`${templateDb()}\`.\`${t}\``)) as unknown as [
        { 'Create Table': string }[],
      ];
      ddl.push(row['Create Table'].replace(/^CREATE TABLE `/, `CREATE TABLE \`${name}\`.\``));
    }
    ddl.push(
      `INSERT INTO \`${name}\`.migrations SELECT * FROM \`${templateDb()}\`.migrations`,
      'SET FOREIGN_KEY_CHECKS = 1',
    );
    await conn.query(ddl.join(';\n'));
  } finally {
    await conn.end();
  }
  return name;
}

export async function dropDatabase(name: string): Promise<void> {
  const conn = await server();
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await conn.end();
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Drops what earlier runs left behind: databases of runs whose process is gone, or of this run. */
export async function dropStaleTestDatabases(): Promise<void> {
  const conn = await server();
  try {
    const [rows] = (await conn.query('SHOW DATABASES')) as unknown as [{ Database: string }[]];
    for (const { Database } of rows) {
      const pid = Number(/^cs_t_(\d+)_/.exec(Database)?.[1]);
      if (Database.startsWith(TEST_DB_PREFIX) && (!alive(pid) || String(pid) === runId())) {
        await conn.query(`DROP DATABASE \`${Database}\``);
      }
    }
  } finally {
    await conn.end();
  }
}
