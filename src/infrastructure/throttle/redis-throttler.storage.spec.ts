import IORedis from 'ioredis';
import { loadEnv } from '@/config/env';
import { RedisService } from '@/infrastructure/redis/redis.module';
import { RedisThrottlerStorage } from './redis-throttler.storage';

describe('RedisThrottlerStorage (real Redis)', () => {
  const env = loadEnv({ QUEUE_PREFIX: `cs_rl_spec_${process.pid}` });
  let redis: RedisService;
  const key = (name: string, tracker: string) => `${env.QUEUE_PREFIX}:rl:${name}:${tracker}`;

  beforeAll(() => {
    redis = new RedisService(env);
  });
  afterAll(async () => {
    const keys = await redis.client.keys(`${env.QUEUE_PREFIX}:*`);
    if (keys.length) {
      await redis.client.del(...keys);
    }
    await redis.onApplicationShutdown();
  });

  it('blocks exactly the hit past a small limit, with the window left', async () => {
    const storage = new RedisThrottlerStorage(redis, env);
    const answers = [];
    for (let i = 0; i < 6; i++) {
      answers.push(await storage.increment('u:small', 60_000, 5, 60_000, 'default'));
    }
    expect(answers.map((a) => a.totalHits)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(answers.map((a) => a.isBlocked)).toEqual([false, false, false, false, false, true]);
    expect(answers[5].timeToExpire).toBeGreaterThan(55);
    expect(answers[5].timeToExpire).toBeLessThanOrEqual(60);
    expect(await redis.client.get(key('default', 'u:small'))).toBe('6');
  });

  it('counts a caller far below the limit locally and adds every hit to Redis at the flush', async () => {
    const storage = new RedisThrottlerStorage(redis, env);
    for (let i = 1; i <= 100; i++) {
      const a = await storage.increment('u:busy', 60_000, 1000, 60_000, 'default');
      expect(a.totalHits).toBe(i);
      expect(a.isBlocked).toBe(false);
    }
    // Only the first hit went to Redis at once.
    expect(await redis.client.get(key('default', 'u:busy'))).toBe('1');
    await storage.flush();
    expect(await redis.client.get(key('default', 'u:busy'))).toBe('100');
    expect(await redis.client.pttl(key('default', 'u:busy'))).toBeGreaterThan(55_000);
  });

  it('lets two api copies together allow exactly the limit when they flush between hits', async () => {
    const copies = [new RedisThrottlerStorage(redis, env), new RedisThrottlerStorage(redis, env)];
    const allowed: number[] = [0, 0];
    for (let i = 0; i < 30; i++) {
      const c = i % 2;
      const a = await copies[c].increment('u:shared', 60_000, 10, 60_000, 'default');
      if (!a.isBlocked) {
        allowed[c]++;
      }
      await Promise.all(copies.map((s) => s.flush()));
    }
    expect(allowed[0] + allowed[1]).toBe(10);
    expect(await redis.client.get(key('default', 'u:shared'))).toBe('30');
  });

  it('fails open when Redis is away', async () => {
    // Nothing listens on port 1; the client refuses commands instead of queueing them.
    const away = {
      client: new IORedis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false }),
    } as RedisService;
    away.client.on('error', () => undefined);
    const storage = new RedisThrottlerStorage(away, env);
    const a = await storage.increment('u:any', 60_000, 1, 60_000, 'default');
    expect(a).toEqual({ totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 });
    away.client.disconnect();
  });
});
