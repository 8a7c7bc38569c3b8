import { appendFileSync, readFileSync } from 'node:fs';
import { businessDay } from './support/answers';
import { factory } from './support/factory';
import {
  Answer,
  casesFor,
  changedTables,
  FuzzCase,
  FuzzContext,
  FuzzOperation,
  fillPath,
  fingerprint,
  OpenApiDocument,
  operationsOf,
  pool,
  send,
  violation,
} from './support/fuzz';
import { startTestApp, TestApp } from './support/test-app';
import { until } from './support/wait';

/**
 * Every operation of the OpenAPI document gets malformed, missing, oversized, wrong-typed and unknown inputs and
 * other users' ids, with a token allowed to call it and without one. Every answer must be a problem+json 4xx
 * (never a 5xx), and a refused request must write nothing. A 2xx means the fuzzer's input was accepted: it is
 * listed as a finding, not a failure (the input may be valid after all), and what it wrote is accounted for.
 *
 * FUZZ_OPENAPI=<file> fuzzes another copy of the document instead of the one the test app serves (e.g. the one
 * `npm start` serves, which the Nest CLI's swagger plugin fills with every DTO's properties); FUZZ_LOG=<file>
 * appends every request and its answer to that file, one JSON line each.
 */

const CONCURRENCY = 8;
const MAX_CASES_PER_OPERATION = Number(process.env.FUZZ_MAX_CASES ?? 150);
const UNKNOWN_ID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

/** Least privileged first: the first role that gets through is the one whose scope is checked. */
const ROLES = [
  'CITIZEN',
  'SUPPLIER',
  'CADRE',
  'HOST',
  'UNIT_BUYER',
  'UNIT_APPROVER',
  'OPERATOR',
  'ADMIN',
] as const;
type Role = (typeof ROLES)[number];

const isAccepted = (a: Answer) => a.status >= 200 && a.status < 300;

/** With FUZZ_LOG set, one JSON line per request and answer. */
function log({ op, c, auth, answer }: Sent): void {
  if (process.env.FUZZ_LOG) {
    const code = (answer.body as { code?: unknown } | undefined)?.code;
    const line = { op, case: c.label, auth, status: answer.status, code, answer: answer.text.slice(0, 300) };
    appendFileSync(process.env.FUZZ_LOG, `${JSON.stringify(line)}\n`);
  }
}

const jsonBody = (value: unknown) => ({ body: JSON.stringify(value), contentType: 'application/json' });

/** Operations that are not fuzzed, and why. */
function skipReason(op: FuzzOperation): string | undefined {
  if (op.tags.includes('dev') || /\/dev\//.test(op.path)) {
    return 'development only (log SMS provider, payment sandbox script): not part of the production surface';
  }
  if (/^\/(health|metrics)(\/|$)/.test(op.path)) {
    return 'operations probe: takes no input, answers the state of the dependencies';
  }
  return undefined;
}

interface World {
  productId: string;
  lotId: string;
}

interface Regression {
  name: string;
  /** Sent without a token when absent. */
  role?: Role;
  method: string;
  path: string;
  /** The JSON body, or the raw text of the body (sent as application/json). */
  body: (w: World) => unknown;
  raw?: boolean;
  status: number;
  code: string;
  errors?: { field: string; message: string }[];
}

/**
 * Inputs the fuzzer found a defect with, kept so they run whatever the document declares (each ran before the
 * generated cases, on a database no fuzz input has touched yet).
 */
const REGRESSIONS: Regression[] = [
  {
    name: 'an order line with an empty lotId is 400 naming the field (it was taken for "any lot")',
    role: 'CITIZEN',
    method: 'POST',
    path: '/api/v1/orders',
    body: (w) => ({ lines: [{ productId: w.productId, lotId: '', quantity: 1 }] }),
    status: 400,
    code: 'validation-failed',
    errors: [{ field: 'lines[0].lotId', message: 'lotId must not be empty; leave it out instead' }],
  },
  {
    name: 'a payout batch with nothing to pay is 422 and writes nothing (it created the payout account)',
    role: 'ADMIN',
    method: 'POST',
    path: '/api/v1/ledger/payouts',
    body: () => ({}),
    status: 422,
    code: 'nothing-to-pay',
  },
  {
    name: 'a payout minimum of 2^53+1 fen is 400 naming the field (money is a safe integer; it was taken)',
    role: 'ADMIN',
    method: 'POST',
    path: '/api/v1/ledger/payouts',
    body: () => '{"minimumFen":9007199254740993}',
    raw: true,
    status: 400,
    code: 'validation-failed',
    errors: [{ field: 'minimumFen', message: 'minimumFen must not be greater than 9007199254740991' }],
  },
  {
    name: 'an empty body declared as JSON is 400 malformed-json (Nest’s rethrow had made it bad-request)',
    method: 'POST',
    path: '/api/v1/auth/login',
    body: () => '',
    raw: true,
    status: 400,
    code: 'malformed-json',
  },
];

interface Sent {
  op: string;
  c: FuzzCase;
  auth: Role | 'none';
  answer: Answer;
}

interface Run {
  operations: FuzzOperation[];
  skipped: { op: string; reason: string }[];
  sent: Sent[];
  /** Operations no token got through (they are fuzzed without a token only). */
  locked: string[];
  /** Refused requests that changed tables, by operation (and, when a replay found it, by case). */
  writes: { op: string; tables: string[]; cases: string[] }[];
  /** Tables that operations' 2xx answers changed (findings, not failures). */
  acceptedWrites: { op: string; tables: string[] }[];
  seconds: number;
}

describe('fuzzing every operation of the OpenAPI document', () => {
  let t: TestApp;
  let run: Run;
  const regressions: { answer: Answer; wrote: string[] }[] = [];

  beforeAll(async () => {
    // The api role: no worker runs jobs, so only the requests sent here change the database. It listens, so
    // that the sandbox can notify the payment of B's order.
    t = await startTestApp('fuzz', { listen: true });
    const origin = t.env.PUBLIC_BASE_URL.replace(/\/$/, '');
    const f = factory(t);

    // A small world: two of everything that has an owner, so that each scoped user has someone else's ids.
    const regions = await f.regions();
    const h1 = await f.household();
    const h2 = await f.household({ villageCode: regions.otherVillage });
    const s1 = await f.supplier();
    const s2 = await f.supplier({ villageCode: regions.otherVillage });
    const p1 = await f.product(s1.id);
    const p2 = await f.product(s2.id, { originVillageCode: regions.otherVillage });
    const l1 = await f.lot(p1.id, { quantity: 100, sources: [{ householdId: h1.id, quantity: 100 }] });
    const l2 = await f.lot(p2.id, { quantity: 100, sources: [{ householdId: h2.id, quantity: 100 }] });
    await f.post(`/suppliers/${s1.id}/linkages`, {
      householdId: h1.id,
      type: 'REVENUE_SHARE',
      shareBps: 1000,
    });
    const o1 = await f.organization();
    const o2 = await f.organization();
    const host1 = await f.host({ regionCode: regions.village });
    const host2 = await f.host();

    const tokens = { ADMIN: t.adminToken } as Record<Role, string>;
    const staff: [Role, Record<string, string>][] = [
      ['OPERATOR', {}],
      ['UNIT_BUYER', { organizationId: o1.id }],
      ['UNIT_APPROVER', { organizationId: o1.id }],
      ['HOST', { hostId: host1.id }],
      ['SUPPLIER', { supplierId: s1.id }],
      ['CADRE', { regionCode: regions.town }],
    ];
    for (const [role, binding] of staff) {
      const username = `fuzz-${role.toLowerCase().replace('_', '-')}`;
      await f.user({ username, password: 'fuzz-password', roles: [role], ...binding });
      tokens[role] = await t.login(username, 'fuzz-password');
    }
    tokens.CITIZEN = await f.citizen('13900007001');
    const citizenB = await f.citizen('13900007002');
    const me = await t.http().get('/api/v1/me').set('Authorization', tokens.CITIZEN);
    const order = (token: string, productId: string, lotId: string) =>
      f.post<{ id: string }>('/orders', { lines: [{ productId, lotId, quantity: 1 }] }, token);
    const orderA = await order(tokens.CITIZEN, p1.id, l1.id);
    // B has an order awaiting payment (so paying it is not refused for being paid already) and a paid one.
    const orderB = await order(citizenB, p2.id, l2.id);
    const paidB = await order(citizenB, p2.id, l2.id);
    const paymentB = await f.post<{ id: string }>(
      `/orders/${paidB.id}/payments`,
      { provider: 'sandbox' },
      citizenB,
    );
    await until('B’s order paid', async () => {
      const res = await t.http().get(`/api/v1/orders/${paidB.id}`).set('Authorization', citizenB);
      return res.body.status === 'PAID';
    });

    const own: Record<string, string> = {
      regions: regions.village,
      households: h1.id,
      suppliers: s1.id,
      products: p1.id,
      lots: l1.id,
      organizations: o1.id,
      hosts: host1.id,
      orders: orderA.id,
      notify: 'sandbox',
      reconciliations: businessDay(0),
      seasons: '2026',
      quotas: '2026',
      users: me.body.id as string,
      employees: me.body.id as string,
    };
    const foreign: Record<Role, string[]> = {
      CITIZEN: [orderB.id, paymentB.id],
      SUPPLIER: [s2.id, p2.id, l2.id],
      CADRE: [h2.id],
      HOST: [host2.id],
      UNIT_BUYER: [o2.id],
      UNIT_APPROVER: [o2.id],
      OPERATOR: [],
      ADMIN: [],
    };
    const values: Record<string, unknown> = {
      householdId: h1.id,
      supplierId: s1.id,
      productId: p1.id,
      lotId: l1.id,
      organizationId: o1.id,
      hostId: host1.id,
      orderId: orderA.id,
      userId: me.body.id,
      villageCode: regions.village,
      originVillageCode: regions.village,
      collectiveVillageCode: regions.village,
      regionCode: regions.town,
      parentCode: regions.district,
      // A phone with no code waiting: a verification is refused, nothing is counted against anyone.
      phone: '13900009999',
      provider: 'sandbox',
      date: businessDay(-1),
      season: '2026',
    };
    const context = (role: Role | undefined): FuzzContext => ({
      own: (segment) => own[segment] ?? UNKNOWN_ID,
      foreign: role ? foreign[role] : [],
      values,
      unknownId: UNKNOWN_ID,
      bodyLimitBytes: t.env.BODY_LIMIT_BYTES,
      maxCases: MAX_CASES_PER_OPERATION,
    });

    const doc = (
      process.env.FUZZ_OPENAPI
        ? JSON.parse(readFileSync(process.env.FUZZ_OPENAPI, 'utf8'))
        : (await t.http().get('/docs/openapi.json').expect(200)).body
    ) as OpenApiDocument;
    const all = operationsOf(doc);
    const skipped = all.flatMap((op) => {
      const reason = skipReason(op);
      return reason ? [{ op: op.key, reason }] : [];
    });
    const operations = all.filter((op) => !skipReason(op));

    /** The first role (least privileged first) that the role check lets through, by the document or a probe. */
    const roleFor = async (op: FuzzOperation): Promise<Role | undefined> => {
      const candidates = op.roles ? ROLES.filter((r) => op.roles!.includes(r)) : ROLES;
      for (const role of candidates) {
        const probe: FuzzCase = { label: 'probe', target: fillPath(op.path, context(role)), headers: {} };
        if (op.body) {
          // An unknown field: past the role check the validation refuses it, so the probe writes nothing.
          probe.body = '{"fuzzProbe":true}';
          probe.contentType = 'application/json';
        }
        const answer = await send(origin, op.method, probe, tokens[role]);
        if (answer.status !== 401 && answer.status !== 403) {
          return role;
        }
      }
      return undefined;
    };

    const world: World = { productId: p1.id, lotId: l1.id };
    for (const r of REGRESSIONS) {
      const was = await fingerprint(t.db);
      const body = r.body(world);
      const c: FuzzCase = {
        label: r.name,
        target: r.path,
        headers: {},
        ...(r.raw ? { body: body as string, contentType: 'application/json' } : jsonBody(body)),
      };
      const answer = await send(origin, r.method, c, r.role && tokens[r.role]);
      regressions.push({ answer, wrote: changedTables(was, await fingerprint(t.db)) });
    }

    const started = Date.now();
    const roles = new Map<string, Role | undefined>();
    for (const op of operations) {
      roles.set(op.key, op.secured ? await roleFor(op) : undefined);
    }
    // Whatever the world building and the probes set going (the sandbox's notifications, the outbox) is done.
    let before = await fingerprint(t.db);
    await until('the database at rest', async () => {
      await new Promise((r) => setTimeout(r, 200));
      const now = await fingerprint(t.db);
      const still = changedTables(before, now).length === 0;
      before = now;
      return still;
    });

    const sent: Sent[] = [];
    const writes: Run['writes'] = [];
    const acceptedWrites: Run['acceptedWrites'] = [];
    const locked: string[] = [];
    for (const op of operations) {
      const role = roles.get(op.key);
      if (op.secured && !role) {
        locked.push(op.key);
      }
      const cases = casesFor(op, context(role));
      const jobs: { c: FuzzCase; auth: Role | 'none' }[] = [
        ...(role ? cases.map((c) => ({ c, auth: role })) : []),
        ...(op.secured || !role ? cases.map((c) => ({ c, auth: 'none' as const })) : []),
      ];
      const answers = await pool(jobs, CONCURRENCY, async ({ c, auth }) => {
        const answer = await send(origin, op.method, c, auth === 'none' ? undefined : tokens[auth]);
        log({ op: op.key, c, auth, answer });
        return { op: op.key, c, auth, answer };
      });
      sent.push(...answers);

      const after = await fingerprint(t.db);
      const changed = changedTables(before, after);
      before = after;
      if (changed.length === 0) {
        continue;
      }
      const accepted = answers.filter((a) => isAccepted(a.answer));
      if (accepted.length) {
        acceptedWrites.push({ op: op.key, tables: changed });
      }
      // Which refused request wrote? Send them again one at a time, with a fingerprint after each.
      const guilty: string[] = [];
      for (const a of answers.filter((x) => !accepted.includes(x))) {
        const again = await send(origin, op.method, a.c, a.auth === 'none' ? undefined : tokens[a.auth]);
        const now = await fingerprint(t.db);
        const wrote = changedTables(before, now);
        before = now;
        if (wrote.length && !isAccepted(again)) {
          guilty.push(`${a.c.label} (${a.auth}, ${again.status}): ${wrote.join(', ')}`);
        }
      }
      if (guilty.length || !accepted.length) {
        // A write that happens once (a row created on first use) is not seen again on the replay.
        const cases = guilty.length ? guilty : ['(none wrote again when sent one at a time)'];
        writes.push({ op: op.key, tables: changed, cases });
      }
    }
    run = {
      operations,
      skipped,
      sent,
      locked,
      writes,
      acceptedWrites,
      seconds: (Date.now() - started) / 1000,
    };

    const byStatus: Record<string, number> = {};
    for (const s of sent) {
      byStatus[s.answer.status] = (byStatus[s.answer.status] ?? 0) + 1;
    }
    const findings = sent.filter((s) => isAccepted(s.answer));
    console.log(
      [
        `fuzz: ${operations.length} operations (${skipped.length} skipped), ${sent.length} requests in ${run.seconds.toFixed(1)} s, by status ${JSON.stringify(byStatus)}`,
        ...(findings.length
          ? [
              `${findings.length} fuzz inputs were accepted (2xx; findings, not failures):`,
              ...findings.map((s) => `  ${s.op} [${s.auth}] ${s.c.label} → ${s.answer.status}`),
            ]
          : []),
        ...acceptedWrites.map((w) => `  ${w.op}: its 2xx answers changed ${w.tables.join(', ')}`),
        ...skipped.map((s) => `  skipped ${s.op}: ${s.reason}`),
        ...locked.map((op) => `  no token got through the role check of ${op}: fuzzed without a token only`),
      ].join('\n'),
    );
  }, 120_000);

  afterAll(() => t?.close());

  it.each(REGRESSIONS.map((r, i) => [r.name, i] as const))('%s', (_name, i) => {
    const r = REGRESSIONS[i];
    const { answer, wrote } = regressions[i];
    expect(violation(answer)).toBeUndefined();
    const body = answer.body as { code?: string; errors?: unknown };
    expect({ status: answer.status, code: body?.code, wrote }).toEqual({
      status: r.status,
      code: r.code,
      wrote: [],
    });
    if (r.errors) {
      expect(body.errors).toEqual(r.errors);
    }
  });

  it('fuzzes every operation of the document but the skipped ones, each with some cases', () => {
    const fuzzed = new Set(run.sent.map((s) => s.op));
    expect(run.operations.filter((op) => !fuzzed.has(op.key)).map((op) => op.key)).toEqual([]);
    expect(run.operations.length).toBeGreaterThan(20);
  });

  it('sends every property a body schema declares some bad values', () => {
    const missing = run.operations.flatMap((op) =>
      Object.keys(op.body?.properties ?? {})
        .filter((p) => !run.sent.some((s) => s.op === op.key && s.c.label.startsWith(`body.${p}`)))
        .map((p) => `${op.key} body.${p}`),
    );
    expect(missing).toEqual([]);
  });

  it('answers every fuzz input with a problem+json 4xx with a string code, never a 5xx', () => {
    const bad = run.sent.flatMap((s) => {
      const why = violation(s.answer);
      return why ? [`${s.op} [${s.auth}] ${s.c.label} → ${why}: ${s.answer.text.slice(0, 200)}`] : [];
    });
    expect(bad).toEqual([]);
  });

  it('writes nothing when it refuses a request', () => {
    expect(run.writes).toEqual([]);
  });
});
