// npm run bench:kiosk — BENCH_CABINETS (200) simulated smart cabinets on the real broker, each cycling sessions
// for BENCH_SECONDS (60) against the built service (api and worker processes): its citizen scans (POST
// /kiosk/sessions), the cabinet gets UNLOCK and opens, one box (250 g) is taken, the door closes after 20 ms,
// and the loop waits for the SMS receipt (the session's receiptSentAt) before the next scan. Sessions settled
// per second; p50/p99 from the scan's request to UNLOCK at the cabinet and from DOOR_CLOSED to the receipt;
// beside the bare MQTT publish → receive round trip on the same broker, measured in the same run.
//
// How the loops learn of the receipt (BENCH_WATCH): `db` (default) reads receipt_sent_at of every awaited
// session in one SELECT every 20 ms, so the api does not spend its CPU on 200 pollers; `http` polls GET
// /kiosk/sessions/:id every 20 ms per session instead. Either way the settlement latency is the service's own
// stamp (receiptSentAt) minus DOOR_CLOSED's ts, both from this machine's clock with ms precision, so the
// watching interval only delays the next scan, never the figure. At the end the API is asked for each
// cabinet's last session and slot, and must agree with what was watched.
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'mqtt';
import { Connection, createConnection, RowDataPacket } from 'mysql2/promise';
import { Pool } from 'undici';
import { loadEnv } from '@/config/env';
import { parseDatabaseUrl } from '@/infrastructure/database/database-url';
import { CabinetSimulator } from '@/modules/kiosk/device/cabinet-simulator';
import { Call, call, citizen, closePool, must, percentile, round1 } from './http';
import { householdSupplier, serviceEnv, village } from './fixtures';
import { cpuMs, freePort, freshDatabase, pidOf, ROOT, startServer, table } from './lib';

const CABINETS = Number(process.env.BENCH_CABINETS ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP ?? 2);
const WATCH = process.env.BENCH_WATCH === 'http' ? 'http' : 'db';
/**
 * The sessions per second the cabinets offer together (BENCH_RATE, default 60): after each session a cabinet
 * waits, as a real one waits for its next customer, so that its cycle averages CABINETS / RATE seconds
 * (uniformly 0.5–1.5 × that, so the cabinets do not march in step). 0 runs a closed loop with no wait: the
 * saturation throughput, where latency is mostly queueing.
 */
const RATE = Number(process.env.BENCH_RATE ?? 60);
const FLOOR_ROUND_TRIPS = Number(process.env.BENCH_MQTT_ROUND_TRIPS ?? 2000);
const SETUP_CONCURRENCY = 8;
const LOT_UNITS = 10_000_000;
// Units per slot: plenty for the run (a cabinet settles a few sessions a second at most), all from the one lot.
const SLOT_UNITS = Math.min(100_000, Math.floor(LOT_UNITS / CABINETS));
const UNIT_GRAMS = 250;
const TRAY_GRAMS = 120;
const PRICE_FEN = 2990;
const DWELL_MS = 20;
const WATCH_EVERY_MS = 20;
const UNLOCK_TIMEOUT_MS = 10_000;
const CLOSE_TIMEOUT_MS = 10_000;
const RECEIPT_TIMEOUT_MS = 20_000;
const AIMS = { unlockP99Ms: 100, settleP99Ms: 300, perSecond: 50 };
const DATABASE = 'cs_bench_kiosk';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

let phonePool: Pool | undefined;

/**
 * The citizens' own calls during the run, on a pool with a connection per cabinet (as many phones), so that
 * no scan waits here for a free socket (bench/http.ts's pools hold 128). Errors of the connection answer 0.
 */
async function phone(
  base: string,
  method: 'GET' | 'POST',
  path: string,
  token: string,
  body?: object,
): Promise<Call> {
  phonePool ??= new Pool(base, { connections: CABINETS, pipelining: 1 });
  try {
    const res = await phonePool.request({
      method,
      path,
      headers: { authorization: token, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.body.text();
    return { status: res.statusCode, body: text ? JSON.parse(text) : undefined };
  } catch (e) {
    return { status: 0, body: { code: (e as Error).message } };
  }
}

/** Runs fn over 0..n-1 with at most `limit` calls at once. */
async function bounded<T>(n: number, limit: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array<T>(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, limit) }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await fn(i);
      }
    }),
  );
  return out;
}

/** Values announced per session id, possibly before anyone waits for them (UNLOCK can beat the 201). */
class Mailbox {
  private readonly values = new Map<string, number>();
  private readonly waiters = new Map<string, (v: number | undefined) => void>();

  deliver(id: string, v: number): void {
    const w = this.waiters.get(id);
    if (w) {
      this.waiters.delete(id);
      w(v);
    } else {
      this.values.set(id, v);
    }
  }

  /** The value for `id`, or undefined after timeoutMs. */
  wait(id: string, timeoutMs: number): Promise<number | undefined> {
    const v = this.values.get(id);
    if (v !== undefined) {
      this.values.delete(id);
      return Promise.resolve(v);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(id);
        resolve(undefined);
      }, timeoutMs);
      this.waiters.set(id, (x) => {
        clearTimeout(timer);
        resolve(x);
      });
    });
  }
}

interface Cabinet {
  code: string;
  secret: string;
  qrUrl: string;
  token: string;
  sim: CabinetSimulator;
  unlocks: Mailbox;
  closes: Mailbox;
  /** Sessions of this cabinet that got their receipt (every phase), for the stock check. */
  settled: number;
  lastSettled?: { id: string; receiptMs: number };
}

/** How a session ended, as the watcher saw it. */
type Outcome =
  | { kind: 'receipt'; receiptMs: number }
  | { kind: 'ended'; status: string }
  | { kind: 'timeout'; status: string };

interface Watcher {
  wait(id: string, token: string): Promise<Outcome>;
  stop(): Promise<void>;
}

/** One SELECT every WATCH_EVERY_MS for every awaited session. */
function dbWatcher(db: Connection): Watcher {
  const pending = new Map<string, { resolve: (o: Outcome) => void; deadline: number; status: string }>();
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = Date.now();
      if (pending.size) {
        const ids = [...pending.keys()];
        const [rows] = await db
          .query<RowDataPacket[]>(
            'SELECT id, status, receipt_sent_at AS receiptSentAt FROM kiosk_sessions WHERE id IN (?)',
            [ids],
          )
          .catch((e: Error) => {
            console.error(`receipt watcher: ${e.message}`);
            return [[] as RowDataPacket[]];
          });
        const now = Date.now();
        for (const r of rows) {
          const p = pending.get(r.id as string);
          if (!p) {
            continue;
          }
          p.status = r.status as string;
          if (r.receiptSentAt) {
            pending.delete(r.id as string);
            p.resolve({ kind: 'receipt', receiptMs: (r.receiptSentAt as Date).getTime() });
          } else if (r.status === 'REVIEW' || r.status === 'CANCELLED') {
            pending.delete(r.id as string);
            p.resolve({ kind: 'ended', status: p.status });
          }
        }
        for (const [id, p] of pending) {
          if (now > p.deadline) {
            pending.delete(id);
            p.resolve({ kind: 'timeout', status: p.status });
          }
        }
      }
      await sleep(Math.max(1, WATCH_EVERY_MS - (Date.now() - t0)));
    }
  })();
  return {
    wait: (id) =>
      new Promise((resolve) =>
        pending.set(id, { resolve, deadline: Date.now() + RECEIPT_TIMEOUT_MS, status: '?' }),
      ),
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

/** GET /kiosk/sessions/:id every WATCH_EVERY_MS, as the citizen's app would. */
function httpWatcher(base: string): Watcher {
  return {
    async wait(id, token) {
      const deadline = Date.now() + RECEIPT_TIMEOUT_MS;
      let status = '?';
      while (Date.now() < deadline) {
        const r = await phone(base, 'GET', `/api/v1/kiosk/sessions/${id}`, token);
        status = r.status === 200 ? (r.body.status as string) : `HTTP ${r.status}`;
        if (r.status === 200 && r.body.receiptSentAt) {
          return { kind: 'receipt', receiptMs: Date.parse(r.body.receiptSentAt as string) };
        }
        if (status === 'REVIEW' || status === 'CANCELLED') {
          return { kind: 'ended', status };
        }
        await sleep(WATCH_EVERY_MS);
      }
      return { kind: 'timeout', status };
    },
    stop: async () => undefined,
  };
}

interface Phase {
  unlockMs: number[];
  settleMs: number[];
  /** receiptSentAt of every session of the phase that got its receipt. */
  receipts: number[];
  errors: Map<string, number>;
  started: number;
  /** Every latency with when it began: [u(nlock) | s(ettlement), startMs, ms]; BENCH_SAMPLES=path writes them. */
  samples: [string, number, number][];
}

function newPhase(): Phase {
  return { unlockMs: [], settleMs: [], receipts: [], errors: new Map(), started: 0, samples: [] };
}

const countError = (p: Phase, kind: string) => p.errors.set(kind, (p.errors.get(kind) ?? 0) + 1);

/** Every cabinet cycles sessions until `seconds` pass, then finishes the session it is in. */
async function runLoops(
  base: string,
  cabinets: Cabinet[],
  watcher: Watcher,
  seconds: number,
): Promise<Phase> {
  const phase = newPhase();
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    cabinets.map(async (k, i) => {
      const cycleMs = RATE > 0 ? (cabinets.length / RATE) * 1000 : 0;
      // Spread the first scans over one cycle.
      await sleep(cycleMs * (i / cabinets.length));
      while (Date.now() < end) {
        phase.started++;
        const t0 = Date.now();
        const pace = async () => {
          const wait = cycleMs * (0.5 + Math.random()) - (Date.now() - t0);
          // Never rush: a wait that ends past the run's end ends the cabinet's run.
          if (wait > 0) {
            await sleep(Math.min(wait, end - Date.now() + 1));
          }
        };
        const r = await phone(base, 'POST', '/api/v1/kiosk/sessions', k.token, { qrUrl: k.qrUrl });
        if (r.status !== 201) {
          countError(phase, `unlock answered ${r.status} ${String(r.body?.code ?? '')}`.trim());
          await sleep(100);
          continue;
        }
        const id = r.body.id as string;
        const unlockAt = await k.unlocks.wait(id, UNLOCK_TIMEOUT_MS);
        if (unlockAt === undefined) {
          countError(phase, 'timeout: no UNLOCK at the cabinet');
          continue;
        }
        phase.unlockMs.push(unlockAt - t0);
        phase.samples.push(['u', t0, unlockAt - t0]);
        const closedTs = await k.closes.wait(id, CLOSE_TIMEOUT_MS);
        if (closedTs === undefined) {
          countError(phase, 'timeout: the door did not close');
          continue;
        }
        const o = await watcher.wait(id, k.token);
        if (o.kind === 'receipt') {
          phase.settleMs.push(o.receiptMs - closedTs);
          phase.samples.push(['s', closedTs, o.receiptMs - closedTs]);
          phase.receipts.push(o.receiptMs);
          k.settled++;
          k.lastSettled = { id, receiptMs: o.receiptMs };
        } else if (o.kind === 'ended') {
          countError(phase, `session ended ${o.status}`);
        } else {
          countError(phase, `timeout: no receipt within ${RECEIPT_TIMEOUT_MS / 1000} s (status ${o.status})`);
        }
        await pace();
      }
    }),
  );
  phase.unlockMs.sort((a, b) => a - b);
  phase.settleMs.sort((a, b) => a - b);
  return phase;
}

/** The bare broker: one client publishes QoS 1, another subscribed at QoS 1 receives; one at a time. */
async function mqttFloor(url: string, roundTrips: number): Promise<number[]> {
  const topic = `bench/kiosk-floor/${randomBytes(6).toString('hex')}`;
  const opts = { protocolVersion: 5 as const, clean: true, reconnectPeriod: 0, connectTimeout: 5000 };
  const sub = connect(url, { ...opts, clientId: `bench-floor-sub-${randomBytes(4).toString('hex')}` });
  const pub = connect(url, { ...opts, clientId: `bench-floor-pub-${randomBytes(4).toString('hex')}` });
  try {
    await Promise.all(
      [sub, pub].map(
        (c) =>
          new Promise<void>((resolve, reject) => {
            c.once('connect', () => resolve());
            c.once('error', reject);
          }),
      ),
    );
    await sub.subscribeAsync(topic, { qos: 1 });
    let arrived: (() => void) | undefined;
    sub.on('message', () => arrived?.());
    const once = async (): Promise<number> => {
      const got = new Promise<number>((resolve) => (arrived = () => resolve(performance.now())));
      const t0 = performance.now();
      const acked = pub.publishAsync(topic, JSON.stringify({ t: Date.now(), pad: 'x'.repeat(200) }), {
        qos: 1,
      });
      const t1 = await got;
      await acked;
      return t1 - t0;
    };
    for (let i = 0; i < Math.min(200, roundTrips); i++) {
      await once(); // warm-up
    }
    const out: number[] = [];
    for (let i = 0; i < roundTrips; i++) {
      out.push(await once());
    }
    return out.sort((a, b) => a - b);
  } finally {
    await Promise.all([sub.endAsync(true), pub.endAsync(true)]).catch(() => undefined);
  }
}

async function main(): Promise<number> {
  await require('../scripts/services').ensureServices({ log: () => undefined });
  const mqttUrl = loadEnv().MQTT_URL;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const databaseUrl = await freshDatabase(DATABASE);
  const env = {
    ...serviceEnv(databaseUrl, DATABASE, port, base),
    // Events of these cabinets go to this run's api only, whatever else shares the broker.
    MQTT_SHARE_GROUP: DATABASE,
  };
  const cleanup: (() => Promise<unknown>)[] = [];
  const workerLog = join(tmpdir(), `bench-kiosk-worker-${process.pid}.log`);
  try {
    const app = await startServer([join(ROOT, 'dist', 'main.js'), 'api'], env, port, '/health/ready');
    cleanup.push(() => app.stop());
    const logFd = openSync(workerLog, 'w');
    const worker = spawn(process.execPath, [join(ROOT, 'dist', 'main.js'), 'worker'], {
      cwd: ROOT,
      env: { ...process.env, ...env, MIGRATE_ON_START: 'false' },
      stdio: ['ignore', logFd, logFd],
    });
    closeSync(logFd);
    cleanup.push(
      () =>
        new Promise<void>((resolve) => {
          if (worker.exitCode !== null) {
            return resolve();
          }
          worker.once('exit', () => resolve());
          worker.kill('SIGTERM');
        }),
    );
    cleanup.push(() => closePool(base));
    cleanup.push(async () => phonePool?.close());

    // --- setup through the API, as an administrator ---
    const t0 = Date.now();
    const admin = `Bearer ${(await must(base, 'POST', '/api/v1/auth/login', { username: 'admin', password: 'admin12345' })).accessToken}`;
    await village(base, admin);
    const { supplierId } = await householdSupplier(base, admin, {
      n: 100,
      registryNo: 'K-100',
      headName: '王德明',
      supplierName: '王德明家庭茶园',
    });
    const tea = await must(
      base,
      'POST',
      '/api/v1/products',
      {
        name: '三峡绿茶',
        category: '茶叶',
        unit: '盒',
        priceFen: PRICE_FEN,
        supplierId,
        originVillageCode: '500101113201',
        certificateNo: 'CQ-K',
        certifiedUntil: '2099-12-31',
      },
      admin,
    );
    const lot = await must(base, 'POST', `/api/v1/products/${tea.id}/lots`, { quantity: LOT_UNITS }, admin);
    // Codes unique to this run: other test apps on the same broker drop these cabinets' events at once.
    const tag = randomBytes(3).toString('hex').toUpperCase();
    const created = await bounded(CABINETS, SETUP_CONCURRENCY, async (i) => {
      const code = `BK${tag}-${String(i + 1).padStart(4, '0')}`;
      const c = await must(
        base,
        'POST',
        '/api/v1/cabinets',
        {
          code,
          name: `万州区消费扶贫专柜${i + 1}号`,
          siteType: 'GOVERNMENT',
          address: '万州区行政中心一楼大厅',
        },
        admin,
      );
      // Stocked side by side, as operators do (the service stocks slots READ COMMITTED: no deadlock).
      const put = await call(
        base,
        'PUT',
        `/api/v1/cabinets/${code}/slots/1`,
        {
          productId: tea.id,
          lotId: lot.id,
          unitWeightGrams: UNIT_GRAMS,
          toleranceGrams: 20,
          quantity: SLOT_UNITS,
        },
        admin,
      );
      if (put.status !== 200) {
        throw new Error(`PUT /api/v1/cabinets/${code}/slots/1: ${put.status} ${JSON.stringify(put.body)}`);
      }
      const phone = `136${String(i).padStart(8, '0')}`;
      const token = await citizen(base, phone);
      await must(base, 'POST', '/api/v1/me/payment-agreements', { provider: 'sandbox' }, token);
      return { code, secret: c.deviceSecret as string, qrUrl: c.qrUrl as string, token };
    });
    const simProblems = new Map<string, number>();
    const sims: CabinetSimulator[] = [];
    cleanup.push(() => Promise.all(sims.map((s) => s.stop())));
    const cabinets: Cabinet[] = await bounded(CABINETS, SETUP_CONCURRENCY * 4, async (i) => {
      const c = created[i];
      const sim = new CabinetSimulator({
        code: c.code,
        secret: c.secret,
        url: mqttUrl,
        heartbeatMs: 30_000,
        autoOpen: true,
        // The scale reads the goods plus the tray; the customer takes one box and closes after DWELL_MS.
        slots: [{ slotNo: 1, weightGrams: SLOT_UNITS * UNIT_GRAMS + TRAY_GRAMS }],
        customer: { takes: [{ slotNo: 1, grams: UNIT_GRAMS }], dwellMs: DWELL_MS },
        log: (line) => {
          const kind = `simulator: ${line.replace(`cabinet ${c.code}: `, '')}`.slice(0, 120);
          simProblems.set(kind, (simProblems.get(kind) ?? 0) + 1);
        },
      });
      const k: Cabinet = { ...c, sim, unlocks: new Mailbox(), closes: new Mailbox(), settled: 0 };
      sim.on('unlock', (msg, receivedAtMs) => k.unlocks.deliver(msg.sessionId as string, receivedAtMs));
      sim.on('closed', (msg) => k.closes.deliver(msg.sessionId as string, msg.ts));
      sims.push(sim);
      await sim.start();
      return k;
    });
    // Every cabinet's first heartbeat handled: all ONLINE.
    for (let tries = 0; ; tries++) {
      const list = await must(base, 'GET', '/api/v1/cabinets', undefined, admin);
      const online = (list.items as { code: string; status: string }[]).filter(
        (c) => c.code.startsWith(`BK${tag}-`) && c.status === 'ONLINE',
      ).length;
      if (online === CABINETS) {
        break;
      }
      if (tries > 150) {
        throw new Error(`only ${online} of ${CABINETS} cabinets ONLINE after 30 s`);
      }
      await sleep(200);
    }
    const setupSeconds = round1((Date.now() - t0) / 1000);
    console.log(`set up ${CABINETS} cabinets and citizens in ${setupSeconds} s`);

    const db = await createConnection({ ...parseDatabaseUrl(databaseUrl), timezone: 'Z' });
    cleanup.push(() => db.end());

    // --- the floor: the same broker, bare ---
    const floor = await mqttFloor(mqttUrl, FLOOR_ROUND_TRIPS);

    // --- the run ---
    const watcher = WATCH === 'db' ? dbWatcher(db) : httpWatcher(base);
    cleanup.push(() => watcher.stop());
    console.log(
      `warming up ${WARMUP_SECONDS} s, then ${SECONDS} s with ${CABINETS} cabinets (receipts watched by ${WATCH})…`,
    );
    const warm = await runLoops(base, cabinets, watcher, WARMUP_SECONDS);
    const pids = {
      api: app.child.pid,
      worker: worker.pid,
      mariadb: pidOf('mariadbd') ?? pidOf('mysqld'),
      redis: pidOf('redis-server'),
      mosquitto: pidOf('mosquitto'),
      'bench client': process.pid,
    };
    const cpuBefore = cpuMs(pids);
    const runStart = Date.now();
    const run = await runLoops(base, cabinets, watcher, SECONDS);
    const runEnd = runStart + SECONDS * 1000;
    const cpuAfter = cpuMs(pids);
    const drainedMs = Date.now() - runStart;
    await watcher.stop();

    // --- the API must agree with what was watched ---
    const mismatches: string[] = [];
    await bounded(cabinets.length, SETUP_CONCURRENCY, async (i) => {
      const k = cabinets[i];
      const cab = (await call(base, 'GET', `/api/v1/cabinets/${k.code}`, undefined, admin)).body;
      const qty = (cab?.slots as { slotNo: number; quantity: number }[] | undefined)?.find(
        (s) => s.slotNo === 1,
      )?.quantity;
      if (qty !== SLOT_UNITS - k.settled) {
        mismatches.push(`${k.code}: slot 1 holds ${qty}, expected ${SLOT_UNITS - k.settled}`);
      }
      if (k.lastSettled) {
        const s = (await call(base, 'GET', `/api/v1/kiosk/sessions/${k.lastSettled.id}`, undefined, k.token))
          .body;
        const ok =
          s?.status === 'SETTLED' &&
          s.payment === 'PAID' &&
          s.totalFen === PRICE_FEN &&
          s.householdFen === PRICE_FEN &&
          Date.parse(s.receiptSentAt as string) === k.lastSettled.receiptMs;
        if (!ok) {
          mismatches.push(`${k.code}: session ${k.lastSettled.id} reads ${JSON.stringify(s)}`);
        }
      }
    });

    // --- results ---
    const settledInRun = run.receipts.filter((t) => t >= runStart && t <= runEnd).length;
    const settledAll = run.receipts.length;
    const perSecond = round1(settledInRun / SECONDS);
    const unlock = { p50: percentile(run.unlockMs, 50), p99: percentile(run.unlockMs, 99) };
    const settle = { p50: percentile(run.settleMs, 50), p99: percentile(run.settleMs, 99) };
    const mqtt = { p50: percentile(floor, 50), p99: percentile(floor, 99) };
    const cpuPerSession = Object.fromEntries(
      Object.keys(cpuAfter).map((k) => [k, round1((cpuAfter[k] - cpuBefore[k]) / Math.max(1, settledAll))]),
    );
    const cpuTotal = round1(Object.values(cpuPerSession).reduce((a, b) => a + b, 0));
    const errors = [...run.errors.entries(), ...simProblems.entries()].sort((a, b) => b[1] - a[1]);
    const errorCount = [...run.errors.values()].reduce((a, b) => a + b, 0);
    const met = {
      unlock: unlock.p99 < AIMS.unlockP99Ms,
      settlement: settle.p99 < AIMS.settleP99Ms,
      throughput: perSecond >= AIMS.perSecond,
    };
    const yes = (b: boolean) => (b ? 'yes' : 'NO');
    const ms = (n: number) => (Number.isNaN(n) ? '-' : String(round1(n)));
    const rows: Record<string, string | number>[] = [
      {
        measure: `offered load (BENCH_RATE; 0 = closed loop), ${CABINETS} cabinets`,
        value: RATE > 0 ? `${RATE}/s` : 'closed loop',
        aim: '',
        met: '',
      },
      {
        measure: 'sessions settled per s (receipt within the run)',
        value: perSecond,
        aim: `≥ ${AIMS.perSecond}`,
        met: yes(met.throughput),
      },
      {
        measure: 'unlock p50 ms (POST /kiosk/sessions → UNLOCK at the cabinet)',
        value: ms(unlock.p50),
        aim: '',
        met: '',
      },
      { measure: 'unlock p99 ms', value: ms(unlock.p99), aim: `< ${AIMS.unlockP99Ms}`, met: yes(met.unlock) },
      {
        measure: 'settlement p50 ms (DOOR_CLOSED → receiptSentAt, ±1 ms)',
        value: ms(settle.p50),
        aim: '',
        met: '',
      },
      {
        measure: 'settlement p99 ms',
        value: ms(settle.p99),
        aim: `< ${AIMS.settleP99Ms}`,
        met: yes(met.settlement),
      },
      {
        measure: `MQTT floor p50 ms (QoS 1 publish → receive, ${floor.length} in a row)`,
        value: Math.round(mqtt.p50 * 1000) / 1000,
        aim: '',
        met: '',
      },
      { measure: 'MQTT floor p99 ms', value: Math.round(mqtt.p99 * 1000) / 1000, aim: '', met: '' },
      { measure: 'unlock p50 / floor p50', value: round1(unlock.p50 / mqtt.p50), aim: '', met: '' },
      { measure: 'unlock p99 / floor p99', value: round1(unlock.p99 / mqtt.p99), aim: '', met: '' },
      { measure: 'settlement p99 / floor p99', value: round1(settle.p99 / mqtt.p99), aim: '', met: '' },
      {
        measure: 'scans / sessions settled (drain included)',
        value: `${run.started} / ${settledAll}`,
        aim: '',
        met: '',
      },
      { measure: 'errors', value: errorCount, aim: '0', met: yes(errorCount === 0) },
      ...Object.entries(cpuPerSession).map(([k, v]) => ({
        measure: `CPU ms per settled session: ${k}`,
        value: v,
        aim: '',
        met: '',
      })),
      { measure: 'CPU ms per settled session: total', value: cpuTotal, aim: '', met: '' },
      {
        measure: 'API agrees with the watched sessions and slots',
        value: mismatches.length ? `${mismatches.length} mismatches` : 'yes',
        aim: '',
        met: '',
      },
    ];
    console.log(`\n${table(rows)}\n`);
    if (errors.length) {
      console.log(`errors by kind: ${errors.map(([k, v]) => `${k} ×${v}`).join('; ')}`);
    }
    if (warm.errors.size) {
      console.log(`warm-up errors: ${[...warm.errors.entries()].map(([k, v]) => `${k} ×${v}`).join('; ')}`);
    }
    for (const m of mismatches.slice(0, 5)) {
      console.log(`API mismatch: ${m}`);
    }
    console.log(
      `CPU ms per settled session: ${Object.entries(cpuPerSession)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')} (total ${cpuTotal}; two cores give 2,000 ms a second)`,
    );
    console.log(
      `aims: p99 unlock < ${AIMS.unlockP99Ms} ms ${yes(met.unlock)}, p99 settlement < ${AIMS.settleP99Ms} ms ${yes(met.settlement)}, ≥ ${AIMS.perSecond} sessions/s ${yes(met.throughput)}`,
    );
    const workerTail = readFileSync(workerLog, 'utf8').trim().split('\n').slice(-5).join('\n');
    if (workerTail && (errorCount || mismatches.length)) {
      console.log(`last lines of the worker's log (${workerLog}, kept):\n${workerTail}`);
    } else {
      rmSync(workerLog, { force: true });
    }
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    const date = new Date().toISOString();
    if (process.env.BENCH_SAMPLES) {
      writeFileSync(process.env.BENCH_SAMPLES, run.samples.map((x) => x.join(',')).join('\n'));
    }
    writeFileSync(
      join(ROOT, 'bench', 'results', 'kiosk.json'),
      JSON.stringify(
        {
          date,
          config: {
            cabinets: CABINETS,
            seconds: SECONDS,
            warmupSeconds: WARMUP_SECONDS,
            offeredPerSecond: RATE,
            watch: WATCH,
            dwellMs: DWELL_MS,
            slotUnits: SLOT_UNITS,
          },
          setupSeconds,
          drainedSeconds: round1(drainedMs / 1000),
          sessionsPerSecond: perSecond,
          settledInRun,
          settledAll,
          started: run.started,
          unlockMs: { ...unlock, n: run.unlockMs.length },
          settlementMs: { ...settle, n: run.settleMs.length },
          mqttFloorMs: { ...mqtt, n: floor.length },
          ratios: {
            unlockP50: round1(unlock.p50 / mqtt.p50),
            unlockP99: round1(unlock.p99 / mqtt.p99),
            settlementP99: round1(settle.p99 / mqtt.p99),
          },
          errors: Object.fromEntries(errors),
          warmupErrors: Object.fromEntries(warm.errors),
          cpuPerSession,
          aims: { ...AIMS, met },
          apiMismatches: mismatches,
          rows,
        },
        null,
        2,
      ),
    );
    return 0;
  } catch (e) {
    // Only setup can throw: the run counts what goes wrong instead.
    console.error(e);
    return 1;
  } finally {
    // In reverse: the watcher, the database connection, the simulators, the pool, the worker, the api.
    for (const stop of cleanup.reverse()) {
      await Promise.race([stop().catch(() => undefined), sleep(10_000)]);
    }
  }
}

main()
  .then((code) => process.exit(code))
  .catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
