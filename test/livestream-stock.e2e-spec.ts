import { Redis } from 'ioredis';
import { redisOptions } from '@/infrastructure/redis/redis.module';
import { factory } from './support/factory';
import {
  API,
  buy as buyOver,
  citizens,
  flashKeys,
  heldUnits,
  liveSession,
  LiveFixture,
} from './support/live';
import { startTestApp, TestApp } from './support/test-app';
import { until } from './support/wait';

/**
 * Flash-sale stock under a rush: Redis takes the units atomically, MySQL guards every sale, nothing is ever
 * oversold or lost — also when Redis loses its keys in the middle of a sale or an order's write fails after
 * the units were taken. Requests go over real HTTP to a listening app, all at once.
 */
describe('livestream: flash-sale stock that never oversells nor undersells', () => {
  let t: TestApp;
  let redis: Redis;
  let base: string;
  let buyers: string[];

  beforeAll(async () => {
    t = await startTestApp('livestock', { role: 'all', listen: true });
    base = t.env.PUBLIC_BASE_URL;
    redis = new Redis(...redisOptions(t.env.REDIS_URL));
    await factory(t).regions();
    buyers = await citizens(t, 1000, '136');
  }, 120_000);
  afterAll(async () => {
    redis.disconnect();
    await t.close();
  });

  const buy = (fx: LiveFixture, token: string, quantity = 1) => buyOver(t, fx, token, quantity);
  const held = (offerId: string) => heldUnits(t, offerId);
  const keys = (offerId: string) => flashKeys(t, offerId);
  const redisFree = async (offerId: string) => Number(await redis.hget(keys(offerId).meta, 'free'));
  const stats = async (fx: LiveFixture) =>
    (await t.http().get(`${API}/live/sessions/${fx.sessionId}/stats`).set('Authorization', fx.hostToken))
      .body;
  const count = (xs: { status: number }[], status: number) => xs.filter((x) => x.status === status).length;
  const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

  it('1,000 buyers at once for 100 units: exactly 100 sold, 900 told sold-out', async () => {
    const fx = await liveSession(t, { regions: false, stock: 100 });
    const answers = await Promise.all(buyers.map((b) => buy(fx, b)));
    expect(count(answers, 201)).toBe(100);
    expect(count(answers, 409)).toBe(900);
    expect(answers.filter((a) => a.status === 409).every((a) => a.body.code === 'sold-out')).toBe(true);
    expect(await held(fx.offerId)).toEqual(range(100));
    const [orders] = (await t.db.query(
      `SELECT COUNT(*) AS n, SUM(l.quantity) AS units, SUM(l.amount_fen) AS fen FROM orders o JOIN order_lines l ON l.order_id = o.id
        WHERE JSON_UNQUOTE(JSON_EXTRACT(o.attribution, '$.offerId')) = ?`,
      [fx.offerId],
    )) as { n: number; units: string; fen: string }[];
    expect([Number(orders.n), Number(orders.units), Number(orders.fen)]).toEqual([100, 100, 399000]);
    expect(await redisFree(fx.offerId)).toBe(0);
    expect((await stats(fx)).offers[0]).toMatchObject({ sold: 0, reserved: 100, remaining: 0 });
  });

  it('the per-buyer limit holds under concurrency: 20 taps of one buyer with a limit of 3 take 3', async () => {
    const fx = await liveSession(t, { regions: false, stock: 50, perBuyerLimit: 3 });
    const answers = await Promise.all(Array.from({ length: 20 }, () => buy(fx, buyers[0])));
    expect(count(answers, 201)).toBe(3);
    expect(count(answers, 422)).toBe(17);
    expect(answers.filter((a) => a.status === 422).every((a) => a.body.code === 'limit-exceeded')).toBe(true);
    expect((await held(fx.offerId)).length).toBe(3);
    const [b] = await t.db.query('SELECT units_left AS l FROM live_offer_buyers WHERE offer_id = ?', [
      fx.offerId,
    ]);
    expect(Number(b.l)).toBe(0);
    expect(await redisFree(fx.offerId)).toBe(47);
  });

  it('Redis losing the keys in the middle of a sale: rebuilt from MySQL, exactly the stock sold', async () => {
    const fx = await liveSession(t, { regions: false, stock: 60 });
    const racers = buyers.slice(100, 400);
    const firstWave = Promise.all(racers.slice(0, 150).map((b) => buy(fx, b)));
    // While the first wave is in flight, the keys go (a restart, a failover, a flush).
    await new Promise((r) => setTimeout(r, 20));
    await redis.del(keys(fx.offerId).meta, keys(fx.offerId).free);
    const secondWave = Promise.all(racers.slice(150).map((b) => buy(fx, b)));
    const answers = [...(await firstWave), ...(await secondWave)];
    expect(count(answers, 201)).toBe(60);
    expect(count(answers, 409)).toBe(240);
    expect(await held(fx.offerId)).toEqual(range(60));
    expect(await redisFree(fx.offerId)).toBe(0);
  });

  it('a missing key is neither zero nor infinite stock: keys lost while idle are rebuilt before the next sale', async () => {
    const fx = await liveSession(t, { regions: false, stock: 10 });
    for (const b of buyers.slice(500, 504)) {
      expect((await buy(fx, b)).status).toBe(201);
    }
    // Only the free set lost: the count in the hash disagrees with it, so it is rebuilt, not read as sold out.
    await redis.del(keys(fx.offerId).free);
    expect((await buy(fx, buyers[504])).status).toBe(201);
    expect(await redisFree(fx.offerId)).toBe(5);
    // Everything lost: rebuilt, not read as unlimited.
    await redis.del(keys(fx.offerId).meta, keys(fx.offerId).free);
    const rest = await Promise.all(buyers.slice(505, 520).map((b) => buy(fx, b)));
    expect(count(rest, 201)).toBe(5);
    expect(await held(fx.offerId)).toEqual(range(10));
  });

  it('MySQL stays the guard: a unit Redis wrongly holds as free is refused by MySQL, counted again, sold once', async () => {
    const fx = await liveSession(t, { regions: false, stock: 5 });
    expect((await buy(fx, buyers[530])).status).toBe(201);
    expect(await held(fx.offerId)).toEqual([1]);
    // Redis believes unit 1 free again (a stale give-back after a rebuild, say), its counts agreeing.
    await redis.zadd(keys(fx.offerId).free, 1, '1');
    await redis.hincrby(keys(fx.offerId).meta, 'free', 1);
    const next = await buy(fx, buyers[531]);
    expect(next.status).toBe(201);
    expect(await held(fx.offerId)).toEqual([1, 2]);
    expect(await redisFree(fx.offerId)).toBe(3);
    const rest = await Promise.all(buyers.slice(532, 540).map((b) => buy(fx, b)));
    expect(count(rest, 201)).toBe(3);
    expect(await held(fx.offerId)).toEqual(range(5));
  });

  it('the order write failing after the script took the unit: the unit goes back, nothing is lost', async () => {
    const fx = await liveSession(t, { regions: false, stock: 5 });
    // A real failure of MySQL's write: a trigger refuses the session's order rows.
    await t.db.query(
      `CREATE TRIGGER live_orders_refuse BEFORE INSERT ON live_orders FOR EACH ROW
         SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'disk full (test)'`,
    );
    try {
      const failed = await buy(fx, buyers[600], 2);
      expect(failed.status).toBe(500);
      expect(await redisFree(fx.offerId)).toBe(5);
      expect(await held(fx.offerId)).toEqual([]);
    } finally {
      await t.db.query('DROP TRIGGER live_orders_refuse');
    }
    // A product whose certificate lapsed after the session went live: 422, and the units go back too.
    await t.db.query("UPDATE products SET certified_until = '2020-01-01' WHERE id = ?", [fx.productId]);
    const uncertified = await buy(fx, buyers[601], 1);
    expect(uncertified.status).toBe(422);
    expect(uncertified.body.code).toBe('product-not-certified');
    expect(await redisFree(fx.offerId)).toBe(5);
    await t.db.query("UPDATE products SET certified_until = '2099-12-31' WHERE id = ?", [fx.productId]);
    const answers = await Promise.all(buyers.slice(602, 612).map((b) => buy(fx, b)));
    expect(count(answers, 201)).toBe(5);
    expect(await held(fx.offerId)).toEqual(range(5));
  });

  it('an SSE client on the stats stream sees a sale within a second', async () => {
    const fx = await liveSession(t, { regions: false, stock: 10 });
    const ctrl = new AbortController();
    const res = await fetch(`${base}${API}/live/sessions/${fx.sessionId}/stats/stream`, {
      headers: { authorization: fx.hostToken },
      signal: ctrl.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const frames: Record<string, any>[] = [];
    const reading = (async () => {
      const reader = res.body!.getReader();
      let text = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          return;
        }
        text += Buffer.from(value).toString('utf8');
        let at: number;
        while ((at = text.indexOf('\n\n')) >= 0) {
          const frame = text.slice(0, at);
          text = text.slice(at + 2);
          const data = frame.split('\n').find((l) => l.startsWith('data: '));
          if (data) {
            frames.push(JSON.parse(data.slice(6)));
          }
        }
      }
    })().catch(() => undefined);
    await until('the first frame', async () => frames.length > 0, 5_000);
    expect(frames[0].offers[0]).toMatchObject({ sold: 0, reserved: 0, remaining: 10 });
    const sold = Date.now();
    expect((await buy(fx, buyers[700], 3)).status).toBe(201);
    await until('a frame with the sale', async () => frames.some((f) => f.offers[0].reserved === 3), 1_000);
    const frame = frames.find((f) => f.offers[0].reserved === 3)!;
    expect(frame).toMatchObject({
      pendingOrders: 1,
      offers: [{ offerId: fx.offerId, reserved: 3, remaining: 7 }],
    });
    expect(Date.now() - sold).toBeLessThan(1_000);
    ctrl.abort();
    await reading;
  });
});
