import { businessDate } from '@/common/time';
import { businessDay } from './support/answers';
import { factory } from './support/factory';
import { startTestApp, TestApp } from './support/test-app';
import { until } from './support/wait';

const API = '/api/v1';
const CHANNELS = ['KIOSK', 'LIVESTREAM', 'PROCUREMENT', 'FAIR', 'ONLINE'];

/** The per-channel figures of a reconciliation: ONLINE as given, every other channel 0. */
const onlineOnly = (fen: number) =>
  Object.fromEntries(
    CHANNELS.map((c) => [
      c,
      c === 'ONLINE'
        ? { paymentsFen: fen, paidOrdersFen: fen, postedFen: fen }
        : { paymentsFen: 0, paidOrdersFen: 0, postedFen: 0 },
    ]),
  );

describe('reconciliation and payouts', () => {
  let t: TestApp;
  let f: ReturnType<typeof factory>;
  let citizen: string;
  let today: string;

  beforeAll(async () => {
    t = await startTestApp('recon_payouts', {
      role: 'all',
      listen: true,
      // Online credits are available at once, so they can be paid out in this test.
      env: { OTP_RESEND_SECONDS: '0', REFUND_WINDOW_DAYS: 'ONLINE:0' },
    });
    f = factory(t);
    await f.regions();
    citizen = await f.citizen('13700000201');
    today = businessDate();
  });
  afterAll(() => t.close());

  const income = async (id: string) => {
    const res = await t.http().get(`${API}/households/${id}/income`).set('Authorization', t.adminToken);
    expect(res.status).toBe(200);
    return res.body;
  };

  const entriesOf = async (orderId: string) =>
    Number(
      (await t.db.query('SELECT COUNT(*) AS n FROM journal_entries WHERE order_id = ?', [orderId]))[0].n,
    );

  /** A citizen orders and starts paying through the sandbox. */
  async function order(lines: { productId: string; quantity: number }[]) {
    const o = await t.http().post(`${API}/orders`).set('Authorization', citizen).send({ lines });
    expect(o.status).toBe(201);
    const pay = await t
      .http()
      .post(`${API}/orders/${o.body.id}/payments`)
      .set('Authorization', citizen)
      .send({ provider: 'sandbox' });
    expect(pay.status).toBe(201);
    expect(pay.body.status).toBe('PENDING');
    const [{ ref }] = await t.db.query('SELECT provider_ref AS ref FROM payments WHERE id = ?', [
      pay.body.id,
    ]);
    return {
      id: o.body.id as string,
      totalFen: o.body.totalFen as number,
      lines: o.body.lines as { id: string; amountFen: number }[],
      paymentId: pay.body.id as string,
      ref: ref as string,
    };
  }

  /** Orders, pays, and waits until the order is PAID and every line is on the books. */
  async function paidOrder(lines: { productId: string; quantity: number }[]) {
    const o = await order(lines);
    await until('the order paid and allocated', async () => (await entriesOf(o.id)) === o.lines.length);
    const got = await t.http().get(`${API}/orders/${o.id}`).set('Authorization', citizen);
    expect(got.body.status).toBe('PAID');
    return o;
  }

  /** Asks for a reconciliation of `date` and waits until it is no longer RUNNING. */
  async function reconcile(date: string) {
    const res = await t
      .http()
      .post(`${API}/ledger/reconciliations`)
      .set('Authorization', t.adminToken)
      .send({ date });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ date, status: 'RUNNING' });
    return until(
      `reconciliation of ${date}`,
      async () => {
        const got = await t
          .http()
          .get(`${API}/ledger/reconciliations/${date}`)
          .set('Authorization', t.adminToken);
        expect(got.status).toBe(200);
        return got.body.status !== 'RUNNING' && got.body;
      },
      15_000,
    );
  }

  const saleEntry = async (lineId: string) =>
    (
      await t.db.query(
        `SELECT a.type, a.owner_id AS ownerId, p.amount_fen AS amountFen FROM journal_entries e
           JOIN postings p ON p.entry_id = e.id JOIN ledger_accounts a ON a.id = p.account_id
          WHERE e.idempotency_key = ? ORDER BY a.type, a.owner_id`,
        [`sale:${lineId}`],
      )
    ).map((p: any) => [p.type, p.ownerId, Number(p.amountFen)]);

  // ------------------------------------------------------------------------------------------------
  describe('daily reconciliation', () => {
    let hh: { id: string };
    let tea: { id: string };
    let eggs: { id: string };
    let expectedFen = 0;

    beforeAll(async () => {
      hh = await f.household();
      const supplier = await f.supplier({ type: 'HOUSEHOLD', householdId: hh.id });
      tea = await f.product(supplier.id, { name: '三峡绿茶', priceFen: 1234 });
      eggs = await f.product(supplier.id, { name: '土鸡蛋', priceFen: 999 });
      await f.lot(tea.id, { quantity: 100, sources: [{ householdId: hh.id, quantity: 100 }] });
      await f.lot(eggs.id, { quantity: 100, sources: [{ householdId: hh.id, quantity: 100 }] });
    });

    it('validates its input: a bad date is 400, a date never reconciled 404, a non-admin 403', async () => {
      const bad = await t
        .http()
        .post(`${API}/ledger/reconciliations`)
        .set('Authorization', t.adminToken)
        .send({ date: '2026-02-30' });
      expect(bad.status).toBe(400);
      expect(bad.body.code).toBe('validation-failed');
      const never = await t
        .http()
        .get(`${API}/ledger/reconciliations/2020-01-02`)
        .set('Authorization', t.adminToken);
      expect(never.status).toBe(404);
      expect(never.body.code).toBe('reconciliation-not-found');
      const asCitizen = await t
        .http()
        .post(`${API}/ledger/reconciliations`)
        .set('Authorization', citizen)
        .send({ date: today });
      expect(asCitizen.status).toBe(403);
    });

    it('a business date that has not begun in Asia/Shanghai is 422 date-in-future, and nothing is recorded', async () => {
      const tomorrow = businessDay(1);
      const res = await t
        .http()
        .post(`${API}/ledger/reconciliations`)
        .set('Authorization', t.adminToken)
        .send({ date: tomorrow });
      expect(res.status).toBe(422);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.code).toBe('date-in-future');
      expect(res.body.detail).toContain('Asia/Shanghai');
      const after = await t
        .http()
        .get(`${API}/ledger/reconciliations/${tomorrow}`)
        .set('Authorization', t.adminToken);
      expect(after.status).toBe(404);
    });

    it('a quiet day balances at zero', async () => {
      expect(await reconcile('2020-01-01')).toEqual({
        date: '2020-01-01',
        status: 'BALANCED',
        paymentsFen: 0,
        paidOrdersFen: 0,
        postedFen: 0,
        byChannel: onlineOnly(0),
        discrepancies: [],
      });
    });

    it("today's paid orders: payments = paid orders = postings, fen for fen, BALANCED", async () => {
      const orders = [
        await paidOrder([{ productId: tea.id, quantity: 2 }]),
        await paidOrder([{ productId: eggs.id, quantity: 1 }]),
        await paidOrder([
          { productId: tea.id, quantity: 1 },
          { productId: eggs.id, quantity: 3 },
        ]),
      ];
      expect(orders.map((o) => o.totalFen)).toEqual([2468, 999, 4231]);
      expectedFen = 2468 + 999 + 4231;
      expect((await income(hh.id)).totalFen).toBe(expectedFen);

      expect(await reconcile(today)).toEqual({
        date: today,
        status: 'BALANCED',
        paymentsFen: expectedFen,
        paidOrdersFen: expectedFen,
        postedFen: expectedFen,
        byChannel: onlineOnly(expectedFen),
        discrepancies: [],
      });
    });

    it('a sale entry that went missing is allocated again and reported as healed', async () => {
      const [third] = await t.db.query(
        'SELECT l.order_id AS orderId, l.id AS lineId FROM order_lines l JOIN products p ON p.id = l.product_id WHERE p.id = ? AND l.quantity = 3',
        [eggs.id],
      );
      const before = await saleEntry(third.lineId);
      expect(before).toEqual([
        ['HOUSEHOLD', hh.id, 2997],
        ['PAYMENT_CLEARING', 'sandbox', -2997],
      ]);
      const [{ id: entryId }] = await t.db.query('SELECT id FROM journal_entries WHERE idempotency_key = ?', [
        `sale:${third.lineId}`,
      ]);
      await t.db.query('DELETE FROM postings WHERE entry_id = ?', [entryId]);
      await t.db.query('DELETE FROM journal_entries WHERE id = ?', [entryId]);
      expect((await income(hh.id)).totalFen).toBe(expectedFen - 2997);

      expect(await reconcile(today)).toEqual({
        date: today,
        status: 'BALANCED',
        paymentsFen: expectedFen,
        paidOrdersFen: expectedFen,
        postedFen: expectedFen,
        byChannel: onlineOnly(expectedFen),
        discrepancies: [
          {
            kind: 'missing-allocation',
            orderId: third.orderId,
            lineId: third.lineId,
            detail: `line ${third.lineId} had no sale entry; allocated now`,
            healed: true,
          },
        ],
      });
      expect(await saleEntry(third.lineId)).toEqual(before);
      expect((await income(hh.id)).totalFen).toBe(expectedFen);
    });

    it('a payment the gateway settled but never notified is settled by the reconciliation', async () => {
      const script = await t
        .http()
        .post(`${API}/dev/sandbox/script`)
        .set('Authorization', t.adminToken)
        .send({ behaviours: ['LOSE'] });
      expect(script.status).toBe(200);
      expect(script.body).toEqual({ queued: 1 });

      const lost = await order([{ productId: tea.id, quantity: 1 }]);
      // Well past the sandbox's notification delay: nothing arrived, the order still waits.
      await new Promise((r) => setTimeout(r, 400));
      const waiting = await t.http().get(`${API}/orders/${lost.id}`).set('Authorization', citizen);
      expect(waiting.body.status).toBe('PENDING_PAYMENT');
      expect(await entriesOf(lost.id)).toBe(0);

      expectedFen += 1234;
      const rec = await reconcile(today);
      expect(rec).toMatchObject({
        status: 'BALANCED',
        paymentsFen: expectedFen,
        paidOrdersFen: expectedFen,
        postedFen: expectedFen,
        byChannel: onlineOnly(expectedFen),
      });
      expect(rec.discrepancies).toContainEqual({
        kind: 'payment-never-notified',
        paymentId: lost.paymentId,
        detail: `${lost.ref} was settled by sandbox but still PENDING here; now CAPTURED`,
        healed: true,
      });
      // Whether the worker or the reconciliation allocated the newly paid order first, all is healed.
      for (const d of rec.discrepancies) {
        expect(d.healed).toBe(true);
        expect(['payment-never-notified', 'missing-allocation']).toContain(d.kind);
        if (d.kind === 'missing-allocation') {
          expect(d.orderId).toBe(lost.id);
        }
      }
      const paid = await t.http().get(`${API}/orders/${lost.id}`).set('Authorization', citizen);
      expect(paid.body.status).toBe('PAID');
      const payment = await t.http().get(`${API}/payments/${lost.paymentId}`).set('Authorization', citizen);
      expect(payment.body).toMatchObject({ status: 'CAPTURED', amountFen: 1234 });
      expect(await entriesOf(lost.id)).toBe(1);
      expect((await income(hh.id)).totalFen).toBe(expectedFen);
    });

    it('a captured payment missing from the statement leaves DISCREPANCIES', async () => {
      const o = await paidOrder([{ productId: eggs.id, quantity: 2 }]);
      expectedFen += 1998;
      await t.db.query('DELETE FROM sandbox_transactions WHERE ref = ?', [o.ref]);

      expect(await reconcile(today)).toEqual({
        date: today,
        status: 'DISCREPANCIES',
        paymentsFen: expectedFen,
        paidOrdersFen: expectedFen,
        postedFen: expectedFen,
        byChannel: onlineOnly(expectedFen),
        discrepancies: [
          {
            kind: 'payment-missing-from-statement',
            paymentId: o.paymentId,
            detail: `${o.ref} is captured here but not on sandbox's statement`,
            actualFen: 1998,
            healed: false,
          },
        ],
      });
    });
  });

  // ------------------------------------------------------------------------------------------------
  describe('payout batches', () => {
    const BANK = {
      p1: '6228480012345678901',
      p2: '6217000011112222333',
      p4: '6222020200112233445',
    };
    let p1: { id: string; registryNo: string };
    let p2: { id: string; registryNo: string };
    let p3: { id: string; registryNo: string };
    let p4: { id: string; registryNo: string };
    let batchId: string;

    const createBatch = (body: object) =>
      t.http().post(`${API}/ledger/payouts`).set('Authorization', t.adminToken).send(body);

    const negativeBalances = () =>
      t.db.query(
        `SELECT a.owner_id FROM ledger_accounts a JOIN postings p ON p.account_id = a.id
          WHERE a.type = 'HOUSEHOLD' AND p.available_on <= ? GROUP BY a.owner_id HAVING SUM(p.amount_fen) < 0`,
        [today],
      );

    beforeAll(async () => {
      const hh = (bankAccount?: string) => f.household(bankAccount ? { bankAccount } : {}) as Promise<any>;
      p1 = await hh(BANK.p1);
      p2 = await hh(BANK.p2);
      p3 = await hh(); // no bank account: never in a batch
      p4 = await hh(BANK.p4);
      const supplier = await f.supplier({ type: 'HOUSEHOLD', householdId: p1.id });
      const honey = await f.product(supplier.id, { name: '蜂蜜', priceFen: 4001 });
      await f.lot(honey.id, {
        quantity: 50,
        sources: [
          { householdId: p1.id, quantity: 24 },
          { householdId: p2.id, quantity: 4 },
          { householdId: p3.id, quantity: 12 },
          { householdId: p4.id, quantity: 10 },
        ],
      });
      // 25 × 4001 = 100,025 fen, split 24 : 4 : 12 : 10.
      await paidOrder([{ productId: honey.id, quantity: 25 }]);
    });

    it('with no refund window the credits are available at once', async () => {
      const figures = await Promise.all([p1, p2, p3, p4].map((h) => income(h.id)));
      expect(figures.map((b) => [b.totalFen, b.pendingFen, b.availableFen, b.balanceFen])).toEqual([
        [48_012, 0, 48_012, 48_012],
        [8002, 0, 8002, 8002],
        [24_006, 0, 24_006, 24_006],
        [20_005, 0, 20_005, 20_005],
      ]);
    });

    it('a batch takes every available balance ≥ the minimum of households with a bank account', async () => {
      const res = await createBatch({ minimumFen: 20_000 });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.any(String),
        status: 'CREATED',
        minimumFen: 20_000,
        totalFen: 48_012 + 20_005,
        lineCount: 2,
        bankReference: null,
        paidAt: null,
        createdAt: expect.any(String),
      });
      batchId = res.body.id;

      const got = await t.http().get(`${API}/ledger/payouts/${batchId}`).set('Authorization', t.adminToken);
      expect(got.status).toBe(200);
      expect(got.body.lines).toEqual(
        [
          { householdId: p1.id, amountFen: 48_012 },
          { householdId: p4.id, amountFen: 20_005 },
        ].sort((a, b) => (a.householdId < b.householdId ? -1 : 1)),
      );
    });

    it('the bank file is CSV with the clear bank account and the amount in yuan and in fen', async () => {
      const res = await t
        .http()
        .get(`${API}/ledger/payouts/${batchId}/file`)
        .set('Authorization', t.adminToken)
        .buffer(true)
        .parse((r, cb) => {
          let s = '';
          r.setEncoding('utf8');
          r.on('data', (c: string) => (s += c));
          r.on('end', () => cb(null, s));
        });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      const rows = [
        { h: p1, bank: BANK.p1, yuan: '480.12', fen: '48012' },
        { h: p4, bank: BANK.p4, yuan: '200.05', fen: '20005' },
      ].sort((a, b) => (a.h.id < b.h.id ? -1 : 1));
      const expected =
        '\ufeff' +
        [
          'seq,registry_no,payee_name,bank_account,amount_yuan,amount_fen,memo',
          ...rows.map(
            (r, i) =>
              `${i + 1},${r.h.registryNo},王德明,${r.bank},${r.yuan},${r.fen},消费扶贫收益 ${batchId}`,
          ),
        ].join('\r\n') +
        '\r\n';
      expect(res.body).toBe(expected);
    });

    it('nobody is paid twice: the next batch is 422 nothing-to-pay, balances are 0 and never negative', async () => {
      const again = await createBatch({ minimumFen: 20_000 });
      expect(again.status).toBe(422);
      expect(again.body.code).toBe('nothing-to-pay');

      const [a1, a2, a3, a4] = await Promise.all([p1, p2, p3, p4].map((h) => income(h.id)));
      expect([a1.totalFen, a1.availableFen, a1.paidOutFen, a1.balanceFen]).toEqual([
        48_012, 48_012, 48_012, 0,
      ]);
      expect([a4.totalFen, a4.availableFen, a4.paidOutFen, a4.balanceFen]).toEqual([
        20_005, 20_005, 20_005, 0,
      ]);
      expect([a2.paidOutFen, a2.balanceFen]).toEqual([0, 8002]);
      expect([a3.paidOutFen, a3.balanceFen]).toEqual([0, 24_006]);
      expect(await negativeBalances()).toEqual([]);

      // A lower minimum now reaches the small balance, and only it.
      const small = await createBatch({ minimumFen: 1 });
      expect(small.status).toBe(201);
      expect(small.body).toMatchObject({ lineCount: 1, totalFen: 8002, minimumFen: 1 });
      const lines = await t
        .http()
        .get(`${API}/ledger/payouts/${small.body.id}`)
        .set('Authorization', t.adminToken);
      expect(lines.body.lines).toEqual([{ householdId: p2.id, amountFen: 8002 }]);
      expect((await income(p2.id)).balanceFen).toBe(0);
      expect(await negativeBalances()).toEqual([]);
      expect((await createBatch({ minimumFen: 1 })).status).toBe(422);
    });

    it('the bank confirms: PAID with its reference, once; 409 payout-already-paid after', async () => {
      const paid = () =>
        t
          .http()
          .post(`${API}/ledger/payouts/${batchId}/paid`)
          .set('Authorization', t.adminToken)
          .send({ reference: 'ICBC-20261129-0001' });
      const first = await paid();
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({
        id: batchId,
        status: 'PAID',
        totalFen: 68_017,
        lineCount: 2,
        bankReference: 'ICBC-20261129-0001',
      });
      expect(Number.isNaN(Date.parse(first.body.paidAt))).toBe(false);

      const second = await paid();
      expect(second.status).toBe(409);
      expect(second.body.code).toBe('payout-already-paid');
      const [{ n }] = await t.db.query(
        "SELECT COUNT(*) AS n FROM journal_entries WHERE kind = 'PAYOUT_PAID'",
      );
      expect(Number(n)).toBe(1);

      const unknown = await t
        .http()
        .post(`${API}/ledger/payouts/01ARZ3NDEKTSV4RRFFQ69G5FAV/paid`)
        .set('Authorization', t.adminToken)
        .send({ reference: 'X' });
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe('payout-not-found');
      const noRef = await t
        .http()
        .post(`${API}/ledger/payouts/${batchId}/paid`)
        .set('Authorization', t.adminToken)
        .send({});
      expect(noRef.status).toBe(400);
    });

    it('8 callers at once, round after round: one batch a round, every available fen paid once, never a 5xx', async () => {
      // Households of their own: three with a bank account, one without (never paid).
      const banked = [
        await f.household({ bankAccount: '6228480099990000001' }),
        await f.household({ bankAccount: '6228480099990000002' }),
        await f.household({ bankAccount: '6228480099990000003' }),
      ];
      const unbanked = await f.household();
      const supplier = await f.supplier({ type: 'HOUSEHOLD', householdId: banked[0].id });
      const tea = await f.product(supplier.id, { name: '绿茶', priceFen: 3337 });
      await f.lot(tea.id, {
        quantity: 1000,
        sources: [
          { householdId: banked[0].id, quantity: 370 },
          { householdId: banked[1].id, quantity: 330 },
          { householdId: banked[2].id, quantity: 200 },
          { householdId: unbanked.id, quantity: 100 },
        ],
      });
      // Every household this file made: whoever has a bank account and a balance is in the batch.
      const everyone = [p1, p2, p3, p4, ...banked, unbanked];
      const withBank = new Set([p1, p2, p4, ...banked].map((h) => h.id));
      const balances = async () =>
        new Map(
          await Promise.all(
            everyone.map(async (h) => [h.id, (await income(h.id)).balanceFen as number] as const),
          ),
        );

      for (let round = 0; round < 4; round++) {
        await paidOrder([{ productId: tea.id, quantity: 3 + round }]);
        const before = await balances();
        const due = [...before].filter(([id, fen]) => withBank.has(id) && fen > 0);
        expect(due.length).toBeGreaterThanOrEqual(3);

        const answers = await Promise.all(Array.from({ length: 8 }, () => createBatch({ minimumFen: 1 })));
        expect(answers.filter((a) => a.status >= 500).map((a) => [a.status, a.body])).toEqual([]);
        const made = answers.filter((a) => a.status === 201);
        expect(made).toHaveLength(1);
        // The others are told clearly why they made none.
        for (const a of answers.filter((x) => x.status !== 201)) {
          expect([
            [409, 'payout-in-progress'],
            [422, 'nothing-to-pay'],
          ]).toContainEqual([a.status, a.body.code]);
        }

        const batch = made[0].body;
        const got = await t
          .http()
          .get(`${API}/ledger/payouts/${batch.id}`)
          .set('Authorization', t.adminToken);
        expect(got.status).toBe(200);
        expect(
          (got.body.lines as { householdId: string; amountFen: number }[])
            .map((l) => [l.householdId, l.amountFen])
            .sort(),
        ).toEqual(due.map(([id, fen]) => [id, fen]).sort());
        const dueFen = due.reduce((s, [, fen]) => s + fen, 0);
        expect(batch.totalFen).toBe(dueFen);
        expect(batch.lineCount).toBe(due.length);

        // Paid once: every balance with a bank account is 0, the one without keeps its money.
        const after = await balances();
        for (const h of everyone) {
          expect([h.id, after.get(h.id)]).toEqual([h.id, withBank.has(h.id) ? 0 : before.get(h.id)]);
        }
        expect(await negativeBalances()).toEqual([]);
      }
    }, 60_000);

    it('every journal entry sums to zero', async () => {
      expect(
        await t.db.query('SELECT entry_id FROM postings GROUP BY entry_id HAVING SUM(amount_fen) <> 0'),
      ).toEqual([]);
    });
  });
});
