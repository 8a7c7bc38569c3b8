import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { Public } from '@/common/auth/decorators';
import { LogSmsProvider, StoredSms } from './log-sms.provider';

class DevSmsQuery {
  @ApiProperty({ pattern: '^1\\d{10}$', example: '13800138000' })
  @IsString()
  @Matches(/^1\d{10}$/, { message: 'phone must be an 11-digit mainland mobile number' })
  phone: string;
}

class StoredSmsView implements StoredSms {
  @ApiProperty({ example: '13800138000' })
  phone: string;

  @ApiProperty()
  text: string;

  @ApiProperty({ format: 'date-time' })
  sentAt: string;
}

/** Registered only while SMS_PROVIDER is `log`. */
@ApiTags('dev')
@Controller('dev/sms')
export class DevSmsController {
  constructor(@Inject(LogSmsProvider) private readonly sms: LogSmsProvider) {}

  @Get()
  @Public()
  @ApiOperation({
    summary: 'Messages the log SMS provider kept for a phone, newest first (development only)',
  })
  @ApiOkResponse({ type: [StoredSmsView] })
  list(@Query() q: DevSmsQuery): Promise<StoredSmsView[]> {
    return this.sms.list(q.phone);
  }
}
