import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MetricsModule } from '@/infrastructure/metrics/metrics';
import { CatalogModule } from '@/modules/catalog/catalog.module';
import { IdentityModule } from '@/modules/identity/identity.module';
import { OrdersModule } from '@/modules/orders/orders.module';
import { CabinetsRepository } from './cabinets.repository';
import { CabinetsService } from './cabinets.service';
import { DeviceGateway } from './device/device-gateway.service';
import { CabinetEntity } from './entities/cabinet.entity';
import { CabinetSlotEntity } from './entities/cabinet-slot.entity';
import { KioskAlertEntity } from './entities/kiosk-alert.entity';
import { KioskSessionEntity } from './entities/kiosk-session.entity';
import { KioskJobs } from './jobs/kiosk.jobs';
import { KioskController } from './kiosk.controller';
import { KioskOrderPolicy } from './kiosk.policy';
import { KioskResolutionService } from './kiosk-resolution.service';
import { KioskSettlementService } from './kiosk-settlement.service';
import { KioskStock } from './kiosk-stock';
import { KioskWatchdog } from './kiosk-watchdog.service';
import { CitizenPageController } from './page/citizen-page.controller';
import { KioskReceiptsService } from './receipts.service';
import { RestockService } from './restock.service';
import { SessionsRepository } from './sessions.repository';
import { KioskSessionsService } from './sessions.service';

/** Smart cabinets: slots, QR codes, unlock sessions, the MQTT device gateway, settlement and receipts. */
@Module({
  imports: [
    TypeOrmModule.forFeature([CabinetEntity, CabinetSlotEntity, KioskSessionEntity, KioskAlertEntity]),
    OrdersModule,
    CatalogModule,
    IdentityModule,
    MetricsModule,
  ],
  controllers: [KioskController, CitizenPageController],
  providers: [
    KioskStock,
    KioskOrderPolicy,
    CabinetsRepository,
    SessionsRepository,
    CabinetsService,
    DeviceGateway,
    KioskSessionsService,
    RestockService,
    KioskSettlementService,
    KioskResolutionService,
    KioskReceiptsService,
    KioskWatchdog,
    KioskJobs,
  ],
})
export class KioskModule {}
