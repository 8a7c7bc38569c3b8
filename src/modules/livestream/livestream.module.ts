import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RegionsModule } from '@/modules/regions/regions.module';
import { HostEntity } from './entities/host.entity';
import { HostsService } from './hosts.service';
import { HostsController } from './livestream.controller';

/** Hosts now; sessions, offers, flash-sale stock and live statistics arrive with the livestream issue. */
@Module({
  imports: [TypeOrmModule.forFeature([HostEntity]), RegionsModule],
  controllers: [HostsController],
  providers: [HostsService],
  exports: [HostsService],
})
export class LivestreamModule {}
