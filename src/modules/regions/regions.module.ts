import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IdentityModule } from '@/modules/identity/identity.module';
import { RoleBindings } from '@/modules/identity/role-bindings';
import { RegionEntity } from './entities/region.entity';
import { RegionsController } from './regions.controller';
import { RegionsService } from './regions.service';

@Module({
  imports: [TypeOrmModule.forFeature([RegionEntity]), IdentityModule],
  controllers: [RegionsController],
  providers: [RegionsService],
  exports: [RegionsService],
})
export class RegionsModule implements OnModuleInit {
  constructor(
    @Inject(RoleBindings) private readonly bindings: RoleBindings,
    @Inject(RegionsService) private readonly regions: RegionsService,
  ) {}

  /** A CADRE user's regionCode names one of our regions. */
  onModuleInit(): void {
    this.bindings.register('regionCode', (code) => this.regions.exists(code));
  }
}
