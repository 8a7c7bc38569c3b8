import { unlinkKeys } from './support/redis-keys';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import type { Response } from 'supertest';
import { factory } from './support/factory';
import { dropDatabase, runId, TEST_DB_PREFIX, urlFor } from './support/databases';
import { freePort, runMain } from './support/process';
import { startTestApp, TestApp } from './support/test-app';

const API = '/api/v1';

/** What a client sees: status, problem+json, a stable code and the request id in body and header. */
function expectProblem(
  res: Pick<Response, 'status' | 'headers' | 'body'>,
  status: number,
  code: string,
): void {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, code, type: expect.stringMatching(new RegExp(`/${code}$`)) });
  expect(res.body.requestId).toMatch(/^[0-9A-Z]{26}$/);
  expect(res.headers['x-request-id']).toBe(res.body.requestId);
}

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: any;
}

/** Sends bytes a well-behaved client library would refuse to send, and parses the one answer. */
function rawRequest(port: number, text: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let out = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (out += d));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head, ...rest] = out.split('\r\n\r\n');
      const [statusLine, ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const l of lines) {
        const i = l.indexOf(':');
        headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      const bodyText = rest.join('\r\n\r\n');
      let body: unknown = bodyText;
      try {
        body = JSON.parse(bodyText);
      } catch {
        // left as text: the assertions show it
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body });
    });
  });
}

describe('the HTTP edge refuses hostile input cleanly', () => {
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    t = await startTestApp('hostile', { listen: true });
    port = Number(new URL(t.env.PUBLIC_BASE_URL).port);
  });
  afterAll(() => t.close());

  const json = (path: string, body: string) =>
    t.http().post(`${API}${path}`).set('content-type', 'application/json').send(body);

  describe('deeply nested JSON', () => {
    it('5,000 nested arrays or objects are 400 too-deeply-nested, without a token, never 500', async () => {
      const arrays = await json('/auth/login', '['.repeat(5000) + ']'.repeat(5000));
      expectProblem(arrays, 400, 'too-deeply-nested');
      const objects = await json('/auth/login', '{"a":'.repeat(5000) + '1' + '}'.repeat(5000));
      expectProblem(objects, 400, 'too-deeply-nested');
      // Unbalanced nesting is refused the same way before anything parses it.
      const open = await json('/auth/login', '[{"a":'.repeat(3000));
      expectProblem(open, 400, 'too-deeply-nested');
      expect(t.logs()).not.toContain('Maximum call stack size exceeded');
    });

    it('32 levels are parsed (and validated); 33 are refused', async () => {
      const nest = (levels: number) =>
        `{"username":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)},"password":"x"}`;
      const ok = await json('/auth/login', nest(32));
      expectProblem(ok, 400, 'validation-failed');
      expect(ok.body.errors).toEqual([{ field: 'username', message: 'username must be a string' }]);
      expectProblem(await json('/auth/login', nest(33)), 400, 'too-deeply-nested');
    });

    it('brackets and escaped quotes inside strings do not count as nesting', async () => {
      const password = `${'['.repeat(60)}\\"${'{'.repeat(60)}\\\\`;
      const res = await json('/auth/login', `{"username":"nobody","password":"${password}"}`);
      expectProblem(res, 401, 'invalid-credentials');
    });
  });

  describe('an empty-string reference is a validation error naming the field', () => {
    let village: string;
    beforeAll(async () => {
      village = (await factory(t).regions()).village;
    });

    it.each([
      ['/regions', { code: '500199', name: '空父区', level: 'DISTRICT' }, 'parentCode', 'regions'],
      ['/regions', { code: '500199001', name: '空父镇', level: 'TOWN' }, 'parentCode', 'regions'],
      ['/organizations', { name: '空上级单位', type: 'BUDGET_UNIT' }, 'parentId', 'organizations'],
      ['/live/hosts', { name: '空地区主播', kind: 'MEDIA' }, 'regionCode', 'live_hosts'],
      ['/suppliers', { name: '空农户合作社', type: 'COOPERATIVE' }, 'householdId', 'suppliers'],
    ])('POST %s with %s "" → 400', async (path, body, field, table) => {
      const full = path === '/suppliers' ? { ...body, villageCode: village } : body;
      const before = await t.db.query(`SELECT COUNT(*) AS n FROM ${table}`);
      const res = await t
        .http()
        .post(`${API}${path}`)
        .set('Authorization', t.adminToken)
        .send({ ...full, [field]: '' });
      expectProblem(res, 400, 'validation-failed');
      expect(res.body.errors).toEqual([
        { field, message: `${field} must not be empty; leave it out instead` },
      ]);
      expect(await t.db.query(`SELECT COUNT(*) AS n FROM ${table}`)).toEqual(before);
    });
  });

  describe('a database constraint is never a 500', () => {
    // The schema can refuse what the DTOs let through (a rule added in a migration, a narrower column):
    // the answer is still a 400 naming the API field.
    it('a CHECK constraint names its column; a too-long value names its field', async () => {
      await t.db.query("ALTER TABLE live_hosts ADD CONSTRAINT chk_live_hosts_name CHECK (name <> '禁用名')");
      await t.db.query('ALTER TABLE organizations MODIFY name varchar(4) NOT NULL');
      try {
        const check = await t
          .http()
          .post(`${API}/live/hosts`)
          .set('Authorization', t.adminToken)
          .send({ name: '禁用名', kind: 'MEDIA' });
        expectProblem(check, 400, 'validation-failed');
        expect(check.body.errors).toEqual([{ field: 'name', message: 'name is not an allowed value' }]);

        const long = await t
          .http()
          .post(`${API}/organizations`)
          .set('Authorization', t.adminToken)
          .send({ name: '一个名字很长的单位', type: 'BUDGET_UNIT' });
        expectProblem(long, 400, 'validation-failed');
        expect(long.body.errors).toEqual([{ field: 'name', message: 'name is too long' }]);
      } finally {
        await t.db.query('ALTER TABLE live_hosts DROP CONSTRAINT chk_live_hosts_name');
        await t.db.query('ALTER TABLE organizations MODIFY name varchar(128) NOT NULL');
      }
    });
  });

  describe("Fastify's own errors are problem+json", () => {
    it('a path parameter over 100 characters is 414 uri-too-long', async () => {
      const res = await t
        .http()
        .get(`${API}/orders/${'a'.repeat(101)}`)
        .set('Authorization', t.adminToken);
      expectProblem(res, 414, 'uri-too-long');
    });

    it('a bad percent-escape in the path is 400 malformed-url', async () => {
      const res = await t.http().get(`${API}/orders/%E0%A4%A`).set('Authorization', t.adminToken);
      expectProblem(res, 400, 'malformed-url');
    });

    it('a method the path does not have is 405 method-not-allowed with Allow', async () => {
      const put = await t.http().put(`${API}/auth/login`).send({});
      expectProblem(put, 405, 'method-not-allowed');
      expect(put.headers.allow).toBe('POST');
      const del = await t.http().delete(`${API}/orders/01J0000000000000000000NONE`);
      expectProblem(del, 405, 'method-not-allowed');
      expect(del.headers.allow).toBe('GET, HEAD');
      // A path no method has stays 404.
      expectProblem(await t.http().put(`${API}/no-such-thing`), 404, 'not-found');
    });

    it('a method HTTP does not know is 400 malformed-request', async () => {
      const res = await rawRequest(
        port,
        `FOO ${API}/regions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      );
      expectProblem(res, 400, 'malformed-request');
    });

    it('a body on a GET is 400 body-not-allowed', async () => {
      const res = await t
        .http()
        .get(`${API}/regions`)
        .set('content-type', 'application/json')
        .send('{"parentCode":"500101"}');
      expectProblem(res, 400, 'body-not-allowed');
      // An empty body (some clients send Content-Length: 0) is no body.
      const empty = await rawRequest(
        port,
        `GET ${API}/regions HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
      );
      expect(empty.status).toBe(200);
    });

    it('an Accept this service cannot answer is 406 not-acceptable; errors ignore Accept', async () => {
      const xml = await t.http().get(`${API}/regions`).set('accept', 'application/xml');
      expectProblem(xml, 406, 'not-acceptable');
      const noJson = await t.http().get(`${API}/regions`).set('accept', 'application/json;q=0, text/xml');
      expectProblem(noJson, 406, 'not-acceptable');
      const html = await t.http().get(`${API}/no-such-thing`).set('accept', 'text/html');
      expectProblem(html, 404, 'not-found');
      for (const accept of ['application/json', '*/*', 'application/*', 'text/html, */*;q=0.8']) {
        expect((await t.http().get(`${API}/regions`).set('accept', accept)).status).toBe(200);
      }
    });

    it('a header too large is 431 headers-too-large', async () => {
      const res = await rawRequest(
        port,
        `GET ${API}/regions HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\nConnection: close\r\n\r\n`,
      );
      expectProblem(res, 431, 'headers-too-large');
    });

    it('an invalid or doubled content-length is 400 malformed-request', async () => {
      for (const lengths of ['Content-Length: abc', 'Content-Length: 2\r\nContent-Length: 3']) {
        const res = await rawRequest(
          port,
          `POST ${API}/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${lengths}\r\nConnection: close\r\n\r\n{}`,
        );
        expectProblem(res, 400, 'malformed-request');
      }
    });
  });

  describe('form bodies', () => {
    it('urlencoded and multipart bodies are 415 unsupported-media-type, also on the payment webhook', async () => {
      const form = await t.http().post(`${API}/auth/login`).type('form').send('username=admin&password=x');
      expectProblem(form, 415, 'unsupported-media-type');
      const multipart = await t
        .http()
        .post(`${API}/auth/login`)
        .field('username', 'admin')
        .field('password', 'x');
      expectProblem(multipart, 415, 'unsupported-media-type');
      const webhook = await t.http().post(`${API}/payments/notify/sandbox`).type('form').send('a=1');
      expectProblem(webhook, 415, 'unsupported-media-type');
    });
  });

  describe('validation answers', () => {
    it('name each failing field once, with the first rule it breaks', async () => {
      const res = await t
        .http()
        .post(`${API}/regions`)
        .set('Authorization', t.adminToken)
        .send({ code: 5, name: 7, level: 'X', extra: 1 });
      expectProblem(res, 400, 'validation-failed');
      expect(res.body.errors).toEqual([
        { field: 'extra', message: 'extra is not a known field' },
        { field: 'code', message: 'code must be 2 to 32 letters or digits' },
        { field: 'name', message: 'name must be a string' },
        { field: 'level', message: 'level must be one of the following values: DISTRICT, TOWN, VILLAGE' },
      ]);
      const login = await t.http().post(`${API}/auth/login`).send({ username: 42 });
      expect(login.body.errors).toEqual([
        { field: 'username', message: 'username must be a string' },
        { field: 'password', message: 'password must be a string' },
      ]);
    });
  });

  describe('logs', () => {
    it("an unexpected database error's log line carries the driver's code; the OTP never reaches the log", async () => {
      const phone = '13900001234';
      expect((await t.http().post(`${API}/auth/otp/request`).send({ phone })).status).toBe(202);
      const sms = await t.http().get(`${API}/dev/sms`).query({ phone });
      const code = /\d{6}/.exec(sms.body[0].text as string)![0];

      // A table gone from under the app: not bad input, a real 500, and the log must explain it.
      await t.db.query('RENAME TABLE users TO users_gone');
      let verify: Response;
      try {
        verify = await t.http().post(`${API}/auth/otp/verify`).send({ phone, code });
      } finally {
        await t.db.query('RENAME TABLE users_gone TO users');
      }
      expectProblem(verify, 500, 'internal-error');
      const line = t
        .logs()
        .split('\n')
        .filter((l) => l.includes(verify.body.requestId as string))
        .map((l) => JSON.parse(l))
        .find((l) => l.msg === 'unexpected error');
      expect(line.err.code).toBe('ER_NO_SUCH_TABLE');

      // The text message (which holds a code) fails to be stored: its statement is not logged either.
      await t.db.query('RENAME TABLE sms_messages TO sms_gone');
      let again: Response;
      try {
        again = await t.http().post(`${API}/auth/otp/request`).send({ phone: '13900005678' });
      } finally {
        await t.db.query('RENAME TABLE sms_gone TO sms_messages');
      }
      expectProblem(again, 500, 'internal-error');
      expect(t.logs()).toContain('ER_NO_SUCH_TABLE');
      expect(t.logs()).not.toContain(code);
      expect(t.logs()).not.toMatch(/验证码是\d{6}/);
      expect(t.logs()).not.toContain('13900005678');
    });

    it('the built service writes only pino JSON lines to stdout, and no LegacyRouteConverter warning', async () => {
      const database = `${TEST_DB_PREFIX}${runId()}_hlog_${randomBytes(3).toString('hex')}`;
      const servicePort = await freePort();
      const p = runMain(['api'], {
        DATABASE_URL: urlFor(database),
        QUEUE_PREFIX: database,
        DATABASE_POOL_SIZE: '2',
        PORT: String(servicePort),
        SEED_DEMO: 'false',
      });
      let stdout = '';
      p.child.stdout!.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
      try {
        await p.waitFor(/api listening on/);
        p.child.kill('SIGTERM');
        expect(await p.exited).toBe(0);
      } finally {
        if (p.child.exitCode === null) {
          p.child.kill('SIGKILL');
        }
        await dropDatabase(database);
        await unlinkKeys(`${database}:*`);
      }
      const lines = stdout.split('\n').filter((l) => l !== '');
      expect(lines.length).toBeGreaterThan(3);
      expect(stdout).toContain('migrations applied'); // the boot lines before the app exists are there too
      for (const l of lines) {
        let parsed: { level?: unknown; time?: unknown } = {};
        try {
          parsed = JSON.parse(l);
        } catch {
          // not JSON: fails below with the line shown
        }
        expect({ line: l, level: typeof parsed.level, time: typeof parsed.time }).toEqual({
          line: l,
          level: 'string',
          time: 'string',
        });
      }
      expect(p.output()).not.toContain('LegacyRouteConverter');
    });
  });
});
