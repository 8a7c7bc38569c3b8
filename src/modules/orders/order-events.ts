import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { Env, ENV } from '@/config/env';
import { RedisService } from '@/infrastructure/redis/redis.module';
import { OrderStatus } from './entities/order.entity';

const PUBLISH_DELAY_MS = 2;

/** What changed: the order's new status and, when paid, when. */
export interface OrderChange {
  orderId: string;
  status: OrderStatus;
  paidAt: Date | null;
}

const encode = (c: OrderChange) => `${c.orderId}|${c.status}|${c.paidAt ? c.paidAt.getTime() : ''}`;
const decode = (s: string): OrderChange => {
  const [orderId, status, paidAt] = s.split('|');
  return { orderId, status: status as OrderStatus, paidAt: paidAt ? new Date(Number(paidAt)) : null };
};

/**
 * Tells buyers waiting on an order (`GET /orders/:id` with `Prefer: wait=N`) that it changed, in this
 * process at once and in every other api copy through one Redis channel. Changes made within a couple of
 * milliseconds share one message. A lost message costs only latency: the waiter reads the order at its
 * timeout anyway.
 */
@Injectable()
export class OrderEvents implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly waiters = new Map<string, Set<(change?: OrderChange) => void>>();
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

  /** An order's status changed (paid, cancelled): wake its waiters here and elsewhere, telling them how. */
  changed(change: OrderChange): void {
    this.wake(change);
    this.outgoing.push(encode(change));
    this.flush ??= setTimeout(() => {
      this.flush = undefined;
      const ids = this.outgoing;
      this.outgoing = [];
      this.redis.client.publish(this.channel, ids.join(',')).catch(() => undefined);
    }, PUBLISH_DELAY_MS);
  }

  /**
   * Resolves with the change when the order changes, or with nothing after `ms` (or when cancelled),
   * whichever comes first. Register before reading the order, so a change between the read and the wait is
   * not missed.
   */
  waitFor(orderId: string, ms: number): { done: Promise<OrderChange | undefined>; cancel: () => void } {
    this.subscribe();
    let wake!: (change?: OrderChange) => void;
    const done = new Promise<OrderChange | undefined>((resolve) => (wake = resolve));
    const timer = setTimeout(() => cancel(), ms);
    const cancel = (change?: OrderChange) => {
      clearTimeout(timer);
      const set = this.waiters.get(orderId);
      set?.delete(cancel);
      if (set?.size === 0) {
        this.waiters.delete(orderId);
      }
      wake(change);
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

  private wake(change: OrderChange): void {
    this.waiters.get(change.orderId)?.forEach((w) => w(change));
  }

  private subscribe(): void {
    if (this.subscriber) {
      return;
    }
    this.subscriber = this.redis.client.duplicate({ connectionName: 'cs-order-events' });
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('message', (_channel: string, message: string) =>
      message.split(',').forEach((m) => this.wake(decode(m))),
    );
    this.subscriber.subscribe(this.channel).catch(() => undefined);
  }

  /** Waiting requests answer now, so the server can drain. */
  beforeApplicationShutdown(): void {
    this.closing = true;
    [...this.waiters.values()].forEach((set) => set.forEach((w) => w()));
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.flush);
    this.subscriber?.disconnect(); // a subscriber has nothing to finish
  }
}
