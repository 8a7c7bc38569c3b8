import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, Matches } from 'class-validator';
import { Roles } from '@/common/auth/decorators';
import { Role } from '@/common/auth/role';
import { SandboxBehaviour, SandboxProvider } from './sandbox.provider';
import { Idempotent } from '@/common/idempotency/idempotency.interceptor';

class SandboxScriptDto {
  @IsArray()
  @ArrayMaxSize(1000)
  @Matches(/^(APPROVE|DECLINE|LOSE|DUPLICATE|DELAY:\d{1,6})$/, {
    each: true,
    message: 'each behaviour is APPROVE, DECLINE, LOSE, DUPLICATE or DELAY:<ms>',
  })
  behaviours: SandboxBehaviour[];
}

/** Development and tests only: tells the sandbox gateway what to do with the next payments. */
@ApiTags('dev')
@Controller('dev/sandbox')
export class DevSandboxController {
  constructor(@Inject(SandboxProvider) private readonly sandbox: SandboxProvider) {}

  @Post('script')
  @Idempotent()
  @Roles(Role.Admin)
  @HttpCode(200)
  @ApiOperation({
    summary: 'Queue behaviours (decline, lose, duplicate, delay) for the next sandbox payments',
  })
  async script(@Body() dto: SandboxScriptDto): Promise<{ queued: number }> {
    await this.sandbox.script(dto.behaviours);
    return { queued: dto.behaviours.length };
  }
}
