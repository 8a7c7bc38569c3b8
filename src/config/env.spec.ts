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
