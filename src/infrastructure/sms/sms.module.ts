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
    const isLog = env.SMS_PROVIDER === 'log';
    return {
      module: SmsModule,
      imports: [TypeOrmModule.forFeature([SmsMessageEntity])],
      controllers: isLog ? [DevSmsController] : [],
      providers: [LogSmsProvider, { provide: SMS_PROVIDER, useExisting: LogSmsProvider }],
      exports: [SMS_PROVIDER],
    };
  }
}
