// npm run bench:livestream — a flash sale: 2,000 buyers racing for the 500 units of one live offer, then a
// steady mix of placements over 10 offers; in the same run, the same race against a plain MySQL row-lock
// implementation and, as floors, the bare Redis EVAL rate and a bare NestJS route; last, a 100,000-row Douyin
// export imported in the background. Prints placements per second, p99, units oversold and undersold (both
// must be 0), CPU time per placement of each process, and import rows per second.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createConnection } from 'mysql2/promise';
import { ulid } from 'ulid';
import { douyinCsv, ExportRow } from '../test/support/platform-files';
import { mechanismRaces } from './stock-race';
import { householdSupplier, serviceEnv, village } from './fixtures';
import { call, citizen, closePool, must, percentile, round1 } from './http';
import { closedLoop, cpuMs, freePort, freshDatabase, pidOf, ROOT, startServer, table } from './lib';

const BUYERS = Number(process.env.BENCH_BUYERS ?? 2000);
const UNITS = Number(process.env.BENCH_UNITS ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 64);
const OFFERS = 10;
const IMPORT_ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 100_000);

interface Race {
  seconds: number;
  sold: number;
  refused: number;
  errors: number;
  latencies: number[];
}

/** All buyers at once (the client keeps 128 connections open, as a load balancer in front would). */
async function race(buyers: number, attempt: (i: number) => Promise<number>): Promise<Race> {
  const latencies: number[] = [];
  let sold = 0;
  let refused = 0;
  let errors = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: buyers }, async (_, i) => {
      const s = performance.now();
      const status = await attempt(i).catch(() => 0);
      latencies.push(performance.now() - s);
      if (status === 201) {
        sold++;
      } else if (status === 409) {
        refused++;
      } else {
        errors++;
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { seconds: (performance.now() - t0) / 1000, sold, refused, errors, latencies };
}

async function main(): Promise<void> {
  await require('../scripts/services').ensureServices({ log: () => undefined });
  const port = await freePort();
  const database = 'cs_bench_livestream';
  const base = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = serviceEnv(await freshDatabase(database), database, port, base);
  // BENCH_PROFILE=dir writes a CPU profile of the api process there.
  const profile = process.env.BENCH_PROFILE
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
    : [];
  const app = await startServer(
    [...profile, join(ROOT, 'dist', 'main.js'), 'api'],
    env,
    port,
    '/health/ready',
  );
  const worker = spawn(process.execPath, [join(ROOT, 'dist', 'main.js'), 'worker'], {
    cwd: ROOT,
    env: { ...process.env, ...env, MIGRATE_ON_START: 'false' },
    stdio: 'ignore',
  });
  const admin = `Bearer ${(await must(base, 'POST', '/api/v1/auth/login', { username: 'admin', password: 'admin12345' })).accessToken}`;
  await village(base, admin);
  const { supplierId } = await householdSupplier(base, admin, {
    n: 200,
    registryNo: 'L-1',
    headName: '李德明',
    supplierName: '李德明家庭果园',
  });
  const product = await must(
    base,
    'POST',
    '/api/v1/products',
    {
      name: '万州玫瑰香橙 5kg',
      category: '柑橘',
      unit: '箱',
      priceFen: 5990,
      supplierId,
      originVillageCode: '500101113201',
      certificateNo: 'CQ-L',
      certifiedUntil: '2099-12-31',
    },
    admin,
  );
  await must(base, 'POST', `/api/v1/products/${product.id}/lots`, { quantity: 10_000_000 }, admin);
  const host = await must(
    base,
    'POST',
    '/api/v1/live/hosts',
    { name: '分水镇党委书记', kind: 'PARTY_SECRETARY' },
    admin,
  );
  const session = async (offers: { stock: number; merchantCode?: string }[]) => {
    const s = await must(
      base,
      'POST',
      '/api/v1/live/sessions',
      {
        title: '万州柑橘助农直播',
        hostId: host.id,
        platform: 'DOUYIN',
        scheduledAt: new Date().toISOString(),
        offers: offers.map((o) => ({ productId: product.id, livePriceFen: 3990, ...o })),
      },
      admin,
    );
    await must(base, 'POST', `/api/v1/live/sessions/${s.id}/start`, {}, admin);
    return s as { id: string; offers: { id: string }[] };
  };

  console.log(`signing in ${BUYERS} buyers…`);
  const tokens: string[] = [];
  for (let i = 0; i < BUYERS; i += 100) {
    tokens.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(100, BUYERS - i) }, (_, k) =>
          citizen(base, `138${String(10000000 + i + k).padStart(8, '0')}`),
        ),
      )),
    );
  }

  // --- floors: a bare NestJS route and the bare Redis EVAL, driven by the same client the same way ---
  const barePort = await freePort();
  const bare = await startServer(
    ['-r', 'ts-node/register/transpile-only', join(ROOT, 'bench', 'bare-server.ts')],
    { PORT: String(barePort), BARE_BODY_FILE: join(ROOT, 'package.json') },
    barePort,
    '/bare',
  );
  const bareBase = `http://127.0.0.1:${barePort}`;
  await closedLoop(CLIENTS, 1, async () => (await call(bareBase, 'GET', '/bare')).status === 200);
  const bareRoute = await closedLoop(
    CLIENTS,
    5,
    async () => (await call(bareBase, 'GET', '/bare')).status === 200,
  );
  await closePool(bareBase);
  await bare.stop();
  const redis = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379/0');
  const bareEval = await closedLoop(CLIENTS, 5, async () => (await redis.eval('return 1', 0)) === 1);

  // --- the flash sale: 2,000 buyers, 500 units, through the service (after one race to warm it up) ---
  const flashRace = async (sessionId: string, offerId: string) =>
    race(BUYERS, async (i) => {
      const r = await call(
        base,
        'POST',
        `/api/v1/live/sessions/${sessionId}/orders`,
        { offerId, quantity: 1 },
        tokens[i],
      );
      return r.status === 409 && r.body?.code !== 'sold-out' ? 0 : r.status;
    });
  const warm = await session([{ stock: UNITS }]);
  await flashRace(warm.id, warm.offers[0].id);
  const rush = await session([{ stock: UNITS, merchantCode: 'WZ-ORANGE-5KG' }]);
  const rushOffer = rush.offers[0].id;
  const db = () => cpuMs({ mariadb: pidOf('mariadbd') ?? pidOf('mysqld') }).mariadb ?? 0;
  const flashDb0 = db();
  const flash = await flashRace(rush.id, rushOffer);
  const flashDb = db() - flashDb0;
  // The same rush once more, now that nothing is left: every answer is sold-out, from Redis alone.
  const cpuSoldOut0 = cpuMs({ api: app.child.pid, mariadb: pidOf('mariadbd') ?? pidOf('mysqld') });
  let soldOut = await flashRace(rush.id, rushOffer);
  for (let i = 1; i < Number(process.env.BENCH_SOLD_OUT_ROUNDS ?? 1); i++) {
    soldOut = await flashRace(rush.id, rushOffer);
  }
  const cpuSoldOut1 = cpuMs({ api: app.child.pid, mariadb: pidOf('mariadbd') ?? pidOf('mysqld') });
  const rushStats = await must(base, 'GET', `/api/v1/live/sessions/${rush.id}/stats`, undefined, admin);
  const held = rushStats.offers[0].sold + rushStats.offers[0].reserved;
  const oversold = Math.max(0, flash.sold - UNITS) + Math.max(0, held - UNITS);
  const undersold = Math.max(0, Math.min(UNITS, BUYERS) - flash.sold);

  // --- the same race against a plain MySQL row lock ---
  const rowDb = await freshDatabase('cs_bench_rowlock', true);
  const rowPort = await freePort();
  const rowServer = await startServer(
    ['-r', 'ts-node/register/transpile-only', join(ROOT, 'bench', 'rowlock-server.ts')],
    { PORT: String(rowPort), ROWLOCK_DATABASE_URL: rowDb },
    rowPort,
    '/ready',
  );
  const rowBase = `http://127.0.0.1:${rowPort}`;
  const rowConn = await createConnection(rowDb);
  const rowOffer = ulid();
  await rowConn.query('INSERT INTO rowlock_offers (id, stock) VALUES (?, ?)', [rowOffer, UNITS]);
  const rowRace = (offer: string) =>
    race(
      BUYERS,
      async (i) => (await call(rowBase, 'POST', `/rowlock/${offer}/orders`, { buyer: `b${i}` })).status,
    );
  const warmOffer = ulid();
  await rowConn.query('INSERT INTO rowlock_offers (id, stock) VALUES (?, ?)', [warmOffer, UNITS]);
  await rowRace(warmOffer);
  const rowDb0 = db();
  const rowLock = await rowRace(rowOffer);
  const rowLockDb = db() - rowDb0;
  const [[rowLeft]] = (await rowConn.query('SELECT stock FROM rowlock_offers WHERE id = ?', [
    rowOffer,
  ])) as any;
  const [[rowOrders]] = (await rowConn.query('SELECT COUNT(*) AS n FROM rowlock_orders WHERE offer_id = ?', [
    rowOffer,
  ])) as any;
  await rowConn.end();
  await closePool(rowBase);
  await rowServer.stop();

  // --- the stock mechanism alone: the same rush without HTTP, Lua + batched write against the row lock ---
  const mechanism = await mechanismRaces(
    await freshDatabase('cs_bench_mechanism', true),
    env.REDIS_URL ?? 'redis://127.0.0.1:6379/0',
    BUYERS,
    UNITS,
  );

  // --- a steady mix over 10 offers ---
  const mix = await session(Array.from({ length: OFFERS }, () => ({ stock: 50_000 })));
  const mixOffers = mix.offers.map((o) => o.id);
  const place = async (c: number, n: number) =>
    (
      await call(
        base,
        'POST',
        `/api/v1/live/sessions/${mix.id}/orders`,
        { offerId: mixOffers[n % OFFERS], quantity: 1 },
        tokens[(c * 31 + n) % tokens.length],
      )
    ).status === 201;
  console.log(`warming up, then ${SECONDS} s of placements with ${CLIENTS} clients over ${OFFERS} offers…`);
  await closedLoop(CLIENTS, 2, place);
  const pids = {
    api: app.child.pid,
    worker: worker.pid,
    mariadb: pidOf('mariadbd') ?? pidOf('mysqld'),
    redis: pidOf('redis-server'),
    'bench client': process.pid,
  };
  const cpuBefore = cpuMs(pids);
  const steady = await closedLoop(CLIENTS, SECONDS, place);
  const cpuAfter = cpuMs(pids);
  const cpuPerPlacement = Object.fromEntries(
    Object.keys(cpuAfter).map((k) => [k, round1((cpuAfter[k] - cpuBefore[k]) / Math.max(1, steady.done))]),
  );
  const mixStats = await must(base, 'GET', `/api/v1/live/sessions/${mix.id}/stats`, undefined, admin);
  const mixHeld = mixStats.offers.reduce(
    (a: number, o: { sold: number; reserved: number }) => a + o.sold + o.reserved,
    0,
  );

  // --- a 100,000-row Douyin export, imported in the background ---
  const rows: ExportRow[] = Array.from({ length: IMPORT_ROWS }, (_, i) => ({
    orderId: String(6900000000000000000n + BigInt(i * 2)),
    subOrderId: String(6900000000000000001n + BigInt(i * 2)),
    merchantCode: 'WZ-ORANGE-5KG',
    quantity: 1 + (i % 3),
    amount: i % 10 === 0 ? '1,197.00' : '39.90',
    paidAt: '2026-12-01 20:15:03',
  }));
  const file = douyinCsv(rows);
  const form = new FormData();
  form.append('platform', 'DOUYIN');
  form.append('file', new Blob([file]), 'douyin-orders.csv');
  const importStart = performance.now();
  const submitted = await fetch(`${base}/api/v1/live/sessions/${rush.id}/external-orders`, {
    method: 'POST',
    headers: { authorization: admin },
    body: form,
  });
  if (submitted.status !== 202) {
    throw new Error(`import: ${submitted.status} ${await submitted.text()}`);
  }
  const { importId } = (await submitted.json()) as { importId: string };
  let imported: any;
  for (;;) {
    imported = await must(base, 'GET', `/api/v1/live/imports/${importId}`, undefined, admin);
    if (imported.status === 'DONE') {
      break;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const importSeconds = (performance.now() - importStart) / 1000;

  redis.disconnect();
  await closePool(base);
  await app.stop();
  worker.kill('SIGTERM');

  const rate = (n: number, s: number) => round1(n / s);
  const out = [
    {
      run: `bare NestJS route (floor), ${CLIENTS} clients`,
      'per s': rate(bareRoute.done, 5),
      'p99 ms': round1(percentile(bareRoute.latencies, 99)),
      done: bareRoute.done,
      errors: bareRoute.errors,
    },
    {
      run: `bare Redis EVAL (floor), ${CLIENTS} clients`,
      'per s': rate(bareEval.done, 5),
      'p99 ms': round1(percentile(bareEval.latencies, 99)),
      done: bareEval.done,
      errors: bareEval.errors,
    },
    {
      run: `flash sale: ${BUYERS} buyers / ${UNITS} units (Redis Lua + MySQL guard)`,
      'per s': rate(flash.sold, flash.seconds),
      'p99 ms': round1(percentile(flash.latencies, 99)),
      done: flash.sold,
      errors: flash.errors,
    },
    {
      run: `same race, plain MySQL row lock`,
      'per s': rate(rowLock.sold, rowLock.seconds),
      'p99 ms': round1(percentile(rowLock.latencies, 99)),
      done: rowLock.sold,
      errors: rowLock.errors,
    },
    {
      run: `stock mechanism only: Redis Lua + one batched write`,
      'per s': rate(mechanism.flash.sold, mechanism.flash.seconds),
      'p99 ms': round1(percentile(mechanism.flash.latencies, 99)),
      done: mechanism.flash.sold,
      errors: 0,
    },
    {
      run: `stock mechanism only: MySQL row lock`,
      'per s': rate(mechanism.rowLock.sold, mechanism.rowLock.seconds),
      'p99 ms': round1(percentile(mechanism.rowLock.latencies, 99)),
      done: mechanism.rowLock.sold,
      errors: 0,
    },
    {
      run: `steady placements over ${OFFERS} offers, ${CLIENTS} clients`,
      'per s': rate(steady.done, SECONDS),
      'p99 ms': round1(percentile(steady.latencies, 99)),
      done: steady.done,
      errors: steady.errors,
    },
  ];
  console.log(`\n${table(out)}\n`);
  console.log(
    `flash sale: ${flash.sold} sold, ${flash.refused} sold-out, ${flash.errors} errors in ${round1(flash.seconds * 1000)} ms (all ${BUYERS} answered at ${rate(BUYERS, flash.seconds)}/s); held in MySQL ${held}; oversold ${oversold}, undersold ${undersold}`,
  );
  console.log(
    `after selling out: ${soldOut.refused} sold-out answers in ${round1(soldOut.seconds * 1000)} ms (${rate(soldOut.refused, soldOut.seconds)}/s, p99 ${round1(percentile(soldOut.latencies, 99))} ms; api ${round1((cpuSoldOut1.api - cpuSoldOut0.api) / BUYERS)} ms CPU each, MariaDB ${round1((cpuSoldOut1.mariadb - cpuSoldOut0.mariadb) / BUYERS)} ms)`,
  );
  console.log(
    `row lock: ${rowLock.sold} sold, ${rowLock.refused} sold-out, ${rowLock.errors} errors in ${round1(rowLock.seconds * 1000)} ms; stock left ${Number(rowLeft.stock)}, orders ${Number(rowOrders.n)}`,
  );
  console.log(
    `MariaDB CPU for the whole rush: flash sale ${round1(flashDb)} ms, row lock ${round1(rowLockDb)} ms (${round1(rowLockDb / Math.max(1, flashDb))}×): the losers of a flash sale never reach the database`,
  );
  console.log(
    `the flash sale is ${round1(rate(flash.sold, flash.seconds) / Math.max(0.1, rate(rowLock.sold, rowLock.seconds)))}× the row lock in placements per second, and answers the whole rush ${round1(rowLock.seconds / flash.seconds)}× sooner`,
  );
  console.log(
    `stock mechanism only (no HTTP): the flash stock sells ${mechanism.flash.sold} in ${round1(mechanism.flash.seconds * 1000)} ms, the row lock ${mechanism.rowLock.sold} in ${round1(mechanism.rowLock.seconds * 1000)} ms: ${round1(rate(mechanism.flash.sold, mechanism.flash.seconds) / Math.max(0.1, rate(mechanism.rowLock.sold, mechanism.rowLock.seconds)))}× the placements per second (held ${mechanism.heldFlash}, row stock left ${mechanism.rowLeft})`,
  );
  console.log(
    `steady: ${rate(steady.done, SECONDS)} placements/s (aim ≥ 1,000), p50 ${round1(percentile(steady.latencies, 50))} ms, p99 ${round1(percentile(steady.latencies, 99))} ms; held in MySQL ${mixHeld} of ${OFFERS * 50_000}`,
  );
  console.log(
    `CPU ms per placement: ${Object.entries(cpuPerPlacement)
      .map(([k, v]) => `${k} ${v}`)
      .join(
        ', ',
      )} (total ${round1(Object.values(cpuPerPlacement).reduce((a, b) => a + b, 0))}; two cores give 2,000 ms a second)`,
  );
  console.log(
    `import: ${IMPORT_ROWS} Douyin rows (${round1(file.length / 1048576)} MB) in ${round1(importSeconds)} s = ${rate(IMPORT_ROWS, importSeconds)} rows/s; accepted ${imported.rowsAccepted}, refused ${imported.rowsRefused.length}`,
  );
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  const date = new Date().toISOString();
  writeFileSync(
    join(ROOT, 'bench', 'results', `livestream-${date.slice(0, 10)}.json`),
    JSON.stringify(
      { date, rows: out, oversold, undersold, held, cpuPerPlacement, importSeconds, imported },
      null,
      2,
    ),
  );
  const ok =
    oversold === 0 &&
    undersold === 0 &&
    mechanism.heldFlash === UNITS &&
    mechanism.flash.sold === UNITS &&
    mechanism.rowLeft === 0 &&
    flash.errors === 0 &&
    Number(rowLeft.stock) === 0 &&
    imported.rowsAccepted === IMPORT_ROWS;
  console.log(ok ? 'no unit oversold or undersold; every import row counted' : 'WRONG: see above');
  process.exit(ok ? 0 : 1);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
