import { businessDate } from '@/common/time';
import { SandboxProvider } from '@/infrastructure/payments/sandbox.provider';
import { Channel } from '@/modules/orders/entities/order.entity';
import { OrdersService } from '@/modules/orders/orders.service';
import { PaymentStartService } from '@/modules/orders/payment-start.service';
import { SettlementService } from '@/modules/orders/settlement.service';
import { factory } from './support/factory';
import { startTestApp, TestApp } from './support/test-app';
import { until } from './support/wait';

const API = '/api/v1';

describe('the spine: a sandbox payment becomes household income', () => {
  let t: TestApp;
  let f: ReturnType<typeof factory>;
  let citizen: string;
  let households: { id: string }[];
  let productId: string;
  let lotId: string;

  beforeAll(async () => {
    t = await startTestApp('spine', { role: 'all', listen: true, env: { OTP_RESEND_SECONDS: '0' } });
    f = factory(t);
    await f.regions();
    households = [await f.household(), await f.household(), await f.household()];
    const supplier = await f.supplier({ type: 'HOUSEHOLD', householdId: households[0].id });
    productId = (await f.product(supplier.id, { priceFen: 100 })).id;
    lotId = (
      await f.lot(productId, {
        quantity: 30,
        sources: households.map((h) => ({ householdId: h.id, quantity: 10 })),
      })
    ).id;
    citizen = await f.citizen('13700000001');
  });
  afterAll(() => t.close());

  it('order → sandbox payment → PAID → 100 fen split 34/33/33 among the households behind the lot', async () => {
    const order = await t
      .http()
      .post(`${API}/orders`)
      .set('Authorization', citizen)
      .send({ lines: [{ productId, quantity: 1 }] });
    expect(order.status).toBe(201);
    expect(order.body).toMatchObject({ channel: 'ONLINE', status: 'PENDING_PAYMENT', totalFen: 100 });
    expect(order.body.lines).toEqual([
      expect.objectContaining({ productId, lotId, quantity: 1, unitPriceFen: 100, amountFen: 100 }),
    ]);

    const pay = await t
      .http()
      .post(`${API}/orders/${order.body.id}/payments`)
      .set('Authorization', citizen)
      .send({ provider: 'sandbox' });
    expect(pay.status).toBe(201);
    expect(pay.body).toMatchObject({ status: 'PENDING', amountFen: 100, provider: 'sandbox' });

    await until('PAID', async () => {
      const o = await t.http().get(`${API}/orders/${order.body.id}`).set('Authorization', citizen);
      return o.body.status === 'PAID';
    });
    const incomes = await until('income', async () => {
      const all = await Promise.all(
        households.map((h) =>
          t.http().get(`${API}/households/${h.id}/income`).set('Authorization', t.adminToken),
        ),
      );
      return all.every((r) => r.body.totalFen > 0) && all.map((r) => r.body);
    });
    expect(
      incomes.map((i) => [i.totalFen, i.pendingFen, i.availableFen, i.bySource.SALE, i.byChannel.ONLINE]),
    ).toEqual([
      [34, 34, 0, 34, 34],
      [33, 33, 0, 33, 33],
      [33, 33, 0, 33, 33],
    ]);
    const trace = await t.http().get(`${API}/trace/lots/${lotId}`);
    expect(trace.body.householdIncomeFen).toBe(100);
  });

  it('pay-after-use: an agreement charges an order without the buyer confirming it (cabinets)', async () => {
    const sandbox = t.app.get(SandboxProvider);
    const payments = t.app.get(PaymentStartService);
    const orders = t.app.get(OrdersService);
    const me = await t.http().get(`${API}/me`).set('Authorization', citizen);
    const agreement = await sandbox.createAgreement(me.body.id);
    expect(agreement).toEqual({ agreementRef: expect.stringMatching(/^sba_/), status: 'ACTIVE' });
    const { order } = await orders.create({
      buyerUserId: me.body.id,
      channel: Channel.Kiosk,
      // A cabinet's lines name the lot its slot was stocked from (the units left the lot then).
      lines: [{ productId, lotId, quantity: 2 }],
      attribution: { cabinetCode: 'C001' },
    });
    // The kiosk's policy (registered by the kiosk module, not the order core): charged after use, so the
    // order has no payment deadline and no deadline job; a deadline check leaves it as it is.
    expect(order.payBy).toBeNull();
    expect(await t.db.query('SELECT COUNT(*) AS n FROM outbox WHERE id = ?', [order.id])).toEqual([
      { n: '0' },
    ]);
    expect(await t.app.get(SettlementService).expireOrder(order.id)).toBe('unchanged');
    const payment = await payments.chargeAgreement(order, 'sandbox', agreement.agreementRef);
    expect(payment.status).toBe('PENDING');
    const paid = await until('PAID', async () => {
      const o = await t.http().get(`${API}/orders/${order.id}`).set('Authorization', citizen);
      return o.body.status === 'PAID' && o.body;
    });
    expect(paid).toMatchObject({
      channel: 'KIOSK',
      totalFen: 200,
      payBy: null,
      attribution: { cabinetCode: 'C001' },
    });
    const statement = await sandbox.fetchStatement(businessDate());
    expect(statement).toContainEqual({
      ref: payment.providerRef,
      merchantRef: payment.id,
      kind: 'PAYMENT',
      amountFen: 200,
    });
  });
});
