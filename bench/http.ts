// Small HTTP helpers for the benchmarks: JSON calls over undici's keep-alive pools. The load generator shares
// the machine with what it measures, so it uses undici's request API, which costs a fraction of fetch's CPU.
import { Pool } from 'undici';

export interface Call {
  status: number;
  body: any;
}

const pools = new Map<string, Pool>();

function pool(base: string): Pool {
  let p = pools.get(base);
  if (!p) {
    p = new Pool(base, { connections: 128, pipelining: 1 });
    pools.set(base, p);
  }
  return p;
}

/** Closes the connections to `base` (a server about to stop). */
export async function closePool(base: string): Promise<void> {
  await pools.get(base)?.close();
  pools.delete(base);
}

export async function call(
  base: string,
  method: string,
  path: string,
  body?: object,
  token?: string,
  headers: Record<string, string> = {},
): Promise<Call> {
  const res = await pool(base).request({
    method: method as 'GET',
    path,
    headers: {
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: token } : {}),
      ...headers,
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.body.text();
  return { status: res.statusCode, body: text ? JSON.parse(text) : undefined };
}

export async function must(
  base: string,
  method: string,
  path: string,
  body?: object,
  token?: string,
): Promise<any> {
  const r = await call(base, method, path, body, token);
  if (r.status >= 300) {
    throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  }
  return r.body;
}

/** Signs a citizen in by SMS code through the log provider, as the phone app would. */
export async function citizen(base: string, phone: string): Promise<string> {
  await must(base, 'POST', '/api/v1/auth/otp/request', { phone });
  const sms = await must(base, 'GET', `/api/v1/dev/sms?phone=${phone}`);
  const code = /(\d{6})/.exec(sms[0].text as string)![1];
  const { accessToken } = await must(base, 'POST', '/api/v1/auth/otp/verify', { phone, code });
  return `Bearer ${accessToken as string}`;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) {
    return NaN;
  }
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export const round1 = (n: number) => Math.round(n * 10) / 10;
