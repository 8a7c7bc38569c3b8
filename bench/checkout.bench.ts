// npm run bench:checkout — 20 citizens in a closed loop, each placing an online order and paying it with the
// sandbox provider until it reads PAID: paid orders per second and p99 of the whole flow, beside a bare NestJS
// route driven the same way in the same run; then 100 buyers racing for the last 10 units, several times.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { idCheckChar } from '@/modules/households/dto/household.dto';
import { serviceEnv, village } from './fixtures';
import { call, citizen, closePool, must, percentile, round1 } from './http';
import { closedLoop, cpuMs, freePort, freshDatabase, pidOf, ROOT, startServer, table } from './lib';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 20);
const RACES = Number(process.env.BENCH_RACES ?? 5);
const RACERS = 100;
const WAIT = { prefer: 'wait=5' };

async function main(): Promise<void> {
  await require('../scripts/services').ensureServices({ log: () => undefined });
  const port = await freePort();
  const database = 'cs_bench_checkout';
  const base = `http://127.0.0.1:${port}`;
  // BENCH_ROLES=all runs one process; the default runs an api and a worker process, one per core.
  const split = (process.env.BENCH_ROLES ?? 'split') !== 'all';
  const env = serviceEnv(await freshDatabase(database), database, port, base);
  const profile = process.env.BENCH_PROFILE
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
    : [];
  const app = await startServer(
    [...profile, join(ROOT, 'dist', 'main.js'), split ? 'api' : 'all'],
    env,
    port,
    '/health/ready',
  );
  const worker = split
    ? spawn(process.execPath, [join(ROOT, 'dist', 'main.js'), 'worker'], {
        cwd: ROOT,
        env: { ...process.env, ...env, MIGRATE_ON_START: 'false' },
        stdio: 'ignore',
      })
    : undefined;
  const admin = `Bearer ${(await must(base, 'POST', '/api/v1/auth/login', { username: 'admin', password: 'admin12345' })).accessToken}`;
  await village(base, admin);
  const households: string[] = [];
  for (let i = 0; i < 3; i++) {
    const n = 100 + i;
    const body17 = `50010119800101${String(n).padStart(3, '0')}`;
    const id = body17 + idCheckChar(body17);
    households.push(
      (
        await must(
          base,
          'POST',
          '/api/v1/households',
          { registryNo: `B-${n}`, headName: '王德明', idNumber: id, members: 3, villageCode: '500101113201' },
          admin,
        )
      ).id,
    );
  }
  const supplier = await must(
    base,
    'POST',
    '/api/v1/suppliers',
    { name: '王德明家庭农场', type: 'HOUSEHOLD', villageCode: '500101113201', householdId: households[0] },
    admin,
  );
  const product = async (name: string, quantity: number) => {
    const p = await must(
      base,
      'POST',
      '/api/v1/products',
      {
        name,
        category: '禽蛋',
        unit: '盒',
        priceFen: 4500,
        supplierId: supplier.id,
        originVillageCode: '500101113201',
        certificateNo: 'CQ-B',
        certifiedUntil: '2099-12-31',
      },
      admin,
    );
    const third = Math.floor(quantity / 3);
    await must(
      base,
      'POST',
      `/api/v1/products/${p.id}/lots`,
      {
        quantity,
        sources: households.map((h, i) => ({
          householdId: h,
          quantity: i === 0 ? quantity - 2 * third : third,
        })),
      },
      admin,
    );
    return p.id as string;
  };
  const eggs = await product('土鸡蛋 30枚', 10_000_000);
  const tokens = await Promise.all(
    Array.from({ length: Math.max(CLIENTS, RACERS) }, (_, i) =>
      citizen(base, `137${String(10000000 + i).padStart(8, '0')}`),
    ),
  );

  const barePort = await freePort();
  const bare = await startServer(
    ['-r', 'ts-node/register/transpile-only', join(ROOT, 'bench', 'bare-server.ts')],
    { PORT: String(barePort), BARE_BODY_FILE: join(ROOT, 'package.json') },
    barePort,
    '/bare',
  );
  const bareBase = `http://127.0.0.1:${barePort}`;
  // The floor: the same clients doing one bare round trip per "flow".
  await closedLoop(CLIENTS, 2, async () => void (await call(bareBase, 'GET', '/bare')));
  const floor = await closedLoop(CLIENTS, SECONDS, async () => {
    if ((await call(bareBase, 'GET', '/bare')).status !== 200) {
      throw new Error('bare');
    }
  });
  await closePool(bareBase);
  await bare.stop();

  let requests = 0;
  const flow = async (c: number) => {
    const token = tokens[c];
    const order = await call(
      base,
      'POST',
      '/api/v1/orders',
      { lines: [{ productId: eggs, quantity: 1 }] },
      token,
    );
    const pay = await call(
      base,
      'POST',
      `/api/v1/orders/${order.body.id}/payments`,
      { provider: 'sandbox' },
      token,
    );
    requests += 2;
    if (order.status !== 201 || pay.status !== 201) {
      throw new Error(`order ${order.status} pay ${pay.status}`);
    }
    // The buyer's app asks once and the server answers when the order changes (Prefer: wait).
    for (let i = 0; i < 3; i++) {
      const o = await call(base, 'GET', `/api/v1/orders/${order.body.id}`, undefined, token, WAIT);
      requests++;
      if (o.body.status === 'PAID') {
        return;
      }
    }
    throw new Error('not PAID within the bound');
  };
  console.log(`warming up, then ${SECONDS} s with ${CLIENTS} citizens…`);
  await closedLoop(CLIENTS, 2, flow);
  requests = 0;
  const pids = {
    api: app.child.pid,
    worker: worker?.pid,
    mariadb: pidOf('mariadbd') ?? pidOf('mysqld'),
    redis: pidOf('redis-server'),
    'bench client': process.pid,
  };
  const cpuBefore = cpuMs(pids);
  const checkout = await closedLoop(CLIENTS, SECONDS, flow);
  const cpuAfter = cpuMs(pids);
  const checkoutRequests = requests;
  const cpuPerOrder = Object.fromEntries(
    Object.keys(cpuAfter).map((k) => [k, round1((cpuAfter[k] - cpuBefore[k]) / Math.max(1, checkout.done))]),
  );

  const races: { paid: number; refused: number; stock: number }[] = [];
  for (let r = 0; r < RACES; r++) {
    const last = await product(`最后十盒 ${r + 1}`, 10);
    const results = await Promise.all(
      tokens.slice(0, RACERS).map(async (token) => {
        const o = await call(
          base,
          'POST',
          '/api/v1/orders',
          { lines: [{ productId: last, quantity: 1 }] },
          token,
        );
        if (o.status !== 201) {
          return o.body?.code === 'out-of-stock' ? 'refused' : `error ${o.status}`;
        }
        await must(base, 'POST', `/api/v1/orders/${o.body.id}/payments`, { provider: 'sandbox' }, token);
        for (let i = 0; i < 3; i++) {
          const s = await call(base, 'GET', `/api/v1/orders/${o.body.id}`, undefined, token, WAIT);
          if (s.body.status === 'PAID') {
            return 'paid';
          }
        }
        return 'unpaid';
      }),
    );
    const stock = (await must(base, 'GET', `/api/v1/products/${last}`)).stock as number;
    races.push({
      paid: results.filter((x) => x === 'paid').length,
      refused: results.filter((x) => x === 'refused').length,
      stock,
    });
  }
  await closePool(base);
  await app.stop();
  worker?.kill('SIGTERM');

  const secs = SECONDS;
  const rows = [
    {
      run: `bare NestJS route, ${CLIENTS} clients closed loop`,
      'per s': round1(floor.done / secs),
      'p50 ms': round1(percentile(floor.latencies, 50)),
      'p99 ms': round1(percentile(floor.latencies, 99)),
      done: floor.done,
      errors: floor.errors,
    },
    {
      run: `checkout flow (order → pay → PAID), ${CLIENTS} citizens`,
      'per s': round1(checkout.done / secs),
      'p50 ms': round1(percentile(checkout.latencies, 50)),
      'p99 ms': round1(percentile(checkout.latencies, 99)),
      done: checkout.done,
      errors: checkout.errors,
    },
  ];
  console.log(`\n${table(rows)}\n`);
  console.log(
    `HTTP requests in the checkout run: ${checkoutRequests} (${round1(checkoutRequests / Math.max(1, checkout.done))} per paid order, polls included)`,
  );
  console.log(
    `CPU ms per paid order: ${Object.entries(cpuPerOrder)
      .map(([k, v]) => `${k} ${v}`)
      .join(
        ', ',
      )} (total ${round1(Object.values(cpuPerOrder).reduce((a, b) => a + b, 0))}; two cores give 2,000 ms a second)`,
  );
  console.log(
    `paid orders per second: ${round1(checkout.done / secs)} (aim ≥ 400), p99 ${round1(percentile(checkout.latencies, 99))} ms (aim < 100)`,
  );
  console.log(
    `race for the last 10 units, ${RACERS} buyers, ${RACES} times: ${races.map((r) => `${r.paid} paid / ${r.refused} refused / stock ${r.stock}`).join('; ')}`,
  );
  const ok = races.every((r) => r.paid === 10 && r.refused === RACERS - 10 && r.stock === 0);
  console.log(ok ? 'race: exactly 10 paid every time, never oversold' : 'race: WRONG');
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  const date = new Date().toISOString();
  writeFileSync(
    join(ROOT, 'bench', 'results', `checkout-${date.slice(0, 10)}.json`),
    JSON.stringify({ date, rows, races, checkoutRequests, cpuPerOrder }, null, 2),
  );
  process.exit(ok && checkout.errors === 0 ? 0 : 1);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
