import { getMetadataStorage } from 'class-validator';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, Env, loadEnv } from './env';

describe('loadEnv', () => {
  const clean = {} as NodeJS.ProcessEnv;

  it('gives the documented defaults as typed values', () => {
    const env = loadEnv({}, clean);
    expect(env.PORT).toBe(3000);
    expect(env.DATABASE_URL).toBe('mysql://root@127.0.0.1:3306/consumption_support');
    expect(env.REDIS_URL).toBe('redis://127.0.0.1:6379/0');
    expect(env.MQTT_URL).toBe('mqtt://127.0.0.1:1883');
    expect(env.QUEUE_PREFIX).toBe('cs');
    expect(env.SEED_DEMO).toBe(true);
    expect(env.SMS_PROVIDER).toBe('log');
    expect(env.PAYMENT_PROVIDER).toBe('sandbox');
  });

  it('takes values from the environment over the defaults', () => {
    const env = loadEnv({}, { PORT: '8080', SEED_DEMO: 'false' } as NodeJS.ProcessEnv);
    expect(env.PORT).toBe(8080);
    expect(env.SEED_DEMO).toBe(false);
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'postgres://x/y'],
    ['REDIS_URL', 'localhost:6379'],
    ['MQTT_URL', 'http://broker'],
    ['DATA_ENCRYPTION_KEY', 'short'],
    ['JWT_SECRET', 'too-short'],
    ['SEED_DEMO', 'maybe'],
    ['SMS_PROVIDER', 'carrier-pigeon'],
  ])('stops with a message naming %s when it is %j', (name, value) => {
    expect(() => loadEnv({}, { [name]: value } as NodeJS.ProcessEnv)).toThrow(ConfigError);
    expect(() => loadEnv({}, { [name]: value } as NodeJS.ProcessEnv)).toThrow(
      new RegExp(`^Invalid configuration:\\n  ${name}: `),
    );
  });

  it('never prints a secret it refuses', () => {
    try {
      loadEnv({}, { JWT_SECRET: 'hunter2-secret' } as NodeJS.ProcessEnv);
      throw new Error('no error');
    } catch (e) {
      expect((e as Error).message).toContain('JWT_SECRET');
      expect((e as Error).message).not.toContain('hunter2-secret');
    }
  });

  it('refuses the development secrets in production', () => {
    expect(() => loadEnv({}, { NODE_ENV: 'production' } as NodeJS.ProcessEnv)).toThrow(
      /JWT_SECRET: the development default/,
    );
  });

  describe('in production', () => {
    /** Production with secrets of its own: what a real deployment sets. */
    const production = (more: Record<string, string> = {}) =>
      ({
        NODE_ENV: 'production',
        JWT_SECRET: 'prod-jwt-secret-0123456789abcdef0123456789',
        DATA_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
        ADMIN_PASSWORD: 'prod-admin-password',
        METRICS_TOKEN: 'prod-metrics-token-0123456789',
        ...more,
      }) as NodeJS.ProcessEnv;

    it('starts with real secrets, the sandbox off', () => {
      const env = loadEnv({}, production());
      expect(env.NODE_ENV).toBe('production');
      expect(env.PAYMENTS_SANDBOX_ENABLED).toBe(false);
    });

    it('refuses the default sandbox secret while the sandbox is enabled', () => {
      expect(() => loadEnv({}, production({ PAYMENTS_SANDBOX_ENABLED: 'true' }))).toThrow(
        /^Invalid configuration:\n {2}SANDBOX_SECRET: the development default may not be used in production/,
      );
      const own = loadEnv(
        {},
        production({ PAYMENTS_SANDBOX_ENABLED: 'true', SANDBOX_SECRET: 'a-sandbox-secret-of-its-own' }),
      );
      expect(own.PAYMENTS_SANDBOX_ENABLED).toBe(true);
    });

    it('requires METRICS_TOKEN', () => {
      expect(() => loadEnv({}, production({ METRICS_TOKEN: '' }))).toThrow(
        /^Invalid configuration:\n {2}METRICS_TOKEN: required in production/,
      );
    });

    it('names every refused variable at once, and prints none of their values', () => {
      try {
        loadEnv({}, { NODE_ENV: 'production', PAYMENTS_SANDBOX_ENABLED: 'true' } as NodeJS.ProcessEnv);
        throw new Error('no error');
      } catch (e) {
        const message = (e as Error).message;
        for (const name of [
          'JWT_SECRET',
          'DATA_ENCRYPTION_KEY',
          'ADMIN_PASSWORD',
          'SANDBOX_SECRET',
          'METRICS_TOKEN',
        ]) {
          expect(message).toContain(`${name}: `);
        }
        expect(message).not.toContain('dev-only');
      }
    });
  });

  it('turns the sandbox on outside production unless told otherwise', () => {
    expect(loadEnv({}, clean).PAYMENTS_SANDBOX_ENABLED).toBe(true);
    expect(loadEnv({}, { NODE_ENV: 'test' } as NodeJS.ProcessEnv).PAYMENTS_SANDBOX_ENABLED).toBe(true);
    expect(
      loadEnv({}, { PAYMENTS_SANDBOX_ENABLED: 'false' } as NodeJS.ProcessEnv).PAYMENTS_SANDBOX_ENABLED,
    ).toBe(false);
    expect(() => loadEnv({}, { PAYMENTS_SANDBOX_ENABLED: 'sometimes' } as NodeJS.ProcessEnv)).toThrow(
      /^Invalid configuration:\n {2}PAYMENTS_SANDBOX_ENABLED: /,
    );
  });

  it('refuses a METRICS_TOKEN shorter than 16 characters', () => {
    expect(() => loadEnv({}, { METRICS_TOKEN: 'short' } as NodeJS.ProcessEnv)).toThrow(
      /^Invalid configuration:\n {2}METRICS_TOKEN: must be at least 16 characters \(got 5 characters\)/,
    );
  });

  describe('PUBLIC_BASE_URL', () => {
    it('defaults to this process: http://127.0.0.1:PORT, following PORT', () => {
      expect(loadEnv({}, clean).PUBLIC_BASE_URL).toBe('http://127.0.0.1:3000');
      expect(loadEnv({}, { PORT: '3100' } as NodeJS.ProcessEnv).PUBLIC_BASE_URL).toBe(
        'http://127.0.0.1:3100',
      );
      expect(loadEnv({ PORT: '3200' }, clean).PUBLIC_BASE_URL).toBe('http://127.0.0.1:3200');
    });

    it('follows a HOST that is not a wildcard', () => {
      const at = (HOST: string) => loadEnv({}, { HOST, PORT: '3100' } as NodeJS.ProcessEnv).PUBLIC_BASE_URL;
      expect(at('::')).toBe('http://127.0.0.1:3100');
      expect(at('localhost')).toBe('http://localhost:3100');
      expect(at('10.0.0.5')).toBe('http://10.0.0.5:3100');
      expect(at('::1')).toBe('http://[::1]:3100');
    });

    it('keeps a value that is given, and still checks it', () => {
      const env = loadEnv({}, {
        PORT: '3100',
        PUBLIC_BASE_URL: 'https://shop.example.cn',
      } as NodeJS.ProcessEnv);
      expect(env.PUBLIC_BASE_URL).toBe('https://shop.example.cn');
      expect(() => loadEnv({}, { PUBLIC_BASE_URL: 'shop' } as NodeJS.ProcessEnv)).toThrow(
        /^Invalid configuration:\n {2}PUBLIC_BASE_URL: /,
      );
    });

    it('a bad PORT is named alone', () => {
      expect(() => loadEnv({}, { PORT: 'eighty' } as NodeJS.ProcessEnv)).toThrow(
        /^Invalid configuration:\n {2}PORT: [^\n]*$/,
      );
    });
  });
});

describe('.env.example', () => {
  it('lists every variable with its default, and nothing else', () => {
    const root = join(__dirname, '..', '..');
    const defaults = JSON.parse(readFileSync(join(root, 'config', 'defaults.json'), 'utf8')) as Record<
      string,
      string
    >;
    const example = Object.fromEntries(
      readFileSync(join(root, '.env.example'), 'utf8')
        .split('\n')
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(example).toEqual(defaults);
    const validated = new Set(
      getMetadataStorage()
        .getTargetValidationMetadatas(Env, '', true, false)
        .map((m) => m.propertyName),
    );
    expect([...validated].sort()).toEqual(Object.keys(defaults).sort());
  });
});
