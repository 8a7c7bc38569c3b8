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
 * Livestream orders unpaid at payBy (LIVE_PAY_SECONDS, 3 s here): cancelled by the deadline job, their units
 * back in Redis and MySQL (or, once the session ended, in the lot they came from).
 */
describe('livestream: unpaid orders expire and their units come back', () => {
  let t: TestApp;
  let redis: Redis;
  let buyers: string[];

  beforeAll(async () => {
    t = await startTestApp('liveexpiry', { role: 'all', listen: true, env: { LIVE_PAY_SECONDS: '3' } });
    redis = new Redis(...redisOptions(t.env.REDIS_URL));
    await factory(t).regions();
    buyers = await citizens(t, 4, '137');
  });
  afterAll(async () => {
    redis.disconnect();
    await t.close();
  });

  const buy = (fx: LiveFixture, token: string, quantity = 1) => buyOver(t, fx, token, quantity);
  const held = (offerId: string) => heldUnits(t, offerId);
  const redisFree = async (offerId: string) => Number(await redis.hget(flashKeys(t, offerId).meta, 'free'));

  it('an unpaid order expires at payBy: its units return to Redis and MySQL and can be bought again', async () => {
    const fx = await liveSession(t, { regions: false, stock: 1, perBuyerLimit: 1 });
    const first = await buy(fx, buyers[1]);
    expect(first.status).toBe(201);
    expect((await buy(fx, buyers[2])).body.code).toBe('sold-out');
    await until(
      'the order cancelled at its deadline',
      async () =>
        (
          await t
            .http()
            .get(`${API}/orders/${String(first.body.orderId)}`)
            .set('Authorization', buyers[1])
        ).body.status === 'CANCELLED',
      15_000,
    );
    await until('the unit back in Redis', async () => (await redisFree(fx.offerId)) === 1, 10_000);
    expect(await held(fx.offerId)).toEqual([]);
    const again = await buy(fx, buyers[2]);
    expect(again.status).toBe(201);
    // The first buyer's limit is free again too.
    expect(await held(fx.offerId)).toEqual([1]);
    expect((await buy(fx, buyers[1])).body.code).toBe('sold-out');
  });

  it('an order that expires after the session ended returns its units to the lot', async () => {
    const fx = await liveSession(t, { regions: false, stock: 4, lotQuantity: 10 });
    expect((await buy(fx, buyers[3], 1)).status).toBe(201);
    const ended = await t
      .http()
      .post(`${API}/live/sessions/${fx.sessionId}/end`)
      .set('Authorization', fx.hostToken);
    expect(ended.body.status).toBe('ENDED');
    const lot = async () =>
      Number((await t.db.query('SELECT remaining FROM supply_lots WHERE id = ?', [fx.lotId]))[0].remaining);
    expect(await lot()).toBe(6 + 3);
    await until('the expired order’s unit back in the lot', async () => (await lot()) === 10, 15_000);
    const [o] = await t.db.query('SELECT returned FROM live_offers WHERE id = ?', [fx.offerId]);
    expect(Number(o.returned)).toBe(4);
  });
});
