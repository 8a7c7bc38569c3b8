import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import IORedis, { Redis, RedisOptions } from 'ioredis';
import { Env, ENV } from '@/config/env';

/** Options for every Redis connection; BullMQ needs `maxRetriesPerRequest: null`. */
export function redisOptions(url: string, extra: RedisOptions = {}): [string, RedisOptions] {
  return [url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false, ...extra }];
}

/** The shared command connection (rate limits, health); queues open their own. */
@Injectable()
export class RedisService implements OnApplicationShutdown {
  readonly client: Redis;

  constructor(@Inject(ENV) env: Env) {
    const [url, opts] = redisOptions(env.REDIS_URL, { maxRetriesPerRequest: 2, connectionName: 'cs-main' });
    this.client = new IORedis(url, opts);
    // Errors surface through /health and the calls that need Redis; the client reconnects by itself.
    this.client.on('error', () => undefined);
  }

  async ping(): Promise<boolean> {
    return (await this.client.ping()) === 'PONG';
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}

@Global()
@Module({ providers: [RedisService], exports: [RedisService] })
export class RedisModule {}
