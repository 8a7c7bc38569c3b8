import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { newId } from '@/common/ids';
import { LogSmsProvider } from '@/infrastructure/sms/log-sms.provider';
import { SANDBOX_SIGNATURE_HEADER, SandboxProvider } from '@/infrastructure/payments/sandbox.provider';
import { dropDatabase, runId, TEST_DB_PREFIX, urlFor } from './support/databases';
import { factory } from './support/factory';
import { ROOT, runMain } from './support/process';
import { startTestApp, TestApp } from './support/test-app';
import { until } from './support/wait';

const API = '/api/v1';
/** The sandbox secret everyone can read in .env.example. */
const DEFAULT_SANDBOX_SECRET = (
  JSON.parse(readFileSync(join(ROOT, 'config', 'defaults.json'), 'utf8')) as Record<string, string>
).SANDBOX_SECRET;
const METRICS_TOKEN = 'prod-metrics-token-0123456789';

/** Production with secrets of its own, as a real deployment sets it. */
const PRODUCTION = {
  NODE_ENV: 'production',
  JWT_SECRET: 'prod-jwt-secret-0123456789abcdef0123456789',
  DATA_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
  ADMIN_PASSWORD: 'prod-admin-password',
  METRICS_TOKEN,
};

const signWith = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('hex');

/** A citizen by SMS code (read from the log provider's book: /dev/sms is not served in production). */
async function citizen(t: TestApp, phone: string): Promise<string> {
  expect((await t.http().post(`${API}/auth/otp/request`).send({ phone })).status).toBe(202);
  const [sms] = await t.app.get(LogSmsProvider).list(phone);
  const code = /(\d{6})/.exec(sms.text)![1];
  const res = await t.http().post(`${API}/auth/otp/verify`).send({ phone, code });
  expect(res.status).toBe(200);
  return `Bearer ${res.body.accessToken as string}`;
}

/** A product with stock behind one household, and a citizen who can order it. */
async function shop(t: TestApp) {
  const f = factory(t);
  await f.regions();
  const household = await f.household();
  const supplier = await f.supplier({ type: 'HOUSEHOLD', householdId: household.id });
  const product = await f.product(supplier.id, { priceFen: 500 });
  await f.lot(product.id, { quantity: 100, sources: [{ householdId: household.id, quantity: 100 }] });
  const buyer = await citizen(t, '13900000001');
  const order = async () => {
    const res = await t
      .http()
      .post(`${API}/orders`)
      .set('Authorization', buyer)
      .send({ lines: [{ productId: product.id, quantity: 1 }] });
    expect(res.status).toBe(201);
    return res.body as { id: string; totalFen: number };
  };
  const status = async (orderId: string) => {
    const [row] = (await t.db.query('SELECT status FROM orders WHERE id = ?', [orderId])) as {
      status: string;
    }[];
    return row.status;
  };
  const notify = (body: string, signature: string) =>
    t
      .http()
      .post(`${API}/payments/notify/sandbox`)
      .set('content-type', 'application/json')
      .set(SANDBOX_SIGNATURE_HEADER, signature)
      .send(body);
  /** What a sandbox notification that the payment succeeded looks like. */
  const success = (paymentId: string, ref: string, amountFen: number) =>
    JSON.stringify({
      eventId: `evt_${ref}`,
      ref,
      merchantRef: paymentId,
      status: 'SUCCEEDED',
      amountFen,
      ts: 1,
    });
  return { buyer, order, status, notify, success };
}

describe('production: the sandbox off by default', () => {
  let t: TestApp;
  let s: Awaited<ReturnType<typeof shop>>;

  beforeAll(async () => {
    t = await startTestApp('production', { env: PRODUCTION });
    s = await shop(t);
  });
  afterAll(() => t.close());

  it('a notification signed with the default sandbox secret is refused and the order stays unpaid', async () => {
    const order = await s.order();
    // A payment through the sandbox, as one opened before the sandbox was switched off would be.
    const paymentId = newId();
    const now = new Date();
    await t.db.query(
      `INSERT INTO payments (id, order_id, provider, provider_ref, status, amount_fen, created_at, updated_at)
       VALUES (?, ?, 'sandbox', ?, 'PENDING', ?, ?, ?)`,
      [paymentId, order.id, `sbx_${paymentId}`, order.totalFen, now, now],
    );
    const body = s.success(paymentId, `sbx_${paymentId}`, order.totalFen);
    const res = await s.notify(body, signWith(DEFAULT_SANDBOX_SECRET, body));
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe('unknown-provider');
    expect(await s.status(order.id)).toBe('PENDING_PAYMENT');
    const [payment] = (await t.db.query('SELECT status FROM payments WHERE id = ?', [paymentId])) as {
      status: string;
    }[];
    expect(payment.status).toBe('PENDING');
  });

  it('a buyer cannot pay through the sandbox: 422 unknown-provider, no payment opened', async () => {
    const order = await s.order();
    const res = await t
      .http()
      .post(`${API}/orders/${order.id}/payments`)
      .set('Authorization', s.buyer)
      .send({ provider: 'sandbox' });
    expect([res.status, res.body.code]).toEqual([422, 'unknown-provider']);
    expect(await t.db.query('SELECT id FROM payments WHERE order_id = ?', [order.id])).toEqual([]);
    expect(await s.status(order.id)).toBe('PENDING_PAYMENT');
    // Nor can anyone script it.
    const script = await t
      .http()
      .post(`${API}/dev/sandbox/script`)
      .set('Authorization', t.adminToken)
      .send({ behaviours: ['APPROVE'] });
    expect(script.status).toBe(404);
  });

  it('GET /metrics is 401 problem+json without the token, 200 with it', async () => {
    const none = await t.http().get('/metrics');
    expect(none.status).toBe(401);
    expect(none.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(none.body).toMatchObject({ status: 401, code: 'unauthenticated' });
    expect(none.text).not.toContain('process_cpu_user_seconds_total');
    for (const wrong of [
      `Bearer ${METRICS_TOKEN.slice(0, -1)}`,
      `Bearer ${METRICS_TOKEN}x`,
      METRICS_TOKEN,
      t.adminToken, // an administrator's access token is not the metrics token
    ]) {
      const res = await t.http().get('/metrics').set('Authorization', wrong);
      expect([res.status, res.body.code]).toEqual([401, 'unauthenticated']);
    }
    const ok = await t.http().get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`);
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toMatch(/^text\/plain/);
    expect(ok.text).toContain('process_cpu_user_seconds_total');
  });
});

describe('production with the sandbox enabled on purpose', () => {
  const secret = 'a-sandbox-secret-of-its-own-0123';
  let t: TestApp;
  let s: Awaited<ReturnType<typeof shop>>;

  beforeAll(async () => {
    t = await startTestApp('production_sbx', {
      listen: true,
      env: { ...PRODUCTION, PAYMENTS_SANDBOX_ENABLED: 'true', SANDBOX_SECRET: secret },
    });
    s = await shop(t);
  });
  afterAll(() => t.close());

  it('only its own secret signs: the default one is 400 invalid-notification and the order stays unpaid', async () => {
    const order = await s.order();
    await t.app.get(SandboxProvider).script(['LOSE']); // the gateway's own notification never comes
    const pay = await t
      .http()
      .post(`${API}/orders/${order.id}/payments`)
      .set('Authorization', s.buyer)
      .send({ provider: 'sandbox' });
    expect(pay.status).toBe(201);
    const [{ ref }] = (await t.db.query('SELECT provider_ref AS ref FROM payments WHERE id = ?', [
      pay.body.id,
    ])) as { ref: string }[];
    const body = s.success(pay.body.id as string, ref, order.totalFen);

    const forged = await s.notify(body, signWith(DEFAULT_SANDBOX_SECRET, body));
    expect(forged.status).toBe(400);
    expect(forged.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(forged.body.code).toBe('invalid-notification');
    expect(await s.status(order.id)).toBe('PENDING_PAYMENT');

    // The same notification under the deployment's secret is the genuine one.
    expect((await s.notify(body, signWith(secret, body))).status).toBe(200);
    await until('the order to be paid', async () => (await s.status(order.id)) === 'PAID');
  });
});

describe('production boot', () => {
  it('is refused with the default sandbox secret while the sandbox is enabled, naming the variable', async () => {
    const database = `${TEST_DB_PREFIX}${runId()}_prodboot`;
    const p = runMain(['api'], {
      ...PRODUCTION,
      PAYMENTS_SANDBOX_ENABLED: 'true',
      PORT: '0',
      DATABASE_URL: urlFor(database),
      QUEUE_PREFIX: database,
      SEED_DEMO: 'false',
    });
    const code = await Promise.race([
      p.exited,
      new Promise<'running'>((r) => setTimeout(() => r('running'), 30_000).unref()),
    ]);
    if (code === 'running') {
      p.child.kill('SIGKILL');
    }
    await dropDatabase(database);
    expect(code).toBe(1);
    expect(p.output()).toContain(
      'SANDBOX_SECRET: the development default may not be used in production while PAYMENTS_SANDBOX_ENABLED is true',
    );
    expect(p.output()).not.toContain(DEFAULT_SANDBOX_SECRET);
  });
});
