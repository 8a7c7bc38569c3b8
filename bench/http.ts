// Small HTTP helpers for the benchmarks: JSON calls with keep-alive (Node's fetch pools connections).
export interface Call {
  status: number;
  body: any;
}

export async function call(
  base: string,
  method: string,
  path: string,
  body?: object,
  token?: string,
  headers: Record<string, string> = {},
): Promise<Call> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: token } : {}),
      ...headers,
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
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
