import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connectAsync, MqttClient } from 'mqtt';
import { CabinetSimulator, CabinetSimulatorOptions, IgnoreReason } from './cabinet-simulator';
import {
  CabinetCommandType,
  CabinetEventType,
  commandTopic,
  eventTopic,
  hasValidSignature,
  sign,
  SignedMessage,
} from './protocol';

const URL = process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const SECRET = 'sim-spec-secret';
const rand = () => randomBytes(4).toString('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Matches the events of one type. */
const is = (type: CabinetEventType) => (m: SignedMessage) => m.type === String(type);

/** The service's side: every event published on one cabinet's evt topic. */
class ServiceSide {
  readonly events: SignedMessage[] = [];
  private waiters: { pred: (m: SignedMessage) => boolean; resolve: (m: SignedMessage) => void }[] = [];

  private constructor(
    readonly code: string,
    readonly client: MqttClient,
  ) {
    client.on('message', (_topic, payload) => {
      const m = JSON.parse(payload.toString('utf8')) as SignedMessage;
      this.events.push(m);
      this.waiters = this.waiters.filter((w) => {
        if (w.pred(m)) {
          w.resolve(m);
          return false;
        }
        return true;
      });
    });
  }

  static async listen(code: string): Promise<ServiceSide> {
    const client = await connectAsync(URL, {
      clientId: `svc-${code}`,
      protocolVersion: 5,
      reconnectPeriod: 0,
    });
    const side = new ServiceSide(code, client);
    await client.subscribeAsync(eventTopic(code), { qos: 1 });
    return side;
  }

  /** The first event (already received or to come) matching pred. */
  waitFor(pred: (m: SignedMessage) => boolean, timeoutMs = 3000): Promise<SignedMessage> {
    const seen = this.events.find(pred);
    if (seen) {
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error(`no matching event on ${this.code} in ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.push({
        pred,
        resolve: (m) => {
          clearTimeout(t);
          resolve(m);
        },
      });
    });
  }

  ofType(type: CabinetEventType): SignedMessage[] {
    return this.events.filter(is(type));
  }

  async unlock(sessionId: string, over: Record<string, unknown> = {}, secret = SECRET): Promise<void> {
    const now = Date.now();
    const cmd = sign(
      {
        id: `svc-${rand()}`,
        type: CabinetCommandType.Unlock,
        sessionId,
        ts: now,
        exp: now + 30_000,
        ...over,
      },
      secret,
    );
    await this.client.publishAsync(commandTopic(this.code), JSON.stringify(cmd), { qos: 1 });
  }

  close(): Promise<void> {
    return this.client.endAsync();
  }
}

describe('CabinetSimulator (real broker)', () => {
  let code: string;
  let service: ServiceSide;
  const sims: CabinetSimulator[] = [];
  const logged: string[] = [];

  const simulator = async (opts: Partial<CabinetSimulatorOptions> = {}): Promise<CabinetSimulator> => {
    const sim = new CabinetSimulator({
      code,
      secret: SECRET,
      url: URL,
      slots: [
        { slotNo: 1, weightGrams: 5000 },
        { slotNo: 2, weightGrams: 3000 },
      ],
      log: (line) => logged.push(line),
      ...opts,
    });
    sims.push(sim);
    await sim.start();
    return sim;
  };

  beforeEach(async () => {
    code = `SIMTEST-${rand()}`;
    logged.length = 0;
    service = await ServiceSide.listen(code);
  });

  afterEach(async () => {
    await Promise.all(sims.splice(0).map((s) => s.stop()));
    await service.close();
  });

  it('sends a validly signed HEARTBEAT as soon as it has started', async () => {
    const sim = await simulator();
    const hb = await service.waitFor(is(CabinetEventType.Heartbeat));
    expect(hasValidSignature(hb, SECRET)).toBe(true);
    expect(hasValidSignature(hb, 'another-secret')).toBe(false);
    expect(hb.id).toBe(`${code}-${hb.ts}-1`);
    expect(Math.abs(hb.ts - Date.now())).toBeLessThan(5000);
    expect(Object.keys(hb).sort()).toEqual(['id', 'sig', 'ts', 'type']);
    expect(sim.doorOpenFor).toBeNull();
    expect(logged).toEqual([]);
  });

  it('opens on a signed UNLOCK with the initial weights, and closes with the weights after', async () => {
    const sim = await simulator();
    const unlocked = once(sim, 'unlock');
    await service.unlock('sess-1');
    const opened = await service.waitFor(is(CabinetEventType.DoorOpened));
    const [unlockMsg, receivedAt] = (await unlocked) as [Record<string, unknown>, number];
    expect(unlockMsg.sessionId).toBe('sess-1');
    expect(typeof receivedAt).toBe('number');
    expect(hasValidSignature(opened, SECRET)).toBe(true);
    expect(opened.sessionId).toBe('sess-1');
    expect(opened.slots).toEqual([
      { slotNo: 1, weightGrams: 5000 },
      { slotNo: 2, weightGrams: 3000 },
    ]);
    expect(sim.doorOpenFor).toBe('sess-1');

    sim.take(1, 250);
    sim.take(2, 3500); // more than is there: the scale reads 0
    const { id, ts } = await sim.closeDoor();
    const closed = await service.waitFor(is(CabinetEventType.DoorClosed));
    expect(closed.id).toBe(id);
    expect(closed.ts).toBe(ts);
    expect(hasValidSignature(closed, SECRET)).toBe(true);
    expect(closed.sessionId).toBe('sess-1');
    expect(closed.slots).toEqual([
      { slotNo: 1, weightGrams: 4750 },
      { slotNo: 2, weightGrams: 0 },
    ]);
    expect(sim.doorOpenFor).toBeNull();
    await expect(sim.closeDoor()).rejects.toThrow(/not open/);
    // Event ids are unique and increasing per simulator.
    const ids = service.events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('ignores an expired UNLOCK and a badly signed one', async () => {
    const sim = await simulator();
    const ignored: IgnoreReason[] = [];
    sim.on('ignored', (_msg, reason) => ignored.push(reason));
    const unlocks: unknown[] = [];
    sim.on('unlock', (msg) => unlocks.push(msg));

    await service.unlock('sess-expired', { exp: Date.now() - 1 });
    await service.unlock('sess-forged', {}, 'not-the-device-secret');
    await service.client.publishAsync(commandTopic(code), 'not json', { qos: 1 });
    await service.unlock('sess-replayed', { id: 'svc-fixed' });
    await service.waitFor((m) => is(CabinetEventType.DoorOpened)(m) && m.sessionId === 'sess-replayed');
    await sim.closeDoor();
    await service.unlock('sess-replayed', { id: 'svc-fixed' }); // the same command id again
    await sleep(300);

    expect(ignored).toEqual(['expired', 'bad signature', 'not a JSON object', 'duplicate command id']);
    expect(unlocks).toHaveLength(1);
    expect(service.ofType(CabinetEventType.DoorOpened).map((e) => e.sessionId)).toEqual(['sess-replayed']);
    expect(sim.doorOpenFor).toBeNull();
  });

  it('speaks MQTT 3.1.1 too', async () => {
    const sim = await simulator({ protocolVersion: 4 });
    await service.waitFor(is(CabinetEventType.Heartbeat));
    await service.unlock('sess-v4');
    const opened = await service.waitFor(is(CabinetEventType.DoorOpened));
    expect(opened.sessionId).toBe('sess-v4');
    expect(sim.doorOpenFor).toBe('sess-v4');
  });

  it('in customer mode takes the grams and closes the door by itself', async () => {
    const sim = await simulator({
      customer: {
        takes: [
          { slotNo: 1, grams: 250 },
          { slotNo: 2, grams: 500 },
        ],
        dwellMs: 100,
      },
    });
    await service.unlock('sess-cust');
    const opened = await service.waitFor(is(CabinetEventType.DoorOpened));
    const closed = await service.waitFor(is(CabinetEventType.DoorClosed));
    expect(opened.slots).toEqual([
      { slotNo: 1, weightGrams: 5000 },
      { slotNo: 2, weightGrams: 3000 },
    ]);
    expect(closed.sessionId).toBe('sess-cust');
    expect(closed.slots).toEqual([
      { slotNo: 1, weightGrams: 4750 },
      { slotNo: 2, weightGrams: 2500 },
    ]);
    expect(hasValidSignature(closed, SECRET)).toBe(true);
    expect(closed.ts - opened.ts).toBeGreaterThanOrEqual(90);
    expect(sim.doorOpenFor).toBeNull();
    expect(sim.weights).toEqual(closed.slots);
  });

  it('stops its heartbeats offline and resumes them online', async () => {
    const sim = await simulator({ heartbeatMs: 200 });
    await service.waitFor(() => service.ofType(CabinetEventType.Heartbeat).length >= 3);
    await sim.goOffline();
    expect(sim.connected).toBe(false);
    await sleep(100); // anything already in flight lands
    const before = service.ofType(CabinetEventType.Heartbeat).length;
    await sleep(700);
    expect(service.ofType(CabinetEventType.Heartbeat).length).toBe(before);
    await expect(sim.fault('offline')).rejects.toThrow(/offline/);

    await sim.goOnline();
    await service.waitFor(() => service.ofType(CabinetEventType.Heartbeat).length >= before + 2);
    expect(logged.filter((l) => /error/i.test(l))).toEqual([]);
  });

  it('publishes events to replay or forge: FAULT, another secret, raw', async () => {
    const sim = await simulator();
    const fault = await sim.fault('scale 2 stuck');
    expect((await service.waitFor((m) => m.id === fault.id)).reason).toBe('scale 2 stuck');
    expect(hasValidSignature(fault, SECRET)).toBe(true);

    const forged = await sim.publishEvent({ type: CabinetEventType.Fault, reason: 'x' }, { secret: 'wrong' });
    expect(hasValidSignature(await service.waitFor((m) => m.id === forged.id), SECRET)).toBe(false);

    const replay = await service.waitFor((m) => m.id === fault.id);
    const before = service.events.length;
    await sim.publishEvent({ ...replay }, { raw: true });
    await service.waitFor(() => service.events.length > before);
    expect(service.events[before]).toEqual(replay);

    const tampered = { ...replay, reason: 'changed', id: `${code}-tampered` };
    await sim.publishEvent(tampered, { raw: true });
    const got = await service.waitFor((m) => m.id === `${code}-tampered`);
    expect(got).toEqual(tampered);
    expect(hasValidSignature(got, SECRET)).toBe(false);
  });

  it('keeps scale readings at 0 or more and creates a slot on put', () => {
    const sim = new CabinetSimulator({
      code: 'SIMTEST-offline',
      secret: SECRET,
      slots: [{ slotNo: 1, weightGrams: 10 }],
    });
    sim.take(1, 25);
    sim.put(3, 40);
    sim.put(1, 5);
    expect(sim.weights).toEqual([
      { slotNo: 1, weightGrams: 5 },
      { slotNo: 3, weightGrams: 40 },
    ]);
    expect(() => sim.take(2, 1)).toThrow(/no slot 2/);
    expect(() => sim.put(1, -1)).toThrow();
  });
});
