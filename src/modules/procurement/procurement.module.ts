import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OrdersModule } from '@/modules/orders/orders.module';
import { IdentityModule } from '@/modules/identity/identity.module';
import { RoleBindings } from '@/modules/identity/role-bindings';
import { OrganizationEntity } from './entities/organization.entity';
import { OrganizationsController } from './procurement.controller';
import { OrganizationsService } from './organizations.service';
import { ProcurementOrderPolicies } from './procurement.policy';

/** Organizations now; quotas, procurement orders, approval and fairs arrive with the procurement issue. */
@Module({
  imports: [TypeOrmModule.forFeature([OrganizationEntity]), IdentityModule, OrdersModule],
  controllers: [OrganizationsController],
  providers: [OrganizationsService, ProcurementOrderPolicies],
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
