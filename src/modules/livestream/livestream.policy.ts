import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { ChannelPolicies, CreditsAvailable, PaymentMode } from '@/modules/orders/channel-policy';
import { Channel, OrderStatus } from '@/modules/orders/entities/order.entity';
import { OrderLifecycle, TransitionEvent } from '@/modules/orders/order-lifecycle';
import { Env, ENV } from '@/config/env';
import { OutboxService } from '@/infrastructure/outbox/outbox.service';
import { LiveEvents } from './live-events';
import { LiveStock } from './live-stock';
import { LiveRepository } from './live.repository';

/**
 * Live-session orders: paid through a provider within LIVE_PAY_SECONDS (15 minutes, API.md), else cancelled and their units
 * returned to the offer. Units come from the offer's carved-out stock. Every change of a live order moves the
 * session's figures on the host's dashboard.
 */
@Injectable()
export class LivestreamOrderPolicy implements OnModuleInit {
  constructor(
    @Inject(ChannelPolicies) private readonly policies: ChannelPolicies,
    @Inject(OrderLifecycle) private readonly lifecycle: OrderLifecycle,
    @Inject(LiveStock) private readonly stock: LiveStock,
    @Inject(LiveRepository) private readonly repo: LiveRepository,
    @Inject(LiveEvents) private readonly events: LiveEvents,
    @Inject(OutboxService) private readonly outbox: OutboxService,
    @Inject(ENV) private readonly env: Env,
  ) {}

  onModuleInit(): void {
    this.policies.register({
      channel: Channel.Livestream,
      stock: this.stock,
      payment: PaymentMode.Immediate,
      payMinutes: this.env.LIVE_PAY_SECONDS / 60,
      creditsAvailable: CreditsAvailable.AfterRefundWindow,
    });
    const moved = async (e: TransitionEvent) => {
      if (e.channel !== Channel.Livestream) {
        return;
      }
      if (e.to === OrderStatus.Cancelled) {
        // The units' return to Redis waits in the outbox: send it now.
        this.outbox.kick();
      }
      const sessionId = await this.repo.sessionOfOrder(e.orderId);
      if (sessionId) {
        this.events.changed(sessionId);
      }
    };
    for (const to of [
      OrderStatus.Paid,
      OrderStatus.Cancelled,
      OrderStatus.Refunded,
      OrderStatus.PartiallyRefunded,
    ]) {
      this.lifecycle.after(to, moved);
    }
  }
}
