import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CatalogModule } from '@/modules/catalog/catalog.module';
import { IdentityModule } from '@/modules/identity/identity.module';
import { RoleBindings } from '@/modules/identity/role-bindings';
import { LedgerModule } from '@/modules/ledger/ledger.module';
import { OrdersModule } from '@/modules/orders/orders.module';
import { RegionsModule } from '@/modules/regions/regions.module';
import {
  LiveExternalSaleEntity,
  LiveImportChunkEntity,
  LiveImportEntity,
  LiveImportRefusalEntity,
} from './entities/live-import.entity';
import {
  LiveOfferBuyerEntity,
  LiveOfferEntity,
  LiveOfferLotEntity,
  LiveOfferUnitEntity,
  LiveOrderEntity,
} from './entities/live-offer.entity';
import { LiveSessionEntity } from './entities/live-session.entity';
import { HostEntity } from './entities/host.entity';
import { FlashStock } from './flash-stock';
import { HostsService } from './hosts.service';
import { ImportsRepository } from './imports/imports.repository';
import { ImportsService } from './imports/imports.service';
import { LivestreamJobs } from './jobs/livestream.jobs';
import { LiveEvents } from './live-events';
import { LiveOrdersService } from './live-orders.service';
import { LiveSessionsController } from './live-sessions.controller';
import { LiveSessionsService } from './live-sessions.service';
import { LiveStatsRepository } from './live-stats.repository';
import { LiveStatsService } from './live-stats.service';
import { LiveStock } from './live-stock';
import { LiveRepository } from './live.repository';
import { HostsController } from './livestream.controller';
import { LivestreamOrderPolicy } from './livestream.policy';
import { LivePagesController } from './page/live-pages.controller';

/**
 * Livestream sales: hosts, sessions with offers carved from the lots, flash-sale stock in Redis guarded by
 * MySQL, attributed orders, live figures over SSE, the viewer's page and the host's dashboard, and platform
 * order imports.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      HostEntity,
      LiveSessionEntity,
      LiveOfferEntity,
      LiveOfferLotEntity,
      LiveOfferUnitEntity,
      LiveOfferBuyerEntity,
      LiveOrderEntity,
      LiveImportEntity,
      LiveImportChunkEntity,
      LiveImportRefusalEntity,
      LiveExternalSaleEntity,
    ]),
    RegionsModule,
    IdentityModule,
    OrdersModule,
    CatalogModule,
    LedgerModule,
  ],
  controllers: [HostsController, LiveSessionsController, LivePagesController],
  providers: [
    HostsService,
    LiveRepository,
    LiveStatsRepository,
    ImportsRepository,
    FlashStock,
    LiveEvents,
    LiveStock,
    LivestreamOrderPolicy,
    LiveSessionsService,
    LiveOrdersService,
    LiveStatsService,
    ImportsService,
    LivestreamJobs,
  ],
  exports: [HostsService],
})
export class LivestreamModule implements OnModuleInit {
  constructor(
    @Inject(RoleBindings) private readonly bindings: RoleBindings,
    @Inject(HostsService) private readonly hosts: HostsService,
  ) {}

  /** A HOST user's hostId names one of our hosts. */
  onModuleInit(): void {
    this.bindings.register('hostId', (id) => this.hosts.exists(id));
  }
}
