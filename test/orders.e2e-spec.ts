import { OutboxService } from '@/infrastructure/outbox/outbox.service';
import { QueueName } from '@/infrastructure/queue/jobs';
import { OrdersJobName } from '@/modules/orders/jobs/orders.job-definitions';
import { QueueService } from '@/infrastructure/queue/queue.service';
import { SettlementService } from '@/modules/orders/settlement.service';
import { businessDay, fields } from './support/answers';
import { factory } from './support/factory';
import { startTestApp, TestApp } from './support/test-app';
import { until } from './support/wait';

const API = '/api/v1';
const ULID = /^[0-9A-Z]{26}$/;
const UNKNOWN_ID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

describe('online orders', () => {
  let t: TestApp;
  let f: ReturnType<typeof factory>;
  let households: { id: string }[];
  let supplierId: string;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    t = await startTestApp('orders', { role: 'all', listen: true, env: { OTP_RESEND_SECONDS: '0' } });
    f = factory(t);
    await f.regions();
    households = [await f.household(), await f.household()];
    supplierId = (await f.supplier({ type: 'HOUSEHOLD', householdId: households[0].id })).id;
    alice = await f.citizen('13800000001');
    bob = await f.citizen('13800000002');
  });
  afterAll(() => t.close());

  const order = (token: string, lines: object[]) =>
    t.http().post(`${API}/orders`).set('Authorization', token).send({ lines });
  const getOrder = (id: string, token: string) =>
    t.http().get(`${API}/orders/${id}`).set('Authorization', token);
  const stock = async (productId: string) =>
    (await t.http().get(`${API}/products/${productId}`)).body.stock as number;
  const remaining = async (lotId: string) => {
    const [row] = (await t.db.query('SELECT remaining FROM supply_lots WHERE id = ?', [lotId])) as {
      remaining: number;
    }[];
    return Number(row.remaining);
  };
  const count = async (sql: string, params: unknown[] = []) => {
    const [row] = (await t.db.query(sql, params)) as { n: string }[];
    return Number(row.n);
  };
  const newProduct = async (priceFen: number) => (await f.product(supplierId, { priceFen })).id;
  const newLot = async (productId: string, quantity: number, expiresAt?: string) =>
    (await f.lot(productId, { quantity, ...(expiresAt ? { expiresAt } : {}) })).id;

  describe('POST /orders', () => {
    it('answers 201 with the order: ONLINE, PENDING_PAYMENT, the total, payBy and the lines', async () => {
      const productId = await newProduct(1250);
      const lotId = await newLot(productId, 20);
      const before = Date.now();
      const res = await order(alice, [{ productId, quantity: 3 }]);
      const after = Date.now();
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(ULID),
        channel: 'ONLINE',
        status: 'PENDING_PAYMENT',
        totalFen: 3750,
        refundedFen: 0,
        payBy: expect.any(String),
        paidAt: null,
        attribution: null,
        createdAt: expect.any(String),
        lines: [
          {
            id: expect.stringMatching(ULID),
            productId,
            lotId,
            householdId: null,
            quantity: 3,
            unitPriceFen: 1250,
            amountFen: 3750,
            refundedFen: 0,
          },
        ],
      });
      const payBy = Date.parse(res.body.payBy as string);
      expect(payBy).toBeGreaterThanOrEqual(before + t.env.ORDER_PAY_MINUTES * 60_000 - 1000);
      expect(payBy).toBeLessThanOrEqual(after + t.env.ORDER_PAY_MINUTES * 60_000 + 1000);
      expect(t.env.ORDER_PAY_MINUTES).toBe(15);
      // The stock is held for the order.
      expect(await stock(productId)).toBe(17);
      expect(await remaining(lotId)).toBe(17);
      // What was answered is what is stored.
      expect((await getOrder(res.body.id, alice)).body).toEqual(res.body);
    });

    it('takes stock first-expiring-first, skips expired lots, takes undated lots last and splits a line over lots', async () => {
      const productId = await newProduct(500);
      const undated = await newLot(productId, 5);
      const late = await newLot(productId, 5, '2099-12-31');
      const expired = await newLot(productId, 10, businessDay(-1));
      const soon = await newLot(productId, 2, businessDay(0)); // expires today: still sellable

      const first = await order(alice, [{ productId, quantity: 4 }]);
      expect(first.status).toBe(201);
      expect(first.body.totalFen).toBe(2000);
      expect(
        first.body.lines.map((l: { lotId: string; quantity: number; amountFen: number }) => [
          l.lotId,
          l.quantity,
          l.amountFen,
        ]),
      ).toEqual([
        [soon, 2, 1000],
        [late, 2, 1000],
      ]);

      // 3 left on the dated lot and 5 undated make 8: the 10 expired units never count.
      const tooMany = await order(alice, [{ productId, quantity: 9 }]);
      expect(tooMany.status).toBe(409);
      expect(tooMany.body.code).toBe('out-of-stock');

      const rest = await order(alice, [{ productId, quantity: 8 }]);
      expect(rest.status).toBe(201);
      expect(
        rest.body.lines.map((l: { lotId: string; quantity: number; amountFen: number }) => [
          l.lotId,
          l.quantity,
          l.amountFen,
        ]),
      ).toEqual([
        [late, 3, 1500],
        [undated, 5, 2500],
      ]);
      expect(rest.body.totalFen).toBe(4000);
      expect([await remaining(soon), await remaining(late), await remaining(undated)]).toEqual([0, 0, 0]);
      expect(await remaining(expired)).toBe(10);

      const onlyExpired = await newProduct(500);
      await newLot(onlyExpired, 50, '2020-01-31');
      const none = await order(alice, [{ productId: onlyExpired, quantity: 1 }]);
      expect(none.status).toBe(409);
      expect(none.body.code).toBe('out-of-stock');
    });

    it('takes from the lot the buyer names, even when another expires first', async () => {
      const productId = await newProduct(300);
      const soon = await newLot(productId, 5, '2098-01-01');
      const named = await newLot(productId, 3, '2099-12-31');

      const res = await order(alice, [{ productId, lotId: named, quantity: 2 }]);
      expect(res.status).toBe(201);
      expect(res.body.lines).toEqual([
        expect.objectContaining({ productId, lotId: named, quantity: 2, unitPriceFen: 300, amountFen: 600 }),
      ]);
      expect([await remaining(soon), await remaining(named)]).toEqual([5, 1]);

      // The named lot has 1 left; the other lot's 5 are not used instead.
      const short = await order(alice, [{ productId, lotId: named, quantity: 2 }]);
      expect(short.status).toBe(409);
      expect(short.body.code).toBe('out-of-stock');
      expect([await remaining(soon), await remaining(named)]).toEqual([5, 1]);
    });

    it('an expired lot is not sold even when the buyer names it', async () => {
      const productId = await newProduct(300);
      const expired = await newLot(productId, 5, businessDay(-1));
      const res = await order(alice, [{ productId, lotId: expired, quantity: 1 }]);
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('out-of-stock');
      expect(await remaining(expired)).toBe(5);
    });

    it('409 out-of-stock takes nothing, not even for the lines that could be filled', async () => {
      const plenty = await newProduct(100);
      const plentyLot = await newLot(plenty, 10);
      const scarce = await newProduct(200);
      const scarceLot = await newLot(scarce, 2);
      const orders = await count('SELECT COUNT(*) AS n FROM orders');

      const res = await order(alice, [
        { productId: plenty, quantity: 4 },
        { productId: scarce, quantity: 3 },
      ]);
      expect(res.status).toBe(409);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 409, code: 'out-of-stock' });
      expect([await stock(plenty), await stock(scarce)]).toEqual([10, 2]);
      expect([await remaining(plentyLot), await remaining(scarceLot)]).toEqual([10, 2]);
      expect(await count('SELECT COUNT(*) AS n FROM orders')).toBe(orders);

      // Two lines of different products in one order: both taken.
      const ok = await order(alice, [
        { productId: plenty, quantity: 4 },
        { productId: scarce, quantity: 2 },
      ]);
      expect(ok.status).toBe(201);
      expect(ok.body.totalFen).toBe(800);
      expect(
        ok.body.lines.map((l: { productId: string; quantity: number; amountFen: number }) => [
          l.productId,
          l.quantity,
          l.amountFen,
        ]),
      ).toEqual([
        [plenty, 4, 400],
        [scarce, 2, 400],
      ]);
      expect([await stock(plenty), await stock(scarce)]).toEqual([6, 0]);
    });

    it('two lines of one product share its lots: exactly enough is one order, one unit more is 409 taking nothing', async () => {
      const productId = await newProduct(300);
      const lotId = await newLot(productId, 5);
      const short = await order(alice, [
        { productId, quantity: 3 },
        { productId, quantity: 3 },
      ]);
      expect(short.status).toBe(409);
      expect(short.body.code).toBe('out-of-stock');
      expect(short.body.detail).toContain('line 2');
      expect(await remaining(lotId)).toBe(5);
      const res = await order(alice, [
        { productId, quantity: 3 },
        { productId, quantity: 2 },
      ]);
      expect(res.status).toBe(201);
      expect(res.body.totalFen).toBe(1500);
      expect(res.body.lines.map((l: { lotId: string; quantity: number }) => [l.lotId, l.quantity])).toEqual([
        [lotId, 3],
        [lotId, 2],
      ]);
      expect(await remaining(lotId)).toBe(0);
    });

    it('400 validation-failed for bad bodies and unknown products, writing nothing', async () => {
      const productId = await newProduct(100);
      const lotId = await newLot(productId, 5);
      const orders = await count('SELECT COUNT(*) AS n FROM orders');
      const cases: [object, string[]][] = [
        [{}, ['lines']],
        [{ lines: [] }, ['lines']],
        [{ lines: 'x' }, ['lines']],
        [{ lines: [{ productId, quantity: 0 }] }, ['lines[0].quantity']],
        [{ lines: [{ productId, quantity: 1.5 }] }, ['lines[0].quantity']],
        [{ lines: [{ productId, quantity: '1' }] }, ['lines[0].quantity']],
        [{ lines: [{ productId, quantity: 10_001 }] }, ['lines[0].quantity']],
        [{ lines: [{ quantity: 1 }] }, ['lines[0].productId']],
        [{ lines: [{ productId: 7, quantity: 1 }] }, ['lines[0].productId']],
        [{ lines: [{ productId, quantity: 1, priceFen: 1 }] }, ['lines[0].priceFen']],
        [{ lines: [{ productId, quantity: 1 }], channel: 'KIOSK' }, ['channel']],
        [
          {
            lines: [
              { productId, quantity: 1 },
              { productId: UNKNOWN_ID, quantity: 1 },
            ],
          },
          ['lines[1].productId'],
        ],
      ];
      for (const [body, expected] of cases) {
        const res = await t.http().post(`${API}/orders`).set('Authorization', alice).send(body);
        expect([JSON.stringify(body), res.status, res.body.code]).toEqual([
          JSON.stringify(body),
          400,
          'validation-failed',
        ]);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect([JSON.stringify(body), [...new Set(fields(res.body))]]).toEqual([
          JSON.stringify(body),
          expected,
        ]);
      }
      expect(await count('SELECT COUNT(*) AS n FROM orders')).toBe(orders);
      expect(await remaining(lotId)).toBe(5);
    });

    it('only a citizen places online orders: 403 for an administrator, 401 without a token', async () => {
      const productId = await newProduct(100);
      const lotId = await newLot(productId, 5);
      const asAdmin = await order(t.adminToken, [{ productId, quantity: 1 }]);
      expect(asAdmin.status).toBe(403);
      expect(asAdmin.body.code).toBe('forbidden');
      const anonymous = await t
        .http()
        .post(`${API}/orders`)
        .send({ lines: [{ productId, quantity: 1 }] });
      expect(anonymous.status).toBe(401);
      expect(anonymous.body.code).toBe('unauthenticated');
      expect(await remaining(lotId)).toBe(5);
    });
  });

  it('100 concurrent buyers of a lot with 10 left: exactly 10 orders, 90 × 409, stock 0 and never below', async () => {
    const productId = await newProduct(990);
    const lotId = await newLot(productId, 10);
    const citizens: string[] = [];
    for (let i = 0; i < 100; i += 20) {
      citizens.push(
        ...(await Promise.all(
          Array.from({ length: 20 }, (_, k) => f.citizen(`139${String(i + k).padStart(8, '0')}`)),
        )),
      );
    }
    expect(new Set(citizens).size).toBe(100);

    const ordersBefore = await count('SELECT COUNT(*) AS n FROM orders');
    const deadlinesBefore = await count('SELECT COUNT(*) AS n FROM outbox WHERE job_name = ?', [
      OrdersJobName.OrderDeadline,
    ]);
    const answers = await Promise.all(citizens.map((c) => order(c, [{ productId, quantity: 1 }])));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(90);
    expect(answers.filter((a) => a.status === 409).every((a) => a.body.code === 'out-of-stock')).toBe(true);
    expect(
      answers
        .filter((a) => a.status === 201)
        .every(
          (a) =>
            a.body.totalFen === 990 &&
            a.body.lines.length === 1 &&
            a.body.lines[0].lotId === lotId &&
            a.body.lines[0].quantity === 1,
        ),
    ).toBe(true);
    expect(await remaining(lotId)).toBe(0);
    expect(await stock(productId)).toBe(0);
    expect(
      await count('SELECT COALESCE(SUM(quantity), 0) AS n FROM order_lines WHERE lot_id = ?', [lotId]),
    ).toBe(10);
    expect(
      await count(
        'SELECT COUNT(DISTINCT o.id) AS n FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE l.lot_id = ?',
        [lotId],
      ),
    ).toBe(10);
    expect(await count('SELECT COUNT(*) AS n FROM supply_lots WHERE remaining < 0')).toBe(0);
    // A refused buyer leaves nothing behind: no order row, no deadline.
    expect((await count('SELECT COUNT(*) AS n FROM orders')) - ordersBefore).toBe(10);
    expect(
      (await count('SELECT COUNT(*) AS n FROM outbox WHERE job_name = ?', [OrdersJobName.OrderDeadline])) -
        deadlinesBefore,
    ).toBe(10);
  });

  it('8 concurrent one-unit buyers among many one-unit lots and one large lot: never refused while stock remains', async () => {
    const productId = await newProduct(500);
    const big = await newLot(productId, 1200);
    // 120 one-unit lots that expire first: every buyer's first plan names the same small lot.
    const small: string[] = [];
    for (let i = 0; i < 120; i++) {
      small.push(await newLot(productId, 1, `2098-01-${String((i % 28) + 1).padStart(2, '0')}`));
    }
    const buyers = await Promise.all(
      Array.from({ length: 8 }, (_, k) => f.citizen(`1371000${String(k).padStart(4, '0')}`)),
    );
    // Each buyer orders again as soon as its last order is answered, 30 times.
    const statuses: number[] = [];
    await Promise.all(
      buyers.map(async (b) => {
        for (let i = 0; i < 30; i++) {
          statuses.push((await order(b, [{ productId, quantity: 1 }])).status);
        }
      }),
    );
    expect(statuses.filter((s) => s !== 201)).toEqual([]);
    expect(statuses).toHaveLength(240);
    // FEFO still holds: the 120 small lots are gone first, the other 120 units came from the large lot.
    const left = await Promise.all(small.map(remaining));
    expect(left.reduce((a, b) => a + b, 0)).toBe(0);
    expect(await remaining(big)).toBe(1200 - 120);
    expect(await stock(productId)).toBe(1080);
  });

  describe('certification', () => {
    it('422 product-not-certified for a product whose certificate lapsed or that never had one, taking nothing', async () => {
      const lapsed = (await f.product(supplierId, { certifiedUntil: '2020-12-31' })).id;
      const lapsedLot = await newLot(lapsed, 5);
      const never = (await f.product(supplierId, { certificateNo: undefined, certifiedUntil: undefined })).id;
      const neverLot = await newLot(never, 5);
      const fine = await newProduct(300);
      const fineLot = await newLot(fine, 5);
      for (const productId of [lapsed, never]) {
        const res = await order(alice, [
          { productId: fine, quantity: 1 },
          { productId, quantity: 1 },
        ]);
        expect(res.status).toBe(422);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.body.code).toBe('product-not-certified');
        expect(res.body.errors).toEqual([{ field: 'lines[1].productId', message: expect.any(String) }]);
      }
      expect(await remaining(lapsedLot)).toBe(5);
      expect(await remaining(neverLot)).toBe(5);
      expect(await remaining(fineLot)).toBe(5);
    });

    it('one rule in the order core for every channel: a kiosk or procurement order of an uncertified product is refused too', async () => {
      const { OrdersService } = await import('@/modules/orders/orders.service');
      const { Channel } = await import('@/modules/orders/entities/order.entity');
      const lapsed = (await f.product(supplierId, { certifiedUntil: '2021-06-30' })).id;
      const lotId = await newLot(lapsed, 3);
      const [{ id: buyerUserId }] = (await t.db.query('SELECT id FROM users WHERE username = ?', [
        t.env.ADMIN_USERNAME,
      ])) as { id: string }[];
      for (const channel of [Channel.Kiosk, Channel.Procurement, Channel.Livestream, Channel.Fair]) {
        await expect(
          t.app
            .get(OrdersService)
            .create({ buyerUserId, channel, lines: [{ productId: lapsed, quantity: 1 }] }),
        ).rejects.toMatchObject({ status: 422, code: 'product-not-certified' });
      }
      expect(await remaining(lotId)).toBe(3);
    });
  });

  describe('reading orders', () => {
    let mine: { id: string };
    let paidId: string;

    beforeAll(async () => {
      const productId = await newProduct(700);
      await newLot(productId, 10);
      mine = (await order(bob, [{ productId, quantity: 2 }])).body;
      paidId = (await order(bob, [{ productId, quantity: 1 }])).body.id;
      const pay = await t
        .http()
        .post(`${API}/orders/${paidId}/payments`)
        .set('Authorization', bob)
        .send({ provider: 'sandbox' });
      expect(pay.status).toBe(201);
      await until('PAID', async () => (await getOrder(paidId, bob)).body.status === 'PAID');
    });

    it('the buyer and an administrator see the order; another citizen gets 403; an unknown id 404', async () => {
      const byBuyer = await getOrder(mine.id, bob);
      expect(byBuyer.status).toBe(200);
      expect(byBuyer.body).toEqual(mine);
      const byAdmin = await getOrder(mine.id, t.adminToken);
      expect(byAdmin.status).toBe(200);
      expect(byAdmin.body).toEqual(mine);
      const byOther = await getOrder(mine.id, alice);
      expect(byOther.status).toBe(403);
      expect(byOther.body.code).toBe('forbidden');
      const unknown = await getOrder(UNKNOWN_ID, bob);
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe('order-not-found');
      const anonymous = await t.http().get(`${API}/orders/${mine.id}`);
      expect(anonymous.status).toBe(401);
    });

    it('GET /orders lists only my orders, filtered by status', async () => {
      const all = await t.http().get(`${API}/orders`).set('Authorization', bob);
      expect(all.status).toBe(200);
      expect(all.body.nextCursor).toBeNull();
      expect(all.body.items.map((o: { id: string }) => o.id)).toEqual([mine.id, paidId]);

      const pending = await t.http().get(`${API}/orders?status=PENDING_PAYMENT`).set('Authorization', bob);
      expect(pending.status).toBe(200);
      expect(pending.body).toEqual({ items: [mine], nextCursor: null });

      const paid = await t.http().get(`${API}/orders?status=PAID`).set('Authorization', bob);
      expect(paid.body.items.map((o: { id: string; status: string }) => [o.id, o.status])).toEqual([
        [paidId, 'PAID'],
      ]);

      const page = await t.http().get(`${API}/orders?limit=1`).set('Authorization', bob);
      expect(page.body.items.map((o: { id: string }) => o.id)).toEqual([mine.id]);
      expect(page.body.nextCursor).toBe(mine.id);
      const next = await t
        .http()
        .get(`${API}/orders?limit=1&cursor=${page.body.nextCursor as string}`)
        .set('Authorization', bob);
      expect(next.body).toMatchObject({ items: [{ id: paidId }], nextCursor: null });

      // Alice's orders are not Bob's.
      const alices = await t.http().get(`${API}/orders`).set('Authorization', alice);
      expect(alices.body.items.some((o: { id: string }) => o.id === mine.id || o.id === paidId)).toBe(false);

      const bad = await t.http().get(`${API}/orders?status=SHIPPED`).set('Authorization', bob);
      expect(bad.status).toBe(400);
      expect(bad.body.code).toBe('validation-failed');
      expect(fields(bad.body)).toEqual(['status']);
    });
  });

  describe('the payment deadline', () => {
    it('the deadline waits in the outbox and goes to BullMQ as a delayed job a minute before payBy', async () => {
      const productId = await newProduct(100);
      await newLot(productId, 3);
      const created = await order(alice, [{ productId, quantity: 1 }]);
      const id = created.body.id as string;
      const outbox = t.app.get(OutboxService);
      const queue = t.app.get(QueueService).queue(QueueName.Orders);
      await outbox.dispatch();
      expect(
        await count('SELECT COUNT(*) AS n FROM outbox WHERE id = ? AND dispatched_at IS NULL', [id]),
      ).toBe(1);
      expect(await queue.getJob(id)).toBeUndefined();
      // Half a minute before payBy it is due for the queue.
      const soon = new Date(Date.now() + 30_000);
      await t.db.query('UPDATE orders SET pay_by = ? WHERE id = ?', [soon, id]);
      await t.db.query('UPDATE outbox SET run_at = ? WHERE id = ?', [soon, id]);
      await outbox.dispatch(); // or the app's own dispatcher, whichever comes first
      await until('the deadline job', async () => (await queue.getJob(id)) !== undefined);
      const job = await queue.getJob(id);
      expect(job?.name).toBe(OrdersJobName.OrderDeadline);
      expect(job?.data).toEqual({ orderId: id });
      expect(job!.opts.delay).toBeGreaterThan(20_000);
      expect(job!.opts.delay).toBeLessThanOrEqual(30_000);
      expect(await job!.getState()).toBe('delayed');
      await job!.remove();
    });

    it('an unpaid order past payBy is CANCELLED by the OrderDeadline job and its stock returns', async () => {
      const productId = await newProduct(450);
      const lotA = await newLot(productId, 2, '2098-06-30');
      const lotB = await newLot(productId, 4, '2099-06-30');
      const created = await order(alice, [{ productId, quantity: 5 }]);
      expect(created.status).toBe(201);
      expect(
        created.body.lines.map((l: { lotId: string; quantity: number }) => [l.lotId, l.quantity]),
      ).toEqual([
        [lotA, 2],
        [lotB, 3],
      ]);
      expect(await stock(productId)).toBe(1);
      const id = created.body.id as string;

      // The deadline job before payBy leaves the order alone.
      expect(await t.app.get(SettlementService).expireOrder(id)).toBe('early');
      expect((await getOrder(id, alice)).body.status).toBe('PENDING_PAYMENT');

      await t.db.query('UPDATE orders SET pay_by = UTC_TIMESTAMP(3) - INTERVAL 1 SECOND WHERE id = ?', [id]);
      // Past payBy but not yet cancelled: too late to pay.
      const late = await t
        .http()
        .post(`${API}/orders/${id}/payments`)
        .set('Authorization', alice)
        .send({ provider: 'sandbox' });
      expect(late.status).toBe(409);
      expect(late.body.code).toBe('order-expired');
      expect(await count('SELECT COUNT(*) AS n FROM payments WHERE order_id = ?', [id])).toBe(0);

      await t.app.get(QueueService).add(OrdersJobName.OrderDeadline, { orderId: id });
      await until('CANCELLED', async () => (await getOrder(id, alice)).body.status === 'CANCELLED');
      expect(await stock(productId)).toBe(6);
      expect([await remaining(lotA), await remaining(lotB)]).toEqual([2, 4]);

      const afterwards = await t
        .http()
        .post(`${API}/orders/${id}/payments`)
        .set('Authorization', alice)
        .send({ provider: 'sandbox' });
      expect(afterwards.status).toBe(409);
      expect(afterwards.body.code).toBe('order-not-payable');

      // The job again (a retry, a duplicate): the stock is not returned twice.
      expect(await t.app.get(SettlementService).expireOrder(id)).toBe('unchanged');
      expect(await stock(productId)).toBe(6);
      const byAdmin = await getOrder(id, t.adminToken);
      expect(byAdmin.body).toMatchObject({ status: 'CANCELLED', totalFen: 2250, paidAt: null });
    });
  });
});
