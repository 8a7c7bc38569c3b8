import { Inject, Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { ThrottlerStorage } from '@nestjs/throttler';
import { Env, ENV } from '@/config/env';
import { RedisService } from '@/infrastructure/redis/redis.module';

// One round trip: add the hits, set the window on the first one, report hits and ms left.
const SCRIPT = `
local hits = redis.call('INCRBY', KEYS[1], ARGV[2])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {hits, ttl}
`;

/** How often hits counted locally are added to Redis. */
export const FLUSH_MS = 100;

interface RateLimitCommand<R> {
  csRateLimit(key: string, ttlMs: number, add: number): R;
}
type RateLimitClient = Redis & RateLimitCommand<Promise<[number, number]>>;

interface Window {
  /** When the window ends (from Redis's PTTL). */
  resetAt: number;
  /** Hits in Redis as last seen. */
  known: number;
  /** Hits counted here and not yet added to Redis. */
  pending: number;
}

/**
 * Rate-limit counters in Redis, so every api copy shares them. A caller far below its limit (under half of
 * it as last seen in Redis) is counted locally and added to Redis every 100 ms in one pipeline, so a busy
 * buyer costs one Redis round trip per window and flush instead of one per request; near the limit every hit
 * goes to Redis at once, so the limit itself is exact. With several copies a caller can get past the limit
 * by at most what the other copies counted in their last 100 ms.
 */
@Injectable()
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly windows = new Map<string, Window>();
  private readonly dirty = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private lastSweep = Date.now();

  constructor(
    @Inject(RedisService) private readonly redis: RedisService,
    @Inject(ENV) private readonly env: Env,
  ) {
    // Sent by its SHA once Redis knows it (ioredis loads it on the first NOSCRIPT).
    if (!('csRateLimit' in redis.client)) {
      redis.client.defineCommand('csRateLimit', { numberOfKeys: 1, lua: SCRIPT });
    }
  }

  private get client(): RateLimitClient {
    return this.redis.client as RateLimitClient;
  }

  async increment(key: string, ttl: number, limit: number, _blockDuration: number, name: string) {
    const k = `${this.env.QUEUE_PREFIX}:rl:${name}:${key}`;
    const now = Date.now();
    const w = this.windows.get(k);
    if (w && w.resetAt > now + FLUSH_MS && (w.known + w.pending + 1) * 2 <= limit) {
      w.pending++;
      this.dirty.add(k);
      this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS).unref();
      return this.answer(w.known + w.pending, w.resetAt - now, limit);
    }
    const add = (w && w.resetAt > now ? w.pending : 0) + 1;
    this.dirty.delete(k);
    let counted: [number, number];
    try {
      counted = await this.client.csRateLimit(k, ttl, add);
    } catch {
      // Fail open: with Redis away, payment notifications and reads must still get through.
      this.windows.delete(k);
      return { totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 };
    }
    const [hits, pttl] = counted;
    this.windows.set(k, { resetAt: Date.now() + pttl, known: hits, pending: 0 });
    return this.answer(hits, pttl, limit);
  }

  private answer(hits: number, msLeft: number, limit: number) {
    const timeToExpire = Math.max(0, Math.ceil(msLeft / 1000));
    const isBlocked = hits > limit;
    return { totalHits: hits, timeToExpire, isBlocked, timeToBlockExpire: isBlocked ? timeToExpire : 0 };
  }

  /** Adds the hits counted locally to Redis, one pipeline for every caller. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const now = Date.now();
    const batch = [...this.dirty]
      .map((k) => [k, this.windows.get(k)] as const)
      .filter((e): e is readonly [string, Window] => !!e[1] && e[1].pending > 0 && e[1].resetAt > now);
    this.dirty.clear();
    if (batch.length) {
      const pipeline = this.client.pipeline() as ReturnType<Redis['pipeline']> & RateLimitCommand<unknown>;
      for (const [k, w] of batch) {
        pipeline.csRateLimit(k, Math.max(1, w.resetAt - now), w.pending);
        w.pending = 0;
      }
      const results = await pipeline.exec().catch(() => null);
      results?.forEach(([err, r], i) => {
        const w = batch[i][1];
        if (!err) {
          const [hits, pttl] = r as [number, number];
          w.known = hits;
          w.resetAt = now + pttl;
        }
      });
    }
    if (now - this.lastSweep > 10_000) {
      this.lastSweep = now;
      for (const [k, w] of this.windows) {
        if (w.resetAt <= now && w.pending === 0) {
          this.windows.delete(k);
        }
      }
    }
  }
}
