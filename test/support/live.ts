import { JwtService } from '@nestjs/jwt';
import { toClaims } from '@/common/auth/auth.guard';
import { UsersService } from '@/modules/identity/users.service';
import { factory } from './factory';
import { TestApp } from './test-app';

export interface LiveFixture {
  hostId: string;
  /** The host user's bearer header. */
  hostToken: string;
  sessionId: string;
  offerId: string;
  productId: string;
  lotId: string;
  householdId: string;
  shareUrl: string;
}

export const API = '/api/v1';

/**
 * A household's own supplier selling Wanzhou rose oranges (priceFen 5990) from one lot, a party-secretary
 * host with its HOST user, and a session offering `stock` units at `livePriceFen` (3990 unless given).
 * Every fen of a sale is the household's (its own supplier, no linkage).
 */
export async function liveSession(
  t: TestApp,
  opts: {
    regions?: boolean;
    stock?: number;
    lotQuantity?: number;
    perBuyerLimit?: number;
    livePriceFen?: number;
    merchantCode?: string;
    start?: boolean;
    hostName?: string;
  } = {},
): Promise<LiveFixture> {
  const f = factory(t);
  if (opts.regions !== false) {
    await f.regions();
  }
  const h = await f.household();
  const supplier = await f.supplier({ type: 'HOUSEHOLD', householdId: h.id });
  const product = await f.product(supplier.id, {
    name: '万州玫瑰香橙',
    category: '柑橘',
    unit: '箱',
    priceFen: 5990,
  });
  const lot = await f.lot(product.id, { quantity: opts.lotQuantity ?? 1000 });
  const host = await f.host({ name: opts.hostName ?? '分水镇党委书记 李明', kind: 'PARTY_SECRETARY' });
  const username = `host-${host.id.toLowerCase()}`;
  await f.user({ username, password: 'host-pass-123', roles: ['HOST'], hostId: host.id });
  const hostToken = await t.login(username, 'host-pass-123');
  const res = await t
    .http()
    .post(`${API}/live/sessions`)
    .set('Authorization', hostToken)
    .send({
      title: '万州柑橘助农直播',
      hostId: host.id,
      platform: 'DOUYIN',
      scheduledAt: new Date().toISOString(),
      offers: [
        {
          productId: product.id,
          livePriceFen: opts.livePriceFen ?? 3990,
          stock: opts.stock ?? 100,
          ...(opts.perBuyerLimit ? { perBuyerLimit: opts.perBuyerLimit } : {}),
          ...(opts.merchantCode ? { merchantCode: opts.merchantCode } : {}),
        },
      ],
    });
  if (res.status !== 201) {
    throw new Error(`session: ${res.status} ${JSON.stringify(res.body)}`);
  }
  const fx: LiveFixture = {
    hostId: host.id,
    hostToken,
    sessionId: res.body.id,
    offerId: res.body.offers[0].id,
    productId: product.id,
    lotId: lot.id,
    householdId: h.id,
    shareUrl: res.body.shareUrl,
  };
  if (opts.start !== false) {
    const s = await t
      .http()
      .post(`${API}/live/sessions/${fx.sessionId}/start`)
      .set('Authorization', hostToken);
    if (s.status !== 200) {
      throw new Error(`start: ${s.status} ${JSON.stringify(s.body)}`);
    }
  }
  return fx;
}

/**
 * `n` signed-in citizens at once, for races: created as a first OTP login creates them and given the token
 * such a login gives (the login itself is tested in identity's tests).
 */
export async function citizens(t: TestApp, n: number, prefix = '135'): Promise<string[]> {
  const users = t.app.get(UsersService);
  const jwt = t.app.get(JwtService);
  const out: string[] = [];
  for (let i = 0; i < n; i += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, n - i) }, async (_, k) => {
        const u = await users.citizenByPhone(`${prefix}${String(i + k).padStart(8, '0')}`);
        const token = await jwt.signAsync(
          toClaims({
            id: u.id,
            username: u.username,
            roles: u.roles,
            organizationId: null,
            hostId: null,
            supplierId: null,
            regionCode: null,
          }),
          { expiresIn: t.env.JWT_TTL_SECONDS, algorithm: 'HS256' },
        );
        return `Bearer ${token}`;
      }),
    );
    out.push(...batch);
  }
  return out;
}

/** Pays an order with the sandbox and waits until it is PAID. */
export async function pay(t: TestApp, token: string, orderId: string): Promise<void> {
  const p = await t
    .http()
    .post(`${API}/orders/${orderId}/payments`)
    .set('Authorization', token)
    .send({ provider: 'sandbox' });
  if (p.status !== 201) {
    throw new Error(`pay: ${p.status} ${JSON.stringify(p.body)}`);
  }
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const o = await t
      .http()
      .get(`${API}/orders/${orderId}`)
      .set('Authorization', token)
      .set('Prefer', 'wait=5');
    if (o.body.status === 'PAID') {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`order ${orderId} never became PAID`);
}

/** A viewer's purchase over real HTTP (the app listens): the status and the body. */
export async function buy(
  t: TestApp,
  fx: Pick<LiveFixture, 'sessionId' | 'offerId'>,
  token: string,
  quantity = 1,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${t.env.PUBLIC_BASE_URL}${API}/live/sessions/${fx.sessionId}/orders`, {
    method: 'POST',
    headers: { authorization: token, 'content-type': 'application/json' },
    body: JSON.stringify({ offerId: fx.offerId, quantity }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The unit numbers of an offer that orders hold in MySQL, in order. */
export async function heldUnits(t: TestApp, offerId: string): Promise<number[]> {
  const rows = (await t.db.query('SELECT unit_no AS u FROM live_offer_units WHERE offer_id = ?', [
    offerId,
  ])) as {
    u: number;
  }[];
  return rows.map((r) => Number(r.u)).sort((a, b) => a - b);
}

/** The free units the offer's flash stock holds in Redis (NaN when its keys are missing). */
export function flashKeys(t: TestApp, offerId: string): { meta: string; free: string } {
  const b = `${t.env.QUEUE_PREFIX}:live:{${offerId}}`;
  return { meta: `${b}:meta`, free: `${b}:free` };
}
