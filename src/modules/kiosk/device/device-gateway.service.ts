import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Env, ENV } from '@/config/env';
import { newId } from '@/common/ids';
import { APP_ROLE, ProcessRole } from '@/infrastructure/config.module';
import { MetricsService } from '@/infrastructure/metrics/metrics';
import { MqttService } from '@/infrastructure/mqtt/mqtt.module';
import { RedisService } from '@/infrastructure/redis/redis.module';
import { CabinetsService } from '../cabinets.service';
import { CabinetEntity } from '../entities/cabinet.entity';
import {
  CabinetCommandType,
  CabinetEventType,
  codeOfTopic,
  commandTopic,
  EVENT_TS_WINDOW_MS,
  hasValidSignature,
  sign,
  SlotWeight,
  slotWeightsOf,
} from './protocol';

/** A verified event, handed to the kiosk's use cases. */
export interface CabinetEvent {
  cabinet: CabinetEntity;
  id: string;
  type: CabinetEventType;
  ts: number;
  sessionId?: string;
  slots?: SlotWeight[];
  reason?: string;
}

export type CabinetEventHandler = (e: CabinetEvent) => Promise<void>;

/** Why an event was dropped (a metric label and a log field). */
type Drop = 'unreadable' | 'unknown-cabinet' | 'bad-signature' | 'stale' | 'replay' | 'malformed';

/**
 * The cabinets' side of the broker. Commands go down signed with the cabinet's secret and an expiry; events
 * come up through the shared subscription `$share/<MQTT_SHARE_GROUP>/kiosk/+/evt`, so api copies split them
 * and each event is handled by one copy. An event is handled only if its signature is the cabinet's, its
 * `ts` is within 5 minutes and its `id` was not seen before (Redis, kept twice the window): a replay is
 * dropped here, and the use cases' conditional changes make any repeat that got through harmless.
 */
@Injectable()
export class DeviceGateway implements OnApplicationBootstrap {
  private readonly logger = new Logger('CabinetGateway');
  private handler: CabinetEventHandler | undefined;
  /** When this copy last wrote each cabinet's last_seen_at. */
  private readonly seenWritten = new Map<string, number>();
  /** Events of one cabinet are handled in the order they came (per copy). */
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    @Inject(MqttService) private readonly mqtt: MqttService,
    @Inject(RedisService) private readonly redis: RedisService,
    @Inject(CabinetsService) private readonly cabinets: CabinetsService,
    @Inject(MetricsService) private readonly metrics: MetricsService,
    @Inject(APP_ROLE) private readonly role: ProcessRole,
    @Inject(ENV) private readonly env: Env,
  ) {}

  /** The one consumer of verified events (the kiosk's event use cases). */
  onEvent(handler: CabinetEventHandler): void {
    this.handler = handler;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.role === 'worker') {
      return;
    }
    await this.mqtt.waitConnected(5000);
    await this.mqtt
      .subscribe(`$share/${this.env.MQTT_SHARE_GROUP}/kiosk/+/evt`, (topic, payload) =>
        this.receive(topic, payload),
      )
      .catch((e: Error) =>
        this.logger.error(
          { err: e },
          'could not subscribe to cabinet events; the client retries on reconnect',
        ),
      );
  }

  /** Publishes a signed UNLOCK that the cabinet ignores after `exp`. */
  async sendUnlock(code: string, sessionId: string, exp: Date): Promise<void> {
    const c = await this.cabinets.withSecret(code);
    if (!c) {
      throw new Error(`cabinet ${code} vanished`);
    }
    const cmd = sign(
      { id: newId(), type: CabinetCommandType.Unlock, sessionId, ts: Date.now(), exp: exp.getTime() },
      c.secret,
    );
    await this.mqtt.publish(commandTopic(code), cmd);
  }

  get connected(): boolean {
    return this.mqtt.connected;
  }

  private receive(topic: string, payload: Buffer): void {
    const code = codeOfTopic(topic);
    if (!code || !topic.endsWith('/evt')) {
      return;
    }
    const prev = this.chains.get(code) ?? Promise.resolve();
    const next = prev
      .then(async () => void (await this.handle(code, payload)))
      .catch((e: unknown) => this.logger.error({ err: e as Error, cabinet: code }, 'cabinet event failed'))
      .finally(() => {
        if (this.chains.get(code) === next) {
          this.chains.delete(code);
        }
      });
    this.chains.set(code, next);
  }

  /** Verifies and hands on one event; returns why it was dropped, if it was. */
  async handle(code: string, payload: Buffer): Promise<Drop | 'handled'> {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
    } catch {
      return this.drop('unreadable', code);
    }
    if (!msg || typeof msg !== 'object' || Array.isArray(msg)) {
      return this.drop('unreadable', code);
    }
    const c = await this.cabinets.withSecret(code);
    if (!c) {
      return this.drop('unknown-cabinet', code);
    }
    if (!hasValidSignature(msg, c.secret)) {
      return this.drop('bad-signature', code, msg.id);
    }
    const now = Date.now();
    if (
      typeof msg.ts !== 'number' ||
      !Number.isFinite(msg.ts) ||
      Math.abs(now - msg.ts) > EVENT_TS_WINDOW_MS
    ) {
      return this.drop('stale', code, msg.id);
    }
    if (typeof msg.id !== 'string' || !msg.id || msg.id.length > 128) {
      return this.drop('malformed', code);
    }
    const type = msg.type as CabinetEventType;
    if (!Object.values(CabinetEventType).includes(type)) {
      return this.drop('malformed', code, msg.id);
    }
    const event: CabinetEvent = { cabinet: c.cabinet, id: msg.id, type, ts: msg.ts };
    if (type === CabinetEventType.DoorOpened || type === CabinetEventType.DoorClosed) {
      const slots = slotWeightsOf(msg.slots);
      if (typeof msg.sessionId !== 'string' || !slots) {
        return this.drop('malformed', code, msg.id);
      }
      event.sessionId = msg.sessionId;
      event.slots = slots;
    } else if (type === CabinetEventType.Fault) {
      event.reason =
        typeof msg.reason === 'string' && msg.reason ? msg.reason.slice(0, 255) : 'unspecified fault';
    }
    // Seen once per id, kept past the ts window so a replay can never come back in.
    const seenKey = `${this.env.QUEUE_PREFIX}:kiosk:evt:${c.cabinet.id}:${msg.id}`;
    const first = await this.redis.client.set(seenKey, '1', 'PX', EVENT_TS_WINDOW_MS * 2, 'NX');
    if (first !== 'OK') {
      return this.drop('replay', code, msg.id);
    }
    this.metrics.kioskEvents.inc({ type, outcome: 'handled' });
    try {
      await this.markSeen(c.cabinet.id, now);
      if (this.handler) {
        await this.handler(event);
      }
    } catch (e) {
      // Not handled after all: the cabinet's retransmission of this id must get through (the use cases'
      // conditional changes make a repeat harmless).
      await this.redis.client.del(seenKey).catch(() => undefined);
      throw e;
    }
    return 'handled';
  }

  /**
   * Records that the cabinet was heard from. Within a session its events come seconds apart, and being seen
   * matters at the scale of KIOSK_OFFLINE_SECONDS: each copy writes it at most every few seconds per
   * cabinet (always when the cabinet is not known ONLINE here, so a cabinet coming back is ONLINE at once).
   */
  private async markSeen(cabinetId: string, now: number): Promise<void> {
    const last = this.seenWritten.get(cabinetId);
    const every = Math.min(5000, (this.env.KIOSK_OFFLINE_SECONDS * 1000) / 6);
    if (last !== undefined && now - last < every) {
      return;
    }
    this.seenWritten.set(cabinetId, now);
    await this.cabinets.markSeen(cabinetId, new Date(now));
  }

  private drop(why: Drop, code: string, id?: unknown): Drop {
    this.metrics.kioskEvents.inc({ type: 'any', outcome: why });
    this.logger.warn(
      { cabinet: code, eventId: typeof id === 'string' ? id : undefined, why },
      'cabinet event dropped',
    );
    return why;
  }
}
