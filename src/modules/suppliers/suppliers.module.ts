import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { HouseholdsModule } from '@/modules/households/households.module';
import { IdentityModule } from '@/modules/identity/identity.module';
import { RoleBindings } from '@/modules/identity/role-bindings';
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
    IdentityModule,
  ],
  controllers: [SuppliersController],
  providers: [SuppliersService],
  exports: [SuppliersService],
})
export class SuppliersModule implements OnModuleInit {
  constructor(
    @Inject(RoleBindings) private readonly bindings: RoleBindings,
    @Inject(SuppliersService) private readonly suppliers: SuppliersService,
  ) {}

  /** A SUPPLIER user's supplierId names one of our suppliers. */
  onModuleInit(): void {
    this.bindings.register('supplierId', (id) => this.suppliers.exists(id));
  }
}
