import { SandboxProvider } from '@/infrastructure/payments/sandbox.provider';
import { CabinetsService } from '@/modules/kiosk/cabinets.service';
import { KioskSettlementService } from '@/modules/kiosk/kiosk-settlement.service';
import { KioskWatchdog } from '@/modules/kiosk/kiosk-watchdog.service';
import { RefundsService } from '@/modules/orders/refunds.service';
import { AllocationService } from '@/modules/ledger/allocation.service';
import { CabinetSimulator } from '@/modules/kiosk/device/cabinet-simulator';
import { factory } from './support/factory';
import { agreedCitizen, StockedCabinet, stockedCabinet } from './support/kiosk';
import { startTestApp, TestApp } from './support/test-app';
import { until } from './support/wait';

const API = '/api/v1';

/**
 * Cabinet sessions beyond the happy path, over the real broker and the real cabinet simulator: every error
 * of the unlock, twenty phones at one cabinet, timers that keep a session from hanging, weights the rule
 * cannot read, nothing taken, a declined charge, a dispute, the operator's resolution, restocking.
 */
describe('smart cabinets: sessions', () => {
  let t: TestApp;
  let c: StockedCabinet;
  let sim: CabinetSimulator;
  let phoneSeq = 0;
  const nextPhone = () => `1390000${String(1000 + ++phoneSeq).padStart(4, '0')}`;

  beforeAll(async () => {
    t = await startTestApp('kiosksess', {
      role: 'all',
      listen: true,
      env: {
        KIOSK_UNLOCK_SECONDS: '2',
        KIOSK_DOOR_ALERT_SECONDS: '2',
        KIOSK_SESSION_LOST_SECONDS: '4',
        KIOSK_OFFLINE_SECONDS: '3',
      },
    });
    c = await stockedCabinet(t, 'sess', { heartbeatMs: 1000 });
    sim = c.sim;
    await until('online', async () => (await cabinet()).status === 'ONLINE');
  });
  afterAll(async () => {
    await sim.stop();
    await t.close();
  });

  const cabinet = async (code = c.code) =>
    (await t.http().get(`${API}/cabinets/${code}`).set('Authorization', t.adminToken)).body;
  const session = async (id: string) =>
    (await t.http().get(`${API}/kiosk/sessions/${id}`).set('Authorization', t.adminToken)).body;
  const unlock = (token: string, qrUrl = c.qrUrl) =>
    t.http().post(`${API}/kiosk/sessions`).set('Authorization', token).send({ qrUrl });
  /** Opens the door for a citizen and waits until the session is OPEN. */
  const openFor = async (token: string): Promise<string> => {
    const res = await unlock(token);
    expect(res.status).toBe(201);
    await until('OPEN', async () => (await session(res.body.id)).status === 'OPEN');
    return res.body.id as string;
  };
  const settled = (id: string) =>
    until('settled', async () => {
      const s = await session(id);
      return (
        s.status !== 'OPEN' &&
        s.status !== 'UNLOCKING' &&
        (s.status !== 'SETTLED' || s.payment !== 'CHARGING') &&
        s
      );
    });

  it('a forged or altered QR, and an unknown cabinet, are 404 cabinet-not-found; no session is opened', async () => {
    const token = await agreedCitizen(t, nextPhone());
    const url = new URL(c.qrUrl);
    const t0 = url.searchParams.get('t')!;
    url.searchParams.set('t', (t0[0] === 'A' ? 'B' : 'A') + t0.slice(1));
    for (const forged of [
      url.toString(),
      c.qrUrl.replace(c.code, `${c.code}X`),
      c.qrUrl.split('?')[0],
      'https://evil.example.com/phish',
      'not a url',
    ]) {
      const res = await unlock(token, forged);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('cabinet-not-found');
    }
    const none = await t.db.query('SELECT COUNT(*) AS n FROM kiosk_sessions');
    expect(Number(none[0].n)).toBe(0);
  });

  it('a scanned code tells anyone the cabinet and whether it can be opened; a forged one is 404', async () => {
    const ok = await t.http().get(`${API}/kiosk/scan`).query({ qrUrl: c.qrUrl });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({
      code: c.code,
      name: '万州区行政中心专柜',
      address: '万州区行政中心一楼大厅',
      siteType: 'GOVERNMENT',
      status: 'ONLINE',
      busy: false,
    });
    const forged = await t
      .http()
      .get(`${API}/kiosk/scan`)
      .query({ qrUrl: c.qrUrl.replace(c.code, `${c.code}X`) });
    expect(forged.status).toBe(404);
    expect(forged.body.code).toBe('cabinet-not-found');
  });

  it('a citizen without a pay-after-use agreement is 402 payment-agreement-required', async () => {
    const token = await factory(t).citizen(nextPhone());
    const res = await unlock(token);
    expect(res.status).toBe(402);
    expect(res.body.code).toBe('payment-agreement-required');
  });

  it('twenty phones scanning one cabinet at once: exactly one session opens, nineteen are 409 cabinet-busy', async () => {
    const tokens = await Promise.all(Array.from({ length: 20 }, () => agreedCitizen(t, nextPhone())));
    const unlocks: unknown[] = [];
    sim.on('unlock', (m) => unlocks.push(m));
    const answers = await Promise.all(tokens.map((tk) => unlock(tk)));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    expect(answers.filter((a) => a.status === 409).every((a) => a.body.code === 'cabinet-busy')).toBe(true);
    const winner = answers.find((a) => a.status === 201)!;
    await until('OPEN', async () => (await session(winner.body.id)).status === 'OPEN');
    expect(unlocks).toHaveLength(1);
    sim.removeAllListeners('unlock');
    // Nothing taken: the session is cancelled with no charge, and the cabinet is free again.
    await sim.closeDoor();
    expect(await settled(winner.body.id)).toMatchObject({
      status: 'CANCELLED',
      totalFen: 0,
      orderId: null,
      payment: 'NONE',
    });
    expect((await unlock(tokens[0])).status).toBe(201);
  });

  it('a door that does not open within the unlock time cancels the session', async () => {
    // The previous test's last unlock is still waiting: the simulator opened it; close it first.
    const [open] = await t.db.query("SELECT id FROM kiosk_sessions WHERE status IN ('UNLOCKING','OPEN')");
    if (open) {
      await until('OPEN', async () => (await session(open.id)).status === 'OPEN');
      await sim.closeDoor();
      await settled(open.id);
    }
    const lazy = new CabinetSimulator({
      code: c.code,
      secret: c.secret,
      url: t.env.MQTT_URL,
      autoOpen: false,
      heartbeatMs: 1000,
      slots: sim.weights,
    });
    await sim.stop();
    await lazy.start();
    try {
      const token = await agreedCitizen(t, nextPhone());
      const res = await unlock(token);
      expect(res.status).toBe(201);
      const s = await until(
        'cancelled',
        async () => {
          const x = await session(res.body.id);
          return x.status === 'CANCELLED' && x;
        },
        15_000,
      );
      expect(s.reviewReason).toBe('the door did not open within 2 s');
      expect(s.reasonCode).toBe('UNLOCK_EXPIRED');
      // The cabinet opens anyway, late (its clock behind ours): goods may go, so the session goes to review.
      await lazy.openDoor(res.body.id);
      const late = await until('late review', async () => {
        const x = await session(res.body.id);
        return x.status === 'REVIEW' && x;
      });
      expect(late.reasonCode).toBe('LATE_DOOR_OPENED');
      lazy.take(1, 250);
      await lazy.closeDoor();
      const reviews = (await t.http().get(`${API}/kiosk/reviews`).set('Authorization', t.adminToken)).body
        .items;
      const ev = await until('the late weights', async () => {
        const r = (
          await t.http().get(`${API}/kiosk/reviews`).set('Authorization', t.adminToken)
        ).body.items.find((x: { id: string }) => x.id === res.body.id);
        return r?.evidence.candidateItems.length && r.evidence;
      });
      expect(reviews.map((r: { id: string }) => r.id)).toContain(res.body.id);
      expect(ev.candidateItems).toEqual([{ slotNo: 1, productId: c.teaId, quantity: 1 }]);
      const alerts = (
        await t.http().get(`${API}/kiosk/alerts?cabinetCode=${c.code}`).set('Authorization', t.adminToken)
      ).body.items;
      expect(
        alerts.some(
          (a: { kind: string; sessionId: string }) => a.kind === 'LATE_DOOR' && a.sessionId === res.body.id,
        ),
      ).toBe(true);
      const closed = await t
        .http()
        .post(`${API}/kiosk/sessions/${res.body.id}/resolve`)
        .set('Authorization', t.adminToken)
        .send({ items: [{ slotNo: 1, quantity: 1 }], note: '迟开门，取走一盒' });
      expect(closed.body).toMatchObject({ status: 'SETTLED', totalFen: 2990 });
      await until('paid', async () => (await session(res.body.id)).payment === 'PAID');
      // The cabinet is free again.
      const again = await unlock(token);
      expect(again.status).toBe(201);
      await until('cancelled', async () => (await session(again.body.id)).status === 'CANCELLED', 15_000);
    } finally {
      await lazy.stop();
      await sim.start();
    }
  });

  it('a door left open raises an alert; a session with no DOOR_CLOSED goes to review, never hangs', async () => {
    const token = await agreedCitizen(t, nextPhone());
    const id = await openFor(token);
    const review = await until(
      'review',
      async () => {
        const x = await session(id);
        return x.status === 'REVIEW' && x;
      },
      20_000,
    );
    expect(review.reviewReason).toBe('no DOOR_CLOSED within 4 s of the door opening');
    const alerts = (
      await t.http().get(`${API}/kiosk/alerts?cabinetCode=${c.code}`).set('Authorization', t.adminToken)
    ).body.items;
    expect(
      alerts
        .filter((a: { sessionId: string }) => a.sessionId === id)
        .map((a: { kind: string }) => a.kind)
        .sort(),
    ).toEqual(['DOOR_OPEN_TOO_LONG', 'SESSION_LOST']);
    // The late DOOR_CLOSED changes nothing; the operator decides: one box of tea was taken.
    sim.take(1, 250);
    await sim.closeDoor();
    await new Promise((r) => setTimeout(r, 300));
    expect((await session(id)).status).toBe('REVIEW');
    const reviews = (await t.http().get(`${API}/kiosk/reviews`).set('Authorization', t.adminToken)).body
      .items;
    expect(reviews.map((r: { id: string }) => r.id)).toContain(id);
    const resolved = await t
      .http()
      .post(`${API}/kiosk/sessions/${id}/resolve`)
      .set('Authorization', t.adminToken)
      .send({ items: [{ slotNo: 1, quantity: 1 }], note: '监控确认取走一盒' });
    expect(resolved.status).toBe(200);
    const done = await until('paid', async () => {
      const x = await session(id);
      return x.payment === 'PAID' && x;
    });
    expect(done).toMatchObject({
      status: 'SETTLED',
      totalFen: 2990,
      resolutionNote: '监控确认取走一盒',
      orderId: id,
    });
    expect(done.items).toEqual([expect.objectContaining({ slotNo: 1, quantity: 1, amountFen: 2990 })]);
  });

  it('weights outside tolerance go to review with the evidence; the operator charges what was taken', async () => {
    const token = await agreedCitizen(t, nextPhone());
    const id = await openFor(token);
    const before = sim.weights.find((w) => w.slotNo === 1)!.weightGrams;
    sim.take(1, 370); // 1.48 boxes: 120 g off one box, 130 g off two
    await sim.closeDoor();
    const r = await settled(id);
    expect(r).toMatchObject({ status: 'REVIEW', totalFen: 0, orderId: null, payment: 'NONE' });
    expect(r.reviewReason).toContain('slot 1 lost 370 g');
    const reviews = (await t.http().get(`${API}/kiosk/reviews`).set('Authorization', t.adminToken)).body
      .items;
    const ev = reviews.find((x: { id: string }) => x.id === id).evidence;
    expect(ev.slots.find((s: { slotNo: number }) => s.slotNo === 1)).toEqual({
      slotNo: 1,
      productId: c.teaId,
      unitWeightGrams: 250,
      toleranceGrams: 20,
      beforeGrams: before,
      afterGrams: before - 370,
      deltaGrams: 370,
      candidateQuantities: [1, 2],
      problem: 'OUT_OF_TOLERANCE',
    });
    expect(ev.candidateItems).toEqual([{ slotNo: 1, productId: c.teaId, quantity: 1 }]);
    // Nothing charged until the operator decides.
    expect(await t.db.query('SELECT id FROM orders WHERE id = ?', [id])).toHaveLength(0);
    const slotBefore = (await cabinet()).slots[0].quantity;
    const res = await t
      .http()
      .post(`${API}/kiosk/sessions/${id}/resolve`)
      .set('Authorization', t.adminToken)
      .send({ items: [{ slotNo: 1, quantity: 2 }], note: '两盒，一盒包装破损' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'SETTLED', totalFen: 5980 });
    await until('paid', async () => (await session(id)).payment === 'PAID');
    expect((await cabinet()).slots[0].quantity).toBe(slotBefore - 2);
    // A session no longer in review cannot be resolved again.
    const again = await t
      .http()
      .post(`${API}/kiosk/sessions/${id}/resolve`)
      .set('Authorization', t.adminToken)
      .send({ items: [], note: 'x' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('session-not-in-review');
  });

  it('weight that grew goes to review; resolved with nothing taken, the session is closed with no charge', async () => {
    const token = await agreedCitizen(t, nextPhone());
    const id = await openFor(token);
    sim.put(2, 500);
    await sim.closeDoor();
    const r = await settled(id);
    expect(r.status).toBe('REVIEW');
    expect(r.reviewReason).toBe('slot 2 grew by 500 g');
    const res = await t
      .http()
      .post(`${API}/kiosk/sessions/${id}/resolve`)
      .set('Authorization', t.adminToken)
      .send({ items: [], note: '顾客放回了自带物品' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'CANCELLED', totalFen: 0, payment: 'NONE' });
    sim.take(2, 500);
  });

  it('a declined charge leaves an unpaid balance (402 unpaid-balance at the next scan) until it is paid', async () => {
    const phone = nextPhone();
    const token = await agreedCitizen(t, phone);
    const id = await openFor(token);
    await t.app.get(SandboxProvider).script(['DECLINE']);
    sim.take(2, 1000); // two bags of pepper
    await sim.closeDoor();
    const s = await until('unpaid', async () => {
      const x = await session(id);
      return x.payment === 'UNPAID' && x;
    });
    expect(s).toMatchObject({ status: 'SETTLED', totalFen: 13600, orderId: id, householdFen: null });
    // The sale is not lost: the order is there, awaiting payment, with no deadline.
    const order = await t.http().get(`${API}/orders/${id}`).set('Authorization', token);
    expect(order.body).toMatchObject({ channel: 'KIOSK', status: 'PENDING_PAYMENT', totalFen: 13600 });
    const balance = await t.http().get(`${API}/kiosk/me/unpaid`).set('Authorization', token);
    expect(balance.body).toEqual({
      totalFen: 13600,
      orders: [{ orderId: id, totalFen: 13600, createdAt: expect.any(String) }],
    });
    const refused = await unlock(token);
    expect(refused.status).toBe(402);
    expect(refused.body.code).toBe('unpaid-balance');
    // Paid from the page: then the receipt, and the next scan opens.
    const pay = await t
      .http()
      .post(`${API}/orders/${id}/payments`)
      .set('Authorization', token)
      .send({ provider: 'sandbox' });
    expect(pay.status).toBe(201);
    await until('paid', async () => (await session(id)).payment === 'PAID');
    await until('receipt', async () => {
      const sms = (await t.http().get(`${API}/dev/sms?phone=${phone}`)).body as { text: string }[];
      return sms.some((m) =>
        m.text.includes('川星花椒×2 ¥136.00。合计¥136.00，已支付。其中¥136.00进入脱贫户收入'),
      );
    });
    expect((await t.http().get(`${API}/kiosk/me/unpaid`).set('Authorization', token)).body).toEqual({
      totalFen: 0,
      orders: [],
    });
    const next = await openFor(token);
    await sim.closeDoor();
    expect((await settled(next)).status).toBe('CANCELLED');
  });

  it('a dispute within the refund window goes to review; resolving with fewer items refunds the difference', async () => {
    const phone = nextPhone();
    const token = await agreedCitizen(t, phone);
    const id = await openFor(token);
    sim.take(1, 750); // three boxes of tea
    await sim.closeDoor();
    await until('paid', async () => {
      const x = await session(id);
      return x.payment === 'PAID' && x.householdFen === 8970;
    });
    const slotAfterSale = (await cabinet()).slots[0].quantity;
    const other = await agreedCitizen(t, nextPhone());
    expect(
      (
        await t
          .http()
          .post(`${API}/kiosk/sessions/${id}/dispute`)
          .set('Authorization', other)
          .send({ reason: 'x' })
      ).status,
    ).toBe(403);
    const d = await t
      .http()
      .post(`${API}/kiosk/sessions/${id}/dispute`)
      .set('Authorization', token)
      .send({ reason: '我只拿了两盒' });
    expect(d.status).toBe(201);
    expect(d.body).toMatchObject({ status: 'REVIEW', disputeReason: '我只拿了两盒', disputable: false });
    // While the operator decides, the household's credits of the sale are held (pending, no date).
    const credits = async () =>
      (await t.db.query(
        `SELECT e.kind, p.amount_fen AS fen, p.available_on IS NULL AS held,
                p.available_on = DATE_ADD(o.paid_date, INTERVAL 3 DAY) AS onTime
           FROM postings p JOIN journal_entries e ON e.id = p.entry_id JOIN ledger_accounts a ON a.id = p.account_id
           JOIN orders o ON o.id = e.order_id
          WHERE e.order_id = ? AND a.type = 'HOUSEHOLD' ORDER BY e.kind DESC, p.amount_fen DESC`,
        [id],
      )) as { kind: string; fen: string; held: string | number; onTime: string | number | null }[];
    expect((await credits()).map((x) => [x.kind, Number(x.fen), Number(x.held)])).toEqual([
      ['SALE', 8970, 1],
    ]);
    const again = await t
      .http()
      .post(`${API}/kiosk/sessions/${id}/dispute`)
      .set('Authorization', token)
      .send({ reason: '再次申诉' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('session-not-disputable');
    const review = (
      await t.http().get(`${API}/kiosk/reviews`).set('Authorization', t.adminToken)
    ).body.items.find((r: { id: string }) => r.id === id);
    expect(review.evidence.candidateItems).toEqual([{ slotNo: 1, productId: c.teaId, quantity: 3 }]);
    // The price changed since the sale: the refund is at the price charged.
    await t.db.query('UPDATE products SET price_fen = 4990 WHERE id = ?', [c.teaId]);
    const res = await t
      .http()
      .post(`${API}/kiosk/sessions/${id}/resolve`)
      .set('Authorization', t.adminToken)
      .send({ items: [{ slotNo: 1, quantity: 2 }], note: '监控确认两盒' });
    expect(res.status).toBe(200);
    const after = await until('refunded', async () => {
      const x = await session(id);
      return x.payment === 'PARTIALLY_REFUNDED' && x.householdFen === 5980 && x;
    });
    expect(after).toMatchObject({ status: 'SETTLED', totalFen: 5980, resolutionNote: '监控确认两盒' });
    const order = await t.http().get(`${API}/orders/${id}`).set('Authorization', token);
    expect(order.body).toMatchObject({ status: 'PARTIALLY_REFUNDED', totalFen: 8970 });
    // Decided: the sale and its reversal are released together, available when the kiosk window closes.
    expect((await credits()).map((x) => [x.kind, Number(x.fen), Number(x.held), Number(x.onTime)])).toEqual([
      ['SALE', 8970, 0, 1],
      ['REFUND', -2990, 0, 1],
    ]);
    await t.db.query('UPDATE products SET price_fen = 2990 WHERE id = ?', [c.teaId]);
    // The box that was not taken is back on the slot's record.
    expect((await cabinet()).slots[0].quantity).toBe(slotAfterSale + 1);
  });

  it('a settled sale whose order was never placed (the process died) is placed and charged by its timer', async () => {
    const token = await agreedCitizen(t, nextPhone());
    // The state a crash right after the settling commit leaves: SETTLED, priced, slot counted, no order.
    const me = (await t.http().get(`${API}/me`).set('Authorization', token)).body;
    const [cab] = await t.db.query('SELECT id FROM cabinets WHERE code = ?', [c.code]);
    const id = '01KSESS10NCRASHED000000001';
    const items = [
      {
        slotNo: 1,
        productId: c.teaId,
        productName: '三峡绿茶',
        lotId: c.teaLotId,
        quantity: 1,
        unitPriceFen: 2990,
        amountFen: 2990,
      },
    ];
    await t.db.query(
      `INSERT INTO kiosk_sessions (id, cabinet_id, kind, user_id, status, unlock_expires_at, opened_at, closed_at, items, total_fen, order_id)
       VALUES (?, ?, 'SALE', ?, 'SETTLED', NOW(3), NOW(3), NOW(3), ?, 2990, ?)`,
      [id, cab.id, me.id, JSON.stringify(items), id],
    );
    expect(await t.app.get(KioskSettlementService).recover(id)).toBe(true);
    const done = await until('paid', async () => {
      const x = await session(id);
      return x.payment === 'PAID' && x;
    });
    expect(done).toMatchObject({ status: 'SETTLED', totalFen: 2990, orderId: id });
    // Once charged, the timer finds nothing more to do.
    expect(await t.app.get(KioskSettlementService).recover(id)).toBe(false);
    expect(await t.db.query('SELECT COUNT(*) AS n FROM payments WHERE order_id = ?', [id])).toEqual([
      { n: '1' },
    ]);
  });

  it('the watchdog ends what a lost timer left behind: an expired unlock, a door open past the lost time', async () => {
    const token = await agreedCitizen(t, nextPhone());
    const me = (await t.http().get(`${API}/me`).set('Authorization', token)).body;
    const [cab] = await t.db.query('SELECT id FROM cabinets WHERE code = ?', [c.code]);
    const other = await factory(t).post<{ id: string }>('/cabinets', {
      code: `${c.code.slice(0, 20)}-W`,
      name: '万州北站专柜',
      siteType: 'TRANSPORT',
      address: '万州北站候车厅',
    });
    // Rows as if their delayed jobs were lost with Redis: an unlock that expired a minute ago, a door opened an hour ago.
    const ago = (ms: number) => new Date(Date.now() - ms);
    await t.db.query(
      `INSERT INTO kiosk_sessions (id, cabinet_id, open_cabinet_id, kind, user_id, status, unlock_expires_at, total_fen)
       VALUES ('01KWATCHD0GUNL0CK000000001', ?, ?, 'SALE', ?, 'UNLOCKING', ?, 0)`,
      [other.id, other.id, me.id, ago(60_000)],
    );
    await t.db.query(
      `INSERT INTO kiosk_sessions (id, cabinet_id, kind, user_id, status, unlock_expires_at, opened_at, weights_before, total_fen)
       VALUES ('01KWATCHD0G0PEN00000000001', ?, 'SALE', ?, 'OPEN', ?, ?, '[]', 0)`,
      [cab.id, me.id, ago(3_600_000), ago(3_600_000)],
    );
    const done = await t.app.get(KioskWatchdog).run();
    expect(done).toMatchObject({ cancelled: 1, toReview: 1 });
    expect((await session('01KWATCHD0GUNL0CK000000001')).status).toBe('CANCELLED');
    expect((await session('01KWATCHD0G0PEN00000000001')).status).toBe('REVIEW');
    // The cabinet whose unlock hung is free again.
    const [{ n }] = await t.db.query('SELECT COUNT(*) AS n FROM kiosk_sessions WHERE open_cabinet_id = ?', [
      other.id,
    ]);
    expect(Number(n)).toBe(0);
    await t.db.query(
      "UPDATE kiosk_sessions SET status = 'CANCELLED' WHERE id = '01KWATCHD0G0PEN00000000001'",
    );
  });

  it('a dispute about one slot refunds that slot’s line only (its households, not the other lot’s)', async () => {
    const token = await agreedCitizen(t, nextPhone());
    const id = await openFor(token);
    sim.take(1, 250); // a box of tea
    sim.take(2, 500); // a bag of pepper
    await sim.closeDoor();
    await until('paid', async () => (await session(id)).householdFen === 9790);
    await t
      .http()
      .post(`${API}/kiosk/sessions/${id}/dispute`)
      .set('Authorization', token)
      .send({ reason: '没拿花椒' });
    const res = await t
      .http()
      .post(`${API}/kiosk/sessions/${id}/resolve`)
      .set('Authorization', t.adminToken)
      .send({ items: [{ slotNo: 1, quantity: 1 }], note: '花椒未取' });
    expect(res.body).toMatchObject({ status: 'SETTLED', totalFen: 2990 });
    await until('refunded', async () => (await session(id)).householdFen === 2990);
    const lines = await t.db.query(
      'SELECT product_id AS productId, refunded_fen AS refunded FROM order_lines WHERE order_id = ? ORDER BY line_no',
      [id],
    );
    expect(
      lines.map((l: { productId: string; refunded: string }) => [l.productId, Number(l.refunded)]),
    ).toEqual([
      [c.teaId, 0],
      [c.pepperId, 6800],
    ]);
  });

  it('credits held before the sale is allocated are posted held, and dated when released', async () => {
    const token = await agreedCitizen(t, nextPhone());
    const id = await openFor(token);
    const allocation = t.app.get(AllocationService);
    // Disputed before the ledger has posted anything (the order is named by the session).
    await allocation.holdCredits(id);
    sim.take(1, 250);
    await sim.closeDoor();
    await until('allocated', async () => (await session(id)).householdFen === 2990);
    const dates = async () =>
      (await t.db.query(
        `SELECT p.available_on IS NULL AS held, p.available_on = DATE_ADD(o.paid_date, INTERVAL 3 DAY) AS onTime
           FROM postings p JOIN journal_entries e ON e.id = p.entry_id JOIN ledger_accounts a ON a.id = p.account_id
           JOIN orders o ON o.id = e.order_id WHERE e.order_id = ? AND a.type = 'HOUSEHOLD'`,
        [id],
      )) as { held: string | number; onTime: string | number | null }[];
    expect((await dates()).map((d) => Number(d.held))).toEqual([1]);
    expect(await allocation.releaseCredits(id)).toBe(1);
    expect((await dates()).map((d) => [Number(d.held), Number(d.onTime)])).toEqual([[0, 1]]);
  });

  it('a correction whose refund fails is applied once by the watchdog, never twice', async () => {
    const token = await agreedCitizen(t, nextPhone());
    const id = await openFor(token);
    sim.take(1, 500); // two boxes
    await sim.closeDoor();
    await until('paid', async () => (await session(id)).householdFen === 5980);
    expect(
      (
        await t
          .http()
          .post(`${API}/kiosk/sessions/${id}/dispute`)
          .set('Authorization', token)
          .send({ reason: '只拿了一盒' })
      ).status,
    ).toBe(201);
    const refunds = t.app.get(RefundsService);
    const refund = jest.spyOn(refunds, 'refund').mockRejectedValueOnce(new Error('provider down'));
    try {
      const res = await t
        .http()
        .post(`${API}/kiosk/sessions/${id}/resolve`)
        .set('Authorization', t.adminToken)
        .send({ items: [{ slotNo: 1, quantity: 1 }], note: '一盒' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'SETTLED', totalFen: 2990 });
      const order = async () => (await t.http().get(`${API}/orders/${id}`).set('Authorization', token)).body;
      expect(await order()).toMatchObject({ status: 'PAID' });
      const later = Date.now() + 120_000;
      expect(await t.app.get(KioskWatchdog).run(later)).toMatchObject({ corrected: 1 });
      expect(await t.app.get(KioskWatchdog).run(later)).toMatchObject({ corrected: 0 });
      expect(await order()).toMatchObject({ status: 'PARTIALLY_REFUNDED' });
      const [{ refunded }] = await t.db.query('SELECT refunded_fen AS refunded FROM orders WHERE id = ?', [
        id,
      ]);
      expect(Number(refunded)).toBe(2990);
      expect(refund).toHaveBeenCalledTimes(2);
    } finally {
      refund.mockRestore();
    }
  });

  it('the kiosk refund window closes disputes', async () => {
    const token = await agreedCitizen(t, nextPhone());
    const id = await openFor(token);
    sim.take(1, 250);
    await sim.closeDoor();
    await until('paid', async () => (await session(id)).payment === 'PAID');
    await t.db.query('UPDATE kiosk_sessions SET closed_at = ? WHERE id = ?', [
      new Date(Date.now() - 4 * 86_400_000),
      id,
    ]);
    expect((await session(id)).disputable).toBe(false);
    const d = await t
      .http()
      .post(`${API}/kiosk/sessions/${id}/dispute`)
      .set('Authorization', token)
      .send({ reason: '晚了' });
    expect(d.status).toBe(409);
    expect(d.body.detail).toBe('The refund window of this purchase has closed.');
  });

  it('restocking: weight put in becomes slot stock from the chosen lot, weight taken out goes back to the lot; no charge', async () => {
    const username = `op${Date.now()}`;
    await factory(t).user({ username, password: 'operator-pass-1', roles: ['OPERATOR'] });
    const op = await t.login(username, 'operator-pass-1');
    const lotLeft = async (lotId: string) =>
      Number((await t.db.query('SELECT remaining FROM supply_lots WHERE id = ?', [lotId]))[0].remaining);
    const teaLot = await lotLeft(c.teaLotId);
    const pepperLot = await lotLeft(c.pepperLotId);
    const [teaSlot, pepperSlot] = (await cabinet()).slots.map((s: { quantity: number }) => s.quantity);
    const res = await t
      .http()
      .post(`${API}/cabinets/${c.code}/restock`)
      .set('Authorization', op)
      .send({ removed: 'RETURN' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kind: 'RESTOCK', status: 'UNLOCKING' });
    await until('OPEN', async () => (await session(res.body.id)).status === 'OPEN');
    sim.put(1, 10 * 250 + 4); // ten boxes of tea in
    sim.take(2, 2 * 500); // two expired bags of pepper out
    await sim.closeDoor();
    const s = await settled(res.body.id);
    expect(s).toMatchObject({
      kind: 'RESTOCK',
      status: 'SETTLED',
      totalFen: 0,
      orderId: null,
      payment: 'NONE',
    });
    expect(s.items.map((i: { slotNo: number; quantity: number }) => [i.slotNo, i.quantity])).toEqual([
      [1, 10],
      [2, -2],
    ]);
    expect((await cabinet()).slots.map((x: { quantity: number }) => x.quantity)).toEqual([
      teaSlot + 10,
      pepperSlot - 2,
    ]);
    expect(await lotLeft(c.teaLotId)).toBe(teaLot - 10);
    expect(await lotLeft(c.pepperLotId)).toBe(pepperLot + 2);
    // A citizen cannot restock; writing off needs a reason.
    const citizen = await agreedCitizen(t, nextPhone());
    expect(
      (await t.http().post(`${API}/cabinets/${c.code}/restock`).set('Authorization', citizen).send({}))
        .status,
    ).toBe(403);
    const noReason = await t
      .http()
      .post(`${API}/cabinets/${c.code}/restock`)
      .set('Authorization', op)
      .send({ removed: 'WRITE_OFF' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors).toEqual([
      { field: 'writeOffReason', message: 'writeOffReason is required to write off' },
    ]);
    // Expired goods taken out and written off: off the slot, not back on the lot.
    const teaLotNow = await lotLeft(c.teaLotId);
    const teaSlotNow = (await cabinet()).slots[0].quantity as number;
    const off = await t
      .http()
      .post(`${API}/cabinets/${c.code}/restock`)
      .set('Authorization', op)
      .send({ removed: 'WRITE_OFF', writeOffReason: '临期下架' });
    expect(off.status).toBe(201);
    await until('OPEN', async () => (await session(off.body.id)).status === 'OPEN');
    sim.take(1, 3 * 250);
    await sim.closeDoor();
    const w = await settled(off.body.id);
    expect(w).toMatchObject({ status: 'SETTLED', resolutionNote: 'written off: 临期下架', totalFen: 0 });
    expect(w.items.map((i: { slotNo: number; quantity: number }) => [i.slotNo, i.quantity])).toEqual([
      [1, -3],
    ]);
    expect((await cabinet()).slots[0].quantity).toBe(teaSlotNow - 3);
    expect(await lotLeft(c.teaLotId)).toBe(teaLotNow);
  });

  it('a FAULT puts the cabinet in maintenance (503 cabinet-maintenance) until an operator clears it', async () => {
    await sim.fault('scale 2 not responding');
    await until('maintenance', async () => (await cabinet()).status === 'MAINTENANCE');
    expect((await cabinet()).maintenanceReason).toBe('scale 2 not responding');
    const token = await agreedCitizen(t, nextPhone());
    const res = await unlock(token);
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('cabinet-maintenance');
    // Heartbeats do not bring it back by themselves.
    await sim.heartbeat();
    await new Promise((r) => setTimeout(r, 200));
    expect((await cabinet()).status).toBe('MAINTENANCE');
    const alerts = (
      await t
        .http()
        .get(`${API}/kiosk/alerts?cabinetCode=${c.code}&open=true`)
        .set('Authorization', t.adminToken)
    ).body.items;
    expect(
      alerts.filter((a: { kind: string }) => a.kind === 'FAULT').map((a: { detail: string }) => a.detail),
    ).toEqual(['scale 2 not responding']);
    const cleared = await t
      .http()
      .post(`${API}/cabinets/${c.code}/clear-maintenance`)
      .set('Authorization', t.adminToken)
      .send({});
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ status: 'ONLINE', maintenanceReason: null });
    const twice = await t
      .http()
      .post(`${API}/cabinets/${c.code}/clear-maintenance`)
      .set('Authorization', t.adminToken)
      .send({});
    expect(twice.body.code).toBe('cabinet-not-in-maintenance');
    const id = await openFor(token);
    await sim.closeDoor();
    expect((await settled(id)).status).toBe('CANCELLED');
  });

  it('a cabinet silent past the offline time is OFFLINE: 503 cabinet-offline, an alert, back ONLINE at its next heartbeat', async () => {
    await sim.goOffline();
    try {
      await new Promise((r) => setTimeout(r, 3500));
      expect((await cabinet()).status).toBe('OFFLINE');
      const token = await agreedCitizen(t, nextPhone());
      const res = await unlock(token);
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('cabinet-offline');
      // The sweep (scheduled every 15 s) marks it OFFLINE once, with one alert, whoever runs it first.
      await t.app.get(CabinetsService).sweepOffline();
      expect(await t.app.get(CabinetsService).sweepOffline()).toBe(0);
      const [{ status }] = await t.db.query('SELECT status FROM cabinets WHERE code = ?', [c.code]);
      expect(status).toBe('OFFLINE');
      const alerts = (
        await t.http().get(`${API}/kiosk/alerts?cabinetCode=${c.code}`).set('Authorization', t.adminToken)
      ).body.items;
      expect(alerts.filter((a: { kind: string }) => a.kind === 'OFFLINE')).toHaveLength(1);
    } finally {
      await sim.goOnline();
    }
    await until('online', async () => (await cabinet()).status === 'ONLINE');
  });

  it('alerts and a citizen’s purchases come a page at a time, newest first', async () => {
    const page1 = await t
      .http()
      .get(`${API}/kiosk/alerts?cabinetCode=${c.code}&limit=2`)
      .set('Authorization', t.adminToken);
    expect(page1.body.items).toHaveLength(2);
    expect(page1.body.nextCursor).toBe(page1.body.items[1].id);
    const page2 = await t
      .http()
      .get(`${API}/kiosk/alerts?cabinetCode=${c.code}&limit=2&cursor=${page1.body.nextCursor}`)
      .set('Authorization', t.adminToken);
    expect(page2.body.items.length).toBeGreaterThan(0);
    expect(page2.body.items[0].id < page1.body.items[1].id).toBe(true);
    const token = await agreedCitizen(t, nextPhone());
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const id = await openFor(token);
      await sim.closeDoor();
      await settled(id);
      ids.push(id);
    }
    const mine = await t.http().get(`${API}/kiosk/sessions?limit=2`).set('Authorization', token);
    expect(mine.body.items.map((x: { id: string }) => x.id)).toEqual([ids[2], ids[1]]);
    const rest = await t
      .http()
      .get(`${API}/kiosk/sessions?limit=2&cursor=${mine.body.nextCursor}`)
      .set('Authorization', token);
    expect(rest.body).toEqual({
      items: [expect.objectContaining({ id: ids[0], status: 'CANCELLED' })],
      nextCursor: null,
    });
  });

  it('slots: stocking moves units from the lot and back; a short lot is 409; the low-stock list', async () => {
    const lotLeft = async () =>
      Number((await t.db.query('SELECT remaining FROM supply_lots WHERE id = ?', [c.teaLotId]))[0].remaining);
    const inSlot = (await cabinet()).slots[0].quantity as number;
    const lot = await lotLeft();
    const put = (quantity: number, over: object = {}) =>
      t
        .http()
        .put(`${API}/cabinets/${c.code}/slots/1`)
        .set('Authorization', t.adminToken)
        .send({
          productId: c.teaId,
          lotId: c.teaLotId,
          unitWeightGrams: 250,
          toleranceGrams: 20,
          quantity,
          parLevel: 5,
          ...over,
        });
    expect((await put(inSlot + 5)).status).toBe(200);
    expect(await lotLeft()).toBe(lot - 5);
    expect((await put(3)).body).toMatchObject({ quantity: 3, low: true });
    expect(await lotLeft()).toBe(lot + inSlot - 3);
    const short = await put(3 + lot + inSlot);
    expect(short.status).toBe(409);
    expect(short.body.code).toBe('out-of-stock');
    expect(await lotLeft()).toBe(lot + inSlot - 3);
    const wrongLot = await put(3, { lotId: c.pepperLotId });
    expect(wrongLot.status).toBe(422);
    expect(wrongLot.body.code).toBe('lot-not-of-product');
    const low = (await t.http().get(`${API}/kiosk/low-stock`).set('Authorization', t.adminToken)).body.items;
    expect(low).toContainEqual({
      cabinetCode: c.code,
      cabinetName: '万州区行政中心专柜',
      slotNo: 1,
      productId: c.teaId,
      lotId: c.teaLotId,
      quantity: 3,
      parLevel: 5,
    });
    expect((await put(inSlot)).status).toBe(200);
    expect(await lotLeft()).toBe(lot);
  });

  it('cabinets stocked at the same time from one lot: every slot stocked, the lot down by exactly their units', async () => {
    const lotLeft = async () =>
      Number((await t.db.query('SELECT remaining FROM supply_lots WHERE id = ?', [c.teaLotId]))[0].remaining);
    const before = await lotLeft();
    const codes = Array.from({ length: 8 }, (_, i) => `${c.code.slice(0, 20)}-N${i}`);
    for (const code of codes) {
      await factory(t).post('/cabinets', { code, name: `专柜${code}`, siteType: 'CBD', address: '万达广场' });
    }
    const slot = {
      productId: c.teaId,
      lotId: c.teaLotId,
      unitWeightGrams: 250,
      toleranceGrams: 20,
      quantity: 2,
    };
    const answers = await Promise.all([
      ...codes.map((code) =>
        t.http().put(`${API}/cabinets/${code}/slots/1`).set('Authorization', t.adminToken).send(slot),
      ),
      // The same new slot twice at once: the second finds the first's row and moves only the difference.
      t.http().put(`${API}/cabinets/${codes[0]}/slots/2`).set('Authorization', t.adminToken).send(slot),
      t.http().put(`${API}/cabinets/${codes[0]}/slots/2`).set('Authorization', t.adminToken).send(slot),
    ]);
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    expect(await lotLeft()).toBe(before - 8 * 2 - 2);
  });

  it('the QR poster: PNG and SVG with the cabinet name; staff only', async () => {
    const png = await t
      .http()
      .get(`${API}/cabinets/${c.code}/qr?format=png`)
      .set('Authorization', t.adminToken)
      .buffer(true);
    expect(png.status).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect((png.body as Buffer).subarray(1, 4).toString()).toBe('PNG');
    expect((png.body as Buffer).readUInt32BE(16)).toBe(600);
    const svg = await t
      .http()
      .get(`${API}/cabinets/${c.code}/qr?format=svg`)
      .set('Authorization', t.adminToken)
      .buffer(true);
    expect(svg.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    const text = Buffer.isBuffer(svg.body) ? svg.body.toString() : svg.text;
    expect(text).toContain('万州区行政中心专柜');
    expect(text).toContain(c.code);
    expect(
      (await t.http().get(`${API}/cabinets/${c.code}/qr?format=gif`).set('Authorization', t.adminToken))
        .status,
    ).toBe(400);
    expect((await t.http().get(`${API}/cabinets/NOPE/qr`).set('Authorization', t.adminToken)).body.code).toBe(
      'cabinet-not-found',
    );
    const citizen = await agreedCitizen(t, nextPhone());
    expect((await t.http().get(`${API}/cabinets/${c.code}/qr`).set('Authorization', citizen)).status).toBe(
      403,
    );
  });
});
