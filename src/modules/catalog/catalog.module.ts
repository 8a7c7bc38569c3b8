import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { HouseholdsModule } from '@/modules/households/households.module';
import { RegionsModule } from '@/modules/regions/regions.module';
import { SuppliersModule } from '@/modules/suppliers/suppliers.module';
import { CatalogController } from './catalog.controller';
import { CatalogService } from './catalog.service';
import { LotSourceEntity } from './entities/lot-source.entity';
import { ProductEntity } from './entities/product.entity';
import { SupplyLotEntity } from './entities/supply-lot.entity';
import { CertificationJobs } from './jobs/certification.jobs';
import { TraceService } from './trace.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([ProductEntity, SupplyLotEntity, LotSourceEntity]),
    RegionsModule,
    HouseholdsModule,
    SuppliersModule,
  ],
  controllers: [CatalogController],
  providers: [CatalogService, TraceService, CertificationJobs],
  exports: [CatalogService],
})
export class CatalogModule {}
