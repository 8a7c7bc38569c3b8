// npm run bench:procurement — with BENCH_ORDERS (100,000) procurement orders of BENCH_ORGS (1,000) organizations
// in the database (and their quotas, employees' paid orders and fair purchases), the p99 of one organization's
// quota progress and of the yearly report grouped by organization type, each beside a bare SELECT SUM over the
// same rows in the same run (the floor). Measured in the service's own process (the service methods on its
// connection pool) and over HTTP against the API (beside a bare route).
import { join } from 'node:path';
import { createConnection, Connection } from 'mysql2/promise';
import { newId } from '@/common/ids';
import { loadEnv } from '@/config/env';
import { migrate } from '@/infrastructure/database/migrate';
import { parseDatabaseUrl } from '@/infrastructure/database/database-url';
import { call, citizen, closePool, must, percentile, round1 } from './http';
import { freePort, freshDatabase, ROOT, startServer, table } from './lib';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 100_000);
const ORGS = Number(process.env.BENCH_ORGS ?? 1_000);
const EMPLOYEE_ORDERS = Number(process.env.BENCH_EMPLOYEE_ORDERS ?? 20_000);
const FAIR_SALES = Number(process.env.BENCH_FAIR_SALES ?? 5_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 2_000);
const REPORT_SAMPLES = Number(process.env.BENCH_REPORT_SAMPLES ?? 200);
const DATABASE = 'cs_bench_procurement';
const YEAR = 2025;
const TYPES = [
  'BUDGET_UNIT',
  'DISTRICT_GROUP',
  'MUNICIPAL_GROUP',
  'PUBLIC_INSTITUTION',
  'STATE_ENTERPRISE',
  'PRIVATE_ENTERPRISE',
  'UNION',
];

/** Inserts rows in chunks of multi-row INSERTs. */
async function insert(db: Connection, sql: string, rows: unknown[][], chunk = 2_000): Promise<void> {
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    const one = `(${part[0].map(() => '?').join(',')})`;
    await db.query(`${sql} VALUES ${part.map(() => one).join(',')}`, part.flat());
  }
}

const url0 = (port: number) => `http://127.0.0.1:${port}`;
const day = (n: number) => new Date(Date.UTC(YEAR, 0, 1 + (n % 365))).toISOString().slice(0, 10);

/** The few rows made through the API as staff would: a village, a household's own supplier and its product. */
async function base(
  url: string,
  admin: string,
): Promise<{
  adminId: string;
  citizenId: string;
  householdId: string;
  supplierId: string;
  productId: string;
}> {
  const post = (path: string, body: object) => must(url, 'POST', `/api/v1${path}`, body, admin);
  await post('/regions', { code: '500101', name: '万州区', level: 'DISTRICT' });
  await post('/regions', { code: '500101113', name: '分水镇', level: 'TOWN', parentCode: '500101' });
  await post('/regions', { code: '500101113201', name: '川星村', level: 'VILLAGE', parentCode: '500101113' });
  const household = await post('/households', {
    registryNo: 'B-1',
    headName: '王德明',
    idNumber: '11010519491231002X',
    members: 4,
    villageCode: '500101113201',
  });
  const supplier = await post('/suppliers', {
    name: '王德明家庭农场',
    type: 'HOUSEHOLD',
    villageCode: '500101113201',
    householdId: household.id,
  });
  const product = await post('/products', {
    name: '青花椒',
    category: '花椒',
    unit: '袋',
    priceFen: 6800,
    supplierId: supplier.id,
    originVillageCode: '500101113201',
    certificateNo: 'C-1',
    certifiedUntil: '2099-12-31',
  });
  const me = await must(url, 'GET', '/api/v1/me', undefined, admin);
  const citizenToken = await citizen(url, '13700000000');
  const them = await must(url, 'GET', '/api/v1/me', undefined, citizenToken);
  return {
    adminId: me.id,
    citizenId: them.id,
    householdId: household.id,
    supplierId: supplier.id,
    productId: product.id,
  };
}

/** The volume the measured reads go over, written straight into the tables (the workflow is not measured). */
async function fill(db: Connection, ids: Awaited<ReturnType<typeof base>>): Promise<string[]> {
  const admin = { id: ids.adminId };
  const { citizenId, householdId: household, supplierId: supplier, productId: product } = ids;
  const orgs = Array.from({ length: ORGS }, () => newId()).sort();
  await insert(
    db,
    'INSERT INTO organizations (id, name, type, parent_id, has_canteen, department)',
    orgs.map((id, i) => [
      id,
      `单位${i}`,
      TYPES[i % TYPES.length],
      null,
      i % 7 === 0 ? 1 : 0,
      `系统${i % 20}`,
    ]),
  );
  await insert(
    db,
    'INSERT INTO procurement_quotas (organization_id, year, amount_fen, canteen_base_fen, share_bps)',
    orgs.map((id) => [id, YEAR, 2_000_000_000, null, null]),
  );
  const statuses = [
    'ACCEPTED',
    'PAID',
    'PAID',
    'PAID',
    'ACCEPTED',
    'PAID',
    'PAID',
    'SUBMITTED',
    'APPROVED',
    'DRAFT',
  ];
  const orderRows: unknown[][] = [];
  const lineRows: unknown[][] = [];
  for (let i = 0; i < ORDERS; i++) {
    const id = newId();
    const status = statuses[i % statuses.length];
    const qty = 1 + (i % 40);
    const ordered = qty * 6800;
    const accepted = status === 'ACCEPTED' || status === 'PAID' ? ordered - (i % 13 === 0 ? 6800 : 0) : 0;
    const d = day(i);
    orderRows.push([
      id,
      orgs[(i * 7919) % ORGS],
      status,
      '食堂',
      ordered,
      accepted,
      admin.id,
      status === 'DRAFT' ? null : d,
      accepted ? d : null,
    ]);
    lineRows.push([
      newId(),
      id,
      1,
      product,
      '青花椒',
      '花椒',
      supplier,
      qty,
      6800,
      ordered,
      accepted ? accepted / 6800 : null,
    ]);
  }
  await insert(
    db,
    'INSERT INTO procurement_orders (id, organization_id, status, delivery_address, ordered_fen, accepted_fen, created_by, submitted_date, accepted_date)',
    orderRows,
  );
  await insert(
    db,
    'INSERT INTO procurement_lines (id, order_id, line_no, product_id, product_name, category, supplier_id, quantity, unit_price_fen, amount_fen, received_quantity)',
    lineRows,
  );
  // Employees' paid purchases (their employer on the order) and fair purchases.
  await insert(
    db,
    'INSERT INTO orders (id, buyer_user_id, channel, status, total_fen, refunded_fen, paid_at, paid_date, attribution, employer_id)',
    Array.from({ length: EMPLOYEE_ORDERS }, (_, i) => {
      const org = orgs[(i * 31) % ORGS];
      return [
        newId(),
        citizenId,
        'ONLINE',
        'PAID',
        6800,
        0,
        new Date(),
        day(i),
        JSON.stringify({ employerId: org }),
        org,
      ];
    }),
  );
  const fairs = Array.from({ length: 50 }, () => newId());
  await insert(
    db,
    'INSERT INTO fairs (id, name, village_code, date, organization_id, created_by)',
    fairs.map((id, i) => [id, `赶场${i}`, '500101113201', day(i * 7), null, admin.id]),
  );
  await insert(
    db,
    'INSERT INTO fair_sales (id, fair_id, household_id, product_id, description, quantity, amount_fen, buyer_organization_id, sale_date, order_id, recorded_by)',
    Array.from({ length: FAIR_SALES }, (_, i) => [
      newId(),
      fairs[i % 50],
      household,
      null,
      '土鸡蛋',
      10,
      4500,
      i % 3 === 0 ? null : orgs[(i * 13) % ORGS],
      day((i % 50) * 7),
      newId(),
      admin.id,
    ]),
  );
  await db.query('ANALYZE TABLE procurement_orders, procurement_lines, orders, fair_sales, organizations');
  return orgs;
}

async function timed(n: number, op: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await op(i);
    out.push(performance.now() - t0);
  }
  return out.sort((a, b) => a - b);
}

const row = (what: string, ms: number[]) => ({
  measured: what,
  samples: ms.length,
  'p50 ms': round1(percentile(ms, 50)),
  'p99 ms': round1(percentile(ms, 99)),
});

async function main(): Promise<void> {
  const url = await freshDatabase(DATABASE, true);
  const env = loadEnv({ DATABASE_URL: url, QUEUE_PREFIX: DATABASE, LOG_LEVEL: 'warn', SEED_DEMO: 'false' });
  await migrate(env);
  const port = await freePort();
  const api = await startServer(
    [join(ROOT, 'dist', 'main.js'), 'api'],
    {
      DATABASE_URL: url,
      QUEUE_PREFIX: DATABASE,
      PORT: String(port),
      SEED_DEMO: 'false',
      RATE_LIMIT_PER_MINUTE: '1000000000',
      LOG_LEVEL: 'warn',
    },
    port,
    '/health/ready',
  );
  const t = parseDatabaseUrl(url);
  const db = await createConnection({
    host: t.host,
    port: t.port,
    user: t.user,
    password: t.password,
    database: t.database,
  });
  try {
    const admin = `Bearer ${(await must(url0(port), 'POST', '/api/v1/auth/login', { username: 'admin', password: 'admin12345' })).accessToken}`;
    const filled = performance.now();
    const orgs = await fill(db, await base(url0(port), admin));
    console.log(
      `filled ${ORDERS} procurement orders of ${ORGS} organizations, ${EMPLOYEE_ORDERS} employees' orders and ${FAIR_SALES} fair sales in ${Math.round(performance.now() - filled)} ms`,
    );
    const { createWorkerContext } = await import('../src/app');
    const { OrganizationsService } = await import('../src/modules/procurement/organizations.service');
    const { ProcurementReportsService } =
      await import('../src/modules/procurement/procurement-reports.service');
    const { DataSource } = await import('typeorm');
    const ctx = await createWorkerContext({ env, role: 'api' });
    const organizations = ctx.get(OrganizationsService);
    const reports = ctx.get(ProcurementReportsService);
    const pool = ctx.get(DataSource);
    const [from, to] = [`${YEAR}-01-01`, `${YEAR}-12-31`];
    const org = (i: number) => orgs[(i * 104729) % orgs.length];
    // Warm both paths (plans, pool connections) before measuring.
    await timed(50, (i) => organizations.progress([org(i)], YEAR));
    await timed(5, () => reports.procurement(YEAR, 'organizationType'));

    // The floors: a bare SUM over the same rows, on the same pool.
    const sumOne = await timed(SAMPLES, (i) =>
      pool.query(
        "SELECT SUM(accepted_fen) AS fen FROM procurement_orders WHERE organization_id = ? AND accepted_date BETWEEN ? AND ? AND status IN ('ACCEPTED', 'PAID')",
        [org(i), from, to],
      ),
    );
    const progress = await timed(SAMPLES, (i) => organizations.progress([org(i)], YEAR));
    const sumYear = await timed(REPORT_SAMPLES, () =>
      pool.query(
        "SELECT SUM(accepted_fen) AS fen FROM procurement_orders WHERE accepted_date BETWEEN ? AND ? AND status IN ('ACCEPTED', 'PAID')",
        [from, to],
      ),
    );
    const report = await timed(REPORT_SAMPLES, () => reports.procurement(YEAR, 'organizationType'));
    // The answers are right: the report's total is the bare sum plus employees' and fairs' attributed purchases.
    const [[{ fen }]] = (await db.query(
      "SELECT SUM(accepted_fen) AS fen FROM procurement_orders WHERE accepted_date BETWEEN ? AND ? AND status IN ('ACCEPTED', 'PAID')",
      [from, to],
    )) as unknown as [{ fen: string }[]];
    const r = await reports.procurement(YEAR, 'organizationType');
    if (r.totals.acceptedFen !== Number(fen) || r.rows.length !== TYPES.length) {
      throw new Error(`the report's accepted total ${r.totals.acceptedFen} is not the bare sum ${fen}`);
    }
    await ctx.close();

    // Over HTTP: the same two reads as an administrator, beside a bare route.
    const get = async (path: string) => {
      const res = await call(url0(port), 'GET', path, undefined, admin);
      if (res.status !== 200) {
        throw new Error(`GET ${path} → ${res.status}`);
      }
    };
    await timed(50, () => get('/health'));
    const bare = await timed(SAMPLES, () => get('/health'));
    const progressHttp = await timed(SAMPLES, (i) => get(`/api/v1/organizations/${org(i)}/quotas/${YEAR}`));
    const reportHttp = await timed(REPORT_SAMPLES, () =>
      get(`/api/v1/reports/procurement?year=${YEAR}&groupBy=organizationType`),
    );
    await closePool(url0(port));

    console.log(
      table([
        row('floor: SELECT SUM of one organization’s accepted orders (same pool)', sumOne),
        row('quota progress of one organization (OrganizationsService.progress)', progress),
        row('floor: SELECT SUM of the year’s accepted orders (same pool)', sumYear),
        row('yearly report by organization type (ProcurementReportsService)', report),
        row('HTTP floor: GET /health', bare),
        row('HTTP: GET /organizations/:id/quotas/:year', progressHttp),
        row('HTTP: GET /reports/procurement?groupBy=organizationType', reportHttp),
      ]),
    );
    const ratio = (a: number[], b: number[]) => round1(percentile(a, 99) / percentile(b, 99));
    console.log(`quota progress p99 / its SUM floor: ${ratio(progress, sumOne)}× (aim ≤ 3×)`);
    console.log(`yearly report p99 / its SUM floor: ${ratio(report, sumYear)}× (aim ≤ 3×)`);
    console.log(
      `over HTTP: quota progress p99 ${round1(percentile(progressHttp, 99))} ms, report p99 ${round1(percentile(reportHttp, 99))} ms, bare route p99 ${round1(percentile(bare, 99))} ms`,
    );
  } finally {
    await db.end();
    await api.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
