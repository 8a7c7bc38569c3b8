import { loadEnv } from '@/config/env';
import { RedisService } from '@/infrastructure/redis/redis.module';
import { OrderStatus } from './entities/order.entity';
import { OrderEvents } from './order-events';
import { preferredWaitSeconds } from './orders.controller';

describe('preferredWaitSeconds (Prefer: wait, RFC 7240)', () => {
  it.each([
    [undefined, 0],
    ['', 0],
    ['wait=5', 5],
    ['WAIT = 3', 3],
    ['respond-async, wait=100', 10],
    ['handling=lenient; wait="2"', 2],
    ['handling=lenient', 0],
    ['wait=abc', 0],
    ['nowait=4', 0],
  ])('%p → %p seconds', (prefer, seconds) => {
    expect(preferredWaitSeconds(prefer)).toBe(seconds);
  });
});

describe('OrderEvents (real Redis)', () => {
  const env = loadEnv({ QUEUE_PREFIX: `cs_events_spec_${process.pid}` });
  let redis: RedisService;
  let here: OrderEvents;
  let there: OrderEvents;

  beforeAll(() => {
    redis = new RedisService(env);
    here = new OrderEvents(redis, env);
    there = new OrderEvents(redis, env);
  });
  afterAll(async () => {
    await here.onApplicationShutdown();
    await there.onApplicationShutdown();
    await redis.onApplicationShutdown();
  });

  const settled = async (p: Promise<unknown>, ms: number) =>
    Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

  it('wakes a waiter in the same process at once, and only the one for that order', async () => {
    const mine = here.waitFor('ORDER-A', 10_000);
    const other = here.waitFor('ORDER-B', 10_000);
    const paidAt = new Date('2026-11-29T04:00:00.123Z');
    here.changed({ orderId: 'ORDER-A', status: OrderStatus.Paid, paidAt });
    expect(await settled(mine.done, 50)).toBe(true);
    expect(await mine.done).toEqual({ orderId: 'ORDER-A', status: 'PAID', paidAt });
    expect(await settled(other.done, 50)).toBe(false);
    other.cancel();
    expect(await settled(other.done, 50)).toBe(true);
    expect(await other.done).toBeUndefined();
  });

  it('wakes a waiter in another api copy through Redis', async () => {
    // The other copy subscribes on its first wait; give the subscription a moment to be in place.
    there.waitFor('WARM-UP', 1).cancel();
    await new Promise((r) => setTimeout(r, 100));
    const waiting = there.waitFor('ORDER-C', 10_000);
    const cancelled = there.waitFor('ORDER-G', 10_000);
    const paidAt = new Date('2026-11-29T04:00:00.456Z');
    here.changed({ orderId: 'ORDER-C', status: OrderStatus.Paid, paidAt });
    here.changed({ orderId: 'ORDER-G', status: OrderStatus.Cancelled, paidAt: null });
    expect(await settled(waiting.done, 2000)).toBe(true);
    expect(await waiting.done).toEqual({ orderId: 'ORDER-C', status: 'PAID', paidAt });
    expect(await cancelled.done).toEqual({ orderId: 'ORDER-G', status: 'CANCELLED', paidAt: null });
  });

  it('answers at the timeout when nothing changes', async () => {
    const waiting = here.waitFor('ORDER-D', 150);
    expect(await settled(waiting.done, 50)).toBe(false);
    expect(await settled(waiting.done, 1000)).toBe(true);
    expect(await waiting.done).toBeUndefined();
  });

  it('lets every waiter go when the server shuts down, and does not hold new ones', async () => {
    const events = new OrderEvents(redis, env);
    const waiting = events.waitFor('ORDER-E', 10_000);
    events.beforeApplicationShutdown();
    expect(await settled(waiting.done, 50)).toBe(true);
    expect(await settled(events.waitFor('ORDER-F', 10_000).done, 50)).toBe(true);
    await events.onApplicationShutdown();
  });
});
