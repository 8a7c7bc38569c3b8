import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { HouseholdsModule } from '@/modules/households/households.module';
import { RegionsModule } from '@/modules/regions/regions.module';
import { BenefitLinkageEntity } from './entities/benefit-linkage.entity';
import { SupplierEntity } from './entities/supplier.entity';
import { SuppliersController } from './suppliers.controller';
import { SuppliersService } from './suppliers.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([SupplierEntity, BenefitLinkageEntity]),
    RegionsModule,
    HouseholdsModule,
  ],
  controllers: [SuppliersController],
  providers: [SuppliersService],
  exports: [SuppliersService],
})
export class SuppliersModule {}
