import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OrdersModule } from '@/modules/orders/orders.module';
import { OrganizationEntity } from './entities/organization.entity';
import { OrganizationsController } from './procurement.controller';
import { OrganizationsService } from './organizations.service';
import { ProcurementOrderPolicies } from './procurement.policy';

/** Organizations now; quotas, procurement orders, approval and fairs arrive with the procurement issue. */
@Module({
  imports: [TypeOrmModule.forFeature([OrganizationEntity]), OrdersModule],
  controllers: [OrganizationsController],
  providers: [OrganizationsService, ProcurementOrderPolicies],
  exports: [OrganizationsService],
})
export class ProcurementModule {}
