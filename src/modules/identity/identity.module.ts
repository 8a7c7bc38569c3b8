import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LivestreamModule } from '@/modules/livestream/livestream.module';
import { ProcurementModule } from '@/modules/procurement/procurement.module';
import { RegionsModule } from '@/modules/regions/regions.module';
import { SuppliersModule } from '@/modules/suppliers/suppliers.module';
import { AuthService } from './auth.service';
import { OtpCodeEntity } from './entities/otp-code.entity';
import { UserEntity } from './entities/user.entity';
import { IdentityController } from './identity.controller';
import { IdentityJobs } from './jobs/identity.jobs';
import { UsersService } from './users.service';

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
