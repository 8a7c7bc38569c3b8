import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, Matches } from 'class-validator';
import { Roles } from '@/common/auth/decorators';
import { Role } from '@/common/auth/role';
import { SandboxBehaviour, SandboxProvider } from './sandbox.provider';
import { Idempotent } from '@/common/idempotency/idempotency.interceptor';

class SandboxScriptDto {
  @ApiProperty({
    type: [String],
    maxItems: 1000,
    items: { type: 'string', pattern: '^(APPROVE|DECLINE|LOSE|DUPLICATE|DELAY:\\d{1,6})$' },
    example: ['DECLINE', 'DELAY:200', 'APPROVE'],
    description: 'One per coming payment, in order: APPROVE, DECLINE, LOSE, DUPLICATE or DELAY:<ms>',
  })
  @IsArray()
  @ArrayMaxSize(1000)
  @Matches(/^(APPROVE|DECLINE|LOSE|DUPLICATE|DELAY:\d{1,6})$/, {
    each: true,
    message: 'each behaviour is APPROVE, DECLINE, LOSE, DUPLICATE or DELAY:<ms>',
  })
  behaviours: SandboxBehaviour[];
}

class SandboxScriptedView {
  @ApiProperty({ type: 'integer', description: 'Behaviours queued' })
  queued: number;
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
  @ApiOkResponse({ type: SandboxScriptedView })
  async script(@Body() dto: SandboxScriptDto): Promise<SandboxScriptedView> {
    await this.sandbox.script(dto.behaviours);
    return { queued: dto.behaviours.length };
  }
}
