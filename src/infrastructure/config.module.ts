import { DynamicModule, Global, Module } from '@nestjs/common';
import { Env, ENV } from '@/config/env';
import { FieldCipher } from '@/common/crypto/field-cipher';

/** The role this process was started in: `api`, `worker` or `all`. */
export const APP_ROLE = Symbol('APP_ROLE');
export type ProcessRole = 'api' | 'worker' | 'all';

/** The validated environment (ENV) and the personal-data cipher, available everywhere. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(env: Env, role: ProcessRole = 'all'): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: ENV, useValue: env },
        { provide: APP_ROLE, useValue: role },
        { provide: FieldCipher, useValue: new FieldCipher(env.DATA_ENCRYPTION_KEY) },
      ],
      exports: [ENV, APP_ROLE, FieldCipher],
    };
  }
}
