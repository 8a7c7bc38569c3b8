import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerService, RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import pino from 'pino';
import { Env } from '@/config/env';

/**
 * Personal data and secrets never reach a log line: bodies, headers and query strings are not logged,
 * and any field with a sensitive name is censored wherever it appears. `code` is not on the list: it is the
 * database's (or Node's) error code, the one word that explains a 500; OTP codes are only ever in request
 * bodies, which are not logged. A failed statement's values are (`sql` is mysql2's statement with the values
 * filled in, `parameters` TypeORM's copy of them): an SMS text carrying a login code, a phone number.
 */
export const REDACT_PATHS = [
  'password',
  'idNumber',
  'phone',
  'bankAccount',
  'token',
  'accessToken',
  'otp',
  'authorization',
  'secret',
  'deviceSecret',
  'sql',
  'parameters',
].flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** What every line shares, whoever writes it: `level` as a word, `time` in ISO 8601, the redactions. */
function baseOptions(level: string): pino.LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    formatters: { level: (label: string) => ({ level: label }) },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
}

export function loggerOptions(env: Env, stream?: NodeJS.WritableStream): Params {
  return {
    pinoHttp: [
      {
        ...baseOptions(env.LOG_LEVEL),
        // The request id is set by Fastify (from X-Request-Id or a new one) before this runs.
        genReqId: (req: IncomingMessage) => String((req as { id?: string }).id ?? 'unknown'),
        customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
          err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
        serializers: {
          req: (req: { id: string; method: string; url: string }) => ({
            id: req.id,
            method: req.method,
            path: req.url.split('?')[0],
          }),
          res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
          err: pino.stdSerializers.err,
        },
      },
      (stream ?? pino.destination({ dest: 1, sync: false })) as pino.DestinationStream,
    ],
    // Every route, in path-to-regexp's named-wildcard syntax (a bare `*` is converted, with a warning, on
    // every start).
    forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
    // Health probes and scrapes would drown the log.
    exclude: [
      { method: RequestMethod.ALL, path: 'health' },
      { method: RequestMethod.ALL, path: 'health/ready' },
      { method: RequestMethod.ALL, path: 'metrics' },
    ],
  };
}

const NEST_LEVELS = {
  log: 'info',
  error: 'error',
  warn: 'warn',
  debug: 'debug',
  verbose: 'trace',
  fatal: 'fatal',
} as const;

/**
 * Nest's logger for the time before the application (and its pino logger) exists: the boot lines
 * ("migrations applied", a failed start) come out as the same pino JSON lines as everything after, so a log
 * shipper reads stdout from its first line. LOG_LEVEL is read raw, since the configuration may not be loaded
 * (or valid) yet.
 */
export function createBootLogger(stream?: pino.DestinationStream): LoggerService {
  const wanted = process.env.LOG_LEVEL ?? 'info';
  // Synchronous: a start that fails exits right after its last line.
  const logger = pino(
    baseOptions(LEVELS.has(wanted) ? wanted : 'info'),
    stream ?? pino.destination({ dest: 1, sync: true }),
  );
  const write =
    (level: (typeof NEST_LEVELS)[keyof typeof NEST_LEVELS]) =>
    (message: unknown, ...params: unknown[]) => {
      // Nest passes the context (the logger's name) last.
      const context =
        params.length && typeof params[params.length - 1] === 'string' ? params.pop() : undefined;
      if (message instanceof Error) {
        logger[level]({ context, err: message }, message.message);
      } else if (message && typeof message === 'object') {
        logger[level]({ context, ...message }, typeof params[0] === 'string' ? params[0] : undefined);
      } else {
        logger[level]({ context, ...(params.length ? { stack: params[0] } : {}) }, String(message));
      }
    };
  return {
    log: write(NEST_LEVELS.log),
    error: write(NEST_LEVELS.error),
    warn: write(NEST_LEVELS.warn),
    debug: write(NEST_LEVELS.debug),
    verbose: write(NEST_LEVELS.verbose),
    fatal: write(NEST_LEVELS.fatal),
  };
}
