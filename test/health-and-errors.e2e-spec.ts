import { startTestApp, TestApp } from './support/test-app';

describe('operations and error handling', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp('health', { env: { BODY_LIMIT_BYTES: '2048' } });
  });
  afterAll(() => t.close());

  it('GET /health reports MySQL, Redis and MQTT up', async () => {
    const res = await t.http().get('/health');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
    expect(Object.keys(res.body.checks).sort()).toEqual(['mqtt', 'mysql', 'redis']);
    for (const c of Object.values(res.body.checks) as { status: string }[]) {
      expect(c.status).toBe('up');
    }
  });

  it('GET /health/ready is ready with no pending migration', async () => {
    const res = await t.http().get('/health/ready');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ready', pendingMigrations: false, shuttingDown: false });
  });

  it('serves Prometheus metrics including request durations by route', async () => {
    await t.http().get('/api/v1/products');
    const res = await t.http().get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/products",status="200"\} \d+/,
    );
    expect(res.text).toContain('process_cpu_user_seconds_total');
  });

  it('serves the OpenAPI UI at /docs and the document at /docs/openapi.json', async () => {
    const ui = await t.http().get('/docs');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger');
    const doc = await t.http().get('/docs/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/auth/login',
        '/api/v1/households/{id}',
        '/api/v1/trace/lots/{id}',
        '/health',
      ]),
    );
  });

  it('answers an unknown route with 404 not-found as problem+json', async () => {
    const res = await t.http().get('/api/v1/no-such-thing');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 404, code: 'not-found', title: 'Not found' });
    expect(res.body.type).toMatch(/not-found$/);
  });

  it('answers malformed JSON with 400, never 500', async () => {
    const res = await t
      .http()
      .post('/api/v1/auth/login')
      .set('content-type', 'application/json')
      .send('{"username": ');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe('malformed-json');
  });

  it('answers wrong types and unknown fields with 400 validation-failed and per-field errors', async () => {
    const res = await t
      .http()
      .post('/api/v1/auth/login')
      .send({ username: 42, password: 'x', role: 'ADMIN' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation-failed');
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'username', message: 'username must be a string' },
        { field: 'role', message: 'role is not a known field' },
      ]),
    );
  });

  it('answers an oversized body with 413 and a non-JSON body with 415', async () => {
    const big = await t
      .http()
      .post('/api/v1/auth/login')
      .send({ username: 'a', password: 'x'.repeat(4096) });
    expect(big.status).toBe(413);
    expect(big.body.code).toBe('payload-too-large');
    const text = await t.http().post('/api/v1/auth/login').set('content-type', 'text/plain').send('hello');
    expect(text.status).toBe(415);
    expect(text.body.code).toBe('unsupported-media-type');
  });

  it('answers a malformed query parameter with 400', async () => {
    const res = await t.http().get('/api/v1/products?limit=abc');
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('limit');
  });

  it('puts a request id on every answer, echoes a given one, and names it in errors and logs', async () => {
    const given = 'req-test-0123456789';
    const res = await t.http().get('/api/v1/no-such-thing').set('x-request-id', given);
    expect(res.headers['x-request-id']).toBe(given);
    expect(res.body.requestId).toBe(given);
    const fresh = await t.http().get('/health');
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9A-Z]{26}$/);
    const line = t
      .logs()
      .split('\n')
      .find((l) => l.includes(given));
    expect(line).toBeDefined();
    expect(JSON.parse(line!).req.id).toBe(given);
  });

  it('sends security headers', async () => {
    const res = await t.http().get('/api/v1/products');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=/);
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
  });
});

describe('rate limiting', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp('ratelimit', {
      env: { RATE_LIMIT_PER_MINUTE: '5', LOGIN_RATE_LIMIT_PER_MINUTE: '3' },
    });
  });
  afterAll(() => t.close());

  it('answers 429 too-many-requests with Retry-After past the limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await t.http().get('/api/v1/regions')).status);
    }
    expect(statuses.slice(0, 4).every((s) => s === 200)).toBe(true);
    expect(statuses[5]).toBe(429);
    const res = await t.http().get('/api/v1/regions');
    expect(res.body.code).toBe('too-many-requests');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });
});
