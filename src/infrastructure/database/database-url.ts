import { createConnection } from 'mysql2/promise';

export interface MysqlTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

export function parseDatabaseUrl(url: string): MysqlTarget {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password),
    database: u.pathname.replace(/^\//, ''),
  };
}

/** Creates the database named in the URL if it does not exist yet (utf8mb4). */
export async function ensureDatabase(url: string): Promise<void> {
  const t = parseDatabaseUrl(url);
  const conn = await createConnection({ host: t.host, port: t.port, user: t.user, password: t.password });
  try {
    await conn.query(
      `CREATE DATABASE IF NOT EXISTS \`${t.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } finally {
    await conn.end();
  }
}
