import { Body, Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentUser, Public, Roles } from '@/common/auth/decorators';
import { ALL_ROLES, AuthUser, Role } from '@/common/auth/role';
import { ApiErrors } from '@/common/errors/api-errors';
import { Idempotent } from '@/common/idempotency/idempotency.interceptor';
import { LoginThrottled } from '@/common/throttle/throttler.guard';
import { AuthService } from './auth.service';
import {
  CreateUserDto,
  LoginDto,
  mapUser,
  OtpRequestDto,
  OtpSentView,
  OtpVerifyDto,
  TokenView,
  UserView,
} from './dto/identity.dto';
import {
  AccountDisabledError,
  InvalidCodeError,
  InvalidCredentialsError,
  OtpResendTooSoonError,
  UsernameTakenError,
} from './errors';
import { UsersService } from './users.service';

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
  @ApiOperation({ summary: 'Staff login with username and password' })
  @ApiOkResponse({ type: TokenView })
  @ApiErrors(InvalidCredentialsError)
  login(@Body() dto: LoginDto): Promise<TokenView> {
    return this.auth.login(dto.username, dto.password);
  }

  @Post('auth/otp/request')
  @Public()
  @HttpCode(202)
  @LoginThrottled()
  @ApiOperation({ summary: 'Sends a citizen a one-time login code by SMS' })
  @ApiAcceptedResponse({ type: OtpSentView })
  @ApiErrors(OtpResendTooSoonError)
  requestOtp(@Body() dto: OtpRequestDto): Promise<OtpSentView> {
    return this.auth.requestOtp(dto.phone);
  }

  @Post('auth/otp/verify')
  @Public()
  @HttpCode(200)
  @LoginThrottled()
  @ApiOperation({
    summary: 'Citizen login with the code sent by SMS; the account is created on first login',
  })
  @ApiOkResponse({ type: TokenView })
  @ApiErrors(InvalidCodeError, AccountDisabledError)
  verifyOtp(@Body() dto: OtpVerifyDto): Promise<TokenView> {
    return this.auth.verifyOtp(dto.phone, dto.code);
  }

  @Get('me')
  @Roles(...ALL_ROLES)
  @ApiOperation({ summary: 'The signed-in user, as its token says' })
  @ApiOkResponse({ type: UserView })
  me(@CurrentUser() user: AuthUser): UserView {
    return user;
  }

  @Post('users')
  @Idempotent()
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Creates a staff, buyer, host, supplier or cadre account with its bindings' })
  @ApiCreatedResponse({ type: UserView })
  @ApiErrors(UsernameTakenError)
  async createUser(@Body() dto: CreateUserDto): Promise<UserView> {
    return mapUser(await this.users.create(dto));
  }
}
