// npm run bench:ledger — BENCH_LINES (200,000) paid order lines allocated by 1, 2 and 4 worker processes
// (lines per second), beside the raw multi-row INSERT rate of the same posting rows into the same database.
// The processes share BENCH_TOTAL_CONCURRENCY (4) jobs at once; BENCH_CONCURRENCY sets each process's instead.
import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createConnection, Connection } from 'mysql2/promise';
import IORedis from 'ioredis';
import { newId } from '@/common/ids';
import { businessDate } from '@/common/time';
import { idCheckChar } from '@/modules/households/dto/household.dto';
import { parseDatabaseUrl } from '@/infrastructure/database/database-url';
import { citizen, must } from './http';
import { freePort, freshDatabase, ROOT, startServer, table } from './lib';
import { round1 } from './http';

const LINES = Number(process.env.BENCH_LINES ?? 200_000);
const LINES_PER_ORDER = 4;
const WORKERS = (process.env.BENCH_WORKERS ?? '1,2,4').split(',').map(Number);
const DATABASE = 'cs_bench_ledger';
// Jobs at once across all worker processes: on two cores, more concurrent transactions only contend.
const TOTAL_CONCURRENCY = Number(process.env.BENCH_TOTAL_CONCURRENCY ?? 4);

function idNumber(n: number): string {
  const body = `50010119800101${String(n).padStart(3, '0')}`;
  return body + idCheckChar(body);
}

async function setUp(databaseUrl: string): Promise<{
  buyer: string;
  lots: { lotId: string; productId: string; supplierId: string; priceFen: number }[];
}> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const api = await startServer(
    [join(ROOT, 'dist', 'main.js'), 'api'],
    {
      DATABASE_URL: databaseUrl,
      QUEUE_PREFIX: DATABASE,
      PORT: String(port),
      SEED_DEMO: 'false',
      RATE_LIMIT_PER_MINUTE: '1000000000',
      LOG_LEVEL: 'warn',
    },
    port,
    '/health/ready',
  );
  const admin = `Bearer ${(await must(base, 'POST', '/api/v1/auth/login', { username: 'admin', password: 'admin12345' })).accessToken}`;
  const post = (path: string, body: object) => must(base, 'POST', `/api/v1${path}`, body, admin);
  await post('/regions', { code: '500101', name: '万州区', level: 'DISTRICT' });
  await post('/regions', { code: '500101113', name: '分水镇', level: 'TOWN', parentCode: '500101' });
  await post('/regions', { code: '500101113201', name: '川星村', level: 'VILLAGE', parentCode: '500101113' });
  const households: string[] = [];
  for (let i = 0; i < 60; i++) {
    households.push(
      (
        await post('/households', {
          registryNo: `L-${i}`,
          headName: '王德明',
          idNumber: idNumber(i),
          members: 3,
          villageCode: '500101113201',
        })
      ).id,
    );
  }
  const lots: { lotId: string; productId: string; supplierId: string; priceFen: number }[] = [];
  // Household suppliers selling lots made by three households each.
  for (let i = 0; i < 10; i++) {
    const s = await post('/suppliers', {
      name: `家庭农场${i}`,
      type: 'HOUSEHOLD',
      villageCode: '500101113201',
      householdId: households[i],
    });
    const p = await post('/products', {
      name: `土鸡蛋${i}`,
      category: '禽蛋',
      unit: '盒',
      priceFen: 4500 + i,
      supplierId: s.id,
      originVillageCode: '500101113201',
    });
    const l = await post(`/products/${p.id}/lots`, {
      quantity: 3000,
      sources: [0, 1, 2].map((k) => ({ householdId: households[(i + k * 10) % 60], quantity: 1000 })),
    });
    lots.push({ lotId: l.id, productId: p.id, supplierId: s.id, priceFen: 4500 + i });
  }
  // A pepper cooperative: plot contracts (2 % dividends on each household's part) and revenue shares.
  const coop = await post('/suppliers', {
    name: '川星花椒专业合作社',
    type: 'COOPERATIVE',
    villageCode: '500101113201',
  });
  for (let i = 30; i < 50; i++) {
    await post(`/suppliers/${coop.id}/linkages`, {
      type: 'PLOT_CONTRACT',
      householdId: households[i],
      plants: 2200,
      managementFeeFenPerPlantYear: 450,
      pickingFeeFenPerJin: 120,
      dividendTiers: [
        { minJinPerPlant: 0, shareBps: 200 },
        { minJinPerPlant: 10, shareBps: 300 },
      ],
    });
  }
  for (let i = 50; i < 54; i++) {
    await post(`/suppliers/${coop.id}/linkages`, {
      type: 'REVENUE_SHARE',
      householdId: households[i],
      shareBps: 250,
    });
  }
  for (let i = 0; i < 4; i++) {
    const p = await post('/products', {
      name: `万州花椒${i}`,
      category: '花椒',
      unit: '袋',
      priceFen: 6800 + i,
      supplierId: coop.id,
      originVillageCode: '500101113201',
    });
    const l = await post(`/products/${p.id}/lots`, {
      quantity: 5000,
      sources: [0, 1, 2, 3, 4].map((k) => ({ householdId: households[30 + i * 5 + k], quantity: 1000 })),
    });
    lots.push({ lotId: l.id, productId: p.id, supplierId: coop.id, priceFen: 6800 + i });
  }
  await citizen(base, '13700000999');
  await api.stop();
  const conn = await connect(databaseUrl);
  const [[u]] = (await conn.query("SELECT id FROM users WHERE roles = 'CITIZEN' LIMIT 1")) as unknown as [
    { id: string }[],
  ];
  await conn.end();
  return { buyer: u.id, lots };
}

async function connect(url: string): Promise<Connection> {
  const t = parseDatabaseUrl(url);
  return createConnection({
    host: t.host,
    port: t.port,
    user: t.user,
    password: t.password,
    database: t.database,
  });
}

/** Inserts the paid orders, their lines and captured payments (no outbox rows yet); returns the order ids. */
async function insertPaidOrders(
  conn: Connection,
  buyer: string,
  lots: Awaited<ReturnType<typeof setUp>>['lots'],
): Promise<string[]> {
  const today = businessDate();
  const orderIds: string[] = [];
  const orders = Math.ceil(LINES / LINES_PER_ORDER);
  for (let start = 0; start < orders; start += 1000) {
    const o: unknown[] = [];
    const l: unknown[] = [];
    const p: unknown[] = [];
    const n = Math.min(1000, orders - start);
    for (let k = 0; k < n; k++) {
      const id = newId();
      orderIds.push(id);
      let total = 0;
      for (let j = 0; j < LINES_PER_ORDER; j++) {
        const lot = lots[(start + k + j) % lots.length];
        const qty = 1 + ((start + k + j) % 3);
        total += lot.priceFen * qty;
        l.push(
          newId(),
          id,
          j + 1,
          lot.productId,
          lot.lotId,
          lot.supplierId,
          qty,
          lot.priceFen,
          lot.priceFen * qty,
        );
      }
      o.push(id, buyer, total, today);
      p.push(newId(), id, `bench_${id}`, total, today);
    }
    await conn.query(
      `INSERT INTO orders (id, buyer_user_id, channel, status, total_fen, pay_by, paid_at, paid_date) VALUES ${Array(n).fill("(?, ?, 'ONLINE', 'PAID', ?, NOW(3), NOW(3), ?)").join(',')}`,
      o,
    );
    await conn.query(
      `INSERT INTO order_lines (id, order_id, line_no, product_id, lot_id, supplier_id, quantity, unit_price_fen, amount_fen) VALUES ${Array(
        n * LINES_PER_ORDER,
      )
        .fill('(?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .join(',')}`,
      l,
    );
    await conn.query(
      `INSERT INTO payments (id, order_id, provider, provider_ref, status, amount_fen, captured_at, captured_date) VALUES ${Array(n).fill("(?, ?, 'sandbox', ?, 'CAPTURED', ?, NOW(3), ?)").join(',')}`,
      p,
    );
  }
  return orderIds;
}

async function count(conn: Connection, sql: string): Promise<number> {
  const [[r]] = (await conn.query(sql)) as unknown as [{ n: number }[]];
  return Number(r.n);
}

interface Run {
  workers: number;
  seconds: number;
  linesPerSec: number;
  postings: number;
}

/** Starts `n` worker processes, writes the outbox rows that ask for the allocations, waits for every line. */
async function allocateWith(
  n: number,
  databaseUrl: string,
  conn: Connection,
  orderIds: string[],
): Promise<Run> {
  // TRUNCATE, not DELETE: deleting a million rows leaves InnoDB purging them in the background, which slows
  // whichever run comes next and makes later worker counts look worse than they are.
  await conn.query('SET FOREIGN_KEY_CHECKS = 0');
  await conn.query('TRUNCATE TABLE postings');
  await conn.query('TRUNCATE TABLE journal_entries');
  await conn.query('TRUNCATE TABLE outbox');
  await conn.query('SET FOREIGN_KEY_CHECKS = 1');
  const redis = new IORedis('redis://127.0.0.1:6379/0');
  const keys = await redis.keys(`${DATABASE}:*`);
  for (let i = 0; i < keys.length; i += 1000) {
    await redis.del(...keys.slice(i, i + 1000));
  }
  redis.disconnect();
  const workers: ChildProcess[] = [];
  for (let i = 0; i < n; i++) {
    // BENCH_PROFILE=<dir> writes a CPU profile of each worker process there.
    const profile = process.env.BENCH_PROFILE
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
      : [];
    const child = spawn(process.execPath, [...profile, join(ROOT, 'dist', 'main.js'), 'worker'], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        QUEUE_PREFIX: DATABASE,
        MIGRATE_ON_START: 'false',
        LOG_LEVEL: 'info',
        WORKER_CONCURRENCY: String(
          process.env.BENCH_CONCURRENCY ?? Math.max(1, Math.round(TOTAL_CONCURRENCY / n)),
        ),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    workers.push(child);
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('worker ready')) {
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
    });
  }
  const t0 = performance.now();
  for (let i = 0; i < orderIds.length; i += 5000) {
    const chunk = orderIds.slice(i, i + 5000);
    await conn.query(
      `INSERT INTO outbox (id, job_name, payload) VALUES ${chunk.map(() => "(?, 'ledger.allocate-order', ?)").join(',')}`,
      chunk.flatMap((id) => [newId(), JSON.stringify({ orderId: id })]),
    );
  }
  const deadline = Date.now() + 20 * 60_000;
  let done = 0;
  let last = 0;
  while (
    (done = await count(conn, "SELECT COUNT(*) AS n FROM journal_entries WHERE kind = 'SALE'")) < LINES
  ) {
    if (Date.now() > deadline) {
      throw new Error(`only ${done} of ${LINES} lines allocated in 20 minutes`);
    }
    if (done - last >= LINES / 10) {
      process.stdout.write(`  ${n} worker(s): ${done} lines…\n`);
      last = done;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all(workers.map((w) => new Promise((r) => (w.once('exit', r), w.kill('SIGTERM')))));
  return {
    workers: n,
    seconds,
    linesPerSec: LINES / seconds,
    postings: await count(conn, 'SELECT COUNT(*) AS n FROM postings'),
  };
}

/** The floor: the same posting rows, multi-row INSERTed into an empty copy of the table. */
async function rawInsert(conn: Connection): Promise<{ rows: number; seconds: number; rowsPerSec: number }> {
  await conn.query('DROP TABLE IF EXISTS postings_raw');
  await conn.query('CREATE TABLE postings_raw LIKE postings');
  const [rows] = (await conn.query(
    'SELECT entry_id, account_id, amount_fen, source, channel, available_on, business_date, lot_id, supplier_id, base_fen, rate_bps FROM postings',
  )) as unknown as [Record<string, unknown>[]];
  const cols = [
    'entry_id',
    'account_id',
    'amount_fen',
    'source',
    'channel',
    'available_on',
    'business_date',
    'lot_id',
    'supplier_id',
    'base_fen',
    'rate_bps',
  ];
  const t0 = performance.now();
  for (let i = 0; i < rows.length; i += 2000) {
    const chunk = rows.slice(i, i + 2000);
    await conn.query(
      `INSERT INTO postings_raw (${cols.join(', ')}) VALUES ${chunk.map(() => `(${cols.map(() => '?').join(', ')})`).join(',')}`,
      chunk.flatMap((r) => cols.map((c) => r[c])),
    );
  }
  const seconds = (performance.now() - t0) / 1000;
  await conn.query('DROP TABLE postings_raw');
  return { rows: rows.length, seconds, rowsPerSec: rows.length / seconds };
}

async function main(): Promise<void> {
  await require('../scripts/services').ensureServices({ log: () => undefined });
  const databaseUrl = await freshDatabase(DATABASE);
  console.log(`setting up ${DATABASE}: households, suppliers, lots, ${LINES} paid lines…`);
  const { buyer, lots } = await setUp(databaseUrl);
  const conn = await connect(databaseUrl);
  const orderIds = await insertPaidOrders(conn, buyer, lots);
  const runs: Run[] = [];
  for (const n of WORKERS) {
    runs.push(await allocateWith(n, databaseUrl, conn, orderIds));
  }
  const raw = await rawInsert(conn);
  const postingsPerLine = runs[runs.length - 1].postings / LINES;
  const rawLinesPerSec = raw.rowsPerSec / postingsPerLine;
  await conn.end();

  console.log(
    `\n${table([
      ...runs.map((r) => ({
        run: `${r.workers} worker process${r.workers > 1 ? 'es' : ''} × ${process.env.BENCH_CONCURRENCY ?? Math.max(1, Math.round(TOTAL_CONCURRENCY / r.workers))} jobs`,
        seconds: round1(r.seconds),
        'lines/s': Math.round(r.linesPerSec),
        'posting rows/s': Math.round(r.postings / r.seconds),
        'share of raw': `${round1((r.linesPerSec / rawLinesPerSec) * 100)} %`,
      })),
      {
        run: 'raw multi-row INSERT of the same postings',
        seconds: round1(raw.seconds),
        'lines/s': Math.round(rawLinesPerSec),
        'posting rows/s': Math.round(raw.rowsPerSec),
        'share of raw': '100 %',
      },
    ])}\n`,
  );
  console.log(
    `${LINES} lines, ${round1(postingsPerLine)} postings per line; aim: at least 25 % of the raw rate`,
  );
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  const date = new Date().toISOString();
  writeFileSync(
    join(ROOT, 'bench', 'results', `ledger-${date.slice(0, 10)}.json`),
    JSON.stringify({ date, lines: LINES, runs, raw, postingsPerLine }, null, 2),
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
