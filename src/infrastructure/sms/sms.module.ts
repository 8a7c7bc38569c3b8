import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Env } from '@/config/env';
import { DevSmsController } from './dev-sms.controller';
import { LogSmsProvider } from './log-sms.provider';
import { SmsMessageEntity } from './sms-message.entity';
import { SMS_PROVIDER } from './sms-provider';

@Global()
@Module({})
export class SmsModule {
  static forRoot(env: Env): DynamicModule {
    // Anyone could read login codes from /dev/sms: it is served in development and tests only.
    const serveDevSms = env.SMS_PROVIDER === 'log' && env.NODE_ENV !== 'production';
    return {
      module: SmsModule,
      imports: [TypeOrmModule.forFeature([SmsMessageEntity])],
      controllers: serveDevSms ? [DevSmsController] : [],
      providers: [LogSmsProvider, { provide: SMS_PROVIDER, useExisting: LogSmsProvider }],
      exports: [SMS_PROVIDER],
    };
  }
}
