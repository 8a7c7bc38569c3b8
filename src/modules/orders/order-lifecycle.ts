import { Injectable, Logger } from '@nestjs/common';
import { Channel, OrderStatus } from './entities/order.entity';
import { InvalidTransitionError } from './errors';

/** A status an order can have: the core's, or one a channel's process adds (`APPROVED`, `SHIPPED`, …). */
export type OrderState = OrderStatus | (string & {});

/** One allowed change of status; `channels` limits it to orders of those channels (all when omitted). */
export interface OrderTransition {
  from: OrderState;
  to: OrderState;
  channels?: readonly Channel[];
}

/** What a channel adds to the lifecycle: its own states and the transitions between them and the core's. */
export interface OrderProcess {
  name: string;
  states?: readonly OrderState[];
  transitions: readonly OrderTransition[];
}

/** The order and the change that a hook is told about. */
export interface TransitionEvent {
  orderId: string;
  channel: Channel;
  from: OrderState;
  to: OrderState;
}

/** Runs before a change is made (inside the use case, before its commit); throws to refuse it. */
export type GuardHook = (e: TransitionEvent) => void | Promise<void>;
/** Runs after a change committed; a failing hook is logged and never undoes the change. */
export type AfterHook = (e: TransitionEvent) => void | Promise<void>;

/** The core's process: pay or cancel an order awaiting payment, refund a paid one in parts or whole. */
export const CORE_PROCESS: OrderProcess = {
  name: 'core',
  states: Object.values(OrderStatus),
  transitions: [
    { from: OrderStatus.PendingPayment, to: OrderStatus.Paid },
    { from: OrderStatus.PendingPayment, to: OrderStatus.Cancelled },
    { from: OrderStatus.Paid, to: OrderStatus.PartiallyRefunded },
    { from: OrderStatus.Paid, to: OrderStatus.Refunded },
    { from: OrderStatus.PartiallyRefunded, to: OrderStatus.PartiallyRefunded },
    { from: OrderStatus.PartiallyRefunded, to: OrderStatus.Refunded },
  ],
};

/**
 * The order statuses and their allowed transitions as data, in one place (Vendure's order state machine with
 * its OrderProcess strategy): the core's process, extended by each channel's, with hooks before and after a
 * change. Use cases ask it whether a change is allowed, and which statuses a change may start from, instead
 * of naming statuses themselves.
 */
@Injectable()
export class OrderLifecycle {
  private readonly logger = new Logger(OrderLifecycle.name);
  private readonly states = new Set<OrderState>();
  private readonly transitions: OrderTransition[] = [];
  private readonly processes = new Set<string>();
  private readonly guards: { to: OrderState; hook: GuardHook }[] = [];
  private readonly afters: { to: OrderState; hook: AfterHook }[] = [];

  constructor() {
    this.extend(CORE_PROCESS);
  }

  /** Adds a channel's process. A transition may only name states that the core or a process declared. */
  extend(process: OrderProcess): void {
    if (this.processes.has(process.name)) {
      throw new Error(`order process ${process.name} is registered twice`);
    }
    for (const s of process.states ?? []) {
      this.states.add(s);
    }
    for (const t of process.transitions) {
      for (const s of [t.from, t.to]) {
        if (!this.states.has(s)) {
          throw new Error(`order process ${process.name}: unknown state ${s}`);
        }
      }
    }
    this.transitions.push(...process.transitions);
    this.processes.add(process.name);
  }

  can(from: OrderState, to: OrderState, channel: Channel): boolean {
    return this.transitions.some(
      (t) => t.from === from && t.to === to && (!t.channels || t.channels.includes(channel)),
    );
  }

  /** The statuses an order of `channel` may become `to` from (for conditional updates: `WHERE status IN`). */
  sourcesOf(to: OrderState, channel?: Channel): OrderState[] {
    return [
      ...new Set(
        this.transitions
          .filter((t) => t.to === to && (!channel || !t.channels || t.channels.includes(channel)))
          .map((t) => t.from),
      ),
    ];
  }

  /** Hooks run before any order becomes `to`; one that throws refuses the change. */
  guard(to: OrderState, hook: GuardHook): void {
    this.guards.push({ to, hook });
  }

  /** Hooks run after an order became `to` (committed). */
  after(to: OrderState, hook: AfterHook): void {
    this.afters.push({ to, hook });
  }

  /** Refuses a change the lifecycle does not allow (409 `invalid-order-transition`) or a guard refuses. */
  async assertTransition(e: TransitionEvent): Promise<void> {
    if (!this.can(e.from, e.to, e.channel)) {
      throw new InvalidTransitionError(e.from, e.to);
    }
    for (const g of this.guards.filter((x) => x.to === e.to)) {
      await g.hook(e);
    }
  }

  /** Tells the after-hooks of a committed change; never throws. */
  async changed(e: TransitionEvent): Promise<void> {
    for (const a of this.afters.filter((x) => x.to === e.to)) {
      try {
        await a.hook(e);
      } catch (err) {
        this.logger.error(
          { err, orderId: e.orderId, from: e.from, to: e.to },
          'order transition hook failed',
        );
      }
    }
  }
}
