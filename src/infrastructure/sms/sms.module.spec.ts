import { loadEnv } from '@/config/env';
import { DevSmsController } from './dev-sms.controller';
import { SmsModule } from './sms.module';

describe('SmsModule', () => {
  it('serves /dev/sms with the log provider in development and tests', () => {
    expect(SmsModule.forRoot(loadEnv({ NODE_ENV: 'test' }, {})).controllers).toEqual([DevSmsController]);
  });

  it('never serves /dev/sms in production, where it would hand out login codes', () => {
    const env = loadEnv(
      {
        NODE_ENV: 'production',
        JWT_SECRET: 'a-production-secret-of-sufficient-length-0123',
        DATA_ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'),
        ADMIN_PASSWORD: 'a-real-admin-password',
        METRICS_TOKEN: 'a-metrics-token-of-sufficient-length',
      },
      {},
    );
    expect(SmsModule.forRoot(env).controllers).toEqual([]);
  });
});
