import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { ChannelPolicies, CreditsAvailable, PaymentMode } from '@/modules/orders/channel-policy';
import { Channel } from '@/modules/orders/entities/order.entity';

/** Live-session orders: paid through a provider within 15 minutes (API.md), else cancelled. */
@Injectable()
export class LivestreamOrderPolicy implements OnModuleInit {
  constructor(@Inject(ChannelPolicies) private readonly policies: ChannelPolicies) {}

  onModuleInit(): void {
    this.policies.register({
      channel: Channel.Livestream,
      payment: PaymentMode.Immediate,
      payMinutes: 15,
      creditsAvailable: CreditsAvailable.AfterRefundWindow,
    });
  }
}
