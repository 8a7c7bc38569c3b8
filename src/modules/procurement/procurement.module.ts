import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OrganizationEntity } from './entities/organization.entity';
import { OrganizationsController } from './procurement.controller';
import { OrganizationsService } from './organizations.service';

/** Organizations now; quotas, procurement orders, approval and fairs arrive with the procurement issue. */
@Module({
  imports: [TypeOrmModule.forFeature([OrganizationEntity])],
  controllers: [OrganizationsController],
  providers: [OrganizationsService],
  exports: [OrganizationsService],
})
export class ProcurementModule {}
