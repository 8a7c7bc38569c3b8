import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { Env, ENV } from '@/config/env';
import { RedisService } from '@/infrastructure/redis/redis.module';

const PUBLISH_DELAY_MS = 2;

/**
 * Tells buyers waiting on an order (`GET /orders/:id` with `Prefer: wait=N`) that it changed, in this
 * process at once and in every other api copy through one Redis channel. Changes made within a couple of
 * milliseconds share one message. A lost message costs only latency: the waiter reads the order at its
 * timeout anyway.
 */
@Injectable()
export class OrderEvents implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly waiters = new Map<string, Set<() => void>>();
  private subscriber: Redis | undefined;
  private outgoing: string[] = [];
  private flush: NodeJS.Timeout | undefined;
  private closing = false;

  constructor(
    @Inject(RedisService) private readonly redis: RedisService,
    @Inject(ENV) private readonly env: Env,
  ) {}

  private get channel(): string {
    return `${this.env.QUEUE_PREFIX}:order-changed`;
  }

  /** An order's status changed (paid, cancelled): wake its waiters here and elsewhere. */
  changed(orderId: string): void {
    this.wake(orderId);
    this.outgoing.push(orderId);
    this.flush ??= setTimeout(() => {
      this.flush = undefined;
      const ids = this.outgoing;
      this.outgoing = [];
      this.redis.client.publish(this.channel, ids.join(',')).catch(() => undefined);
    }, PUBLISH_DELAY_MS);
  }

  /**
   * Resolves when the order changes or after `ms`, whichever comes first. Register before reading the
   * order, so a change between the read and the wait is not missed.
   */
  waitFor(orderId: string, ms: number): { done: Promise<void>; cancel: () => void } {
    this.subscribe();
    let wake!: () => void;
    const done = new Promise<void>((resolve) => (wake = resolve));
    const timer = setTimeout(() => cancel(), ms);
    const cancel = () => {
      clearTimeout(timer);
      const set = this.waiters.get(orderId);
      set?.delete(cancel);
      if (set?.size === 0) {
        this.waiters.delete(orderId);
      }
      wake();
    };
    if (this.closing) {
      cancel();
    } else {
      const set = this.waiters.get(orderId) ?? new Set();
      set.add(cancel);
      this.waiters.set(orderId, set);
    }
    return { done, cancel };
  }

  private wake(orderId: string): void {
    this.waiters.get(orderId)?.forEach((w) => w());
  }

  private subscribe(): void {
    if (this.subscriber) {
      return;
    }
    this.subscriber = this.redis.client.duplicate({ connectionName: 'cs-order-events' });
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('message', (_channel: string, message: string) =>
      message.split(',').forEach((id) => this.wake(id)),
    );
    this.subscriber.subscribe(this.channel).catch(() => undefined);
  }

  /** Waiting requests answer now, so the server can drain. */
  beforeApplicationShutdown(): void {
    this.closing = true;
    [...this.waiters.keys()].forEach((id) => this.wake(id));
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.flush);
    this.subscriber?.disconnect(); // a subscriber has nothing to finish
  }
}
