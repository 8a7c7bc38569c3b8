import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { Env, ENV } from '@/config/env';
import { RedisService } from '@/infrastructure/redis/redis.module';

const PUBLISH_DELAY_MS = 20;

/**
 * Tells every api copy that a session's figures changed (an order placed, paid, cancelled or refunded, an
 * import's rows), through one Redis channel; each copy recomputes the figures for its own SSE clients.
 */
@Injectable()
export class LiveEvents implements OnApplicationShutdown {
  private subscriber: Redis | undefined;
  private readonly pending = new Set<string>();
  private flush: NodeJS.Timeout | undefined;
  private readonly listeners = new Map<string, Set<() => void>>();

  constructor(
    @Inject(RedisService) private readonly redis: RedisService,
    @Inject(ENV) private readonly env: Env,
  ) {}

  private get channel(): string {
    return `${this.env.QUEUE_PREFIX}:live-changed`;
  }

  /**
   * The session's figures changed. Changes within PUBLISH_DELAY_MS share one message (a rush of sales is one
   * publish per session per interval, not one per sale).
   */
  changed(sessionId: string): void {
    this.pending.add(sessionId);
    this.flush ??= setTimeout(() => {
      this.flush = undefined;
      const ids = [...this.pending];
      this.pending.clear();
      for (const id of ids) {
        this.redis.client.publish(this.channel, id).catch(() => undefined);
      }
    }, PUBLISH_DELAY_MS);
  }

  /** Calls `listener` on each change of the session until the returned function is called. */
  listen(sessionId: string, listener: () => void): () => void {
    this.subscribe();
    const set = this.listeners.get(sessionId) ?? new Set();
    set.add(listener);
    this.listeners.set(sessionId, set);
    return () => {
      set.delete(listener);
      if (!set.size) {
        this.listeners.delete(sessionId);
      }
    };
  }

  private subscribe(): void {
    if (this.subscriber) {
      return;
    }
    this.subscriber = this.redis.client.duplicate({ connectionName: 'cs-live-events' });
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('message', (_c: string, sessionId: string) =>
      this.listeners.get(sessionId)?.forEach((l) => l()),
    );
    this.subscriber.subscribe(this.channel).catch(() => undefined);
  }

  onApplicationShutdown(): void {
    clearTimeout(this.flush);
    this.subscriber?.disconnect();
  }
}
