import { DynamicModule, Global, Module } from '@nestjs/common';
import { Env, ENV } from '@/config/env';
import { FieldCipher } from '@/common/crypto/field-cipher';

/** The validated environment (ENV) and the personal-data cipher, available everywhere. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(env: Env): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: ENV, useValue: env },
        { provide: FieldCipher, useValue: new FieldCipher(env.DATA_ENCRYPTION_KEY) },
      ],
      exports: [ENV, FieldCipher],
    };
  }
}
