import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { ChannelPolicies, CreditsAvailable, PaymentMode } from '@/modules/orders/channel-policy';
import { Channel } from '@/modules/orders/entities/order.entity';
import { KioskStock } from './kiosk-stock';

/**
 * Cabinet orders: charged after use through the citizen's agreement, so no payment deadline; an unpaid
 * charge stays as a balance. Units come from the cabinet's slots, not the lots. Household credits wait out
 * the kiosk refund window (disputes).
 */
@Injectable()
export class KioskOrderPolicy implements OnModuleInit {
  constructor(
    @Inject(ChannelPolicies) private readonly policies: ChannelPolicies,
    @Inject(KioskStock) private readonly stock: KioskStock,
  ) {}

  onModuleInit(): void {
    this.policies.register({
      channel: Channel.Kiosk,
      stock: this.stock,
      payment: PaymentMode.Agreement,
      creditsAvailable: CreditsAvailable.AfterRefundWindow,
    });
  }
}
