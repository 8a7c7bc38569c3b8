import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthService } from './auth.service';
import { OtpCodeEntity } from './entities/otp-code.entity';
import { UserEntity } from './entities/user.entity';
import { IdentityController } from './identity.controller';
import { IdentityJobs } from './jobs/identity.jobs';
import { RoleBindings } from './role-bindings';
import { UsersService } from './users.service';

/**
 * Users, roles, logins. A user's binding (organizationId, hostId, …) is checked by the module that owns the
 * record, registered with `RoleBindings`: those modules import identity, never the other way round.
 */
@Module({
  imports: [TypeOrmModule.forFeature([UserEntity, OtpCodeEntity])],
  controllers: [IdentityController],
  providers: [AuthService, UsersService, RoleBindings, IdentityJobs],
  exports: [UsersService, RoleBindings],
})
export class IdentityModule {}
