import { Injectable, Module } from '@nestjs/common';
import { InjectRepository, TypeOrmModule } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { JobHandler } from '@/infrastructure/queue/job-handler.decorator';
import { JobName } from '@/infrastructure/queue/jobs';
import { LivestreamModule } from '@/modules/livestream/livestream.module';
import { ProcurementModule } from '@/modules/procurement/procurement.module';
import { RegionsModule } from '@/modules/regions/regions.module';
import { SuppliersModule } from '@/modules/suppliers/suppliers.module';
import { AuthService } from './auth.service';
import { OtpCodeEntity } from './entities/otp-code.entity';
import { UserEntity } from './entities/user.entity';
import { IdentityController } from './identity.controller';
import { UsersService } from './users.service';

@Injectable()
export class IdentityJobs {
  constructor(@InjectRepository(OtpCodeEntity) private readonly otps: Repository<OtpCodeEntity>) {}

  /** Hourly: drop login codes that expired more than a day ago. */
  @JobHandler(JobName.PurgeOtpCodes, { schedule: { pattern: '7 * * * *' } })
  async purge(): Promise<{ deleted: number }> {
    const r = await this.otps.delete({ expiresAt: LessThan(new Date(Date.now() - 24 * 3600_000)) });
    return { deleted: r.affected ?? 0 };
  }
}

@Module({
  imports: [
    TypeOrmModule.forFeature([UserEntity, OtpCodeEntity]),
    RegionsModule,
    SuppliersModule,
    ProcurementModule,
    LivestreamModule,
  ],
  controllers: [IdentityController],
  providers: [AuthService, UsersService, IdentityJobs],
  exports: [UsersService],
})
export class IdentityModule {}
