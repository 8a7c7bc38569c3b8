import { Module } from '@nestjs/common';
import { OrdersModule } from '@/modules/orders/orders.module';
import { KioskOrderPolicy } from './kiosk.policy';

/** Smart cabinets: slots, QR codes, unlock sessions, the MQTT device gateway and settlement; filled by the kiosk issue. */
@Module({
  imports: [OrdersModule],
  providers: [KioskOrderPolicy],
})
export class KioskModule {}
