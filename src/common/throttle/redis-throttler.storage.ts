import { Inject, Injectable } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { Env, ENV } from '@/config/env';
import { RedisService } from '@/infrastructure/redis/redis.module';

// One round trip: count the hit, set the window on the first one, report hits and ms left.
const SCRIPT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
return {hits, ttl}
`;

/** Rate-limit counters in Redis, so every api copy shares them. */
@Injectable()
export class RedisThrottlerStorage implements ThrottlerStorage {
  constructor(
    @Inject(RedisService) private readonly redis: RedisService,
    @Inject(ENV) private readonly env: Env,
  ) {}

  async increment(key: string, ttl: number, limit: number, _blockDuration: number, name: string) {
    let counted: [number, number];
    try {
      counted = (await this.redis.client.eval(
        SCRIPT,
        1,
        `${this.env.QUEUE_PREFIX}:rl:${name}:${key}`,
        ttl,
      )) as [number, number];
    } catch {
      // Fail open: with Redis away, payment notifications and reads must still get through.
      return { totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 };
    }
    const [hits, pttl] = counted;
    const timeToExpire = Math.max(0, Math.ceil(pttl / 1000));
    const isBlocked = hits > limit;
    return { totalHits: hits, timeToExpire, isBlocked, timeToBlockExpire: isBlocked ? timeToExpire : 0 };
  }
}
