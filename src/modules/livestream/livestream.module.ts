import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OrdersModule } from '@/modules/orders/orders.module';
import { IdentityModule } from '@/modules/identity/identity.module';
import { RoleBindings } from '@/modules/identity/role-bindings';
import { RegionsModule } from '@/modules/regions/regions.module';
import { HostEntity } from './entities/host.entity';
import { HostsService } from './hosts.service';
import { HostsController } from './livestream.controller';
import { LivestreamOrderPolicy } from './livestream.policy';

/** Hosts now; sessions, offers, flash-sale stock and live statistics arrive with the livestream issue. */
@Module({
  imports: [TypeOrmModule.forFeature([HostEntity]), RegionsModule, IdentityModule, OrdersModule],
  controllers: [HostsController],
  providers: [HostsService, LivestreamOrderPolicy],
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
