import { randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32, as ULID
const TWO40 = 2 ** 40;
const pool = Buffer.alloc(4000);
let offset = pool.length;
let lastTime = -1;
let hi = 0; // the 80 random bits as two 40-bit halves
let lo = 0;

function read40(): number {
  const v = pool.readUIntBE(offset, 5);
  offset += 5;
  return v;
}

function encode(value: number, chars: number): string {
  let out = '';
  for (let i = 0; i < chars; i++) {
    out = ALPHABET[value % 32] + out;
    value = Math.floor(value / 32);
  }
  return out;
}

/**
 * Opaque, time-ordered 26-character ids (the ULID layout: 48-bit milliseconds, 80 random bits), usable as
 * cursors and primary keys. Within one millisecond the random part counts up, so ids from one process
 * sort in the order they were made. Random bytes come from a pooled buffer: one system call per 400 ids.
 */
export function newId(): string {
  const now = Date.now();
  if (now <= lastTime) {
    lo += 1;
    if (lo === TWO40) {
      lo = 0;
      hi = (hi + 1) % TWO40;
    }
  } else {
    lastTime = now;
    if (offset + 10 > pool.length) {
      randomFillSync(pool);
      offset = 0;
    }
    hi = read40();
    lo = read40();
  }
  return encode(lastTime, 10) + encode(hi, 8) + encode(lo, 8);
}
