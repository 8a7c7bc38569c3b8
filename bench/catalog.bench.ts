// npm run bench:catalog — GET /api/v1/products (50 products) against a bare NestJS route returning the same
// JSON, each under autocannon for BENCH_SECONDS (10) at BENCH_CONNECTIONS (50), in the same run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, freshDatabase, load, ROOT, startServer, table } from './lib';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const PRODUCTS = 50;

async function post(base: string, path: string, body: object, token?: string): Promise<any> {
  const res = await fetch(`${base}/api/v1${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: token } : {}) },
    body: JSON.stringify(body),
  });
  if (res.status >= 300) {
    throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
  }
  return res.json();
}

async function main(): Promise<void> {
  require('../scripts/services').ensureServices({ log: () => undefined });
  const apiPort = await freePort();
  const database = 'cs_bench_catalog';
  const databaseUrl = await freshDatabase(database);
  const startApi = (cacheMs: string) =>
    startServer(
      [join(ROOT, 'dist', 'main.js'), 'api'],
      {
        DATABASE_URL: databaseUrl,
        QUEUE_PREFIX: database,
        PORT: String(apiPort),
        SEED_DEMO: 'false',
        NODE_ENV: 'production',
        JWT_SECRET: 'bench-jwt-secret-0123456789abcdef0123456789',
        DATA_ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64'),
        ADMIN_PASSWORD: 'bench-admin-password',
        METRICS_TOKEN: 'bench-metrics-token-0123456789',
        RATE_LIMIT_PER_MINUTE: '1000000000',
        LOG_LEVEL: 'info',
        CATALOG_CACHE_MS: cacheMs,
      },
      apiPort,
      '/health/ready',
    );
  let api = await startApi('0');
  const base = `http://127.0.0.1:${apiPort}`;
  const { accessToken } = await post(base, '/auth/login', {
    username: 'admin',
    password: 'bench-admin-password',
  });
  const auth = `Bearer ${accessToken}`;
  await post(base, '/regions', { code: '500101', name: '万州区', level: 'DISTRICT' }, auth);
  await post(
    base,
    '/regions',
    { code: '500101113', name: '分水镇', level: 'TOWN', parentCode: '500101' },
    auth,
  );
  await post(
    base,
    '/regions',
    { code: '500101113201', name: '川星村', level: 'VILLAGE', parentCode: '500101113' },
    auth,
  );
  const supplier = await post(
    base,
    '/suppliers',
    { name: '川星花椒专业合作社', type: 'COOPERATIVE', villageCode: '500101113201' },
    auth,
  );
  for (let i = 0; i < PRODUCTS; i++) {
    const p = await post(
      base,
      '/products',
      {
        name: `万州花椒 ${i + 1} 号`,
        category: '花椒',
        unit: '袋',
        priceFen: 5000 + i * 100,
        supplierId: supplier.id,
        originVillageCode: '500101113201',
        certificateNo: `CQ-FP-2020-${String(i).padStart(4, '0')}`,
        certifiedUntil: '2099-12-31',
      },
      auth,
    );
    await post(base, `/products/${p.id}/lots`, { quantity: 1000 }, auth);
  }
  const productsUrl = `${base}/api/v1/products?limit=${PRODUCTS}`;
  const sample = (await (await fetch(productsUrl)).json()) as { items: unknown[] };
  if (sample.items.length !== PRODUCTS) {
    throw new Error(`expected ${PRODUCTS} products, got ${sample.items.length}`);
  }
  const bodyFile = join(ROOT, 'bench', 'results', 'catalog-body.json');
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(bodyFile, JSON.stringify(sample));

  const barePort = await freePort();
  const bare = await startServer(
    ['-r', 'ts-node/register/transpile-only', join(ROOT, 'bench', 'bare-server.ts')],
    { PORT: String(barePort), BARE_BODY_FILE: bodyFile },
    barePort,
    '/bare',
  );

  console.log(`warming up, then ${SECONDS} s at ${CONNECTIONS} connections each…`);
  await load('warm-up', productsUrl, 2, CONNECTIONS);
  await load('warm-up', `http://127.0.0.1:${barePort}/bare`, 2, CONNECTIONS);
  const floor = await load(
    'bare NestJS route (same JSON)',
    `http://127.0.0.1:${barePort}/bare`,
    SECONDS,
    CONNECTIONS,
  );
  await bare.stop();
  const uncached = await load('GET /api/v1/products (50), no cache', productsUrl, SECONDS, CONNECTIONS);
  await api.stop();
  api = await startApi('1000');
  await load('warm-up', productsUrl, 2, CONNECTIONS);
  const real = await load('GET /api/v1/products (50), 1 s cache', productsUrl, SECONDS, CONNECTIONS);
  await api.stop();

  const rows = [floor, uncached, real].map((r) => ({
    route: r.label,
    'req/s': r.requestsPerSec,
    'p50 ms': r.p50Ms,
    'p99 ms': r.p99Ms,
    requests: r.total,
    'non-2xx': r.non2xx,
    errors: r.errors,
  }));
  console.log(`\n${table(rows)}\n`);
  const ratio = real.requestsPerSec / floor.requestsPerSec;
  const ratioUncached = uncached.requestsPerSec / floor.requestsPerSec;
  console.log(
    `products (1 s cache, the default) / bare: ${(ratio * 100).toFixed(1)} % of the floor's requests/s; p99 ${real.p99Ms} ms vs ${floor.p99Ms} ms`,
  );
  console.log(
    `products (no cache, every request reads MySQL) / bare: ${(ratioUncached * 100).toFixed(1)} %; p99 ${uncached.p99Ms} ms`,
  );
  const result = {
    date: new Date().toISOString(),
    seconds: SECONDS,
    connections: CONNECTIONS,
    bytes: JSON.stringify(sample).length,
    floor,
    uncached,
    real,
    ratio,
    ratioUncached,
  };
  writeFileSync(
    join(ROOT, 'bench', 'results', `catalog-${result.date.slice(0, 10)}.json`),
    JSON.stringify(result, null, 2),
  );
  if (real.non2xx + real.errors + uncached.non2xx + uncached.errors > 0) {
    console.error('the products route answered errors under load');
    process.exit(1);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
