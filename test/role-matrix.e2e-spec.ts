import type { IncomingMessage } from 'node:http';
import type { Response } from 'supertest';
import { factory } from './support/factory';
import { startTestApp, TestApp } from './support/test-app';

const ROLES = [
  'ADMIN',
  'OPERATOR',
  'CITIZEN',
  'UNIT_BUYER',
  'UNIT_APPROVER',
  'HOST',
  'SUPPLIER',
  'CADRE',
] as const;
type Role = (typeof ROLES)[number];
type Access = 'public' | readonly Role[];

const PUBLIC = 'public';
const ALL: readonly Role[] = ROLES;

/**
 * Who may call every route the OpenAPI document lists, as the API contract (../shared/docs/API.md) has it.
 * A new route must be added here, or the first test fails.
 */
const MATRIX: Record<string, Access> = {
  'GET /health': PUBLIC,
  'GET /health/ready': PUBLIC,
  'GET /api/v1/dev/sms': PUBLIC,

  'POST /api/v1/auth/login': PUBLIC,
  'POST /api/v1/auth/otp/request': PUBLIC,
  'POST /api/v1/auth/otp/verify': PUBLIC,
  'GET /api/v1/me': ALL,
  'POST /api/v1/users': ['ADMIN'],

  'POST /api/v1/regions': ['ADMIN'],
  'GET /api/v1/regions': PUBLIC,
  'GET /api/v1/regions/{code}': PUBLIC,

  'POST /api/v1/households': ['ADMIN'],
  'GET /api/v1/households': ['ADMIN', 'CADRE'],
  'GET /api/v1/households/{id}': ['ADMIN', 'CADRE'],

  'POST /api/v1/suppliers': ['ADMIN'],
  'GET /api/v1/suppliers': ['ADMIN'],
  'GET /api/v1/suppliers/{id}': ['ADMIN', 'SUPPLIER'],
  'POST /api/v1/suppliers/{id}/linkages': ['ADMIN'],
  'GET /api/v1/suppliers/{id}/linkages': ['ADMIN', 'SUPPLIER'],

  'POST /api/v1/products': ['ADMIN', 'SUPPLIER'],
  'GET /api/v1/products': PUBLIC,
  'GET /api/v1/products/{id}': PUBLIC,
  'POST /api/v1/products/{id}/lots': ['ADMIN', 'SUPPLIER'],
  'GET /api/v1/products/{id}/lots': PUBLIC,
  'GET /api/v1/trace/lots/{id}': PUBLIC,

  'POST /api/v1/live/hosts': ['ADMIN'],
  'GET /api/v1/live/hosts': ['ADMIN'],
  // A HOST acts on its own host profile and sessions only: checked in the service.
  'GET /api/v1/live/hosts/{id}/totals': ['ADMIN', 'HOST'],
  'GET /api/v1/live/leaderboard': ['ADMIN', 'HOST'],
  'POST /api/v1/live/sessions': ['ADMIN', 'HOST'],
  'GET /api/v1/live/sessions': ['ADMIN', 'HOST'],
  'GET /api/v1/live/sessions/{id}': ['ADMIN', 'HOST'],
  'POST /api/v1/live/sessions/{id}/start': ['ADMIN', 'HOST'],
  'POST /api/v1/live/sessions/{id}/end': ['ADMIN', 'HOST'],
  'PATCH /api/v1/live/sessions/{id}/offers/{offerId}': ['ADMIN', 'HOST'],
  'POST /api/v1/live/sessions/{id}/orders': ['CITIZEN'],
  'GET /api/v1/live/sessions/{id}/stats': ['ADMIN', 'HOST'],
  'GET /api/v1/live/sessions/{id}/stats/stream': ['ADMIN', 'HOST'],
  'GET /api/v1/live/sessions/{id}/report': ['ADMIN', 'HOST'],
  'GET /api/v1/live/sessions/{id}/report.csv': ['ADMIN', 'HOST'],
  'GET /api/v1/live/sessions/{id}/public': PUBLIC,
  'GET /api/v1/live/sessions/{id}/public/stream': PUBLIC,
  'GET /api/v1/live/sessions/{id}/qr.png': PUBLIC,
  'POST /api/v1/live/sessions/{id}/external-orders': ['ADMIN', 'HOST'],
  'GET /api/v1/live/imports/{id}': ['ADMIN', 'HOST'],

  'POST /api/v1/organizations': ['ADMIN'],
  'GET /api/v1/organizations': ['ADMIN'],
  'GET /api/v1/organizations/{id}': ['ADMIN', 'UNIT_BUYER', 'UNIT_APPROVER'],
  'PUT /api/v1/organizations/{id}/villages': ['ADMIN'],
  'PUT /api/v1/organizations/{id}/quotas/{year}': ['ADMIN'],
  // Its own buyers and approvers (checked in the service), and ADMIN.
  'GET /api/v1/organizations/{id}/quotas/{year}': ['ADMIN', 'UNIT_BUYER', 'UNIT_APPROVER'],
  'GET /api/v1/organizations/{id}/employees': ['ADMIN', 'UNIT_BUYER', 'UNIT_APPROVER'],
  'POST /api/v1/organizations/{id}/employees/{userId}/confirm': ['UNIT_BUYER'],
  'POST /api/v1/me/employer': ['CITIZEN'],
  'GET /api/v1/me/employer': ['CITIZEN'],
  'POST /api/v1/procurement/orders': ['UNIT_BUYER'],
  // A unit's own orders, a supplier's own lines (checked in the service), any for ADMIN.
  'GET /api/v1/procurement/orders': ['ADMIN', 'UNIT_BUYER', 'UNIT_APPROVER', 'SUPPLIER'],
  'GET /api/v1/procurement/orders/{id}': ['ADMIN', 'UNIT_BUYER', 'UNIT_APPROVER', 'SUPPLIER'],
  'GET /api/v1/procurement/orders/{id}/events': ['ADMIN', 'UNIT_BUYER', 'UNIT_APPROVER', 'SUPPLIER'],
  'GET /api/v1/procurement/overdue': ['ADMIN', 'UNIT_BUYER', 'UNIT_APPROVER'],
  'POST /api/v1/procurement/orders/{id}/submit': ['UNIT_BUYER'],
  'POST /api/v1/procurement/orders/{id}/approve': ['UNIT_APPROVER'],
  'POST /api/v1/procurement/orders/{id}/reject': ['UNIT_APPROVER'],
  'POST /api/v1/procurement/orders/{id}/cancel': ['UNIT_BUYER'],
  'POST /api/v1/procurement/orders/{id}/confirm': ['SUPPLIER'],
  'POST /api/v1/procurement/orders/{id}/ship': ['SUPPLIER'],
  'POST /api/v1/procurement/orders/{id}/accept': ['UNIT_BUYER'],
  'POST /api/v1/procurement/orders/{id}/pay': ['ADMIN'],
  // A CADRE records fairs of its own region (checked in the service); a unit's buyer, its own purchases.
  'POST /api/v1/fairs': ['ADMIN', 'CADRE'],
  'GET /api/v1/fairs': ['ADMIN', 'CADRE', 'UNIT_BUYER'],
  'GET /api/v1/fairs/{id}': ['ADMIN', 'CADRE', 'UNIT_BUYER'],
  'POST /api/v1/fairs/{id}/sales': ['ADMIN', 'CADRE', 'UNIT_BUYER'],
  'GET /api/v1/fairs/{id}/sales': ['ADMIN', 'CADRE', 'UNIT_BUYER'],
  'GET /api/v1/reports/procurement': ['ADMIN'],
  'GET /api/v1/reports/procurement/below-quota': ['ADMIN'],
  'GET /api/v1/reports/procurement/monthly': ['ADMIN'],
  'GET /api/v1/reports/impact': ['ADMIN'],

  'POST /api/v1/orders': ['CITIZEN'],
  'GET /api/v1/orders': ['CITIZEN', 'ADMIN'],
  'GET /api/v1/orders/{id}': ALL,
  'POST /api/v1/orders/{id}/payments': ALL,
  'POST /api/v1/orders/{id}/refunds': ['ADMIN'],
  'GET /api/v1/payments/{id}': ALL,
  'POST /api/v1/payments/notify/{provider}': PUBLIC,
  'POST /api/v1/dev/sandbox/script': ['ADMIN'],

  'GET /api/v1/households/{id}/income': ['ADMIN', 'CADRE'],
  'POST /api/v1/ledger/reconciliations': ['ADMIN'],
  'GET /api/v1/ledger/reconciliations/{date}': ['ADMIN'],
  'POST /api/v1/ledger/accruals': ['ADMIN'],
  'POST /api/v1/ledger/monitoring': ['ADMIN'],
  'POST /api/v1/suppliers/{id}/harvests': ['ADMIN', 'SUPPLIER'],
  'POST /api/v1/suppliers/{id}/seasons/{season}/close': ['ADMIN', 'SUPPLIER'],
  'POST /api/v1/me/payment-agreements': ['CITIZEN'],
  'GET /api/v1/me/payment-agreements': ['CITIZEN'],

  'POST /api/v1/cabinets': ['ADMIN'],
  'GET /api/v1/cabinets': ['ADMIN', 'OPERATOR'],
  'GET /api/v1/cabinets/{code}': ['ADMIN', 'OPERATOR'],
  'PUT /api/v1/cabinets/{code}/slots/{slotNo}': ['ADMIN', 'OPERATOR'],
  'DELETE /api/v1/cabinets/{code}/slots/{slotNo}': ['ADMIN', 'OPERATOR'],
  'GET /api/v1/cabinets/{code}/qr': ['ADMIN', 'OPERATOR'],
  'POST /api/v1/cabinets/{code}/clear-maintenance': ['ADMIN', 'OPERATOR'],
  'POST /api/v1/cabinets/{code}/restock': ['ADMIN', 'OPERATOR'],
  'GET /api/v1/kiosk/low-stock': ['ADMIN', 'OPERATOR'],
  'GET /api/v1/kiosk/alerts': ['ADMIN', 'OPERATOR'],
  'GET /api/v1/kiosk/scan': PUBLIC,
  'POST /api/v1/kiosk/sessions': ['CITIZEN'],
  'GET /api/v1/kiosk/sessions': ['CITIZEN'],
  'GET /api/v1/kiosk/me/unpaid': ['CITIZEN'],
  // The session's own citizen (or the operator who opened it to restock), and ADMIN: checked in the service.
  'GET /api/v1/kiosk/sessions/{id}': ['CITIZEN', 'ADMIN', 'OPERATOR'],
  'POST /api/v1/kiosk/sessions/{id}/dispute': ['CITIZEN'],
  'GET /api/v1/kiosk/reviews': ['ADMIN', 'OPERATOR'],
  'POST /api/v1/kiosk/sessions/{id}/resolve': ['ADMIN', 'OPERATOR'],

  'POST /api/v1/ledger/payouts': ['ADMIN'],
  'GET /api/v1/ledger/payouts/{id}': ['ADMIN'],
  'GET /api/v1/ledger/payouts/{id}/file': ['ADMIN'],
  'POST /api/v1/ledger/payouts/{id}/paid': ['ADMIN'],
};

interface Fixtures {
  regionCode: string;
  householdId: string;
  supplierId: string;
  productId: string;
  lotId: string;
  organizationId: string;
  hostId: string;
  orderId: string;
  paymentId: string;
  provider: string;
  date: string;
  payoutId: string;
  season: string;
  cabinetCode: string;
  slotNo: string;
  kioskSessionId: string;
  offerId: string;
  importId: string;
  year: string;
  userId: string;
  fairId: string;
}

/**
 * Which fixture fills `{param}`, by the path segment before it. The fixtures are the ones the allowed roles own
 * (the SUPPLIER's supplier and product, the CADRE's village, the buyers' organization), so an allowed role is
 * never turned away by a scope check and what the test sees is the role check alone.
 */
const PARAMS: Record<string, keyof Fixtures> = {
  regions: 'regionCode',
  households: 'householdId',
  suppliers: 'supplierId',
  products: 'productId',
  lots: 'lotId',
  organizations: 'organizationId',
  hosts: 'hostId',
  orders: 'orderId',
  payments: 'paymentId',
  notify: 'provider',
  reconciliations: 'date',
  payouts: 'payoutId',
  seasons: 'season',
  cabinets: 'cabinetCode',
  slots: 'slotNo',
  sessions: 'kioskSessionId',
  offers: 'offerId',
  imports: 'importId',
  quotas: 'year',
  employees: 'userId',
  fairs: 'fairId',
};

function fill(path: string, fx: Fixtures): string {
  return path.replace(/\/([^/]+)\/\{[^}]+\}/g, (whole, segment: string) => {
    const key = PARAMS[segment];
    if (!key) {
      throw new Error(`No fixture for the parameter in ${whole} (${path}): add one to PARAMS`);
    }
    return `/${segment}/${encodeURIComponent(fx[key])}`;
  });
}

const split = (route: string) => {
  const [method, path] = route.split(' ');
  return { method: method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete', path };
};

const routes = Object.keys(MATRIX).sort();
const publicRoutes = routes.filter((r) => MATRIX[r] === PUBLIC);
const protectedRoutes = routes.filter((r) => MATRIX[r] !== PUBLIC);
const allowed = (r: string) => MATRIX[r] as readonly Role[];

/**
 * A supertest parser that reads the body, but gives up on an event stream once the headers are in: only the
 * status matters then, and the stream would never end.
 */
function statusFirst(res: any, cb: (err: Error | null, body: unknown) => void): void {
  const msg = res as IncomingMessage;
  let done = false;
  let text = '';
  const finish = () => {
    if (!done) {
      done = true;
      cb(null, text);
    }
  };
  if (/^text\/event-stream/.test(msg.headers['content-type'] ?? '')) {
    msg.destroy();
    finish();
    return;
  }
  msg.setEncoding('utf8');
  msg.on('data', (chunk: string) => {
    text += chunk;
  });
  msg.on('end', finish);
  msg.on('close', finish);
}

describe('role matrix', () => {
  let t: TestApp;
  let fx: Fixtures;
  const tokens = {} as Record<Role, string>;
  let doc: { paths: Record<string, Record<string, { security?: Record<string, string[]>[] }>> };

  beforeAll(async () => {
    t = await startTestApp('role_matrix');
    const f = factory(t);
    const regions = await f.regions();
    const organization = await f.organization();
    const host = await f.host({ regionCode: regions.village });
    const supplier = await f.supplier();
    const product = await f.product(supplier.id);
    const household = await f.household();
    const lot = await f.lot(product.id, {
      quantity: 10,
      sources: [{ householdId: household.id, quantity: 10 }],
    });
    fx = {
      regionCode: regions.village,
      householdId: household.id,
      supplierId: supplier.id,
      productId: product.id,
      lotId: lot.id,
      organizationId: organization.id,
      hostId: host.id,
      orderId: '01ZZZZZZZZZZZZZZZZZZZZZZZZ',
      paymentId: '01ZZZZZZZZZZZZZZZZZZZZZZZZ',
      provider: 'sandbox',
      date: '2026-11-28',
      payoutId: '01ZZZZZZZZZZZZZZZZZZZZZZZZ',
      season: '2026',
      cabinetCode: 'MATRIX-NONE',
      slotNo: '1',
      kioskSessionId: '01ZZZZZZZZZZZZZZZZZZZZZZZZ',
      offerId: '01ZZZZZZZZZZZZZZZZZZZZZZZZ',
      importId: '01ZZZZZZZZZZZZZZZZZZZZZZZZ',
      year: '2026',
      userId: '01ZZZZZZZZZZZZZZZZZZZZZZZZ',
      fairId: '01ZZZZZZZZZZZZZZZZZZZZZZZZ',
    };

    tokens.ADMIN = t.adminToken;
    const staff: [Role, Record<string, string>][] = [
      ['OPERATOR', {}],
      ['UNIT_BUYER', { organizationId: organization.id }],
      ['UNIT_APPROVER', { organizationId: organization.id }],
      ['HOST', { hostId: host.id }],
      ['SUPPLIER', { supplierId: supplier.id }],
      ['CADRE', { regionCode: regions.town }],
    ];
    for (const [role, binding] of staff) {
      const username = `matrix-${role.toLowerCase()}`;
      await f.user({ username, password: 'matrix-password', roles: [role], ...binding });
      tokens[role] = await t.login(username, 'matrix-password');
    }

    const phone = '13900003001';
    expect((await t.http().post('/api/v1/auth/otp/request').send({ phone })).status).toBe(202);
    const sms = await t.http().get('/api/v1/dev/sms').query({ phone });
    const code = /验证码是(\d{6})/.exec(sms.body[0].text)![1];
    const verified = await t.http().post('/api/v1/auth/otp/verify').send({ phone, code });
    expect(verified.status).toBe(200);
    tokens.CITIZEN = `Bearer ${verified.body.accessToken as string}`;

    const res = await t.http().get('/docs/openapi.json');
    expect(res.status).toBe(200);
    doc = res.body;
  });
  afterAll(() => t.close());

  function call(route: string, token?: string) {
    const { method, path } = split(route);
    const req = t.http()[method](fill(path, fx));
    if (token) {
      void req.set('Authorization', token);
    }
    return method === 'get' || method === 'delete' ? req : req.send({});
  }

  function expectProblem(res: Response, status: number, code: string) {
    expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.body.type).toBe(`https://consumption-support.dev/problems/${code}`);
  }

  it('covers exactly the routes of the OpenAPI document', () => {
    const documented = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    const missing = documented.filter((r) => !(r in MATRIX));
    const stale = routes.filter((r) => !documented.includes(r));
    expect({ missing, stale }).toEqual({ missing: [], stale: [] });
    expect(routes).toEqual(documented);
  });

  it('documents bearer security on the protected routes and none on the public ones', () => {
    const secured = (route: string) => {
      const { method, path } = split(route);
      return (doc.paths[path]?.[method]?.security ?? []).some((s) => 'bearer' in s);
    };
    expect(routes.filter((r) => secured(r) !== (MATRIX[r] !== PUBLIC))).toEqual([]);
  });

  it('hands every role a token carrying that role', async () => {
    for (const role of ROLES) {
      const me = await t.http().get('/api/v1/me').set('Authorization', tokens[role]);
      expect({ role, status: me.status, roles: me.body.roles }).toEqual({ role, status: 200, roles: [role] });
    }
  });

  describe.each(protectedRoutes)('%s', (route) => {
    it('answers 401 unauthenticated without a token', async () => {
      expectProblem(await call(route), 401, 'unauthenticated');
    });

    it('answers 401 unauthenticated to a token signed with another key', async () => {
      const [header, payload] = tokens.ADMIN.replace(/^Bearer /, '').split('.');
      const forged = `Bearer ${header}.${payload}.${Buffer.from('not the signature').toString('base64url')}`;
      expectProblem(await call(route, forged), 401, 'unauthenticated');
    });

    const denied = ROLES.filter((r) => !allowed(route).includes(r));
    if (denied.length > 0) {
      it.each(denied)('answers 403 forbidden to %s', async (role) => {
        const res = await call(route, tokens[role]);
        expectProblem(res, 403, 'forbidden');
        expect(res.body.title).toBe('Forbidden');
      });
    }

    it.each([...allowed(route)])('lets %s through the role check', async (role) => {
      const res = await call(route, tokens[role]).buffer(true).parse(statusFirst);
      expect([401, 403]).not.toContain(res.status);
      expect(res.status).toBeLessThan(500);
    });
  });

  describe.each(publicRoutes)('%s', (route) => {
    it('answers without a token', async () => {
      const res = await call(route).buffer(true).parse(statusFirst);
      expect([401, 403]).not.toContain(res.status);
      expect(res.status).toBeLessThan(500);
    });

    it('answers with a bad token too, which it ignores', async () => {
      const res = await call(route, 'Bearer not-a-token').buffer(true).parse(statusFirst);
      expect([401, 403]).not.toContain(res.status);
      expect(res.status).toBeLessThan(500);
    });
  });
});
