import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CatalogModule } from '@/modules/catalog/catalog.module';
import { HouseholdsModule } from '@/modules/households/households.module';
import { IdentityModule } from '@/modules/identity/identity.module';
import { RoleBindings } from '@/modules/identity/role-bindings';
import { LedgerModule } from '@/modules/ledger/ledger.module';
import { OrdersModule } from '@/modules/orders/orders.module';
import { RegionsModule } from '@/modules/regions/regions.module';
import { SuppliersModule } from '@/modules/suppliers/suppliers.module';
import { OrganizationEntity, OrganizationVillageEntity } from './entities/organization.entity';
import {
  FairEntity,
  FairSaleEntity,
  OrganizationEmployeeEntity,
  ProcurementEventEntity,
  ProcurementLineEntity,
  ProcurementOrderEntity,
  ProcurementQuotaEntity,
} from './entities/procurement.entity';
import { FairsService } from './fairs.service';
import { ProcurementJobs } from './jobs/procurement.jobs';
import { OrganizationsService } from './organizations.service';
import { ProcurementPagesController } from './page/procurement-pages.controller';
import {
  EmployerController,
  FairsController,
  OrganizationsController,
  ProcurementOrdersController,
  ProcurementReportsController,
} from './procurement.controller';
import { ProcurementOrdersService } from './procurement-orders.service';
import { ProcurementOrderPolicies } from './procurement.policy';
import { ProcurementReportsService } from './procurement-reports.service';
import { ProcurementRepository } from './procurement.repository';

/**
 * Unit procurement: organizations in groups with paired villages and canteens, yearly quotas and their
 * progress (own procurement, employees' purchases on every channel, fairs), procurement orders from draft
 * to payment with four-eyes approval and an audit trail, fairs' stall sales, the unit's portal and the
 * district's reports.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      OrganizationEntity,
      OrganizationVillageEntity,
      ProcurementQuotaEntity,
      OrganizationEmployeeEntity,
      ProcurementOrderEntity,
      ProcurementLineEntity,
      ProcurementEventEntity,
      FairEntity,
      FairSaleEntity,
    ]),
    IdentityModule,
    OrdersModule,
    CatalogModule,
    HouseholdsModule,
    RegionsModule,
    SuppliersModule,
    LedgerModule,
  ],
  controllers: [
    OrganizationsController,
    EmployerController,
    ProcurementOrdersController,
    FairsController,
    ProcurementReportsController,
    ProcurementPagesController,
  ],
  providers: [
    OrganizationsService,
    ProcurementOrdersService,
    FairsService,
    ProcurementReportsService,
    ProcurementRepository,
    ProcurementOrderPolicies,
    ProcurementJobs,
  ],
  exports: [OrganizationsService],
})
export class ProcurementModule implements OnModuleInit {
  constructor(
    @Inject(RoleBindings) private readonly bindings: RoleBindings,
    @Inject(OrganizationsService) private readonly organizations: OrganizationsService,
  ) {}

  /** A unit buyer's or approver's organizationId names one of our organizations. */
  onModuleInit(): void {
    this.bindings.register('organizationId', (id) => this.organizations.exists(id));
  }
}
