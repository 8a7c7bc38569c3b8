import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Env, ENV } from '@/config/env';
import { Statement } from '@/infrastructure/database/transaction';
import type { OrderPlan } from '@/modules/catalog/stock.service';
import { Attribution, Channel, OrderEntity, OrderStatus } from './entities/order.entity';
import type { OrderState } from './order-lifecycle';

/** How an order's money is taken. */
export enum PaymentMode {
  /** The buyer pays through a provider before the order's deadline (online shop, livestream). */
  Immediate = 'IMMEDIATE',
  /** Charged after use through the buyer's standing agreement (smart cabinets); no deadline. */
  Agreement = 'AGREEMENT',
  /** Invoiced and paid by transfer after acceptance (unit procurement); no deadline. */
  Invoice = 'INVOICE',
  /** Paid on the spot outside the platform and recorded by staff (a fair's stall); no deadline. */
  Recorded = 'RECORDED',
}

/** When the household credits of a sale become AVAILABLE for payout. */
export enum CreditsAvailable {
  /** When the channel's refund window after payment has closed. */
  AfterRefundWindow = 'AFTER_REFUND_WINDOW',
  /** When the buyer accepts the goods (procurement): the order is settled then, so from its paid date. */
  OnAcceptance = 'ON_ACCEPTANCE',
}

/** A unit of an order line as planned: which lot it came from. */
export interface PlannedUnits {
  lotId: string;
  quantity: number;
}

/** The lines whose units came from a lot (a stall's own goods came from none). */
export const fromLots = <T extends { lotId: string | null; quantity: number }>(
  lines: readonly T[],
): (T & PlannedUnits)[] => lines.filter((l): l is T & PlannedUnits => l.lotId !== null);

/**
 * Where an order's units come from. The core's source is the supply lots (first-expiring first); a channel
 * that holds units of its own (an offer's carved-out stock, a cabinet's slots) brings its own source. Every
 * method runs inside the order's transaction, so stock and order commit or fail together.
 */
export interface StockSource {
  /** Products of the lines (with price, supplier and certification) and each line's units. */
  plan(
    lines: readonly { productId: string; quantity: number; lotId?: string }[],
    lockIn?: { run(statements: readonly Statement[]): Promise<unknown[]> },
  ): Promise<OrderPlan>;
  /**
   * Statements that take the planned units; one of them fails (see `isTaken`) when another buyer won.
   * `order` is the order being placed (its id, buyer and attribution) and `claim` what the channel already
   * reserved for it elsewhere (a flash sale's unit numbers), as the channel passed it in `NewOrder.claim`.
   */
  takeStatements(units: readonly PlannedUnits[], order: OrderEntity, claim?: unknown): Statement[];
  /** True when the error is a take that found the units gone. */
  isTaken(e: unknown): boolean;
  /** Puts the units of a cancelled order back. */
  giveBack(em: EntityManager, units: readonly PlannedUnits[], order: OrderEntity): Promise<void>;
}

/**
 * What a channel decides about its orders; the order core reads it instead of branching on the channel. A new
 * channel registers its policy (`ChannelPolicies.register`) from its own module.
 */
export interface ChannelPolicy {
  channel: Channel;
  /** Where units come from; the supply lots when omitted. */
  stock?: StockSource;
  payment: PaymentMode;
  /** Minutes a buyer has to pay (Immediate only); ORDER_PAY_MINUTES when omitted. */
  payMinutes?: number;
  /** Days after payment during which a sale can be refunded or disputed; REFUND_WINDOW_DAYS when omitted. */
  refundWindowDays?: number;
  creditsAvailable: CreditsAvailable;
  /** The status a new order starts in; PENDING_PAYMENT when omitted. */
  initialStatus?: OrderState;
}

/**
 * What a module adds to the attribution of the orders a buyer places (procurement: the buyer's confirmed
 * employer), so that another module can count the sale later from the order alone. Runs on every order placed,
 * so it must answer from memory almost always.
 */
export type BuyerAttribution = (buyerUserId: string, channel: Channel) => Promise<Partial<Attribution>>;

/** The registry of buyer attributions; the order core merges them into each new order's attribution. */
@Injectable()
export class BuyerAttributions {
  private readonly sources: BuyerAttribution[] = [];

  register(source: BuyerAttribution): void {
    this.sources.push(source);
  }

  async of(buyerUserId: string, channel: Channel): Promise<Partial<Attribution>> {
    let out: Partial<Attribution> = {};
    for (const s of this.sources) {
      out = { ...out, ...(await s(buyerUserId, channel)) };
    }
    return out;
  }
}

export class UnknownChannelError extends Error {
  constructor(channel: string) {
    super(`no order policy is registered for channel ${channel}`);
  }
}

/** The registry of channel policies. The online shop's is the core's own; each channel module adds its own. */
@Injectable()
export class ChannelPolicies {
  private readonly policies = new Map<
    Channel,
    Required<Omit<ChannelPolicy, 'stock'>> & Pick<ChannelPolicy, 'stock'>
  >();

  constructor(@Inject(ENV) private readonly env: Env) {
    this.register({
      channel: Channel.Online,
      payment: PaymentMode.Immediate,
      creditsAvailable: CreditsAvailable.AfterRefundWindow,
    });
  }

  register(policy: ChannelPolicy): void {
    if (this.policies.has(policy.channel)) {
      throw new Error(`the order policy of channel ${policy.channel} is registered twice`);
    }
    this.policies.set(policy.channel, {
      ...policy,
      payMinutes: policy.payMinutes ?? this.env.ORDER_PAY_MINUTES,
      refundWindowDays: policy.refundWindowDays ?? this.env.REFUND_WINDOW_DAYS[policy.channel] ?? 0,
      initialStatus: policy.initialStatus ?? OrderStatus.PendingPayment,
    });
  }

  /** The policy of a channel; a channel without one takes no orders. */
  of(channel: Channel): Required<Omit<ChannelPolicy, 'stock'>> & Pick<ChannelPolicy, 'stock'> {
    const p = this.policies.get(channel);
    if (!p) {
      throw new UnknownChannelError(channel);
    }
    return p;
  }

  /** The channels whose orders a buyer pays through a provider (immediately, or by an agreement). */
  providerPaid(): Channel[] {
    return [...this.policies.values()]
      .filter((p) => p.payment === PaymentMode.Immediate || p.payment === PaymentMode.Agreement)
      .map((p) => p.channel);
  }

  /** Whether the channel's orders have a payment deadline (and so a deadline job). */
  hasDeadline(channel: Channel): boolean {
    return this.of(channel).payment === PaymentMode.Immediate;
  }
}
