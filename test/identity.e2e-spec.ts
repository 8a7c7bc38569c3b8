import { JwtService } from '@nestjs/jwt';
import { compare } from 'bcryptjs';
import { createHash } from 'node:crypto';
import type { Response } from 'supertest';
import { FieldCipher } from '@/common/crypto/field-cipher';
import { factory, idNumber } from './support/factory';
import { startTestApp, TestApp } from './support/test-app';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const BCRYPT = /^\$2[aby]\$10\$[./A-Za-z0-9]{53}$/;
const SMS_TEXT = /^【万州消费扶贫】您的登录验证码是(\d{6})，5分钟内有效。请勿告诉他人。$/;

/** The answer is application/problem+json with this status and code, naming the request. */
function expectProblem(res: Response, status: number, code: string, path: string): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
  expect(res.body.type).toBe(`https://consumption-support.dev/problems/${code}`);
  expect(res.body.status).toBe(status);
  expect(res.body.code).toBe(code);
  expect(res.body.instance).toBe(path);
  expect(res.body.requestId).toBe(res.headers['x-request-id']);
}

const base64url = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const wrongCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

/** The messages the log SMS provider kept for a phone, newest first. */
async function smsTo(t: TestApp, phone: string): Promise<{ phone: string; text: string; sentAt: string }[]> {
  const res = await t.http().get('/api/v1/dev/sms').query({ phone });
  expect(res.status).toBe(200);
  return res.body;
}

/** The code of the newest login text sent to a phone. */
async function latestCode(t: TestApp, phone: string): Promise<string> {
  const [newest] = await smsTo(t, phone);
  const m = SMS_TEXT.exec(newest.text);
  expect(m).not.toBeNull();
  return m![1];
}

async function requestOtp(t: TestApp, phone: string): Promise<string> {
  const res = await t.http().post('/api/v1/auth/otp/request').send({ phone });
  expect(res.status).toBe(202);
  return latestCode(t, phone);
}

function verifyOtp(t: TestApp, phone: string, code: string) {
  return t.http().post('/api/v1/auth/otp/verify').send({ phone, code });
}

const phoneHash = (t: TestApp, phone: string) => t.app.get(FieldCipher).blindIndex(phone);

describe('identity', () => {
  let t: TestApp;
  let f: ReturnType<typeof factory>;
  let adminId: string;
  let regions: Awaited<ReturnType<ReturnType<typeof factory>['regions']>>;

  beforeAll(async () => {
    t = await startTestApp('identity');
    f = factory(t);
    regions = await f.regions();
    const [row] = await t.db.query('SELECT id FROM users WHERE username = ?', [t.env.ADMIN_USERNAME]);
    adminId = row.id;
  });
  afterAll(() => t.close());

  describe('POST /api/v1/auth/login', () => {
    it('answers 200 with a token and the user for the first administrator', async () => {
      const res = await t
        .http()
        .post('/api/v1/auth/login')
        .send({ username: t.env.ADMIN_USERNAME, password: t.env.ADMIN_PASSWORD });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(adminId).toMatch(ULID);
      expect(res.body).toEqual({
        accessToken: expect.stringMatching(JWT),
        tokenType: 'Bearer',
        expiresIn: 3600,
        user: { id: adminId, username: t.env.ADMIN_USERNAME, roles: ['ADMIN'] },
      });
      const me = await t.http().get('/api/v1/me').set('Authorization', `Bearer ${res.body.accessToken}`);
      expect(me.status).toBe(200);
      expect(me.body.id).toBe(adminId);
    });

    it('answers 401 invalid-credentials for a wrong password and for an unknown user, alike', async () => {
      const wrong = await t
        .http()
        .post('/api/v1/auth/login')
        .send({ username: t.env.ADMIN_USERNAME, password: `${t.env.ADMIN_PASSWORD}x` });
      expectProblem(wrong, 401, 'invalid-credentials', '/api/v1/auth/login');
      expect(wrong.body.title).toBe('Unauthenticated');
      expect(wrong.body.detail).toBe('The username or password is wrong.');
      expect(wrong.body.accessToken).toBeUndefined();

      const unknown = await t
        .http()
        .post('/api/v1/auth/login')
        .send({ username: 'nobody-here', password: t.env.ADMIN_PASSWORD });
      expectProblem(unknown, 401, 'invalid-credentials', '/api/v1/auth/login');
      // Nothing tells a caller whether the username exists.
      expect(unknown.body.detail).toBe(wrong.body.detail);
      expect(unknown.body.title).toBe(wrong.body.title);
    });

    it('answers 400 validation-failed naming each missing field', async () => {
      const none = await t.http().post('/api/v1/auth/login').send({});
      expectProblem(none, 400, 'validation-failed', '/api/v1/auth/login');
      expect(none.body.title).toBe('Validation failed');
      // One message per field: the first rule the DTO declares (the type) before the length.
      expect(none.body.errors).toEqual([
        { field: 'username', message: 'username must be a string' },
        { field: 'password', message: 'password must be a string' },
      ]);

      const noPassword = await t.http().post('/api/v1/auth/login').send({ username: t.env.ADMIN_USERNAME });
      expectProblem(noPassword, 400, 'validation-failed', '/api/v1/auth/login');
      expect(noPassword.body.errors).toEqual([{ field: 'password', message: 'password must be a string' }]);
      expect(noPassword.body.accessToken).toBeUndefined();

      const empty = await t.http().post('/api/v1/auth/login').send({ username: '', password: '' });
      expect(empty.status).toBe(400);
      expect(empty.body.errors).toEqual([
        { field: 'username', message: 'username must be longer than or equal to 1 characters' },
        { field: 'password', message: 'password must be longer than or equal to 1 characters' },
      ]);
    });
  });

  describe('GET /api/v1/me and the access token', () => {
    const claims = () => ({
      sub: adminId,
      usr: t.env.ADMIN_USERNAME,
      roles: ['ADMIN'],
      org: null,
      host: null,
      sup: null,
      reg: null,
    });

    it('answers the claims of the token', async () => {
      const res = await t.http().get('/api/v1/me').set('Authorization', t.adminToken);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id: adminId,
        username: t.env.ADMIN_USERNAME,
        roles: ['ADMIN'],
        organizationId: null,
        hostId: null,
        supplierId: null,
        regionCode: null,
      });
    });

    it('accepts a token it could have signed itself (the control for the cases below)', async () => {
      const token = new JwtService({ secret: t.env.JWT_SECRET }).sign(
        { ...claims(), exp: Math.floor(Date.now() / 1000) + 600 },
        { algorithm: 'HS256' },
      );
      const res = await t.http().get('/api/v1/me').set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(adminId);
    });

    it('answers 401 unauthenticated for an expired token', async () => {
      const token = new JwtService({ secret: t.env.JWT_SECRET }).sign(
        { ...claims(), iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 60 },
        { algorithm: 'HS256' },
      );
      const res = await t.http().get('/api/v1/me').set('Authorization', `Bearer ${token}`);
      expectProblem(res, 401, 'unauthenticated', '/api/v1/me');
      expect(res.body.detail).toBe('The access token is invalid or expired.');
    });

    it('answers 401 unauthenticated for a token signed with another secret', async () => {
      const token = new JwtService({ secret: `${t.env.JWT_SECRET}-not-ours` }).sign(claims(), {
        algorithm: 'HS256',
        expiresIn: 600,
      });
      const res = await t.http().get('/api/v1/me').set('Authorization', `Bearer ${token}`);
      expectProblem(res, 401, 'unauthenticated', '/api/v1/me');
      const create = await t
        .http()
        .post('/api/v1/users')
        .set('Authorization', `Bearer ${token}`)
        .send({ username: 'forged-admin', password: 'password123', roles: ['ADMIN'] });
      expectProblem(create, 401, 'unauthenticated', '/api/v1/users');
      expect(await t.db.query('SELECT id FROM users WHERE username = ?', ['forged-admin'])).toEqual([]);
    });

    it('answers 401 unauthenticated for a tampered token (claims changed, signature kept)', async () => {
      const phone = '13900000101';
      const citizen = await verifyOtp(t, phone, await requestOtp(t, phone));
      expect(citizen.status).toBe(200);
      const [header, payload, sig] = (citizen.body.accessToken as string).split('.');
      const claimsOf = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      expect(claimsOf.roles).toEqual(['CITIZEN']);
      const forged = [header, base64url({ ...claimsOf, roles: ['ADMIN'] }), sig].join('.');
      const res = await t.http().get('/api/v1/me').set('Authorization', `Bearer ${forged}`);
      expectProblem(res, 401, 'unauthenticated', '/api/v1/me');
      const regions = await t
        .http()
        .post('/api/v1/regions')
        .set('Authorization', `Bearer ${forged}`)
        .send({ code: '509999', name: '伪造区', level: 'DISTRICT' });
      expectProblem(regions, 401, 'unauthenticated', '/api/v1/regions');
      // The untouched token still works.
      const own = await t.http().get('/api/v1/me').set('Authorization', `Bearer ${citizen.body.accessToken}`);
      expect(own.status).toBe(200);
      expect(own.body.roles).toEqual(['CITIZEN']);
    });

    it('answers 401 unauthenticated for an unsigned (alg none) token', async () => {
      const token = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({
        ...claims(),
        exp: Math.floor(Date.now() / 1000) + 600,
      })}.`;
      const res = await t.http().get('/api/v1/me').set('Authorization', `Bearer ${token}`);
      expectProblem(res, 401, 'unauthenticated', '/api/v1/me');
    });

    it.each([
      ['a Basic header', () => `Basic ${Buffer.from(`admin:${t.env.ADMIN_PASSWORD}`).toString('base64')}`],
      ['the bare token', () => t.adminToken.replace(/^Bearer /, '')],
      ['another scheme with the token', () => t.adminToken.replace(/^Bearer /, 'Token ')],
      ['"Bearer" alone', () => 'Bearer'],
      ['"Bearer" and garbage', () => 'Bearer not-a-jwt'],
    ])('answers 401 unauthenticated for %s', async (_name, header) => {
      const res = await t.http().get('/api/v1/me').set('Authorization', header());
      expectProblem(res, 401, 'unauthenticated', '/api/v1/me');
    });

    it('takes the scheme in any case, as HTTP auth schemes are case-insensitive (RFC 9110 §11.1)', async () => {
      const token = t.adminToken.replace(/^Bearer /, '');
      for (const header of [`bearer ${token}`, `BEARER ${token}`, `Bearer  ${token}`]) {
        const res = await t.http().get('/api/v1/me').set('Authorization', header);
        expect({ header, status: res.status, id: res.body.id }).toEqual({ header, status: 200, id: adminId });
      }
    });

    it('answers 401 unauthenticated without a token', async () => {
      const res = await t.http().get('/api/v1/me');
      expectProblem(res, 401, 'unauthenticated', '/api/v1/me');
      expect(res.body.detail).toBe('A valid access token is required.');
    });
  });

  describe('POST /api/v1/users', () => {
    let fx: { organizationId: string; hostId: string; supplierId: string; regionCode: string };

    beforeAll(async () => {
      fx = {
        organizationId: (await f.organization()).id,
        hostId: (await f.host({ regionCode: regions.village })).id,
        supplierId: (await f.supplier()).id,
        regionCode: regions.town,
      };
    });

    const BOUND = [
      ['UNIT_BUYER', 'organizationId'],
      ['UNIT_APPROVER', 'organizationId'],
      ['HOST', 'hostId'],
      ['SUPPLIER', 'supplierId'],
      ['CADRE', 'regionCode'],
    ] as const;
    const NULL_BINDINGS = { organizationId: null, hostId: null, supplierId: null, regionCode: null };

    it.each(BOUND)('creates a %s bound by %s, who can log in and sees its roles', async (role, field) => {
      const username = `user-${role.toLowerCase()}`;
      const password = `pw-${role}-Secret9`;
      const res = await t
        .http()
        .post('/api/v1/users')
        .set('Authorization', t.adminToken)
        .send({ username, password, roles: [role], [field]: fx[field] });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(ULID),
        username,
        roles: [role],
        ...NULL_BINDINGS,
        [field]: fx[field],
      });

      const login = await t.http().post('/api/v1/auth/login').send({ username, password });
      expect(login.status).toBe(200);
      expect(login.body.user).toEqual({ id: res.body.id, username, roles: [role] });
      const me = await t.http().get('/api/v1/me').set('Authorization', `Bearer ${login.body.accessToken}`);
      expect(me.status).toBe(200);
      expect(me.body).toEqual({
        id: res.body.id,
        username,
        roles: [role],
        ...NULL_BINDINGS,
        [field]: fx[field],
      });

      const rows = await t.db.query(
        'SELECT username, roles, organization_id, host_id, supplier_id, region_code, phone_enc, disabled FROM users WHERE id = ?',
        [res.body.id],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].username).toBe(username);
      expect(rows[0].roles).toBe(role);
      expect(rows[0].phone_enc).toBeNull();
      expect(Number(rows[0].disabled)).toBe(0);
      const stored = {
        organizationId: rows[0].organization_id,
        hostId: rows[0].host_id,
        supplierId: rows[0].supplier_id,
        regionCode: rows[0].region_code,
      };
      expect(stored).toEqual({ ...NULL_BINDINGS, [field]: fx[field] });
    });

    it('creates an OPERATOR (no binding) and a user holding two roles', async () => {
      const op = await t
        .http()
        .post('/api/v1/users')
        .set('Authorization', t.adminToken)
        .send({ username: 'operator-1', password: 'operator-pass-1', roles: ['OPERATOR'] });
      expect(op.status).toBe(201);
      expect(op.body).toEqual({
        id: expect.stringMatching(ULID),
        username: 'operator-1',
        roles: ['OPERATOR'],
        ...NULL_BINDINGS,
      });

      const both = await t
        .http()
        .post('/api/v1/users')
        .set('Authorization', t.adminToken)
        .send({
          username: 'buyer-and-approver',
          password: 'two-roles-pass',
          roles: ['UNIT_BUYER', 'UNIT_APPROVER'],
          organizationId: fx.organizationId,
        });
      expect(both.status).toBe(201);
      const login = await t
        .http()
        .post('/api/v1/auth/login')
        .send({ username: 'buyer-and-approver', password: 'two-roles-pass' });
      expect(login.status).toBe(200);
      expect(login.body.user).toEqual({
        id: both.body.id,
        username: 'buyer-and-approver',
        roles: ['UNIT_BUYER', 'UNIT_APPROVER'],
      });
    });

    it('stores a bcrypt hash of the password, never the password', async () => {
      const password = 'Plain-Text-Must-Not-Be-Stored-42';
      const res = await t
        .http()
        .post('/api/v1/users')
        .set('Authorization', t.adminToken)
        .send({ username: 'hash-check', password, roles: ['OPERATOR'] });
      expect(res.status).toBe(201);
      expect(JSON.stringify(res.body)).not.toContain(password);
      const [row] = await t.db.query('SELECT * FROM users WHERE id = ?', [res.body.id]);
      expect(row.password_hash).toMatch(BCRYPT);
      expect(await compare(password, row.password_hash)).toBe(true);
      expect(await compare(`${password}x`, row.password_hash)).toBe(false);
      for (const value of Object.values(row)) {
        expect(String(value)).not.toContain(password);
      }
    });

    it.each(BOUND)('answers 400 validation-failed when %s comes without %s', async (role, field) => {
      const username = `unbound-${role.toLowerCase()}`;
      const res = await t
        .http()
        .post('/api/v1/users')
        .set('Authorization', t.adminToken)
        .send({ username, password: 'password123', roles: [role] });
      expectProblem(res, 400, 'validation-failed', '/api/v1/users');
      expect(res.body.errors).toEqual([{ field, message: `${role} needs ${field}` }]);
      expect(await t.db.query('SELECT id FROM users WHERE username = ?', [username])).toEqual([]);
    });

    it.each(BOUND)(
      'answers 400 validation-failed when the %s binding %s names nothing',
      async (role, field) => {
        const username = `dangling-${role.toLowerCase()}`;
        const res = await t
          .http()
          .post('/api/v1/users')
          .set('Authorization', t.adminToken)
          .send({
            username,
            password: 'password123',
            roles: [role],
            [field]: field === 'regionCode' ? '509999999999' : '01J0000000000000000000NONE',
          });
        expectProblem(res, 400, 'validation-failed', '/api/v1/users');
        expect(res.body.errors).toEqual([{ field, message: `${field} must name an existing record` }]);
        expect(await t.db.query('SELECT id FROM users WHERE username = ?', [username])).toEqual([]);
      },
    );

    it('answers 400 when roles contains CITIZEN, alone or with another role', async () => {
      for (const roles of [['CITIZEN'], ['OPERATOR', 'CITIZEN']]) {
        const res = await t
          .http()
          .post('/api/v1/users')
          .set('Authorization', t.adminToken)
          .send({ username: 'would-be-citizen', password: 'password123', roles });
        expectProblem(res, 400, 'validation-failed', '/api/v1/users');
        expect(res.body.errors).toEqual([
          { field: 'roles', message: 'citizen accounts are created by phone login, not here' },
        ]);
      }
      expect(await t.db.query('SELECT id FROM users WHERE username = ?', ['would-be-citizen'])).toEqual([]);
    });

    it('answers 400 for an unknown role, no roles, or a short password', async () => {
      const cases: [object, string][] = [
        [{ username: 'bad-role', password: 'password123', roles: ['ROOT'] }, 'roles'],
        [{ username: 'no-roles', password: 'password123', roles: [] }, 'roles'],
        [{ username: 'short-pw', password: 'short', roles: ['OPERATOR'] }, 'password'],
        [{ username: 'a b', password: 'password123', roles: ['OPERATOR'] }, 'username'],
      ];
      for (const [body, field] of cases) {
        const res = await t.http().post('/api/v1/users').set('Authorization', t.adminToken).send(body);
        expectProblem(res, 400, 'validation-failed', '/api/v1/users');
        expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
      }
    });

    it('answers 409 username-taken for a duplicate, keeping the first account', async () => {
      const first = await t
        .http()
        .post('/api/v1/users')
        .set('Authorization', t.adminToken)
        .send({ username: 'dup-user', password: 'first-password', roles: ['OPERATOR'] });
      expect(first.status).toBe(201);
      const again = await t
        .http()
        .post('/api/v1/users')
        .set('Authorization', t.adminToken)
        .send({ username: 'dup-user', password: 'second-password', roles: ['ADMIN'] });
      expectProblem(again, 409, 'username-taken', '/api/v1/users');
      expect(again.body.detail).toBe('The username dup-user is taken.');

      const admin = await t
        .http()
        .post('/api/v1/users')
        .set('Authorization', t.adminToken)
        .send({ username: t.env.ADMIN_USERNAME, password: 'second-password', roles: ['ADMIN'] });
      expectProblem(admin, 409, 'username-taken', '/api/v1/users');

      const rows = await t.db.query('SELECT id, roles FROM users WHERE username = ?', ['dup-user']);
      expect(rows).toEqual([{ id: first.body.id, roles: 'OPERATOR' }]);
      const login = await t
        .http()
        .post('/api/v1/auth/login')
        .send({ username: 'dup-user', password: 'first-password' });
      expect(login.status).toBe(200);
      const hijack = await t
        .http()
        .post('/api/v1/auth/login')
        .send({ username: 'dup-user', password: 'second-password' });
      expectProblem(hijack, 401, 'invalid-credentials', '/api/v1/auth/login');
    });

    it('counts every character of a long password, not only its first 72 bytes (bcrypt reads no more)', async () => {
      // 30 Chinese characters are 90 bytes in UTF-8; the last six are what tells these two apart.
      const common = '我的密码是万州区分水镇川星村花椒基地合作社二零二';
      expect(Buffer.byteLength(common, 'utf8')).toBe(72);
      const password = `${common}四年十月一日`;
      const res = await t
        .http()
        .post('/api/v1/users')
        .set('Authorization', t.adminToken)
        .send({ username: 'long-passphrase', password, roles: ['OPERATOR'] });
      expect(res.status).toBe(201);
      const [row] = await t.db.query('SELECT password_hash FROM users WHERE id = ?', [res.body.id]);
      expect(row.password_hash).toMatch(BCRYPT);

      const ok = await t.http().post('/api/v1/auth/login').send({ username: 'long-passphrase', password });
      expect(ok.status).toBe(200);
      expect(ok.body.user.id).toBe(res.body.id);
      for (const wrong of [`${common}四年一月一日`, common, `${common}x`]) {
        const res2 = await t
          .http()
          .post('/api/v1/auth/login')
          .send({ username: 'long-passphrase', password: wrong });
        expectProblem(res2, 401, 'invalid-credentials', '/api/v1/auth/login');
      }

      // A password of exactly 72 bytes does not let in anything that merely starts with it.
      const exact = 'p'.repeat(72);
      await f.user({ username: 'exactly-72', password: exact, roles: ['OPERATOR'] });
      expect(
        (await t.http().post('/api/v1/auth/login').send({ username: 'exactly-72', password: exact })).status,
      ).toBe(200);
      const longer = await t
        .http()
        .post('/api/v1/auth/login')
        .send({ username: 'exactly-72', password: `${exact}-and-more` });
      expectProblem(longer, 401, 'invalid-credentials', '/api/v1/auth/login');
    });

    it('is for ADMIN only: 403 forbidden for another role, 401 without a token', async () => {
      const operator = await t.login('operator-1', 'operator-pass-1');
      const body = { username: 'made-by-operator', password: 'password123', roles: ['ADMIN'] };
      const res = await t.http().post('/api/v1/users').set('Authorization', operator).send(body);
      expectProblem(res, 403, 'forbidden', '/api/v1/users');
      const anon = await t.http().post('/api/v1/users').send(body);
      expectProblem(anon, 401, 'unauthenticated', '/api/v1/users');
      expect(await t.db.query('SELECT id FROM users WHERE username = ?', ['made-by-operator'])).toEqual([]);
    });
  });

  describe('citizen OTP login', () => {
    it('sends a code by SMS, logs the citizen in once with it, and creates the account', async () => {
      const phone = '13900000001';
      const before = Date.now();
      const req = await t.http().post('/api/v1/auth/otp/request').send({ phone });
      expect(req.status).toBe(202);
      expect(req.body).toEqual({ expiresIn: 300, resendAfter: 60 });

      const sms = await smsTo(t, phone);
      expect(sms).toHaveLength(1);
      expect(Object.keys(sms[0]).sort()).toEqual(['phone', 'sentAt', 'text']);
      expect(sms[0].phone).toBe(phone);
      expect(sms[0].text).toMatch(SMS_TEXT);
      expect(new Date(sms[0].sentAt).toISOString()).toBe(sms[0].sentAt);
      expect(Date.parse(sms[0].sentAt)).toBeGreaterThanOrEqual(before - 1000);
      expect(Date.parse(sms[0].sentAt)).toBeLessThanOrEqual(Date.now() + 1000);
      const code = SMS_TEXT.exec(sms[0].text)![1];

      // Only a keyed hash of the code is stored.
      const otpRows = await t.db.query('SELECT * FROM otp_codes WHERE phone_hash = ?', [phoneHash(t, phone)]);
      expect(otpRows).toHaveLength(1);
      expect(otpRows[0].code_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(otpRows[0].code_hash).not.toBe(createHash('sha256').update(code).digest('hex'));
      expect(otpRows[0].code_hash).not.toBe(createHash('sha256').update(`${phone}${code}`).digest('hex'));
      for (const value of Object.values(otpRows[0])) {
        expect(String(value)).not.toContain(code);
        expect(String(value)).not.toContain(phone);
      }
      expect(otpRows[0].consumed_at).toBeNull();
      expect(await t.db.query('SELECT id FROM users WHERE phone_hash = ?', [phoneHash(t, phone)])).toEqual(
        [],
      );

      const res = await verifyOtp(t, phone, code);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        accessToken: expect.stringMatching(JWT),
        tokenType: 'Bearer',
        expiresIn: 3600,
        user: { id: expect.stringMatching(ULID), username: expect.any(String), roles: ['CITIZEN'] },
      });
      const { id, username } = res.body.user;
      expect(username).toBe(`citizen-${id.toLowerCase()}`);
      const me = await t.http().get('/api/v1/me').set('Authorization', `Bearer ${res.body.accessToken}`);
      expect(me.status).toBe(200);
      expect(me.body).toEqual({
        id,
        username,
        roles: ['CITIZEN'],
        organizationId: null,
        hostId: null,
        supplierId: null,
        regionCode: null,
      });

      // The account holds the phone encrypted (and a blind index), never in plain text.
      const users = await t.db.query('SELECT * FROM users WHERE phone_hash = ?', [phoneHash(t, phone)]);
      expect(users).toHaveLength(1);
      expect(users[0].id).toBe(id);
      expect(users[0].roles).toBe('CITIZEN');
      expect(users[0].password_hash).toBeNull();
      expect(users[0].phone_enc).toMatch(/^v1\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+$/);
      expect(t.app.get(FieldCipher).decrypt(users[0].phone_enc)).toBe(phone);
      for (const value of Object.values(users[0])) {
        expect(String(value)).not.toContain(phone);
      }
      const [consumed] = await t.db.query('SELECT consumed_at FROM otp_codes WHERE id = ?', [otpRows[0].id]);
      expect(consumed.consumed_at).not.toBeNull();

      // A code logs in once.
      const again = await verifyOtp(t, phone, code);
      expectProblem(again, 401, 'invalid-code', '/api/v1/auth/otp/verify');
      expect(again.body.accessToken).toBeUndefined();
      expect(await t.db.query('SELECT id FROM users WHERE phone_hash = ?', [phoneHash(t, phone)])).toEqual([
        { id },
      ]);
    });

    it('answers 429 too-many-requests with Retry-After to a second request within 60 s, sending nothing', async () => {
      const phone = '13900000002';
      await requestOtp(t, phone);
      const again = await t.http().post('/api/v1/auth/otp/request').send({ phone });
      expectProblem(again, 429, 'too-many-requests', '/api/v1/auth/otp/request');
      expect(again.headers['retry-after']).toMatch(/^\d+$/);
      expect(Number(again.headers['retry-after'])).toBeGreaterThanOrEqual(55);
      expect(Number(again.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect(await smsTo(t, phone)).toHaveLength(1);
      // Another phone is not held back.
      const other = await t.http().post('/api/v1/auth/otp/request').send({ phone: '13900000003' });
      expect(other.status).toBe(202);
    });

    it('answers 401 invalid-code to five wrong codes, then refuses the right one too', async () => {
      const phone = '13900000004';
      const code = await requestOtp(t, phone);
      const details: string[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await verifyOtp(t, phone, wrongCode(code));
        expectProblem(res, 401, 'invalid-code', '/api/v1/auth/otp/verify');
        details.push(res.body.detail);
      }
      expect(details).toEqual([
        'The code is wrong; 4 tries left.',
        'The code is wrong; 3 tries left.',
        'The code is wrong; 2 tries left.',
        'The code is wrong; 1 tries left.',
        'Too many wrong tries; ask for a new code.',
      ]);
      const right = await verifyOtp(t, phone, code);
      expectProblem(right, 401, 'invalid-code', '/api/v1/auth/otp/verify');
      expect(right.body.accessToken).toBeUndefined();
      expect(await t.db.query('SELECT id FROM users WHERE phone_hash = ?', [phoneHash(t, phone)])).toEqual(
        [],
      );
    });

    it('refuses wrong codes sent all at once just the same', async () => {
      const phone = '13900000005';
      const code = await requestOtp(t, phone);
      const burst = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          verifyOtp(t, phone, String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0')),
        ),
      );
      expect(burst.map((r) => [r.status, r.body.code])).toEqual(burst.map(() => [401, 'invalid-code']));
      const right = await verifyOtp(t, phone, code);
      expectProblem(right, 401, 'invalid-code', '/api/v1/auth/otp/verify');
    });

    it('answers 401 invalid-code for an expired code', async () => {
      const phone = '13900000006';
      const code = await requestOtp(t, phone);
      await t.db.query('UPDATE otp_codes SET expires_at = NOW(3) - INTERVAL 1 SECOND WHERE phone_hash = ?', [
        phoneHash(t, phone),
      ]);
      const res = await verifyOtp(t, phone, code);
      expectProblem(res, 401, 'invalid-code', '/api/v1/auth/otp/verify');
      expect(res.body.detail).toBe('The code is wrong or has expired.');
      expect(await t.db.query('SELECT id FROM users WHERE phone_hash = ?', [phoneHash(t, phone)])).toEqual(
        [],
      );
    });

    it("answers 401 invalid-code for a code never sent, and for another phone's code", async () => {
      const none = await verifyOtp(t, '13900000007', '123456');
      expectProblem(none, 401, 'invalid-code', '/api/v1/auth/otp/verify');
      const code = await requestOtp(t, '13900000008');
      const other = await verifyOtp(t, '13900000009', code);
      expectProblem(other, 401, 'invalid-code', '/api/v1/auth/otp/verify');
      // The owner can still use it.
      expect((await verifyOtp(t, '13900000008', code)).status).toBe(200);
    });

    it('answers 400 validation-failed for a malformed phone or code', async () => {
      const bad = await t.http().post('/api/v1/auth/otp/request').send({ phone: '2390000001' });
      expectProblem(bad, 400, 'validation-failed', '/api/v1/auth/otp/request');
      expect(bad.body.errors).toEqual([
        { field: 'phone', message: 'phone must be an 11-digit mainland mobile number' },
      ]);
      const code = await verifyOtp(t, '13900000010', '12345');
      expectProblem(code, 400, 'validation-failed', '/api/v1/auth/otp/verify');
      expect(code.body.errors).toEqual([{ field: 'code', message: 'code must be 6 digits' }]);
      const sms = await t.http().get('/api/v1/dev/sms').query({ phone: 'x' });
      expectProblem(sms, 400, 'validation-failed', '/api/v1/dev/sms');
      expect(await smsTo(t, '13900000011')).toEqual([]);
    });
  });

  describe('logs and answers never carry secrets', () => {
    it('keeps passwords, personal data, codes and tokens out of the logs and household answers', async () => {
      const password = 'Log-Secret-Passw0rd-77';
      await f.user({ username: 'log-checker', password, roles: ['OPERATOR'] });
      const wrongLogin = await t
        .http()
        .post('/api/v1/auth/login')
        .send({ username: 'log-checker', password: `${password}-wrong` });
      expect(wrongLogin.status).toBe(401);
      const operatorToken = await t.login('log-checker', password);

      const citizenPhone = '13900000077';
      const code = await requestOtp(t, citizenPhone);
      const wrongOtp = await verifyOtp(t, citizenPhone, wrongCode(code));
      expect(wrongOtp.status).toBe(401);
      const citizen = await verifyOtp(t, citizenPhone, code);
      expect(citizen.status).toBe(200);
      const citizenToken = citizen.body.accessToken as string;
      expect((await t.http().get('/api/v1/me').set('Authorization', `Bearer ${citizenToken}`)).status).toBe(
        200,
      );

      const fullId = idNumber(4242);
      const phone = '13911112345';
      const bankAccount = '6222020200112233445';
      const bodies: string[] = [];

      const created = await t.http().post('/api/v1/households').set('Authorization', t.adminToken).send({
        registryNo: 'LOG-0001',
        headName: '李秀英',
        idNumber: fullId,
        phone,
        bankAccount,
        members: 3,
        villageCode: regions.village,
      });
      expect(created.status).toBe(201);
      bodies.push(created.text);
      expect(created.body).toEqual({
        id: expect.stringMatching(ULID),
        registryNo: 'LOG-0001',
        headName: '李秀英',
        idNumber: `${fullId.slice(0, 4)}**********${fullId.slice(-4)}`,
        phone: '139****2345',
        bankAccount: '***************3445',
        members: 3,
        villageCode: regions.village,
        status: 'LIFTED',
        statusReason: null,
      });
      expect(created.body.idNumber).toBe('5001**********' + fullId.slice(-4));

      const viaFactory = await f.household({ phone: '13922223456', bankAccount: '6217000011112222333' });
      expect(viaFactory.idNumber).toMatch(/^5001\*{10}[0-9X]{4}$/);

      const duplicate = await t.http().post('/api/v1/households').set('Authorization', t.adminToken).send({
        registryNo: 'LOG-0002',
        headName: '李秀英',
        idNumber: fullId,
        phone,
        bankAccount,
        members: 3,
        villageCode: regions.village,
      });
      expect(duplicate.status).toBe(409);
      bodies.push(duplicate.text);

      const one = await t
        .http()
        .get(`/api/v1/households/${created.body.id}`)
        .set('Authorization', t.adminToken);
      expect(one.status).toBe(200);
      expect(one.body).toEqual(created.body);
      bodies.push(one.text);
      const list = await t.http().get('/api/v1/households').set('Authorization', t.adminToken);
      expect(list.status).toBe(200);
      expect(list.body.items).toEqual(expect.arrayContaining([created.body]));
      bodies.push(list.text);
      const forbidden = await t.http().get('/api/v1/households').set('Authorization', operatorToken);
      expect(forbidden.status).toBe(403);

      for (const body of bodies) {
        expect(body).not.toContain(fullId);
        expect(body).not.toContain(phone);
        expect(body).not.toContain(bankAccount);
      }

      const logs = t.logs();
      // The flow was logged at all (so the checks below can fail).
      for (const path of ['/api/v1/auth/login', '/api/v1/auth/otp/verify', '/api/v1/households']) {
        expect(logs).toContain(`"path":"${path}"`);
      }
      const secrets = {
        password,
        adminPassword: t.env.ADMIN_PASSWORD,
        idNumber: fullId,
        phone,
        citizenPhone,
        bankAccount,
        accessToken: citizenToken,
        adminToken: t.adminToken.replace(/^Bearer /, ''),
        operatorToken: operatorToken.replace(/^Bearer /, ''),
      };
      for (const [name, secret] of Object.entries(secrets)) {
        expect({ name, found: logs.includes(secret) }).toEqual({ name, found: false });
      }
      // The code is six digits: look for it standing alone, not inside an id or a number.
      expect(logs).not.toMatch(new RegExp(`(?<![0-9A-Za-z])${code}(?![0-9A-Za-z])`));
    });
  });
});

describe('citizen OTP login without a resend wait', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp('identity_otp', { env: { OTP_RESEND_SECONDS: '0' } });
  });
  afterAll(() => t.close());

  it('lists messages newest first, honours only the newest code, and keeps one account per phone', async () => {
    const phone = '13900000201';
    const first = await requestOtp(t, phone);
    const firstLogin = await verifyOtp(t, phone, first);
    expect(firstLogin.status).toBe(200);

    const older = await requestOtp(t, phone);
    await new Promise((r) => setTimeout(r, 10));
    const newer = await requestOtp(t, phone);
    const sms = await smsTo(t, phone);
    expect(sms).toHaveLength(3);
    expect(sms.map((m) => SMS_TEXT.exec(m.text)![1])).toEqual([newer, older, first]);
    expect(sms.map((m) => m.phone)).toEqual([phone, phone, phone]);
    const times = sms.map((m) => Date.parse(m.sentAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    if (older !== newer) {
      // A new code replaces the older one.
      const stale = await verifyOtp(t, phone, older);
      expectProblem(stale, 401, 'invalid-code', '/api/v1/auth/otp/verify');
    }
    const second = await verifyOtp(t, phone, newer);
    expect(second.status).toBe(200);
    expect(second.body.user).toEqual(firstLogin.body.user);
    const rows = await t.db.query('SELECT id FROM users WHERE phone_hash = ?', [phoneHash(t, phone)]);
    expect(rows).toEqual([{ id: firstLogin.body.user.id }]);
  });

  it('lets a citizen in with a new code after the tries on the old one ran out', async () => {
    const phone = '13900000202';
    const code = await requestOtp(t, phone);
    for (let i = 0; i < 5; i++) {
      expect((await verifyOtp(t, phone, wrongCode(code))).status).toBe(401);
    }
    expect((await verifyOtp(t, phone, code)).status).toBe(401);
    const fresh = await requestOtp(t, phone);
    const res = await verifyOtp(t, phone, fresh);
    expect(res.status).toBe(200);
    expect(res.body.user.roles).toEqual(['CITIZEN']);
  });
});
