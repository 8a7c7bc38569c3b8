import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { connect, MqttClient } from 'mqtt';
import {
  CabinetCommandType,
  CabinetEventType,
  commandTopic,
  eventTopic,
  hasValidSignature,
  sign,
  SignedMessage,
  SlotWeight,
} from './protocol';

/** A command as the simulator received it: whatever JSON object arrived on its cmd topic. */
export type ReceivedCommand = Record<string, unknown>;

/** Why a command was not acted upon. */
export type IgnoreReason =
  | 'not a JSON object'
  | 'bad signature'
  | 'expired'
  | 'unknown command type'
  | 'duplicate command id'
  | 'door already open';

/** What a customer does each time the door opens (customer mode). */
export interface SimulatedCustomer {
  /** Grams taken from each slot while the door is open. */
  takes: { slotNo: number; grams: number }[];
  /** How long the door stays open before the customer closes it; default 50 ms. */
  dwellMs?: number;
}

export interface CabinetSimulatorOptions {
  code: string;
  /** The cabinet's deviceSecret: signs events, checks commands. */
  secret: string;
  /** Broker URL; default mqtt://127.0.0.1:1883. */
  url?: string;
  /** Initial scale readings. */
  slots?: SlotWeight[];
  /** Heartbeat period; default 30000. */
  heartbeatMs?: number;
  /** Whether a valid UNLOCK opens the door at once; default true. */
  autoOpen?: boolean;
  /** Customer mode: on every door open, take these grams then close after dwellMs. */
  customer?: SimulatedCustomer;
  /** MQTT protocol version; default 5. */
  protocolVersion?: 4 | 5;
  /** Receives client errors and other diagnostics, one line each. */
  log?: (line: string) => void;
}

/** Options of publishEvent: sign with another secret (a forgery), or publish the object exactly as given. */
export interface PublishEventOptions {
  secret?: string;
  raw?: boolean;
}

/** An event to publish; id, ts and sig are filled when missing. */
export type PartialEvent = { type?: string; id?: string; ts?: number; sig?: string } & Record<
  string,
  unknown
>;

/** The events a CabinetSimulator emits, with their arguments. */
export interface CabinetSimulatorEvents {
  /** Every connection accepted by the broker (the first one, reconnections, goOnline). */
  connected: [];
  /** Any JSON object received on the cmd topic, before it is checked. */
  command: [msg: ReceivedCommand, receivedAtMs: number];
  /** A command not acted upon (a malformed payload arrives as its text). */
  ignored: [msg: ReceivedCommand | string, reason: IgnoreReason];
  /** A validly signed, unexpired UNLOCK. */
  unlock: [msg: ReceivedCommand, receivedAtMs: number];
  /** DOOR_OPENED was published. */
  opened: [msg: SignedMessage];
  /** DOOR_CLOSED was published. */
  closed: [msg: SignedMessage];
  /** Every event published (heartbeats, doors, faults, publishEvent). */
  published: [msg: Record<string, unknown>];
}

const DEFAULT_URL = 'mqtt://127.0.0.1:1883';
const SEEN_COMMANDS_KEPT = 1000;

function isGrams(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

/**
 * A smart cabinet on MQTT, as the service sees one: it signs its events with its device secret, obeys signed
 * unexpired UNLOCK commands, reports its scales on door open and close, and beats every heartbeatMs. Used by
 * e2e tests, page tests, benchmarks and `npm run cabinet:sim`.
 */
export class CabinetSimulator extends EventEmitter<CabinetSimulatorEvents> {
  readonly code: string;
  private readonly secret: string;
  private readonly url: string;
  private readonly heartbeatMs: number;
  private readonly autoOpen: boolean;
  private readonly customer?: SimulatedCustomer;
  private readonly protocolVersion: 4 | 5;
  private readonly log: (line: string) => void;

  private readonly scales = new Map<number, number>();
  private readonly seenCommandIds = new Set<string>();
  private client: MqttClient | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private customerTimer: NodeJS.Timeout | null = null;
  private openSession: string | null = null;
  private seq = 0;

  constructor(opts: CabinetSimulatorOptions) {
    super();
    if (!opts.code || !opts.secret) {
      throw new Error('CabinetSimulator needs a code and a secret');
    }
    this.code = opts.code;
    this.secret = opts.secret;
    this.url = opts.url ?? DEFAULT_URL;
    this.heartbeatMs = opts.heartbeatMs ?? 30_000;
    this.autoOpen = opts.autoOpen ?? true;
    this.customer = opts.customer;
    this.protocolVersion = opts.protocolVersion ?? 5;
    this.log = opts.log ?? (() => undefined);
    if (!(this.heartbeatMs > 0)) {
      throw new Error(`heartbeatMs must be positive, got ${this.heartbeatMs}`);
    }
    for (const s of opts.slots ?? []) {
      if (!Number.isSafeInteger(s.slotNo) || s.slotNo < 1 || !isGrams(s.weightGrams)) {
        throw new Error(`invalid slot ${JSON.stringify(s)}`);
      }
      this.scales.set(s.slotNo, s.weightGrams);
    }
  }

  /** The current scale readings, by slot number. */
  get weights(): SlotWeight[] {
    return [...this.scales.entries()]
      .sort(([a], [b]) => a - b)
      .map(([slotNo, weightGrams]) => ({ slotNo, weightGrams }));
  }

  /** The session the door is open for; null when it is closed. */
  get doorOpenFor(): string | null {
    return this.openSession;
  }

  /** Whether the MQTT client is connected right now. */
  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /** Connects, subscribes to the cmd topic, sends a heartbeat now and then every heartbeatMs. */
  async start(): Promise<void> {
    if (this.client) {
      throw new Error(`cabinet simulator ${this.code} is already started`);
    }
    await this.connectAndBeat();
  }

  /** Ends the client and clears every timer. */
  async stop(): Promise<void> {
    this.clearTimers();
    await this.endClient();
  }

  /** Stops heartbeats and disconnects; goOnline() comes back. */
  async goOffline(): Promise<void> {
    this.stopHeartbeats();
    await this.endClient();
  }

  /** Reconnects, resubscribes and sends a heartbeat (then every heartbeatMs). No-op when already online. */
  async goOnline(): Promise<void> {
    if (this.client) {
      return;
    }
    await this.connectAndBeat();
  }

  /** Opens the door for a session: DOOR_OPENED with the weights before anything is taken. */
  async openDoor(sessionId: string): Promise<SignedMessage> {
    if (this.openSession !== null) {
      throw new Error(`the door of ${this.code} is already open for session ${this.openSession}`);
    }
    this.openSession = sessionId;
    let msg: SignedMessage;
    try {
      msg = await this.publishEvent({ type: CabinetEventType.DoorOpened, sessionId, slots: this.weights });
    } catch (e) {
      this.openSession = null;
      throw e;
    }
    this.emit('opened', msg);
    if (this.customer) {
      this.actAsCustomer(this.customer, sessionId);
    }
    return msg;
  }

  /** Closes the door: DOOR_CLOSED with the weights now, for the open session. */
  async closeDoor(): Promise<{ id: string; ts: number }> {
    const sessionId = this.openSession;
    if (sessionId === null) {
      throw new Error(`the door of ${this.code} is not open`);
    }
    if (this.customerTimer) {
      clearTimeout(this.customerTimer);
      this.customerTimer = null;
    }
    this.openSession = null;
    let msg: SignedMessage;
    try {
      msg = await this.publishEvent({ type: CabinetEventType.DoorClosed, sessionId, slots: this.weights });
    } catch (e) {
      this.openSession = sessionId;
      throw e;
    }
    this.emit('closed', msg);
    return { id: msg.id, ts: msg.ts };
  }

  /** Takes grams off a slot's scale (the reading never goes below 0). */
  take(slotNo: number, grams: number): void {
    if (!isGrams(grams)) {
      throw new Error(`grams must be a non-negative integer, got ${grams}`);
    }
    const now = this.scales.get(slotNo);
    if (now === undefined) {
      throw new Error(`cabinet ${this.code} has no slot ${slotNo}`);
    }
    this.scales.set(slotNo, Math.max(0, now - grams));
  }

  /** Puts grams on a slot's scale; an unknown slot is created. */
  put(slotNo: number, grams: number): void {
    if (!Number.isSafeInteger(slotNo) || slotNo < 1) {
      throw new Error(`slotNo must be a positive integer, got ${slotNo}`);
    }
    if (!isGrams(grams)) {
      throw new Error(`grams must be a non-negative integer, got ${grams}`);
    }
    this.scales.set(slotNo, (this.scales.get(slotNo) ?? 0) + grams);
  }

  heartbeat(): Promise<SignedMessage> {
    return this.publishEvent({ type: CabinetEventType.Heartbeat });
  }

  fault(reason: string): Promise<SignedMessage> {
    return this.publishEvent({ type: CabinetEventType.Fault, reason });
  }

  /**
   * Publishes an event on the evt topic (QoS 1), filling id and ts when missing and signing it (with
   * `opts.secret` when given, to forge). With `opts.raw`, publishes the object exactly as given.
   */
  async publishEvent(partial: PartialEvent, opts: PublishEventOptions = {}): Promise<SignedMessage> {
    let msg: Record<string, unknown>;
    if (opts.raw) {
      msg = partial;
    } else {
      const { sig: _sig, ...rest } = partial;
      const ts = typeof rest.ts === 'number' ? rest.ts : Date.now();
      const id = typeof rest.id === 'string' ? rest.id : this.nextId(ts);
      msg = sign({ ...rest, id, ts }, opts.secret ?? this.secret);
    }
    const client = this.client;
    if (!client) {
      throw new Error(`cabinet simulator ${this.code} is offline`);
    }
    await client.publishAsync(eventTopic(this.code), JSON.stringify(msg), { qos: 1 });
    this.emit('published', msg);
    return msg as SignedMessage;
  }

  private nextId(ts: number): string {
    this.seq += 1;
    return `${this.code}-${ts}-${this.seq}`;
  }

  private async connectAndBeat(): Promise<void> {
    const client = connect(this.url, {
      clientId: `sim-${this.code}-${randomBytes(4).toString('hex')}`,
      protocolVersion: this.protocolVersion,
      reconnectPeriod: 1000,
      connectTimeout: 5000,
      clean: true,
    });
    this.client = client;
    let firstConnect = true;
    client.on('error', (e) => this.log(`cabinet ${this.code}: MQTT error: ${e.message}`));
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    client.on('connect', () => {
      if (firstConnect) {
        firstConnect = false;
        return;
      }
      // A reconnection: mqtt.js resubscribes by itself; say we are back.
      this.log(`cabinet ${this.code}: reconnected`);
      this.emit('connected');
      this.heartbeat().catch((e: Error) => this.log(`cabinet ${this.code}: heartbeat failed: ${e.message}`));
    });
    client.on('offline', () => this.log(`cabinet ${this.code}: disconnected from ${this.url}`));

    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        client.off('connect', onConnect);
        client.off('end', onEnd);
        if (err) {
          reject(err);
        } else {
          resolve();
        }
      };
      const onConnect = () => done();
      const onEnd = () => done(new Error(`cabinet simulator ${this.code} was stopped before it connected`));
      client.on('connect', onConnect);
      client.on('end', onEnd);
    });
    try {
      const granted = await client.subscribeAsync(commandTopic(this.code), { qos: 1 });
      if (granted.some((g) => g.qos !== 0 && g.qos !== 1 && g.qos !== 2)) {
        throw new Error(`the broker refused the subscription to ${commandTopic(this.code)}`);
      }
      this.emit('connected');
      await this.heartbeat();
    } catch (e) {
      if (this.client === client) {
        this.client = null;
      }
      await client.endAsync(true).catch(() => undefined);
      throw e;
    }
    this.stopHeartbeats();
    const beat = () => {
      if (!this.client?.connected) {
        return; // a cabinet without a link does not queue up stale heartbeats
      }
      this.heartbeat().catch((e: Error) => this.log(`cabinet ${this.code}: heartbeat failed: ${e.message}`));
    };
    // Real cabinets were not switched on in the same second: the first period is a random part of one, so
    // that many simulators started together do not beat in step.
    this.heartbeatTimer = setTimeout(
      () => {
        beat();
        this.heartbeatTimer = setInterval(beat, this.heartbeatMs);
        this.heartbeatTimer.unref();
      },
      Math.floor(Math.random() * this.heartbeatMs),
    );
    this.heartbeatTimer.unref();
  }

  private onMessage(topic: string, payload: Buffer): void {
    if (topic !== commandTopic(this.code)) {
      return;
    }
    const receivedAtMs = Date.now();
    try {
      const text = payload.toString('utf8');
      let msg: ReceivedCommand;
      try {
        const parsed: unknown = JSON.parse(text);
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
          throw new Error('not an object');
        }
        msg = parsed as ReceivedCommand;
      } catch {
        this.emit('ignored', text, 'not a JSON object');
        return;
      }
      this.emit('command', msg, receivedAtMs);
      const reason = this.whyIgnore(msg);
      if (reason) {
        this.emit('ignored', msg, reason);
        return;
      }
      this.rememberCommand(msg.id);
      this.emit('unlock', msg, receivedAtMs);
      if (this.autoOpen) {
        this.openDoor(msg.sessionId as string).catch((e: Error) =>
          this.log(`cabinet ${this.code}: could not open the door: ${e.message}`),
        );
      }
    } catch (e) {
      // A listener threw; never let it reach mqtt.js's handler.
      this.log(`cabinet ${this.code}: command handling failed: ${(e as Error).message}`);
    }
  }

  private whyIgnore(msg: ReceivedCommand): IgnoreReason | null {
    if (!hasValidSignature(msg, this.secret)) {
      return 'bad signature';
    }
    if (typeof msg.exp !== 'number' || msg.exp < Date.now()) {
      return 'expired';
    }
    if (msg.type !== CabinetCommandType.Unlock || typeof msg.sessionId !== 'string') {
      return 'unknown command type';
    }
    if (typeof msg.id === 'string' && this.seenCommandIds.has(msg.id)) {
      return 'duplicate command id';
    }
    if (this.autoOpen && this.openSession !== null) {
      return 'door already open';
    }
    return null;
  }

  private rememberCommand(id: unknown): void {
    if (typeof id !== 'string') {
      return;
    }
    this.seenCommandIds.add(id);
    if (this.seenCommandIds.size > SEEN_COMMANDS_KEPT) {
      const oldest = this.seenCommandIds.values().next().value;
      if (oldest !== undefined) {
        this.seenCommandIds.delete(oldest);
      }
    }
  }

  private actAsCustomer(customer: SimulatedCustomer, sessionId: string): void {
    for (const t of customer.takes) {
      try {
        this.take(t.slotNo, t.grams);
      } catch (e) {
        this.log(`cabinet ${this.code}: customer could not take: ${(e as Error).message}`);
      }
    }
    this.customerTimer = setTimeout(() => {
      this.customerTimer = null;
      if (this.openSession !== sessionId) {
        return;
      }
      this.closeDoor().catch((e: Error) =>
        this.log(`cabinet ${this.code}: customer could not close the door: ${e.message}`),
      );
    }, customer.dwellMs ?? 50);
  }

  private stopHeartbeats(): void {
    if (this.heartbeatTimer) {
      clearInterval(this.heartbeatTimer);
      this.heartbeatTimer = null;
    }
  }

  private clearTimers(): void {
    this.stopHeartbeats();
    if (this.customerTimer) {
      clearTimeout(this.customerTimer);
      this.customerTimer = null;
    }
  }

  private async endClient(): Promise<void> {
    const client = this.client;
    if (!client) {
      return;
    }
    this.client = null;
    // A graceful end waits for in-flight QoS 1 publishes; a disconnected client cannot finish them.
    await client.endAsync(!client.connected).catch((e: Error) => {
      this.log(`cabinet ${this.code}: MQTT end: ${e.message}`);
    });
  }
}
