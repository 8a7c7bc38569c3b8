import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OrdersModule } from '@/modules/orders/orders.module';
import { RegionsModule } from '@/modules/regions/regions.module';
import { HostEntity } from './entities/host.entity';
import { HostsService } from './hosts.service';
import { HostsController } from './livestream.controller';
import { LivestreamOrderPolicy } from './livestream.policy';

/** Hosts now; sessions, offers, flash-sale stock and live statistics arrive with the livestream issue. */
@Module({
  imports: [TypeOrmModule.forFeature([HostEntity]), RegionsModule, OrdersModule],
  controllers: [HostsController],
  providers: [HostsService, LivestreamOrderPolicy],
  exports: [HostsService],
})
export class LivestreamModule {}
