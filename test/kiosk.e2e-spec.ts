import { CabinetSimulator } from '@/modules/kiosk/device/cabinet-simulator';
import { agreedCitizen, StockedCabinet, stockedCabinet } from './support/kiosk';
import { startTestApp, TestApp } from './support/test-app';
import { until } from './support/wait';

/**
 * A citizen at a smart cabinet, end to end over the real broker: scan, the door opens, take two boxes of
 * tea, close the door, the charge through the pay-after-use agreement, the SMS receipt, and the income of
 * the household behind the tea.
 */
describe('smart cabinets: the whole flow', () => {
  let t: TestApp;
  let c: StockedCabinet;
  let sim: CabinetSimulator;
  const phone = '13900000001';
  let citizen: string;

  beforeAll(async () => {
    t = await startTestApp('kiosk', { role: 'all', listen: true });
    c = await stockedCabinet(t, 'flow');
    sim = c.sim;
    citizen = await agreedCitizen(t, phone);
    await until('the cabinet online', async () => {
      const r = await t.http().get(`/api/v1/cabinets/${c.code}`).set('Authorization', t.adminToken);
      return r.body.status === 'ONLINE';
    });
  });
  afterAll(async () => {
    await sim.stop();
    await t.close();
  });

  const session = async (id: string, token = citizen) =>
    (await t.http().get(`/api/v1/kiosk/sessions/${id}`).set('Authorization', token)).body;

  it('scan, open, take two boxes of tea, close: charged 59.80 yuan, SMS receipt, household income', async () => {
    const unlockSeen = new Promise<Record<string, unknown>>((resolve) =>
      sim.once('unlock', (m) => resolve(m)),
    );
    const res = await t
      .http()
      .post('/api/v1/kiosk/sessions')
      .set('Authorization', citizen)
      .send({ qrUrl: c.qrUrl });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ cabinetCode: c.code, status: 'UNLOCKING', items: [], totalFen: 0 });
    const id = res.body.id as string;
    const unlock = await unlockSeen;
    expect(unlock.sessionId).toBe(id);
    expect(unlock.exp).toBe(Date.parse(res.body.expiresAt));
    await until('OPEN', async () => (await session(id)).status === 'OPEN');
    sim.take(1, 500);
    await sim.closeDoor();
    const done = await until('paid', async () => {
      const s = await session(id);
      return s.payment === 'PAID' && s.householdFen !== null && s;
    });
    expect(done).toMatchObject({
      status: 'SETTLED',
      totalFen: 5980,
      orderId: id,
      householdFen: 5980,
      items: [
        {
          slotNo: 1,
          productId: c.teaId,
          productName: '三峡绿茶',
          quantity: 2,
          unitPriceFen: 2990,
          amountFen: 5980,
        },
      ],
      disputable: true,
    });
    const order = await t.http().get(`/api/v1/orders/${id}`).set('Authorization', citizen);
    expect(order.body).toMatchObject({
      channel: 'KIOSK',
      status: 'PAID',
      totalFen: 5980,
      lines: [{ productId: c.teaId, lotId: c.teaLotId, quantity: 2, unitPriceFen: 2990, amountFen: 5980 }],
    });
    const sms = await until('the receipt', async () => {
      const r = await t.http().get(`/api/v1/dev/sms?phone=${phone}`);
      return (r.body as { text: string }[]).find((m) => m.text.includes('合计'));
    });
    expect(sms.text).toBe(
      '【消费扶贫】您在万州区行政中心专柜购买：三峡绿茶×2 ¥59.80。合计¥59.80，已支付。其中¥59.80进入脱贫户收入。感谢您的爱心消费！',
    );
    const income = await t
      .http()
      .get(`/api/v1/households/${c.householdId}/income`)
      .set('Authorization', t.adminToken);
    expect(income.body.byChannel.KIOSK).toBe(5980);
    expect(income.body.pendingFen).toBe(5980);
    const cab = await t.http().get(`/api/v1/cabinets/${c.code}`).set('Authorization', t.adminToken);
    expect(cab.body.slots.map((s: { quantity: number }) => s.quantity)).toEqual([18, 10]);
  });
});
