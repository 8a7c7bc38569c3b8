import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { Public } from '@/common/auth/decorators';
import { LogSmsProvider, StoredSms } from './log-sms.provider';

class DevSmsQuery {
  @IsString()
  @Matches(/^1\d{10}$/, { message: 'phone must be an 11-digit mainland mobile number' })
  phone: string;
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
  list(@Query() q: DevSmsQuery): Promise<StoredSms[]> {
    return this.sms.list(q.phone);
  }
}
