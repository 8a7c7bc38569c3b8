import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { getDataSourceToken } from '@nestjs/typeorm';
import { PassThrough } from 'node:stream';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { Env, loadEnv } from '@/config/env';
import { createHttpApp } from '@/app';
import type { Role as AppRole } from '@/app.module';
import { createTestDatabase, dropDatabase, urlFor } from './databases';
import { freePort } from './process';
import { unlinkKeys } from './redis-keys';

export interface TestApp {
  app: NestFastifyApplication;
  env: Env;
  db: DataSource;
  database: string;
  /** A supertest agent against the running app. */
  http: () => ReturnType<typeof request>;
  /** Every log line written so far, raw. */
  logs: () => string;
  /** Logs in as a staff user and returns a bearer header value. */
  login: (username: string, password: string) => Promise<string>;
  adminToken: string;
  close: () => Promise<void>;
}

export interface TestAppOptions {
  env?: Partial<Record<keyof Env, string>>;
  role?: AppRole;
  /** Listen on a real port (PUBLIC_BASE_URL points at it), so the sandbox gateway can post notifications. */
  listen?: boolean;
  /**
   * A second copy of another test app: the same database, queue prefix and MQTT share group, as two copies of
   * one deployment are. Closing it leaves the database to the first.
   */
  copyOf?: TestApp;
}

/**
 * Starts the real app on a fresh, migrated database of its own, the real Redis (a queue prefix of its own)
 * and the real broker. Logs are captured for assertions.
 */
export async function startTestApp(label: string, opts: TestAppOptions = {}): Promise<TestApp> {
  const database = opts.copyOf ? opts.copyOf.database : await createTestDatabase(label);
  const port = opts.listen ? await freePort() : 0;
  const env = loadEnv({
    ...(opts.listen ? { PUBLIC_BASE_URL: `http://127.0.0.1:${port}` } : {}),
    NODE_ENV: 'test',
    DATABASE_URL: urlFor(database),
    DATABASE_POOL_SIZE: '5',
    QUEUE_PREFIX: database,
    // Each app its own group, so that test files running side by side never take each other's cabinet events.
    MQTT_SHARE_GROUP: database,
    SEED_DEMO: 'false',
    LOG_LEVEL: 'info',
    RATE_LIMIT_PER_MINUTE: '100000',
    LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
    ...opts.env,
  });
  let captured = '';
  const logStream = new PassThrough();
  logStream.on('data', (chunk: Buffer) => {
    captured += chunk.toString('utf8');
  });
  const app = await createHttpApp({ env, role: opts.role ?? 'api', logStream });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  if (opts.listen) {
    await app.listen({ port, host: '127.0.0.1' });
  }
  const db = app.get<DataSource>(getDataSourceToken());
  const http = () => request(app.getHttpServer());
  const { UsersService } = await import('@/modules/identity/users.service');
  await app.get(UsersService).ensureAdmin(env.ADMIN_USERNAME, env.ADMIN_PASSWORD);
  const login = async (username: string, password: string) => {
    const res = await http().post('/api/v1/auth/login').send({ username, password });
    if (res.status !== 200) {
      throw new Error(`login ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
    }
    return `Bearer ${res.body.accessToken as string}`;
  };
  const adminToken = await login(env.ADMIN_USERNAME, env.ADMIN_PASSWORD);
  return {
    app,
    env,
    db,
    database,
    http,
    logs: () => captured,
    login,
    adminToken,
    close: async () => {
      await app.close();
      if (opts.copyOf) {
        return;
      }
      // Queues, the outbox marker, rate-limit counters: everything this app wrote is under its prefix.
      await unlinkKeys(`${env.QUEUE_PREFIX}:*`, env.REDIS_URL);
      await dropDatabase(database);
    },
  };
}
