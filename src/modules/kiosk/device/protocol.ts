import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The cabinet protocol of API.md ("Cabinet protocol"): JSON messages over MQTT (QoS 1), each signed with the
 * cabinet's device secret. Shared by the service's gateway and the cabinet simulator, so both sides sign the
 * same bytes.
 */

/** Events a cabinet publishes on `kiosk/<code>/evt`. */
export enum CabinetEventType {
  Heartbeat = 'HEARTBEAT',
  DoorOpened = 'DOOR_OPENED',
  DoorClosed = 'DOOR_CLOSED',
  Fault = 'FAULT',
}

/** Commands the service publishes on `kiosk/<code>/cmd`. */
export enum CabinetCommandType {
  Unlock = 'UNLOCK',
}

export interface SlotWeight {
  slotNo: number;
  weightGrams: number;
}

export interface SignedMessage {
  id: string;
  type: string;
  ts: number;
  sig: string;
  [key: string]: unknown;
}

export interface UnlockCommand extends SignedMessage {
  type: CabinetCommandType.Unlock;
  sessionId: string;
  exp: number;
}

/** How far an event's `ts` may be from the service's clock. */
export const EVENT_TS_WINDOW_MS = 5 * 60_000;

export const commandTopic = (code: string) => `kiosk/${code}/cmd`;
export const eventTopic = (code: string) => `kiosk/${code}/evt`;
/** The cabinet code of an event or command topic; null for any other topic. */
export function codeOfTopic(topic: string): string | null {
  const m = /^kiosk\/([^/]+)\/(?:evt|cmd)$/.exec(topic);
  return m ? m[1] : null;
}

/** JSON with keys sorted at every level and no spaces: the bytes a signature covers. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The lowercase hex HMAC-SHA256 of a message without its `sig`. */
export function signatureOf(message: Record<string, unknown>, secret: string): string {
  const { sig: _sig, ...rest } = message;
  return createHmac('sha256', secret).update(canonicalJson(rest)).digest('hex');
}

/** The message with its `sig`. */
export function sign<T extends Record<string, unknown>>(message: T, secret: string): T & { sig: string } {
  return { ...message, sig: signatureOf(message, secret) };
}

/** Whether a message's `sig` is the HMAC of the rest under `secret` (constant-time compare). */
export function hasValidSignature(message: Record<string, unknown>, secret: string): boolean {
  const given = message.sig;
  if (typeof given !== 'string' || !/^[0-9a-f]{64}$/.test(given)) {
    return false;
  }
  return timingSafeEqual(Buffer.from(given, 'hex'), Buffer.from(signatureOf(message, secret), 'hex'));
}

/** Reads the slot weights of a DOOR_OPENED / DOOR_CLOSED event; null when malformed. */
export function slotWeightsOf(value: unknown): SlotWeight[] | null {
  if (!Array.isArray(value)) {
    return null;
  }
  const out: SlotWeight[] = [];
  for (const s of value) {
    const slotNo = (s as SlotWeight)?.slotNo;
    const weightGrams = (s as SlotWeight)?.weightGrams;
    if (
      !Number.isSafeInteger(slotNo) ||
      !Number.isSafeInteger(weightGrams) ||
      slotNo < 1 ||
      weightGrams < 0
    ) {
      return null;
    }
    out.push({ slotNo, weightGrams });
  }
  return out;
}
