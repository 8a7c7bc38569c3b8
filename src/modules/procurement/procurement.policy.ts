import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { ChannelPolicies, CreditsAvailable, PaymentMode } from '@/modules/orders/channel-policy';
import { Channel } from '@/modules/orders/entities/order.entity';

/**
 * Unit procurement is invoiced and paid by transfer after acceptance; its household credits become available
 * when the buyer accepts the goods. A fair's sale is paid at the stall and recorded by a cadre.
 */
@Injectable()
export class ProcurementOrderPolicies implements OnModuleInit {
  constructor(@Inject(ChannelPolicies) private readonly policies: ChannelPolicies) {}

  onModuleInit(): void {
    this.policies.register({
      channel: Channel.Procurement,
      payment: PaymentMode.Invoice,
      creditsAvailable: CreditsAvailable.OnAcceptance,
    });
    this.policies.register({
      channel: Channel.Fair,
      payment: PaymentMode.Recorded,
      creditsAvailable: CreditsAvailable.AfterRefundWindow,
    });
  }
}
