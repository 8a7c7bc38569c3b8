import { ProcurementJobName } from '@/modules/procurement/jobs/procurement.job-definitions';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { createConnection } from 'mysql2/promise';
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { DataSource } from 'typeorm';
import { loadEnv } from '@/config/env';
import { dataSourceOptions } from '@/infrastructure/database/data-source-options';
import { IdempotencyJobName } from '@/infrastructure/idempotency/idempotency.module';
import { OutboxJobName } from '@/infrastructure/outbox/outbox.module';
import { QueueName } from '@/infrastructure/queue/jobs';
import { CatalogJobName } from '@/modules/catalog/jobs/catalog.job-definitions';
import { IdentityJobName } from '@/modules/identity/jobs/identity.job-definitions';
import { KioskJobName } from '@/modules/kiosk/jobs/kiosk.job-definitions';
import { LedgerJobName } from '@/modules/ledger/jobs/ledger.job-definitions';
import { OrdersJobName } from '@/modules/orders/jobs/orders.job-definitions';
import { dropDatabase, runId, TEST_DB_PREFIX, urlFor } from './support/databases';
import { freePort, Proc, ROOT, runMain } from './support/process';
import { unlinkKeys } from './support/redis-keys';
import { until } from './support/wait';

function get(port: number, path: string, body?: object): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const data = body ? JSON.stringify(body) : undefined;
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: body ? 'POST' : 'GET',
        agent: false, // a connection per request: no pooled keep-alive socket from an earlier test
        headers: data
          ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) }
          : {},
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

async function count(database: string, sql: string): Promise<number> {
  const u = new URL(urlFor(database));
  const conn = await createConnection({
    host: u.hostname,
    port: Number(u.port),
    user: decodeURIComponent(u.username),
    database,
  });
  try {
    const [rows] = (await conn.query(sql)) as unknown as [{ n: number }[]];
    return Number(rows[0].n);
  } finally {
    await conn.end();
  }
}

/** How many entities the CLI data source finds (the migrations are generated from them). */
async function entityCount(database: string): Promise<number> {
  const ds = new DataSource(dataSourceOptions({ DATABASE_URL: urlFor(database), DATABASE_POOL_SIZE: 1 }));
  await ds.initialize();
  try {
    return ds.entityMetadatas.length;
  } finally {
    await ds.destroy();
  }
}

describe('the built service as real processes', () => {
  // A database that does not exist yet: the start must create, migrate and seed it.
  const database = `${TEST_DB_PREFIX}${runId()}_proc_${randomBytes(3).toString('hex')}`;
  const baseEnv = () => ({ DATABASE_URL: urlFor(database), QUEUE_PREFIX: database, DATABASE_POOL_SIZE: '5' });
  let api: Proc | undefined;
  let worker: Proc | undefined;

  afterAll(async () => {
    for (const p of [api, worker]) {
      if (p && p.child.exitCode === null) {
        p.child.kill('SIGKILL');
      }
    }
    await dropDatabase(database);
    await unlinkKeys(`${database}:*`);
  });

  it('a bad configuration value stops the start with a message naming the variable', async () => {
    const p = runMain(['api'], { ...baseEnv(), PORT: 'eighty' });
    expect(await p.exited).toBe(1);
    expect(p.output()).toMatch(/Invalid configuration:\n {2}PORT: /);
  });

  it('an unknown role is refused with the usage line', async () => {
    const p = runMain(['fly'], baseEnv());
    expect(await p.exited).toBe(2);
    expect(p.output()).toContain('usage: node dist/main <api|worker|all|migrate|revert|seed [--reset]>');
  });

  it('api: creates and migrates the database, loads the demo once, serves health, docs and data', async () => {
    const port = await freePort();
    api = runMain(['api'], { ...baseEnv(), PORT: String(port), SEED_DEMO: 'true' });
    await api.waitFor(/api listening on/);
    expect(api.output()).toMatch(
      /demo data loaded: regions=17 households=200 suppliers=12 linkages=229 products=16 lots=17 organizations=57 procurementOrders=114 fairs=50 fairSales=250 hosts=3 users=7/,
    );
    const health = await get(port, '/health');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body).status).toBe('ok');
    expect((await get(port, '/docs')).status).toBe(200);
    const products = JSON.parse((await get(port, '/api/v1/products?limit=100')).body);
    expect(products.items).toHaveLength(16);
    expect(await count(database, 'SELECT COUNT(*) AS n FROM households')).toBe(200);
    expect(await count(database, 'SELECT COUNT(*) AS n FROM migrations')).toBeGreaterThanOrEqual(1);
  });

  it('api does not consume jobs; a worker process does, after registering the schedulers', async () => {
    const env = loadEnv({ ...baseEnv() });
    const connection = new IORedis(env.REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue(QueueName.Maintenance, { connection, prefix: database });
    try {
      const job = await queue.add(CatalogJobName.CertificationSweep, { asOf: '2026-11-29' });
      await new Promise((r) => setTimeout(r, 1500));
      expect(await job.getState()).toBe('waiting'); // the api process alone runs no jobs

      worker = runMain(['worker'], baseEnv());
      await worker.waitFor(/worker ready/);
      const deadline = Date.now() + 15_000;
      while ((await job.getState()) !== 'completed' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await job.getState()).toBe('completed');
      const schedulers = (
        await Promise.all(
          Object.values(QueueName).map(async (name) => {
            const q = new Queue(name, { connection, prefix: database });
            const list = await q.getJobSchedulers();
            await q.close();
            return list;
          }),
        )
      ).flat();
      expect(schedulers.map((s) => s.key).sort()).toEqual(
        [
          CatalogJobName.CertificationSweep,
          IdempotencyJobName.PurgeIdempotencyKeys,
          IdentityJobName.PurgeOtpCodes,
          OutboxJobName.PurgeOutbox,
          OrdersJobName.PaymentRecovery,
          LedgerJobName.MonthlyAccruals,
          LedgerJobName.Reconcile,
          LedgerJobName.MonitorHouseholds,
          KioskJobName.OfflineSweep,
          KioskJobName.Watchdog,
          ProcurementJobName.RemindOverdue,
        ].sort(),
      );
      expect(schedulers.every((s) => s.tz === 'Asia/Shanghai')).toBe(true);

      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });

  it('SIGTERM: requests in flight finish with their answers, then the process exits 0', async () => {
    const port = Number(/http:\/\/0\.0\.0\.0:(\d+)/.exec(api!.output())![1]);
    // Password checks take tens of milliseconds each and interleave, so when the first answer arrives the
    // others are accepted and still being worked on: the signal lands while they are in flight.
    const inflight = Array.from({ length: 8 }, () =>
      get(port, '/api/v1/auth/login', { username: 'admin', password: 'admin12345' }).then(
        (a) => ({ ...a, at: Date.now() }),
        // A connection still waiting in the kernel's queue when the server stops listening was never taken:
        // it is refused, which is what "stop taking requests" means.
        (e: Error) => ({ status: 0, body: e.message, at: Date.now() }),
      ),
    );
    await Promise.race(inflight);
    const killedAt = Date.now();
    api!.child.kill('SIGTERM');
    const answers = await Promise.all(inflight);
    // 200 for requests the server had taken (finished after the signal, not cut off), 503 for a request that
    // reached it after the signal, or a refused connection; and at least one taken request finished after it.
    for (const a of answers) {
      expect([200, 503, 0]).toContain(a.status);
    }
    expect(answers.filter((a) => a.status === 200 && a.at > killedAt).length).toBeGreaterThan(0);
    expect(await api!.exited).toBe(0);
    expect(api!.output()).toContain('SIGTERM: no new requests');
    expect(api!.output()).toContain('closed cleanly');
  });

  it('after SIGTERM no new connection is taken', async () => {
    const port = await freePort();
    const p = runMain(['api'], { ...baseEnv(), PORT: String(port) });
    await p.waitFor(/api listening on/);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    await expect(get(port, '/health')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('a second start on the same database applies nothing and loads no demo twice', async () => {
    const port = await freePort();
    api = runMain(['all'], { ...baseEnv(), PORT: String(port), SEED_DEMO: 'true' });
    await api.waitFor(/all listening on/);
    expect(api.output()).toContain('demo data not loaded: the database already holds data');
    expect(api.output()).not.toContain('migrations applied');
    expect(await count(database, 'SELECT COUNT(*) AS n FROM households')).toBe(200);
    api.child.kill('SIGTERM');
    // The output comes with a failure: it says why the close was not clean.
    expect({ exit: await api.exited, output: api.output() }).toEqual({ exit: 0, output: expect.any(String) });
  });

  it('revert takes the last migration back and migrate applies it again (npm run migration:revert|run)', async () => {
    const tables = async () =>
      count(
        database,
        `SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = '${database}'`,
      );
    const all = await tables();
    expect(all).toBe((await entityCount(database)) + 1); // every entity's table and the migrations table
    // The schema's shape: a checksum of every column's definition and every index part, which any schema
    // migration changes (a column added, an index dropped, a column made nullable).
    const shape = () =>
      count(
        database,
        `SELECT (SELECT COALESCE(SUM(CRC32(CONCAT_WS('|', table_name, column_name, column_type, is_nullable,
                        COALESCE(column_default, '-'), extra))), 0)
                   FROM information_schema.columns WHERE table_schema = '${database}')
              + (SELECT COALESCE(SUM(CRC32(CONCAT_WS('|', table_name, index_name, seq_in_index, column_name,
                        non_unique))), 0)
                   FROM information_schema.statistics WHERE table_schema = '${database}') AS n`,
      );
    const applied = () => count(database, 'SELECT COUNT(*) AS n FROM migrations');
    const before = { shape: await shape(), applied: await applied() };
    const revert = runMain(['revert'], baseEnv());
    expect(await revert.exited).toBe(0);
    expect(await applied()).toBe(before.applied - 1);
    expect(await shape()).not.toBe(before.shape);
    const up = runMain(['migrate'], baseEnv());
    expect(await up.exited).toBe(0);
    expect(up.output()).toMatch(/applied: \w+\d+/);
    expect(await tables()).toBe(all);
    expect(await applied()).toBe(before.applied);
    expect(await shape()).toBe(before.shape);
    const again = runMain(['migrate'], baseEnv());
    expect(await again.exited).toBe(0);
    expect(again.output()).toContain('no pending migrations');
  });
});

/** A JSON call to a process on 127.0.0.1 (a fresh connection each time). */
async function call(
  port: number,
  method: string,
  path: string,
  body?: object,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), connection: 'close', ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

describe('PUBLIC_BASE_URL follows PORT, and the sandbox webhook reaches the process', () => {
  const database = `${TEST_DB_PREFIX}${runId()}_hook_${randomBytes(3).toString('hex')}`;
  const procs: Proc[] = [];
  const start = (env: Record<string, string>) => {
    const p = runMain(['api'], {
      DATABASE_URL: urlFor(database),
      QUEUE_PREFIX: database,
      DATABASE_POOL_SIZE: '5',
      PUBLIC_BASE_URL: '', // not set: the default is what is tested
      ...env,
    });
    procs.push(p);
    return p;
  };

  afterAll(async () => {
    for (const p of procs) {
      if (p.child.exitCode === null) {
        p.child.kill('SIGKILL');
      }
    }
    await dropDatabase(database);
    await unlinkKeys(`${database}:*`);
  });

  it('started with PORT and no PUBLIC_BASE_URL, a sandbox payment is settled by its notification', async () => {
    const port = await freePort();
    const api = start({ PORT: String(port), SEED_DEMO: 'true' });
    await api.waitFor(/api listening on/);

    const phone = '13800000001';
    expect((await call(port, 'POST', '/api/v1/auth/otp/request', { phone })).status).toBe(202);
    const sms = await call(port, 'GET', `/api/v1/dev/sms?phone=${phone}`);
    const code = /(\d{6})/.exec(sms.body[0].text as string)![1];
    const login = await call(port, 'POST', '/api/v1/auth/otp/verify', { phone, code });
    expect(login.status).toBe(200);
    const auth = { authorization: `Bearer ${login.body.accessToken as string}` };
    const products = await call(port, 'GET', '/api/v1/products?limit=100');
    const product = (products.body.items as { id: string; status: string }[]).find(
      (p) => p.status === 'CERTIFIED',
    )!;
    const order = await call(
      port,
      'POST',
      '/api/v1/orders',
      { lines: [{ productId: product.id, quantity: 1 }] },
      auth,
    );
    expect(order.status).toBe(201);
    const pay = await call(
      port,
      'POST',
      `/api/v1/orders/${order.body.id}/payments`,
      { provider: 'sandbox' },
      auth,
    );
    expect([pay.status, pay.body.status]).toEqual([201, 'PENDING']);
    // The api role runs no jobs (no recovery job at all), so PAID can only come from the notification.
    const paid = await until(
      'the order to be paid',
      async () => {
        const o = await call(port, 'GET', `/api/v1/orders/${order.body.id}`, undefined, auth);
        return o.body.status === 'PAID' && o.body;
      },
      15_000,
      100,
    );
    expect(paid.totalFen).toBe(order.body.totalFen);
    expect(await count(database, `SELECT COUNT(*) AS n FROM payments WHERE status = 'CAPTURED'`)).toBe(1);
    // And the boot check said so.
    await api.waitFor(/webhook .* (reaches|does not reach) this process/);
    expect(api.output()).toContain(
      `the sandbox's webhook http://127.0.0.1:${port}/api/v1/payments/notify/sandbox reaches this process`,
    );
    expect(api.output()).not.toContain('does not reach this process');
    api.child.kill('SIGTERM');
    // The output comes with a failure: it says why the close was not clean.
    expect({ exit: await api.exited, output: api.output() }).toEqual({ exit: 0, output: expect.any(String) });
  });

  it('a PUBLIC_BASE_URL that does not reach the process is said at boot in one warning line', async () => {
    const [port, elsewhere] = [await freePort(), await freePort()];
    const api = start({ PORT: String(port), PUBLIC_BASE_URL: `http://127.0.0.1:${elsewhere}` });
    await api.waitFor(/api listening on/);
    await api.waitFor(/webhook .* (reaches|does not reach) this process/);
    const warnings = api
      .output()
      .split('\n')
      .filter((l) => l.includes('does not reach this process'));
    expect(warnings).toHaveLength(1);
    const line = JSON.parse(warnings[0]) as { level: string; msg: string };
    expect(line.level).toBe('warn');
    expect(line.msg).toContain(`http://127.0.0.1:${elsewhere}/api/v1/payments/notify/sandbox`);
    expect(line.msg).toContain(`port ${port}`);
    api.child.kill('SIGTERM');
    // The output comes with a failure: it says why the close was not clean.
    expect({ exit: await api.exited, output: api.output() }).toEqual({ exit: 0, output: expect.any(String) });
  });
});

/** The pids below `pid` (children, their children, ...), from /proc. */
function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of parents.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

/** Alive and not a zombie waiting for its parent. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('npm start stops on one signal', () => {
  const started: { npm: ChildProcess; pids: number[]; database: string }[] = [];

  afterAll(async () => {
    for (const s of started) {
      for (const pid of [s.npm.pid!, ...s.pids]) {
        if (running(pid)) {
          process.kill(pid, 'SIGKILL');
        }
      }
      await dropDatabase(s.database);
      await unlinkKeys(`${s.database}:*`);
    }
  });

  /** `npm start` on a fresh database and port, in a process group of its own as a terminal would run it. */
  async function npmStart() {
    const database = `${TEST_DB_PREFIX}${runId()}_npm_${randomBytes(3).toString('hex')}`;
    const port = await freePort();
    const npm = spawn('npm', ['start'], {
      cwd: ROOT,
      detached: true,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        DATABASE_URL: urlFor(database),
        QUEUE_PREFIX: database,
        DATABASE_POOL_SIZE: '5',
        PORT: String(port),
        SEED_DEMO: 'false',
        npm_config_update_notifier: 'false',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const s = { npm, pids: [] as number[], database };
    started.push(s);
    let out = '';
    npm.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    npm.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
    await until(
      'npm start to serve /health',
      async () => {
        if (npm.exitCode !== null) {
          throw new Error(`npm start exited with ${npm.exitCode}:\n${out}`);
        }
        return get(port, '/health').then(
          (r) => r.status === 200,
          () => false,
        );
      },
      90_000,
      250,
    );
    s.pids = descendants(npm.pid!);
    expect(s.pids.length).toBeGreaterThan(0);
    return { npm, port, exited, output: () => out, pids: s.pids };
  }

  /** npm exits within the bound with 0, every process under it is gone, and the port is closed. */
  async function expectStopped(s: Awaited<ReturnType<typeof npmStart>>) {
    const code = await Promise.race([
      s.exited,
      new Promise<'running'>((r) => setTimeout(() => r('running'), 30_000).unref()),
    ]);
    expect(code).toBe(0);
    await until(
      'every process npm started to be gone',
      async () => s.pids.every((p) => !running(p)),
      10_000,
    ).catch((e: Error) => {
      throw new Error(
        `${e.message}: still running ${s.pids.filter(running).join(', ')}\n${s.output().slice(-2000)}`,
      );
    });
    expect(s.output()).toContain('closed cleanly');
    await expect(get(s.port, '/health')).rejects.toThrow(/ECONNREFUSED/);
  }

  it('SIGTERM to npm alone (as a process manager sends it)', async () => {
    const s = await npmStart();
    process.kill(s.npm.pid!, 'SIGTERM');
    await expectStopped(s);
    expect(s.output()).toContain('SIGTERM: no new requests');
  });

  it('SIGINT to the process group (Ctrl-C in a terminal)', async () => {
    const s = await npmStart();
    process.kill(-s.npm.pid!, 'SIGINT');
    await expectStopped(s);
    expect(s.output()).toContain('SIGINT: no new requests');
  });
});
