import { SANDBOX_SIGNATURE_HEADER, SandboxProvider } from '@/infrastructure/payments/sandbox.provider';
import { QueueName } from '@/infrastructure/queue/jobs';
import { OrdersJobName } from '@/modules/orders/jobs/orders.job-definitions';
import { QueueService } from '@/infrastructure/queue/queue.service';
import { SettlementService } from '@/modules/orders/settlement.service';
import { factory } from './support/factory';
import { startTestApp, TestApp, TestAppOptions } from './support/test-app';
import { until } from './support/wait';

const API = '/api/v1';
const ULID = /^[0-9A-Z]{26}$/;
const UNKNOWN_ID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The business date (Asia/Shanghai) today. */
const today = () =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date());

interface Line {
  id: string;
  lotId: string;
  productId: string;
  quantity: number;
  amountFen: number;
  refundedFen: number;
}

/** One app per environment, with the helpers every scenario uses. */
function harness(label: string, env: TestAppOptions['env'] = {}) {
  const h = {} as {
    t: TestApp;
    f: ReturnType<typeof factory>;
    citizen: string;
  };
  let phones = 0;

  beforeAll(async () => {
    h.t = await startTestApp(label, {
      role: 'all',
      listen: true,
      env: { OTP_RESEND_SECONDS: '0', ...env },
    });
    h.f = factory(h.t);
    await h.f.regions();
    h.citizen = await h.f.citizen(`1370000${String(++phones).padStart(4, '0')}`);
  });
  beforeEach(() => h.t.app.get(SandboxProvider).clearScript());
  afterEach(() => jest.restoreAllMocks());
  afterAll(async () => {
    try {
      // Whatever happened, every journal entry sums to zero.
      expect(await api.unbalanced()).toEqual([]);
    } finally {
      await h.t.close();
    }
  });

  const rows = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) =>
    (await h.t.db.query(sql, params)) as T[];
  const num = async (sql: string, params: unknown[] = []) => {
    const [row] = await rows<{ n: string | number | null }>(sql, params);
    return Number(row.n ?? 0);
  };

  /**
   * Three fresh households behind a household supplier, and a product per price whose lot names them with
   * the given quantities (first-expiring lot first when several lots are asked for).
   */
  const setup = async (lots: { priceFen?: number; sources: number[]; expiresAt?: string }[]) => {
    const hh = [await h.f.household(), await h.f.household(), await h.f.household()];
    const supplier = await h.f.supplier({ type: 'HOUSEHOLD', householdId: hh[0].id });
    const products = new Map<number, string>();
    const out: { productId: string; lotId: string }[] = [];
    for (const l of lots) {
      const price = l.priceFen ?? 100;
      if (!products.has(price)) {
        products.set(price, (await h.f.product(supplier.id, { priceFen: price })).id);
      }
      const productId = products.get(price)!;
      const sources = l.sources
        .map((quantity, i) => ({ householdId: hh[i].id, quantity }))
        .filter((s) => s.quantity > 0);
      const lot = await h.f.lot(productId, {
        quantity: sources.reduce((a, s) => a + s.quantity, 0),
        sources,
        ...(l.expiresAt ? { expiresAt: l.expiresAt } : {}),
      });
      out.push({ productId, lotId: lot.id });
    }
    return { households: hh.map((x) => x.id), lots: out, supplierId: supplier.id };
  };

  const api = {
    h,
    rows,
    num,
    setup,
    order: async (lines: object[], token = h.citizen) => {
      const res = await h.t.http().post(`${API}/orders`).set('Authorization', token).send({ lines });
      expect(res.status).toBe(201);
      return res.body as { id: string; totalFen: number; lines: Line[] };
    },
    getOrder: async (id: string, token = h.t.adminToken) =>
      (await h.t.http().get(`${API}/orders/${id}`).set('Authorization', token)).body as {
        status: string;
        totalFen: number;
        refundedFen: number;
        paidAt: string | null;
        lines: Line[];
      },
    pay: (orderId: string, token = h.citizen) =>
      h.t
        .http()
        .post(`${API}/orders/${orderId}/payments`)
        .set('Authorization', token)
        .send({ provider: 'sandbox' }),
    payment: async (id: string, token = h.citizen) =>
      (await h.t.http().get(`${API}/payments/${id}`).set('Authorization', token)).body as {
        id: string;
        status: string;
        amountFen: number;
        failureReason: string | null;
        capturedAt: string | null;
      },
    /**
     * Holds the sandbox's notifications at the webhook until `release()`, so that what the test sees before
     * a late notification does not depend on how fast the machine is (a pause of the test's own can outlast
     * the gateway's delay on a busy machine). `arrivedAt` is when the first one reached the webhook.
     */
    holdNotifications: () => {
      const payments = h.t.app.get(SettlementService);
      const handle = payments.handleNotification.bind(payments);
      const held = { arrivedAt: 0, release: () => undefined as void };
      const released = new Promise<void>((r) => (held.release = r));
      jest.spyOn(payments, 'handleNotification').mockImplementation(async (...args) => {
        held.arrivedAt ||= Date.now();
        await released;
        return handle(...args);
      });
      return held;
    },
    script: async (...behaviours: string[]) => {
      const res = await h.t
        .http()
        .post(`${API}/dev/sandbox/script`)
        .set('Authorization', h.t.adminToken)
        .send({ behaviours });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ queued: behaviours.length });
    },
    refund: (orderId: string, amountFen: number, reason = '顾客退货', token = h.t.adminToken) =>
      h.t
        .http()
        .post(`${API}/orders/${orderId}/refunds`)
        .set('Authorization', token)
        .send({ amountFen, reason }),
    income: async (householdId: string) => {
      const res = await h.t
        .http()
        .get(`${API}/households/${householdId}/income`)
        .set('Authorization', h.t.adminToken);
      expect(res.status).toBe(200);
      return res.body as { totalFen: number; pendingFen: number; availableFen: number };
    },
    /** [totalFen, pendingFen, availableFen] of each household. */
    incomes: async (households: string[]) =>
      Promise.all(
        households.map(async (id) => {
          const i = await api.income(id);
          return [i.totalFen, i.pendingFen, i.availableFen];
        }),
      ),
    entries: (orderId: string, kind = 'SALE') =>
      num('SELECT COUNT(*) AS n FROM journal_entries WHERE order_id = ? AND kind = ?', [orderId, kind]),
    /** What an order's entries left on the payment clearing account (0 once fully refunded). */
    clearing: (orderId: string) =>
      num(
        `SELECT SUM(p.amount_fen) AS n FROM postings p JOIN journal_entries e ON e.id = p.entry_id
           JOIN ledger_accounts a ON a.id = p.account_id WHERE e.order_id = ? AND a.type = 'PAYMENT_CLEARING'`,
        [orderId],
      ),
    /** An account's balance over all its postings. */
    account: (type: string, ownerId: string) =>
      num(
        `SELECT SUM(p.amount_fen) AS n FROM postings p JOIN ledger_accounts a ON a.id = p.account_id
          WHERE a.type = ? AND a.owner_id = ?`,
        [type, ownerId],
      ),
    paymentsOf: (orderId: string) =>
      rows<{
        id: string;
        status: string;
        providerRef: string;
        amountFen: string;
        failureReason: string | null;
      }>(
        `SELECT id, status, provider_ref AS providerRef, amount_fen AS amountFen, failure_reason AS failureReason
           FROM payments WHERE order_id = ? ORDER BY id`,
        [orderId],
      ),
    /** Journal entries whose postings do not sum to zero (none, ever). */
    unbalanced: () => rows('SELECT entry_id FROM postings GROUP BY entry_id HAVING SUM(amount_fen) <> 0'),
    /** How many allocation jobs the order's payment wrote to the outbox. */
    allocations: (orderId: string) =>
      num(
        "SELECT COUNT(*) AS n FROM outbox WHERE job_name = 'ledger.allocate-order' AND JSON_VALUE(payload, '$.orderId') = ?",
        [orderId],
      ),
    /** Waits until the order's lines all have their sale entries. */
    allocated: async (orderId: string, lines: number) => {
      await until(`${lines} sale entries`, async () => (await api.entries(orderId)) === lines);
    },
    /** The notification the sandbox would send for one of its transactions, as the raw body. */
    notification: async (providerRef: string) => {
      const [tx] = await rows<{ ref: string; merchantRef: string; status: string; amountFen: string }>(
        'SELECT ref, merchant_ref AS merchantRef, status, amount_fen AS amountFen FROM sandbox_transactions WHERE ref = ?',
        [providerRef],
      );
      return JSON.stringify({
        eventId: `evt_${tx.ref}`,
        ref: tx.ref,
        merchantRef: tx.merchantRef,
        status: tx.status,
        amountFen: Number(tx.amountFen),
        ts: Date.now(),
      });
    },
    notify: (rawBody: string, signature?: string) => {
      const req = h.t.http().post(`${API}/payments/notify/sandbox`).set('content-type', 'application/json');
      return (signature === undefined ? req : req.set(SANDBOX_SIGNATURE_HEADER, signature)).send(rawBody);
    },
  };
  return api;
}

describe('payments through the sandbox gateway (refund window ONLINE:7)', () => {
  const x = harness('payments');
  const { h } = x;

  it('only an administrator scripts the sandbox, with known behaviours', async () => {
    const asCitizen = await h.t
      .http()
      .post(`${API}/dev/sandbox/script`)
      .set('Authorization', h.citizen)
      .send({ behaviours: ['DECLINE'] });
    expect(asCitizen.status).toBe(403);
    const bad = await h.t
      .http()
      .post(`${API}/dev/sandbox/script`)
      .set('Authorization', h.t.adminToken)
      .send({ behaviours: ['EXPLODE'] });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('validation-failed');
  });

  it('APPROVE (the default): PENDING first, then PAID and the line posted to the households', async () => {
    const s = await x.setup([{ priceFen: 100, sources: [1, 1, 1] }]);
    const o = await x.order([{ productId: s.lots[0].productId, quantity: 1 }]);
    const pay = await x.pay(o.id);
    expect(pay.status).toBe(201);
    expect(pay.body).toEqual({
      id: expect.stringMatching(ULID),
      orderId: o.id,
      provider: 'sandbox',
      status: 'PENDING',
      amountFen: 100,
      failureReason: null,
      capturedAt: null,
    });
    await until('PAID', async () => (await x.getOrder(o.id)).status === 'PAID');
    const p = await x.payment(pay.body.id as string);
    expect(p).toMatchObject({ status: 'CAPTURED', amountFen: 100, failureReason: null });
    expect(p.capturedAt).toEqual(expect.any(String));
    await x.allocated(o.id, 1);
    expect(await x.incomes(s.households)).toEqual([
      [34, 34, 0],
      [33, 33, 0],
      [33, 33, 0],
    ]);
    // Paying again: the order is no longer payable.
    const again = await x.pay(o.id);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('order-not-payable');
    // Only the buyer sees the payment and pays.
    const other = await h.f.citizen('13711110001');
    expect(
      (
        await h.t
          .http()
          .get(`${API}/payments/${pay.body.id as string}`)
          .set('Authorization', other)
      ).status,
    ).toBe(403);
    expect(
      (await h.t.http().get(`${API}/payments/${UNKNOWN_ID}`).set('Authorization', h.citizen)).status,
    ).toBe(404);
  });

  it('DECLINE: the payment FAILS, the order stays PENDING_PAYMENT and can be paid again', async () => {
    const s = await x.setup([{ priceFen: 250, sources: [2, 1, 0] }]);
    const o = await x.order([{ productId: s.lots[0].productId, quantity: 3 }]);
    expect(o.totalFen).toBe(750);
    await x.script('DECLINE');
    const first = await x.pay(o.id);
    expect(first.status).toBe(201);
    expect(first.body.status).toBe('PENDING');
    await until('FAILED', async () => (await x.payment(first.body.id as string)).status === 'FAILED');
    expect(await x.payment(first.body.id as string)).toMatchObject({
      status: 'FAILED',
      failureReason: 'provider: DECLINED',
      capturedAt: null,
    });
    expect((await x.getOrder(o.id)).status).toBe('PENDING_PAYMENT');

    const second = await x.pay(o.id);
    expect(second.status).toBe(201);
    expect(second.body.id).not.toBe(first.body.id);
    await until('PAID', async () => (await x.getOrder(o.id)).status === 'PAID');
    expect((await x.paymentsOf(o.id)).map((p) => [p.id, p.status])).toEqual([
      [first.body.id, 'FAILED'],
      [second.body.id, 'CAPTURED'],
    ]);
    await x.allocated(o.id, 1);
    expect(await x.incomes(s.households)).toEqual([
      [500, 500, 0],
      [250, 250, 0],
      [0, 0, 0],
    ]);
  });

  it('LOSE: the payment stays PENDING until the recovery job asks the gateway, then PAID and posted', async () => {
    const s = await x.setup([{ priceFen: 100, sources: [1, 1, 1] }]);
    const o = await x.order([{ productId: s.lots[0].productId, quantity: 2 }]);
    await x.script('LOSE');
    const pay = await x.pay(o.id);
    expect(pay.status).toBe(201);
    await sleep(300);
    expect((await x.payment(pay.body.id as string)).status).toBe('PENDING');
    expect((await x.getOrder(o.id)).status).toBe('PENDING_PAYMENT');

    // Not stale yet: recovery leaves it alone.
    expect(await h.t.app.get(SettlementService).recoverPending()).toEqual({
      checked: 0,
      captured: 0,
      failed: 0,
    });
    expect((await x.payment(pay.body.id as string)).status).toBe('PENDING');

    await h.t.db.query(
      'UPDATE payments SET created_at = UTC_TIMESTAMP(3) - INTERVAL 10 MINUTE WHERE id = ?',
      [pay.body.id],
    );
    await h.t.app.get(QueueService).add(OrdersJobName.PaymentRecovery, {});
    await until('PAID', async () => (await x.getOrder(o.id)).status === 'PAID');
    expect(await x.payment(pay.body.id as string)).toMatchObject({ status: 'CAPTURED', amountFen: 200 });
    await x.allocated(o.id, 1);
    expect(await x.incomes(s.households)).toEqual([
      [67, 67, 0],
      [67, 67, 0],
      [66, 66, 0],
    ]);
    // A second round finds nothing left to do.
    expect(await h.t.app.get(SettlementService).recoverPending()).toEqual({
      checked: 0,
      captured: 0,
      failed: 0,
    });
  });

  it('DUPLICATE: three notifications, one PAID order, one entry per line, income counted once', async () => {
    const s = await x.setup([
      { priceFen: 300, sources: [1, 1, 0], expiresAt: '2098-01-01' },
      { priceFen: 300, sources: [0, 1, 2], expiresAt: '2099-01-01' },
    ]);
    const o = await x.order([{ productId: s.lots[0].productId, quantity: 4 }]);
    expect(o.lines.map((l) => [l.lotId, l.quantity, l.amountFen])).toEqual([
      [s.lots[0].lotId, 2, 600],
      [s.lots[1].lotId, 2, 600],
    ]);
    const notified = jest.spyOn(h.t.app.get(SettlementService), 'handleNotification');
    await x.script('DUPLICATE');
    const pay = await x.pay(o.id);
    expect(pay.status).toBe(201);
    await until('three notifications', async () => notified.mock.results.length === 3);
    await Promise.all(notified.mock.results.map((r) => r.value));
    expect(notified.mock.calls.map((c) => JSON.parse(c[2]).merchantRef)).toEqual([
      pay.body.id,
      pay.body.id,
      pay.body.id,
    ]);
    expect((await x.getOrder(o.id)).status).toBe('PAID');
    await x.allocated(o.id, 2);
    await sleep(300); // a late double posting would show by now
    expect(await x.entries(o.id)).toBe(2);
    expect(await x.allocations(o.id)).toBe(1);
    expect((await x.paymentsOf(o.id)).map((p) => p.status)).toEqual(['CAPTURED']);
    // Lot 1 (1:1) gets 300/300; lot 2 (1:2) gets 200/400.
    expect(await x.incomes(s.households)).toEqual([
      [300, 300, 0],
      [500, 500, 0],
      [400, 400, 0],
    ]);
  });

  it('DELAY:800: PENDING first, PAID only once the late notification arrives', async () => {
    const s = await x.setup([{ priceFen: 100, sources: [1, 0, 0] }]);
    const o = await x.order([{ productId: s.lots[0].productId, quantity: 1 }]);
    await x.script('DELAY:800');
    const held = x.holdNotifications();
    const started = Date.now();
    const pay = await x.pay(o.id);
    expect(pay.status).toBe(201);
    await until('the late notification', async () => held.arrivedAt > 0);
    expect(held.arrivedAt - started).toBeGreaterThanOrEqual(800);
    // Arrived, and held: until it is let through the payment waits.
    expect((await x.payment(pay.body.id as string)).status).toBe('PENDING');
    expect((await x.getOrder(o.id)).status).toBe('PENDING_PAYMENT');
    held.release();
    await until('PAID', async () => (await x.getOrder(o.id)).status === 'PAID');
    expect((await x.payment(pay.body.id as string)).status).toBe('CAPTURED');
    await x.allocated(o.id, 1);
    expect(await x.incomes(s.households)).toEqual([
      [100, 100, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });

  it('the webhook: a bad signature is 400 invalid-notification and changes nothing; a signed replay posts nothing twice', async () => {
    const s = await x.setup([{ priceFen: 120, sources: [1, 1, 1] }]);
    const o = await x.order([{ productId: s.lots[0].productId, quantity: 1 }]);
    await x.script('LOSE');
    const pay = await x.pay(o.id);
    const [payment] = await x.paymentsOf(o.id);
    expect(payment.providerRef).toMatch(/^sbx_/);
    const body = await x.notification(payment.providerRef);
    const sandbox = h.t.app.get(SandboxProvider);
    const signature = sandbox.sign(body);

    const forged = [
      await x.notify(body),
      await x.notify(body, 'deadbeef'),
      await x.notify(
        body,
        signature.replace(/.$/, (c) => (c === '0' ? '1' : '0')),
      ),
      await x.notify(body.replace('"amountFen":120', '"amountFen":1'), signature),
      await x.notify('{"not":"json"', sandbox.sign('{"not":"json"')),
      await x.notify(
        JSON.stringify({ ref: payment.providerRef }),
        sandbox.sign(JSON.stringify({ ref: payment.providerRef })),
      ),
    ];
    for (const r of forged) {
      expect([r.status, r.body.code]).toEqual([400, expect.any(String)]);
      expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    expect(forged.slice(0, 4).map((r) => r.body.code)).toEqual([
      'invalid-notification',
      'invalid-notification',
      'invalid-notification',
      'invalid-notification',
    ]);
    expect(forged[5].body.code).toBe('invalid-notification');
    expect((await x.payment(pay.body.id as string)).status).toBe('PENDING');
    expect((await x.getOrder(o.id)).status).toBe('PENDING_PAYMENT');
    expect(await x.entries(o.id)).toBe(0);

    const genuine = await x.notify(body, signature);
    expect(genuine.status).toBe(200);
    expect(genuine.body).toEqual({ received: true });
    expect((await x.getOrder(o.id)).status).toBe('PAID');
    await x.allocated(o.id, 1);
    const once = await x.incomes(s.households);
    expect(once).toEqual([
      [40, 40, 0],
      [40, 40, 0],
      [40, 40, 0],
    ]);

    const replay = await x.notify(body, signature);
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual({ received: true });
    await sleep(300);
    expect(await x.entries(o.id)).toBe(1);
    expect(await x.incomes(s.households)).toEqual(once);
    expect(await x.allocations(o.id)).toBe(1);
    expect((await x.paymentsOf(o.id)).map((p) => p.status)).toEqual(['CAPTURED']);
    expect(await x.unbalanced()).toEqual([]);
  });

  it('a replay of the notification the gateway really sent is 200 and posts nothing twice', async () => {
    const s = await x.setup([{ priceFen: 90, sources: [1, 2, 0] }]);
    const o = await x.order([{ productId: s.lots[0].productId, quantity: 1 }]);
    const notified = jest.spyOn(h.t.app.get(SettlementService), 'handleNotification');
    await x.pay(o.id);
    await until('the notification', async () => notified.mock.results.length === 1);
    await notified.mock.results[0].value;
    const [, headers, raw] = notified.mock.calls[0];
    await x.allocated(o.id, 1);
    expect(await x.incomes(s.households)).toEqual([
      [30, 30, 0],
      [60, 60, 0],
      [0, 0, 0],
    ]);
    const paidAt = (await x.getOrder(o.id)).paidAt;
    expect(paidAt).toEqual(expect.any(String));
    const replay = await x.notify(raw, headers[SANDBOX_SIGNATURE_HEADER] as string);
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual({ received: true });
    await sleep(300);
    expect(await x.entries(o.id)).toBe(1);
    expect(await x.allocations(o.id)).toBe(1);
    expect((await x.getOrder(o.id)).paidAt).toBe(paidAt);
    expect(await x.incomes(s.households)).toEqual([
      [30, 30, 0],
      [60, 60, 0],
      [0, 0, 0],
    ]);
  });

  it('a payment still pending at the deadline is asked about first: the order is PAID, not cancelled', async () => {
    const s = await x.setup([{ priceFen: 100, sources: [1, 1, 1] }]);
    const o = await x.order([{ productId: s.lots[0].productId, quantity: 1 }]);
    await x.script('LOSE');
    await x.pay(o.id);
    await h.t.db.query('UPDATE orders SET pay_by = UTC_TIMESTAMP(3) - INTERVAL 1 SECOND WHERE id = ?', [
      o.id,
    ]);
    await h.t.app.get(QueueService).add(OrdersJobName.OrderDeadline, { orderId: o.id });
    await until('PAID', async () => (await x.getOrder(o.id)).status === 'PAID');
    expect((await x.paymentsOf(o.id)).map((p) => p.status)).toEqual(['CAPTURED']);
    expect(await x.num('SELECT remaining AS n FROM supply_lots WHERE id = ?', [s.lots[0].lotId])).toBe(2);
    await x.allocated(o.id, 1);
  });

  it('a notification for an order cancelled at its deadline: captured, refunded at the gateway, no posting', async () => {
    const s = await x.setup([{ priceFen: 150, sources: [1, 1, 1] }]);
    const o = await x.order([{ productId: s.lots[0].productId, quantity: 2 }]);
    await x.script('LOSE');
    const pay = await x.pay(o.id);
    const [payment] = await x.paymentsOf(o.id);
    // At the deadline the gateway still says PENDING (the buyer is confirming on the phone).
    jest
      .spyOn(h.t.app.get(SandboxProvider), 'query')
      .mockResolvedValueOnce({ ref: payment.providerRef, status: 'PENDING', amountFen: 300 });
    await h.t.db.query('UPDATE orders SET pay_by = UTC_TIMESTAMP(3) - INTERVAL 1 SECOND WHERE id = ?', [
      o.id,
    ]);
    await h.t.app.get(QueueService).add(OrdersJobName.OrderDeadline, { orderId: o.id });
    await until('CANCELLED', async () => (await x.getOrder(o.id)).status === 'CANCELLED');
    expect((await x.payment(pay.body.id as string)).status).toBe('CANCELLED');
    expect(await x.num('SELECT remaining AS n FROM supply_lots WHERE id = ?', [s.lots[0].lotId])).toBe(3);

    // Then the gateway's success notification arrives.
    const body = await x.notification(payment.providerRef);
    const res = await x.notify(body, h.t.app.get(SandboxProvider).sign(body));
    expect(res.status).toBe(200);
    const refunds = await until('the automatic refund', async () => {
      const r = await x.rows<{ kind: string; status: string; amountFen: string; merchantRef: string }>(
        `SELECT kind, status, amount_fen AS amountFen, merchant_ref AS merchantRef FROM sandbox_transactions
          WHERE parent_ref = ?`,
        [payment.providerRef],
      );
      return r.length > 0 && r;
    });
    expect(refunds.map((r) => [r.kind, r.status, Number(r.amountFen), r.merchantRef])).toEqual([
      ['REFUND', 'SUCCEEDED', 300, `auto-${payment.id}`],
    ]);
    await until(
      'the payment marked refunded',
      async () => (await x.payment(pay.body.id as string)).failureReason !== null,
    );
    expect(await x.payment(pay.body.id as string)).toMatchObject({
      status: 'CAPTURED',
      amountFen: 300,
      failureReason: 'refunded: the order was no longer payable',
    });
    // A second copy refunds nothing more.
    expect((await x.notify(body, h.t.app.get(SandboxProvider).sign(body))).status).toBe(200);
    await sleep(300);
    expect(
      await x.num("SELECT COUNT(*) AS n FROM sandbox_transactions WHERE parent_ref = ? AND kind = 'REFUND'", [
        payment.providerRef,
      ]),
    ).toBe(1);
    const after = await x.getOrder(o.id);
    expect([after.status, after.paidAt]).toEqual(['CANCELLED', null]);
    expect(await x.num('SELECT COUNT(*) AS n FROM journal_entries WHERE order_id = ?', [o.id])).toBe(0);
    expect(await x.incomes(s.households)).toEqual([
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(await x.num('SELECT remaining AS n FROM supply_lots WHERE id = ?', [s.lots[0].lotId])).toBe(3);
  });

  it('ten concurrent payment starts for one order: one payment, one charge at the gateway', async () => {
    const s = await x.setup([{ priceFen: 100, sources: [1, 1, 1] }]);
    const o = await x.order([{ productId: s.lots[0].productId, quantity: 1 }]);
    // The gateway confirms a second later, so every tap lands while the first payment is open (a tap after
    // the order is PAID is 409 order-not-payable, as above).
    await x.script('DELAY:1000');
    const answers = await Promise.all(Array.from({ length: 10 }, () => x.pay(o.id)));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(201));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    await until('PAID', async () => (await x.getOrder(o.id)).status === 'PAID');
    await sleep(300); // notifications of other charges, if any, would have come by now
    expect((await x.paymentsOf(o.id)).map((p) => [p.id, p.status, p.failureReason])).toEqual([
      [answers[0].body.id, 'CAPTURED', null],
    ]);
    expect(
      await x.num(
        `SELECT COUNT(*) AS n FROM sandbox_transactions t JOIN payments p ON p.id = t.merchant_ref
          WHERE p.order_id = ?`,
        [o.id],
      ),
    ).toBe(1);
    await x.allocated(o.id, 1);
    expect(await x.incomes(s.households)).toEqual([
      [34, 34, 0],
      [33, 33, 0],
      [33, 33, 0],
    ]);
  });

  it('Prefer: wait answers one GET when the late notification arrives: PAID, with Preference-Applied', async () => {
    const s = await x.setup([{ priceFen: 320, sources: [1, 1, 0] }]);
    const o = await x.order([{ productId: s.lots[0].productId, quantity: 1 }]);
    await x.script('DELAY:800');
    const held = x.holdNotifications();
    expect((await x.pay(o.id)).status).toBe(201);
    // Without the preference the answer is at once: still waiting for the gateway.
    const now = await h.t.http().get(`${API}/orders/${o.id}`).set('Authorization', h.citizen);
    expect(now.status).toBe(200);
    expect(now.body.status).toBe('PENDING_PAYMENT');
    expect(now.headers['preference-applied']).toBeUndefined();
    const waiting = h.t
      .http()
      .get(`${API}/orders/${o.id}`)
      .set('Authorization', h.citizen)
      .set('Prefer', 'wait=8')
      .then((r) => r);
    // The notification is let through only once the waiting GET is on its way.
    await until('the late notification', async () => held.arrivedAt > 0);
    held.release();
    const waited = await waiting;
    expect(waited.status).toBe(200);
    expect(waited.headers['preference-applied']).toBe('wait=8');
    expect(waited.body).toMatchObject({ id: o.id, status: 'PAID', totalFen: 320 });
    expect(waited.body.paidAt).toEqual(expect.any(String));
    await x.allocated(o.id, 1);
    expect(await x.incomes(s.households)).toEqual([
      [160, 160, 0],
      [160, 160, 0],
      [0, 0, 0],
    ]);
  });

  it('Prefer: wait on an order nobody pays answers PENDING_PAYMENT when the time is up; other buyers still get 403', async () => {
    const s = await x.setup([{ priceFen: 100, sources: [1, 0, 0] }]);
    const o = await x.order([{ productId: s.lots[0].productId, quantity: 1 }]);
    const res = await h.t
      .http()
      .get(`${API}/orders/${o.id}`)
      .set('Authorization', h.citizen)
      .set('Prefer', 'wait=1');
    expect(res.status).toBe(200);
    expect(res.headers['preference-applied']).toBe('wait=1');
    expect(res.body.status).toBe('PENDING_PAYMENT');
    const other = await h.f.citizen('13711110002');
    const denied = await h.t
      .http()
      .get(`${API}/orders/${o.id}`)
      .set('Authorization', other)
      .set('Prefer', 'wait=5');
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('forbidden');
  });

  it("a paid order's deadline never reaches the queue: its outbox row is gone with the payment", async () => {
    const s = await x.setup([{ priceFen: 100, sources: [1, 0, 0] }]);
    const o = await x.order([{ productId: s.lots[0].productId, quantity: 1 }]);
    // The deadline waits in the outbox under the order's id, not yet sent to BullMQ.
    const [row] = await x.rows<{ jobName: string; dispatchedAt: Date | null; runAt: Date }>(
      'SELECT job_name AS jobName, dispatched_at AS dispatchedAt, run_at AS runAt FROM outbox WHERE id = ?',
      [o.id],
    );
    expect(row).toMatchObject({ jobName: OrdersJobName.OrderDeadline, dispatchedAt: null });
    await sleep(200); // dispatch rounds run meanwhile
    expect(
      await x.num('SELECT COUNT(*) AS n FROM outbox WHERE id = ? AND dispatched_at IS NULL', [o.id]),
    ).toBe(1);
    expect(await h.t.app.get(QueueService).queue(QueueName.Orders).getJob(o.id)).toBeUndefined();
    expect((await x.pay(o.id)).status).toBe(201);
    await until('PAID', async () => (await x.getOrder(o.id)).status === 'PAID');
    expect(await x.num('SELECT COUNT(*) AS n FROM outbox WHERE id = ?', [o.id])).toBe(0);
    expect(await h.t.app.get(QueueService).queue(QueueName.Orders).getJob(o.id)).toBeUndefined();
    await x.allocated(o.id, 1);
  });

  it('the database keeps one open payment per order: a second PENDING row is refused, a new one after a decline is not', async () => {
    const s = await x.setup([{ priceFen: 100, sources: [1, 0, 0] }]);
    const o = await x.order([{ productId: s.lots[0].productId, quantity: 1 }]);
    await x.script('LOSE');
    const first = await x.pay(o.id);
    expect(first.body.status).toBe('PENDING');
    const insert = (id: string) =>
      h.t.db.query(
        `INSERT INTO payments (id, order_id, provider, status, amount_fen) VALUES (?, ?, 'sandbox', 'PENDING', 100)`,
        [id, o.id],
      );
    const refused = { driverError: expect.objectContaining({ code: 'ER_DUP_ENTRY' }) };
    await expect(insert('01ARZ3NDEKTSV4RRFFQ69G5FA1')).rejects.toMatchObject(refused);
    // The gateway declines the first: the order may be paid again, once.
    expect(await h.t.app.get(SettlementService).settle(first.body.id as string, 'DECLINED', 'sandbox')).toBe(
      'FAILED',
    );
    await insert('01ARZ3NDEKTSV4RRFFQ69G5FA2');
    await expect(insert('01ARZ3NDEKTSV4RRFFQ69G5FA3')).rejects.toMatchObject(refused);
    expect((await x.paymentsOf(o.id)).map((p) => [p.id, p.status])).toEqual([
      ['01ARZ3NDEKTSV4RRFFQ69G5FA2', 'PENDING'],
      [first.body.id, 'FAILED'],
    ]);
    await h.t.db.query(`UPDATE payments SET status = 'CANCELLED' WHERE id = '01ARZ3NDEKTSV4RRFFQ69G5FA2'`);
  });

  describe('refunds', () => {
    const paidOrder = async (lots: Parameters<typeof x.setup>[0], quantity: number) => {
      const s = await x.setup(lots);
      const o = await x.order([{ productId: s.lots[0].productId, quantity }]);
      await x.pay(o.id);
      await until('PAID', async () => (await x.getOrder(o.id)).status === 'PAID');
      await x.allocated(o.id, o.lines.length);
      return { s, o };
    };

    it('a full refund inside the window: REFUNDED, the pending credits voided, the clearing account back to 0', async () => {
      const { s, o } = await paidOrder([{ priceFen: 100, sources: [1, 1, 1] }], 3);
      expect(await x.incomes(s.households)).toEqual([
        [100, 100, 0],
        [100, 100, 0],
        [100, 100, 0],
      ]);
      expect(await x.clearing(o.id)).toBe(-300);

      const asCitizen = await x.refund(o.id, 300, '退货', h.citizen);
      expect(asCitizen.status).toBe(403);

      const res = await x.refund(o.id, 300, '商品破损');
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(ULID),
        orderId: o.id,
        amountFen: 300,
        reason: '商品破损',
        lines: [{ lineId: o.lines[0].id, amountFen: 300 }],
        refundDate: today(),
        createdAt: expect.any(String),
      });
      const after = await x.getOrder(o.id);
      expect([after.status, after.refundedFen, after.lines.map((l) => l.refundedFen)]).toEqual([
        'REFUNDED',
        300,
        [300],
      ]);
      await until('the reversal', async () => (await x.entries(o.id, 'REFUND')) === 1);
      expect(await x.incomes(s.households)).toEqual([
        [0, 0, 0],
        [0, 0, 0],
        [0, 0, 0],
      ]);
      expect(await x.clearing(o.id)).toBe(0);
      const [payment] = await x.paymentsOf(o.id);
      expect(
        await x.num(
          "SELECT SUM(amount_fen) AS n FROM sandbox_transactions WHERE parent_ref = ? AND kind = 'REFUND'",
          [payment.providerRef],
        ),
      ).toBe(300);

      const again = await x.refund(o.id, 1);
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('order-not-refundable');
    });

    it('partial refunds split over the lines and households by largest remainder; too much is 422', async () => {
      // 5 units at 100: 3 from lot A (households 2:1) and 2 from lot B (households 1:2).
      const { s, o } = await paidOrder(
        [
          { priceFen: 100, sources: [2, 1, 0], expiresAt: '2098-01-01' },
          { priceFen: 100, sources: [0, 1, 2], expiresAt: '2099-01-01' },
        ],
        5,
      );
      expect(o.lines.map((l) => [l.lotId, l.amountFen])).toEqual([
        [s.lots[0].lotId, 300],
        [s.lots[1].lotId, 200],
      ]);
      // Lot A: 200/100; lot B: 200 split 1:2 = 67/133.
      expect(await x.incomes(s.households)).toEqual([
        [200, 200, 0],
        [167, 167, 0],
        [133, 133, 0],
      ]);

      const first = await x.refund(o.id, 101);
      expect(first.status).toBe(201);
      // 101 over 300:200 = 60.6/40.4 → 61/40.
      expect(first.body.lines).toEqual([
        { lineId: o.lines[0].id, amountFen: 61 },
        { lineId: o.lines[1].id, amountFen: 40 },
      ]);
      const partly = await x.getOrder(o.id);
      expect([partly.status, partly.refundedFen, partly.lines.map((l) => l.refundedFen)]).toEqual([
        'PARTIALLY_REFUNDED',
        101,
        [61, 40],
      ]);
      await until('the reversal', async () => (await x.entries(o.id, 'REFUND')) === 2);
      // Line A's 61 over 200:100 = 40.67/20.33 → 41/20; line B's 40 over 67:133 = 13.4/26.6 → 13/27.
      expect(await x.incomes(s.households)).toEqual([
        [159, 159, 0],
        [134, 134, 0],
        [106, 106, 0],
      ]);
      expect(await x.clearing(o.id)).toBe(-399);

      const tooMuch = await x.refund(o.id, 400);
      expect(tooMuch.status).toBe(422);
      expect(tooMuch.body.code).toBe('refund-exceeds-payment');
      expect((await x.getOrder(o.id)).refundedFen).toBe(101);

      const rest = await x.refund(o.id, 399);
      expect(rest.status).toBe(201);
      expect(rest.body.lines).toEqual([
        { lineId: o.lines[0].id, amountFen: 239 },
        { lineId: o.lines[1].id, amountFen: 160 },
      ]);
      const done = await x.getOrder(o.id);
      expect([done.status, done.refundedFen, done.lines.map((l) => l.refundedFen)]).toEqual([
        'REFUNDED',
        500,
        [300, 200],
      ]);
      await until('the reversal', async () => (await x.entries(o.id, 'REFUND')) === 4);
      expect(await x.incomes(s.households)).toEqual([
        [0, 0, 0],
        [0, 0, 0],
        [0, 0, 0],
      ]);
      expect(await x.clearing(o.id)).toBe(0);
    });

    it('two concurrent refunds that together exceed the payment: one 201, the other 422; refunded once', async () => {
      const { s, o } = await paidOrder([{ priceFen: 100, sources: [1, 1, 1] }], 3);
      const answers = await Promise.all([x.refund(o.id, 200), x.refund(o.id, 200)]);
      expect(answers.map((a) => a.status).sort()).toEqual([201, 422]);
      expect(answers.find((a) => a.status === 422)!.body.code).toBe('refund-exceeds-payment');
      const after = await x.getOrder(o.id);
      expect([after.status, after.refundedFen, after.lines.map((l) => l.refundedFen)]).toEqual([
        'PARTIALLY_REFUNDED',
        200,
        [200],
      ]);
      const [payment] = await x.paymentsOf(o.id);
      expect(
        await x.num(
          "SELECT SUM(amount_fen) AS n FROM sandbox_transactions WHERE parent_ref = ? AND kind = 'REFUND'",
          [payment.providerRef],
        ),
      ).toBe(200);
      expect(await x.num('SELECT COUNT(*) AS n FROM refunds WHERE order_id = ?', [o.id])).toBe(1);
      await until('the reversal', async () => (await x.entries(o.id, 'REFUND')) === 1);
      // 200 over 100:100:100 → 67/67/66 reversed.
      expect(await x.incomes(s.households)).toEqual([
        [33, 33, 0],
        [33, 33, 0],
        [34, 34, 0],
      ]);
      expect(await x.clearing(o.id)).toBe(-100);
      expect(await x.unbalanced()).toEqual([]);
    });

    it('refund requests that cannot be: 400 bad bodies, 409 an unpaid order, 404 an unknown order', async () => {
      const s = await x.setup([{ priceFen: 100, sources: [1, 0, 0] }]);
      const unpaid = await x.order([{ productId: s.lots[0].productId, quantity: 1 }]);
      for (const body of [
        {},
        { amountFen: 0, reason: 'x' },
        { amountFen: 1.5, reason: 'x' },
        { amountFen: 1 },
      ]) {
        const res = await h.t
          .http()
          .post(`${API}/orders/${unpaid.id}/refunds`)
          .set('Authorization', h.t.adminToken)
          .send(body);
        expect([JSON.stringify(body), res.status, res.body.code]).toEqual([
          JSON.stringify(body),
          400,
          'validation-failed',
        ]);
      }
      const notPaid = await x.refund(unpaid.id, 1);
      expect(notPaid.status).toBe(409);
      expect(notPaid.body.code).toBe('order-not-refundable');
      const unknown = await x.refund(UNKNOWN_ID, 1);
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe('order-not-found');
      expect(await x.num('SELECT COUNT(*) AS n FROM refunds WHERE order_id = ?', [unpaid.id])).toBe(0);
    });
  });
});

describe('refunds after the window (REFUND_WINDOW_DAYS ONLINE:0: credits available at once)', () => {
  const x = harness('payments_avail', { REFUND_WINDOW_DAYS: 'ONLINE:0' });

  it('a refund reverses AVAILABLE credits by the exact amounts', async () => {
    const s = await x.setup([{ priceFen: 100, sources: [1, 1, 1] }]);
    const o = await x.order([{ productId: s.lots[0].productId, quantity: 2 }]);
    await x.pay(o.id);
    await until('PAID', async () => (await x.getOrder(o.id)).status === 'PAID');
    await x.allocated(o.id, 1);
    expect(await x.incomes(s.households)).toEqual([
      [67, 0, 67],
      [67, 0, 67],
      [66, 0, 66],
    ]);

    const part = await x.refund(o.id, 50);
    expect(part.status).toBe(201);
    await until('the reversal', async () => (await x.entries(o.id, 'REFUND')) === 1);
    // 50 over 67:67:66 = 16.75/16.75/16.5 → 17/17/16.
    expect(await x.incomes(s.households)).toEqual([
      [50, 0, 50],
      [50, 0, 50],
      [50, 0, 50],
    ]);
    expect((await x.getOrder(o.id)).status).toBe('PARTIALLY_REFUNDED');

    const rest = await x.refund(o.id, 150);
    expect(rest.status).toBe(201);
    await until('the reversal', async () => (await x.entries(o.id, 'REFUND')) === 2);
    expect(await x.incomes(s.households)).toEqual([
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(await x.clearing(o.id)).toBe(0);
    expect((await x.getOrder(o.id)).status).toBe('REFUNDED');
  });
});

describe('the platform fee (PLATFORM_FEE_BPS ONLINE:250)', () => {
  const x = harness('payments_fee', { PLATFORM_FEE_BPS: 'ONLINE:250' });

  it('is taken from each line before the households are paid, rounded half up, fen for fen', async () => {
    const s = await x.setup([
      { priceFen: 100, sources: [1, 1, 1] },
      { priceFen: 1001, sources: [1, 1, 1] },
    ]);
    const platformBefore = await x.account('PLATFORM', 'platform');
    const o = await x.order([
      { productId: s.lots[0].productId, quantity: 1 },
      { productId: s.lots[1].productId, quantity: 1 },
    ]);
    expect(o.totalFen).toBe(1101);
    await x.pay(o.id);
    await until('PAID', async () => (await x.getOrder(o.id)).status === 'PAID');
    await x.allocated(o.id, 2);
    // Line 1: 100 → fee 3 (2.5 rounded up), 97 → 33/32/32. Line 2: 1001 → fee 25 (25.025), 976 → 326/325/325.
    expect((await x.account('PLATFORM', 'platform')) - platformBefore).toBe(28);
    expect(await x.incomes(s.households)).toEqual([
      [359, 359, 0],
      [357, 357, 0],
      [357, 357, 0],
    ]);
    expect(await x.clearing(o.id)).toBe(-1101);
    const fees = await x.rows<{ amountFen: string }>(
      `SELECT p.amount_fen AS amountFen FROM postings p JOIN journal_entries e ON e.id = p.entry_id
         JOIN ledger_accounts a ON a.id = p.account_id JOIN order_lines l ON l.id = e.order_line_id
        WHERE e.order_id = ? AND a.type = 'PLATFORM' ORDER BY l.line_no`,
      [o.id],
    );
    expect(fees.map((f) => Number(f.amountFen))).toEqual([3, 25]);

    // A full refund takes the fee back too.
    expect((await x.refund(o.id, 1101)).status).toBe(201);
    await until('the reversal', async () => (await x.entries(o.id, 'REFUND')) === 2);
    expect((await x.account('PLATFORM', 'platform')) - platformBefore).toBe(0);
    expect(await x.incomes(s.households)).toEqual([
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(await x.clearing(o.id)).toBe(0);
  });
});
