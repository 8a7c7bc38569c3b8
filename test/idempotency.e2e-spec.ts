import { RequestMethod } from '@nestjs/common';
import { INTERCEPTORS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { PUBLIC_KEY } from '@/common/auth/decorators';
import { IdempotencyInterceptor } from '@/common/idempotency/idempotency.interceptor';
import { factory, idNumber } from './support/factory';
import { startTestApp, TestApp } from './support/test-app';

const API = '/api/v1';

describe('Idempotency-Key on POST', () => {
  let t: TestApp;
  let f: ReturnType<typeof factory>;
  let village: string;
  let seq = 0;

  beforeAll(async () => {
    t = await startTestApp('idempotency');
    f = factory(t);
    village = (await f.regions()).village;
  });
  afterAll(() => t.close());

  it('every signed-in POST route takes a key (@Idempotent), and only POST routes pay for it', () => {
    const routes: { route: string; idempotent: boolean; post: boolean; public: boolean }[] = [];
    for (const wrapper of t.app.get(DiscoveryService).getControllers()) {
      const proto = wrapper.metatype?.prototype as Record<string, unknown> | undefined;
      if (!proto) {
        continue;
      }
      for (const name of t.app.get(MetadataScanner).getAllMethodNames(proto)) {
        const handler = proto[name] as object;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) {
          continue;
        }
        const interceptors = (Reflect.getMetadata(INTERCEPTORS_METADATA, handler) ?? []) as unknown[];
        routes.push({
          route: `${RequestMethod[method]} ${String(Reflect.getMetadata(PATH_METADATA, handler))}`,
          idempotent: interceptors.includes(IdempotencyInterceptor),
          post: method === RequestMethod.POST,
          public: Reflect.getMetadata(PUBLIC_KEY, handler) === true,
        });
      }
    }
    expect(routes.filter((r) => r.post && !r.public).length).toBeGreaterThanOrEqual(20);
    expect(routes.filter((r) => r.post && !r.public && !r.idempotent).map((r) => r.route)).toEqual([]);
    expect(routes.filter((r) => r.idempotent && !r.post).map((r) => r.route)).toEqual([]);
  });

  /** A fresh, valid household body. */
  const body = (over: Record<string, unknown> = {}) => {
    seq++;
    return {
      registryNo: `IDEM-${seq}`,
      headName: '王德明',
      idNumber: idNumber(5000 + seq),
      phone: '13912345678',
      members: 3,
      villageCode: village,
      ...over,
    };
  };
  const post = (key: string | undefined, b: object, token = t.adminToken) => {
    const req = t.http().post(`${API}/households`).set('Authorization', token);
    return (key === undefined ? req : req.set('Idempotency-Key', key)).send(b);
  };
  const rowsOf = async (registryNo: string) => {
    const [{ n }] = await t.db.query('SELECT COUNT(*) AS n FROM households WHERE registry_no = ?', [
      registryNo,
    ]);
    return Number(n);
  };

  it('a repeat with the same key and body returns the first answer, marked replayed, and creates one row', async () => {
    const b = body();
    const first = await post('key-replay-1', b);
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(first.body.registryNo).toBe(b.registryNo);

    const second = await post('key-replay-1', b);
    expect(second.status).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.headers['content-type']).toMatch(/^application\/json/);
    expect(second.body).toEqual(first.body);

    // The same body with its keys in another order is the same request.
    const reordered = Object.fromEntries(Object.entries(b).reverse());
    const third = await post('key-replay-1', reordered);
    expect(third.status).toBe(201);
    expect(third.headers['idempotent-replayed']).toBe('true');
    expect(third.body).toEqual(first.body);

    expect(await rowsOf(b.registryNo)).toBe(1);
    const [{ n }] = await t.db.query('SELECT COUNT(*) AS n FROM households');
    expect(Number(n)).toBe(1);
  });

  it('without a key, a repeat is a new request (409 household-exists)', async () => {
    const b = body();
    expect((await post(undefined, b)).status).toBe(201);
    const again = await post(undefined, b);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('household-exists');
    expect(again.headers['idempotent-replayed']).toBeUndefined();
  });

  it('the same key with another body is 422 idempotency-key-reused and creates nothing', async () => {
    const b = body();
    const first = await post('key-reused-1', b);
    expect(first.status).toBe(201);
    const other = body();
    const res = await post('key-reused-1', other);
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe('idempotency-key-reused');
    expect(res.headers['idempotent-replayed']).toBeUndefined();
    expect(await rowsOf(other.registryNo)).toBe(0);
    // One field changed is another body too.
    const tweaked = await post('key-reused-1', { ...b, members: 4 });
    expect(tweaked.status).toBe(422);
    expect(tweaked.body.code).toBe('idempotency-key-reused');
    // The first answer is still what a true repeat gets.
    const again = await post('key-reused-1', b);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
  });

  it('keys are per caller: another user with the same key is independent', async () => {
    await f.user({ username: 'admin-two', password: 'admin-two-pass', roles: ['ADMIN'] });
    const otherAdmin = await t.login('admin-two', 'admin-two-pass');
    const b = body();
    const mine = await post('key-shared-1', b);
    expect(mine.status).toBe(201);

    // The same key and body from another user is not a replay of my answer: it runs, and the household exists.
    const theirsSame = await post('key-shared-1', b, otherAdmin);
    expect(theirsSame.status).toBe(409);
    expect(theirsSame.body.code).toBe('household-exists');
    expect(theirsSame.headers['idempotent-replayed']).toBeUndefined();

    // Another body under the same key from the other user is not "reused" either.
    const c = body();
    const theirs = await post('key-shared-2', c, otherAdmin);
    expect(theirs.status).toBe(201);
    const theirsOther = await post('key-shared-1', body(), otherAdmin);
    expect(theirsOther.status).toBe(201);
    expect(theirsOther.headers['idempotent-replayed']).toBeUndefined();
    // Their key-shared-2 does not bind mine.
    const mineOther = await post('key-shared-2', body());
    expect(mineOther.status).toBe(201);
    expect(mineOther.headers['idempotent-replayed']).toBeUndefined();
    // And each one's repeat replays its own answer.
    const replay = await post('key-shared-2', c, otherAdmin);
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(theirs.body);
    expect(await rowsOf(b.registryNo)).toBe(1);
  });

  it('a failed first request does not burn the key', async () => {
    const valid = idNumber(7000);
    const wrongCheck = '10X98765432'.split('').find((ch) => ch !== valid[17])!;
    const bad = body({ idNumber: valid.slice(0, 17) + wrongCheck });
    const first = await post('key-failed-1', bad);
    expect(first.status).toBe(400);
    expect(first.body.code).toBe('validation-failed');
    expect(first.body.errors.map((e: { field: string }) => e.field)).toEqual(['idNumber']);

    const again = await post('key-failed-1', bad);
    expect(again.status).toBe(400);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect(again.body.code).toBe('validation-failed');
    expect(again.body.errors).toEqual(first.body.errors);
    expect(await rowsOf(bad.registryNo)).toBe(0);
    const [{ n }] = await t.db.query(
      "SELECT COUNT(*) AS n FROM idempotency_keys WHERE idem_key = 'key-failed-1'",
    );
    expect(Number(n)).toBe(0);

    // The corrected request under the same key runs, and is then replayed.
    const fixed = { ...bad, idNumber: idNumber(7001) };
    const ok = await post('key-failed-1', fixed);
    expect(ok.status).toBe(201);
    expect(ok.headers['idempotent-replayed']).toBeUndefined();
    const replay = await post('key-failed-1', fixed);
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(ok.body);
    expect(await rowsOf(bad.registryNo)).toBe(1);
  });

  it('a business failure (409) is not stored either', async () => {
    const b = body();
    await post(undefined, b).expect(201);
    const dup = { ...b, idNumber: idNumber(7002) };
    const first = await post('key-failed-2', dup);
    expect(first.status).toBe(409);
    expect(first.body.code).toBe('household-exists');
    const again = await post('key-failed-2', dup);
    expect(again.status).toBe(409);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
  });

  it('an expired key is forgotten: the same key then runs a new request', async () => {
    const b = body();
    const first = await post('key-expired-1', b);
    expect(first.status).toBe(201);
    await t.db.query(
      "UPDATE idempotency_keys SET expires_at = NOW(3) - INTERVAL 1 MINUTE WHERE idem_key = 'key-expired-1'",
    );
    const other = body();
    const res = await post('key-expired-1', other);
    expect(res.status).toBe(201);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
    expect(res.body.registryNo).toBe(other.registryNo);
    expect(await rowsOf(other.registryNo)).toBe(1);
    const replay = await post('key-expired-1', other);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(res.body);
  });

  it('two concurrent identical requests with the same key create exactly one household', async () => {
    for (let round = 0; round < 5; round++) {
      const b = body();
      const key = `key-race-${round}`;
      const [a, c] = await Promise.all([post(key, b), post(key, b)]);
      const results = [a, c].sort((x, y) => x.status - y.status);
      expect(results[0].status).toBe(201);
      expect(results[0].body.registryNo).toBe(b.registryNo);
      const loser = results[1];
      if (loser.status === 201) {
        const replayed = [a, c].filter((x) => x.headers['idempotent-replayed'] === 'true');
        expect(replayed).toHaveLength(1);
        expect(loser.body).toEqual(results[0].body);
      } else {
        expect(loser.status).toBe(409);
        expect(loser.body.code).toBe('idempotency-key-in-progress');
      }
      expect(await rowsOf(b.registryNo)).toBe(1);
      // Once the first has finished, a repeat is a replay.
      const later = await post(key, b);
      expect(later.status).toBe(201);
      expect(later.headers['idempotent-replayed']).toBe('true');
      expect(later.body).toEqual(results[0].body);
    }
  });

  it('a key left PENDING by an attempt that died is taken over after a minute', async () => {
    const b = body();
    const [{ id: userId }] = await t.db.query('SELECT id FROM users WHERE username = ?', [
      t.env.ADMIN_USERNAME,
    ]);
    await t.db.query(
      "INSERT INTO idempotency_keys (id, scope, idem_key, request_hash, state, expires_at, created_at) VALUES ('01STALESTALESTALESTALESTAL', ?, 'died-key', 'x', 'PENDING', NOW() + INTERVAL 1 DAY, NOW(3) - INTERVAL 2 MINUTE)",
      [userId],
    );
    const res = await post('died-key', b);
    expect(res.status).toBe(201);
    expect(await rowsOf(b.registryNo)).toBe(1);
    const fresh = await post('fresh-pending', body());
    expect(fresh.status).toBe(201);
  });

  it('a call without a signed-in user (login) is never stored, so no token is kept', async () => {
    const login = () =>
      t
        .http()
        .post(`${API}/auth/login`)
        .set('Idempotency-Key', 'login-key')
        .send({ username: t.env.ADMIN_USERNAME, password: t.env.ADMIN_PASSWORD });
    expect((await login()).status).toBe(200);
    expect((await login()).headers['idempotent-replayed']).toBeUndefined();
    const [{ n }] = await t.db.query(
      "SELECT COUNT(*) AS n FROM idempotency_keys WHERE idem_key = 'login-key'",
    );
    expect(Number(n)).toBe(0);
  });

  it('rejects a malformed key with 400 invalid-idempotency-key', async () => {
    const b = body();
    for (const key of ['has space', 'x'.repeat(256), 'tab\there']) {
      const res = await t
        .http()
        .post(`${API}/households`)
        .set('Authorization', t.adminToken)
        .set('Idempotency-Key', key)
        .send(b);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('invalid-idempotency-key');
    }
    expect(await rowsOf(b.registryNo)).toBe(0);
  });
});
