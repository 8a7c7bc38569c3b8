import { Body, Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentUser, Public, Roles } from '@/common/auth/decorators';
import { ALL_ROLES, AuthUser, Role } from '@/common/auth/role';
import { LoginThrottled } from '@/common/throttle/throttler.guard';
import { AuthService } from './auth.service';
import {
  CreateUserDto,
  LoginDto,
  mapUser,
  OtpRequestDto,
  OtpVerifyDto,
  TokenView,
  UserView,
} from './dto/identity.dto';
import { UsersService } from './users.service';
import { Idempotent } from '@/common/idempotency/idempotency.interceptor';

@ApiTags('identity')
@Controller()
export class IdentityController {
  constructor(
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(UsersService) private readonly users: UsersService,
  ) {}

  @Post('auth/login')
  @Public()
  @HttpCode(200)
  @LoginThrottled()
  login(@Body() dto: LoginDto): Promise<TokenView> {
    return this.auth.login(dto.username, dto.password);
  }

  @Post('auth/otp/request')
  @Public()
  @HttpCode(202)
  @LoginThrottled()
  requestOtp(@Body() dto: OtpRequestDto): Promise<{ expiresIn: number; resendAfter: number }> {
    return this.auth.requestOtp(dto.phone);
  }

  @Post('auth/otp/verify')
  @Public()
  @HttpCode(200)
  @LoginThrottled()
  verifyOtp(@Body() dto: OtpVerifyDto): Promise<TokenView> {
    return this.auth.verifyOtp(dto.phone, dto.code);
  }

  @Get('me')
  @Roles(...ALL_ROLES)
  me(@CurrentUser() user: AuthUser): AuthUser {
    return user;
  }

  @Post('users')
  @Idempotent()
  @Roles(Role.Admin)
  async createUser(@Body() dto: CreateUserDto): Promise<UserView> {
    return mapUser(await this.users.create(dto));
  }
}
