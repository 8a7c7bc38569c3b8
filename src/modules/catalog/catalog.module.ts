import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { HouseholdsModule } from '@/modules/households/households.module';
import { RegionsModule } from '@/modules/regions/regions.module';
import { SuppliersModule } from '@/modules/suppliers/suppliers.module';
import { CatalogController } from './catalog.controller';
import { LotSourceEntity } from './entities/lot-source.entity';
import { ProductEntity } from './entities/product.entity';
import { SupplyLotEntity } from './entities/supply-lot.entity';
import { CertificationJobs } from './jobs/certification.jobs';
import { LotsRepository } from './lots.repository';
import { LotsService } from './lots.service';
import { ProductListCache } from './product-list.cache';
import { ProductsRepository } from './products.repository';
import { ProductsService } from './products.service';
import { StockRepository } from './stock.repository';
import { StockService } from './stock.service';
import { TraceService } from './trace.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([ProductEntity, SupplyLotEntity, LotSourceEntity]),
    RegionsModule,
    HouseholdsModule,
    SuppliersModule,
  ],
  controllers: [CatalogController],
  providers: [
    ProductsRepository,
    LotsRepository,
    StockRepository,
    ProductListCache,
    ProductsService,
    LotsService,
    StockService,
    TraceService,
    CertificationJobs,
  ],
  exports: [ProductsService, LotsService, StockService],
})
export class CatalogModule {}
