import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { Env } from '@/config/env';

/** The key QR tokens are signed with: KIOSK_QR_SECRET, or one derived from JWT_SECRET. */
export function qrKey(env: Pick<Env, 'KIOSK_QR_SECRET' | 'JWT_SECRET'>): Buffer {
  return env.KIOSK_QR_SECRET
    ? Buffer.from(env.KIOSK_QR_SECRET)
    : Buffer.from(hkdfSync('sha256', Buffer.from(env.JWT_SECRET), Buffer.alloc(0), 'cs-kiosk-qr', 32));
}

/** The token of a cabinet's QR code: an HMAC of its code (128 bits, base64url), so no code can be forged. */
export function qrToken(code: string, key: Buffer): string {
  return createHmac('sha256', key).update(`kiosk-qr:${code}`).digest().subarray(0, 16).toString('base64url');
}

/** `${PUBLIC_BASE_URL}/k/<code>?t=<token>` (API.md). */
export function qrUrlOf(baseUrl: string, code: string, key: Buffer): string {
  return `${baseUrl.replace(/\/$/, '')}/k/${encodeURIComponent(code)}?t=${qrToken(code, key)}`;
}

/**
 * The cabinet code a QR URL names, if its token is the one we signed for that code; null for anything
 * else (a forged or altered code, another URL). The host is not checked: the same poster works behind any
 * address the service is reached at.
 */
export function codeOfQrUrl(qrUrl: string, key: Buffer): string | null {
  let url: URL;
  try {
    url = new URL(qrUrl);
  } catch {
    return null;
  }
  const m = /\/k\/([^/]+)$/.exec(url.pathname);
  const token = url.searchParams.get('t');
  if (!m || !token) {
    return null;
  }
  let code: string;
  try {
    code = decodeURIComponent(m[1]);
  } catch {
    return null;
  }
  const expected = Buffer.from(qrToken(code, key));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected) ? code : null;
}
