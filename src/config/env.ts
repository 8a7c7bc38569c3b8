import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  Validate,
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
  ValidateIf,
  validateSync,
} from 'class-validator';
import { parse as parseDotenv } from 'dotenv';

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
const toBool = ({ value }: { value: unknown }) =>
  value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value;

@ValidatorConstraint({ name: 'channelMap' })
class ChannelMapRule implements ValidatorConstraintInterface {
  validate(v: unknown, args: ValidationArguments) {
    const [min, max] = args.constraints as [number, number];
    return (
      !!v &&
      typeof v === 'object' &&
      Object.entries(v).every(
        ([k, n]) =>
          (CHANNELS as readonly string[]).includes(k) && Number.isInteger(n) && n >= min && n <= max,
      )
    );
  }
  defaultMessage(args: ValidationArguments) {
    const [min, max] = args.constraints as [number, number];
    return `must be CHANNEL:n pairs separated by commas, channels among ${CHANNELS.join(', ')}, n from ${min} to ${max}`;
  }
}

/** Every environment variable the service reads; `config/defaults.json` holds the defaults. */
export class Env {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: 'development' | 'test' | 'production';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number;

  @IsString()
  HOST: string;

  @Matches(/^mysql:\/\/[^/]+\/[A-Za-z0-9_]+(\?.*)?$/, {
    message: 'must look like mysql://user[:password]@host:port/database',
  })
  DATABASE_URL: string;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(500)
  DATABASE_POOL_SIZE: number;

  @Matches(/^rediss?:\/\/.+/, { message: 'must look like redis://host:port/db' })
  REDIS_URL: string;

  @Matches(/^[A-Za-z0-9_{}-]+$/, { message: 'letters, digits, _, -, {} only' })
  QUEUE_PREFIX: string;

  @Matches(/^(mqtts?|wss?|tcp):\/\/.+/, { message: 'must look like mqtt://host:port' })
  MQTT_URL: string;

  @Matches(/^[A-Za-z0-9_-]+$/)
  MQTT_SHARE_GROUP: string;

  /** Where this service is reached from outside; empty means this process's own http://HOST:PORT. */
  @ValidateIf((_, v) => v !== '')
  @IsUrl({ require_tld: false, require_protocol: true })
  PUBLIC_BASE_URL: string;

  @IsString()
  @MinLength(3)
  @MaxLength(64)
  ADMIN_USERNAME: string;

  @IsString()
  @MinLength(8)
  ADMIN_PASSWORD: string;

  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters' })
  JWT_SECRET: string;

  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(86400 * 30)
  JWT_TTL_SECONDS: number;

  @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'must be 32 bytes in base64 (44 characters)' })
  DATA_ENCRYPTION_KEY: string;

  @IsIn(['log'])
  SMS_PROVIDER: 'log';

  @IsIn(['sandbox'])
  PAYMENT_PROVIDER: 'sandbox';

  @Transform(toBool)
  @IsBoolean()
  SEED_DEMO: boolean;

  @Transform(toBool)
  @IsBoolean()
  MIGRATE_ON_START: boolean;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: string;

  /** Bearer token GET /metrics requires; empty leaves it open (refused in production). */
  @ValidateIf((_, v) => v !== '')
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
  METRICS_TOKEN: string;

  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(64 * 1024 * 1024)
  BODY_LIMIT_BYTES: number;

  /** The largest file a multipart upload may carry (a platform's order export). */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(512 * 1024 * 1024)
  UPLOAD_LIMIT_BYTES: number;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_PER_MINUTE: number;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  LOGIN_RATE_LIMIT_PER_MINUTE: number;

  @Transform(toInt)
  @IsInt()
  @Min(30)
  @Max(3600)
  OTP_TTL_SECONDS: number;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3600)
  OTP_RESEND_SECONDS: number;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(20)
  OTP_MAX_ATTEMPTS: number;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(24 * 30)
  IDEMPOTENCY_TTL_HOURS: number;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  SHUTDOWN_TIMEOUT_MS: number;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(256)
  WORKER_CONCURRENCY: number;

  /** How long one api copy may serve the public product list from memory (0 turns it off). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(60_000)
  CATALOG_CACHE_MS: number;

  /** Minutes a buyer has to pay an order before it is cancelled and its stock returns. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(24 * 60)
  ORDER_PAY_MINUTES: number;

  /** Seconds a livestream buyer has to pay before the order is cancelled and its units return to the offer. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(24 * 3600)
  LIVE_PAY_SECONDS: number;

  /**
   * The least reserved share of canteen food purchases a unit may declare (bps): the national rule's 10 %;
   * a district that asks more (many ask 15 %) sets it higher.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(10000)
  PROCUREMENT_SHARE_FLOOR_BPS: number;

  /** Days a unit has to pay for accepted goods (the rule for paying small suppliers: 30). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(365)
  PROCUREMENT_PAYMENT_DAYS: number;

  /** Platform fee per channel in basis points, `CHANNEL:bps,...` (a channel not named pays 0). */
  @Transform(toChannelMap)
  @Validate(ChannelMapRule, [0, 10000])
  PLATFORM_FEE_BPS: Record<string, number>;

  /** Days a sale can be refunded per channel, `CHANNEL:days,...`; household credits stay PENDING until then. */
  @Transform(toChannelMap)
  @Validate(ChannelMapRule, [0, 365])
  REFUND_WINDOW_DAYS: Record<string, number>;

  /** Registers the sandbox payment provider; empty means on, except in production. */
  @Transform(toBool)
  @ValidateIf((_, v) => v !== '')
  @IsBoolean()
  PAYMENTS_SANDBOX_ENABLED: boolean;

  /** The sandbox payment provider signs its notifications with this secret. */
  @IsString()
  @MinLength(16)
  SANDBOX_SECRET: string;

  /** Where the sandbox posts its notifications; empty means PUBLIC_BASE_URL + /api/v1/payments/notify/sandbox. */
  @IsString()
  SANDBOX_NOTIFY_URL: string;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(600_000)
  SANDBOX_NOTIFY_DELAY_MS: number;

  /** A payment still pending this long is queried from its provider and completed or failed. */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  PAYMENT_RECOVERY_AFTER_SECONDS: number;

  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(60_000)
  OUTBOX_POLL_MS: number;

  /** At most this many paid orders go to one allocation job (their outbox rows are handed over together). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(500)
  ALLOCATION_BATCH: number;

  /** Trailing-12-month income per household member under this marks a household MONITORED. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  MONITOR_INCOME_LINE_FEN: number;

  /** Payout batches take available balances of at least this much. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  PAYOUT_MINIMUM_FEN: number;

  /** Signs cabinet QR codes (`qrUrl`); empty means a key derived from JWT_SECRET. */
  @ValidateIf((_, v) => v !== '')
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
  KIOSK_QR_SECRET: string;

  /** A cabinet session whose door does not open within this many seconds is cancelled (UNLOCK's `exp`). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(600)
  KIOSK_UNLOCK_SECONDS: number;

  /** A door open longer than this raises an alert. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3600)
  KIOSK_DOOR_ALERT_SECONDS: number;

  /** A session open this long with no DOOR_CLOSED (the cabinet lost its network) goes to review. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86400)
  KIOSK_SESSION_LOST_SECONDS: number;

  /** A cabinet not heard from (heartbeat or event) for this long is OFFLINE. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3600)
  KIOSK_OFFLINE_SECONDS: number;
}

export class ConfigError extends Error {}

export const CHANNELS = ['KIOSK', 'LIVESTREAM', 'PROCUREMENT', 'FAIR', 'ONLINE'] as const;

function toChannelMap({ value }: { value: unknown }): unknown {
  if (typeof value !== 'string') {
    return value;
  }
  const out: Record<string, number> = {};
  for (const part of value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^([A-Z]+):(\d+)$/.exec(part);
    if (!m) {
      return value;
    }
    out[m[1]] = Number(m[2]);
  }
  return out;
}

/** The repository root: the nearest folder above this file holding package.json. */
export function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = resolve(dir, '..');
    if (up === dir) {
      return process.cwd();
    }
    dir = up;
  }
  return dir;
}

function readDefaults(): Record<string, string> {
  return JSON.parse(readFileSync(join(projectRoot(), 'config', 'defaults.json'), 'utf8'));
}

function readDotenv(): Record<string, string> {
  const file = join(projectRoot(), '.env');
  return existsSync(file) ? parseDotenv(readFileSync(file)) : {};
}

/**
 * Validates the environment once into a typed object: defaults from config/defaults.json, then `.env`,
 * then the process environment, then explicit overrides (tests). Throws a ConfigError naming each bad variable.
 */
export function loadEnv(overrides: Partial<Record<keyof Env, string>> = {}, source = process.env): Env {
  const defaults = readDefaults();
  const raw: Record<string, string | undefined> = { ...defaults, ...readDotenv() };
  for (const key of Object.keys(defaults)) {
    if (source[key] !== undefined && source[key] !== '') {
      raw[key] = source[key];
    }
  }
  Object.assign(raw, overrides);
  const env = plainToInstance(Env, raw, { excludeExtraneousValues: false });
  const errors = validateSync(env, { whitelist: true, forbidUnknownValues: true });
  if (errors.length > 0) {
    const lines = errors.map(
      (e) =>
        `${e.property}: ${Object.values(e.constraints ?? {}).join('; ')} (got ${describe(e.property, raw[e.property])})`,
    );
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  // Defaults that depend on other variables, filled once the variables themselves are known to be valid.
  if ((env.PUBLIC_BASE_URL as string) === '') {
    env.PUBLIC_BASE_URL = ownBaseUrl(env.HOST, env.PORT);
  }
  if ((env.PAYMENTS_SANDBOX_ENABLED as unknown) === '') {
    env.PAYMENTS_SANDBOX_ENABLED = env.NODE_ENV !== 'production';
  }
  if (env.NODE_ENV === 'production') {
    const refused = (['JWT_SECRET', 'DATA_ENCRYPTION_KEY', 'ADMIN_PASSWORD'] as const)
      .filter((k) => env[k] === defaults[k])
      .map((k) => `${k}: the development default may not be used in production`);
    // Anyone who has read .env.example could sign a notification that marks an order paid.
    if (env.PAYMENTS_SANDBOX_ENABLED && env.SANDBOX_SECRET === defaults.SANDBOX_SECRET) {
      refused.push(
        'SANDBOX_SECRET: the development default may not be used in production while PAYMENTS_SANDBOX_ENABLED is true',
      );
    }
    if (!env.METRICS_TOKEN) {
      refused.push('METRICS_TOKEN: required in production (GET /metrics asks for it as a bearer token)');
    }
    if (refused.length > 0) {
      throw new ConfigError(`Invalid configuration:\n  ${refused.join('\n  ')}`);
    }
  }
  return env;
}

/** This process's own address as a URL: a wildcard HOST is reached on the loopback address. */
export function ownBaseUrl(host: string, port: number): string {
  const h = ['', '0.0.0.0', '::', '[::]'].includes(host) ? '127.0.0.1' : host;
  return `http://${h.includes(':') && !h.startsWith('[') ? `[${h}]` : h}:${port}`;
}

const SECRET = /PASSWORD|SECRET|KEY|TOKEN/;
function describe(name: string, value: string | undefined): string {
  if (value === undefined) {
    return 'nothing';
  }
  return SECRET.test(name)
    ? `${value.length} characters`
    : JSON.stringify(value.replace(/:\/\/([^:@/]+):[^@]*@/, '://$1:***@'));
}

export const ENV = Symbol('ENV');
