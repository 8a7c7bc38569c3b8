import { connect } from 'mqtt';
import { MetricsService } from '@/infrastructure/metrics/metrics';
import { MqttService } from '@/infrastructure/mqtt/mqtt.module';
import { CabinetSimulator } from '@/modules/kiosk/device/cabinet-simulator';
import { eventTopic, sign } from '@/modules/kiosk/device/protocol';
import { agreedCitizen, StockedCabinet, stockedCabinet } from './support/kiosk';
import { startTestApp, TestApp } from './support/test-app';
import { until } from './support/wait';

const API = '/api/v1';

/** Counts of one app's cabinet events by outcome (handled, or why dropped). */
async function outcomes(t: TestApp): Promise<Record<string, number>> {
  const m = await t.app.get(MetricsService).kioskEvents.get();
  const out: Record<string, number> = {};
  for (const v of m.values) {
    const k = String(v.labels.outcome);
    out[k] = (out[k] ?? 0) + v.value;
  }
  return out;
}

/**
 * The device gateway over the real broker: what the protocol says the service drops (a bad signature, a
 * stale timestamp, a replayed id), a repeated DOOR_CLOSED charged once, a lost connection that comes back,
 * and two api copies on one shared subscription handling each event exactly once between them.
 */
describe('smart cabinets: the device gateway', () => {
  let t: TestApp;
  let copy: TestApp;
  let c: StockedCabinet;
  let sim: CabinetSimulator;
  let phoneSeq = 0;
  const nextPhone = () => `1380000${String(2000 + ++phoneSeq).padStart(4, '0')}`;

  beforeAll(async () => {
    t = await startTestApp('kioskgw', { role: 'all', listen: true });
    // A second api copy of the same deployment: same database, same share group.
    // (It listens too: the payment gateway calls back the copy that charged.)
    copy = await startTestApp('kioskgw', { role: 'api', copyOf: t, listen: true });
    c = await stockedCabinet(t, 'gw');
    sim = c.sim;
    await until('online', async () => (await cabinet()).status === 'ONLINE');
  });
  afterAll(async () => {
    await sim.stop();
    await copy.close();
    await t.close();
  });

  const cabinet = async () =>
    (await t.http().get(`${API}/cabinets/${c.code}`).set('Authorization', t.adminToken)).body;
  const session = async (id: string) =>
    (await t.http().get(`${API}/kiosk/sessions/${id}`).set('Authorization', t.adminToken)).body;
  const both = async () => {
    const [a, b] = await Promise.all([outcomes(t), outcomes(copy)]);
    const sum: Record<string, number> = {};
    for (const o of [a, b]) {
      for (const [k, v] of Object.entries(o)) {
        sum[k] = (sum[k] ?? 0) + v;
      }
    }
    return { a, b, sum };
  };
  const openFor = async (token: string): Promise<string> => {
    const res = await t
      .http()
      .post(`${API}/kiosk/sessions`)
      .set('Authorization', token)
      .send({ qrUrl: c.qrUrl });
    expect(res.status).toBe(201);
    await until('OPEN', async () => (await session(res.body.id)).status === 'OPEN');
    return res.body.id as string;
  };

  it('two api copies on one shared subscription handle every event exactly once between them', async () => {
    const before = await both();
    for (let i = 0; i < 40; i++) {
      await sim.heartbeat();
    }
    const after = await until('40 handled', async () => {
      const x = await both();
      return (x.sum.handled ?? 0) - (before.sum.handled ?? 0) >= 40 && x;
    });
    await new Promise((r) => setTimeout(r, 300));
    const settled = await both();
    expect((settled.sum.handled ?? 0) - (before.sum.handled ?? 0)).toBe(40);
    // None reached both copies (the second would have been dropped as a replay).
    expect((settled.sum.replay ?? 0) - (before.sum.replay ?? 0)).toBe(0);
    // Both copies took a share.
    expect((after.a.handled ?? 0) - (before.a.handled ?? 0)).toBeGreaterThan(0);
    expect((after.b.handled ?? 0) - (before.b.handled ?? 0)).toBeGreaterThan(0);
  });

  it('sessions through both copies are each charged once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const token = await agreedCitizen(t, nextPhone());
      const id = await openFor(token);
      sim.take(1, 250);
      await sim.closeDoor();
      await until('paid', async () => (await session(id)).payment === 'PAID');
      ids.push(id);
    }
    const rows = await t.db.query(
      `SELECT o.id, o.total_fen AS total, COUNT(p.id) AS payments FROM orders o JOIN payments p ON p.order_id = o.id
        WHERE o.id IN (${ids.map(() => '?').join(',')}) GROUP BY o.id, o.total_fen`,
      ids,
    );
    expect(
      rows.map((r: { total: string; payments: string }) => [Number(r.total), Number(r.payments)]),
    ).toEqual(ids.map(() => [2990, 1]));
  });

  it('a repeated DOOR_CLOSED (a new id, the same session) charges once', async () => {
    const token = await agreedCitizen(t, nextPhone());
    const id = await openFor(token);
    sim.take(1, 500);
    const closed = sim.weights;
    await sim.closeDoor();
    // The cabinet did not hear the broker's ack and sends DOOR_CLOSED again, twice, with fresh ids.
    await sim.publishEvent({ type: 'DOOR_CLOSED', sessionId: id, slots: closed });
    await sim.publishEvent({ type: 'DOOR_CLOSED', sessionId: id, slots: closed });
    await until('paid', async () => (await session(id)).payment === 'PAID');
    await new Promise((r) => setTimeout(r, 500));
    const orders = await t.db.query(
      'SELECT id, total_fen AS total FROM orders WHERE buyer_user_id = (SELECT user_id FROM kiosk_sessions WHERE id = ?)',
      [id],
    );
    expect(orders.map((o: { total: string }) => Number(o.total))).toEqual([5980]);
    const payments = await t.db.query('SELECT status FROM payments WHERE order_id = ?', [id]);
    expect(payments.map((p: { status: string }) => p.status)).toEqual(['CAPTURED']);
    expect((await cabinet()).slots[0].quantity).toBe(20 - 5 - 2);
  });

  it('drops a bad signature, a stale or future timestamp and a replayed id; none changes anything', async () => {
    const token = await agreedCitizen(t, nextPhone());
    const id = await openFor(token);
    const before = await both();
    const base = {
      type: 'DOOR_CLOSED',
      sessionId: id,
      slots: [
        { slotNo: 1, weightGrams: 0 },
        { slotNo: 2, weightGrams: 0 },
      ],
    };
    // Signed with another secret; altered after signing; unsigned.
    await sim.publishEvent(base, { secret: 'not-the-device-secret' });
    const signed = sign({ ...base, id: `${c.code}-forged-1`, ts: Date.now() }, c.secret);
    await sim.publishEvent({ ...signed, slots: [{ slotNo: 1, weightGrams: 1 }] }, { raw: true });
    await sim.publishEvent({ ...base, id: `${c.code}-nosig`, ts: Date.now() }, { raw: true });
    // Six minutes old, six minutes ahead.
    await sim.publishEvent({ ...base, ts: Date.now() - 6 * 60_000 });
    await sim.publishEvent({ ...base, ts: Date.now() + 6 * 60_000 });
    // A heartbeat, then the same message again (a replay of a captured packet).
    const hb = await sim.heartbeat();
    await sim.publishEvent(hb, { raw: true });
    // Not JSON at all.
    const raw = connect(t.env.MQTT_URL);
    await new Promise((r) => raw.once('connect', r));
    await raw.publishAsync(eventTopic(c.code), 'not json', { qos: 1 });
    await raw.endAsync();
    const after = await until('all seen', async () => {
      const x = await both();
      const d = (k: string) => (x.sum[k] ?? 0) - (before.sum[k] ?? 0);
      return (
        d('bad-signature') >= 3 &&
        d('stale') >= 2 &&
        d('replay') >= 1 &&
        d('unreadable') >= 1 &&
        d('handled') >= 1 &&
        x
      );
    });
    const d = (k: string) => (after.sum[k] ?? 0) - (before.sum[k] ?? 0);
    expect([d('bad-signature'), d('stale'), d('replay'), d('unreadable')]).toEqual([3, 2, 1, 1]);
    // The heartbeat sent above, and any the simulator beats on its own (every 30 s) on a slow run.
    expect(d('handled')).toBeGreaterThanOrEqual(1);
    // The session is still open: no forged DOOR_CLOSED reached it.
    expect((await session(id)).status).toBe('OPEN');
    await sim.closeDoor();
    await until('cancelled', async () => (await session(id)).status === 'CANCELLED');
  });

  it('the gateway comes back after losing its broker connection, and handles events again', async () => {
    const mqtt = t.app.get(MqttService);
    const copyMqtt = copy.app.get(MqttService);
    // Both copies lose the network at once.
    const gone = Promise.all(
      [mqtt, copyMqtt].map((m) => new Promise<void>((r) => m.raw.once('close', () => r()))),
    );
    mqtt.raw.stream.destroy();
    copyMqtt.raw.stream.destroy();
    await gone;
    expect(mqtt.connected).toBe(false);
    await until('reconnected', async () => mqtt.connected && copyMqtt.connected, 15_000);
    const token = await agreedCitizen(t, nextPhone());
    const id = await openFor(token);
    sim.take(2, 500);
    await sim.closeDoor();
    const s = await until('paid', async () => {
      const x = await session(id);
      return x.payment === 'PAID' && x;
    });
    expect(s.totalFen).toBe(6800);
  });
});
