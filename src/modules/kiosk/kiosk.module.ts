import { Module } from '@nestjs/common';

/** Smart cabinets: slots, QR codes, unlock sessions, the MQTT device gateway and settlement; filled by the kiosk issue. */
@Module({})
export class KioskModule {}
