import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestMethod } from '@nestjs/common';
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

export function loggerOptions(env: Env, stream?: NodeJS.WritableStream): Params {
  return {
    pinoHttp: [
      {
        level: env.LOG_LEVEL,
        redact: { paths: REDACT_PATHS, censor: '[redacted]' },
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
        formatters: { level: (label: string) => ({ level: label }) },
        timestamp: pino.stdTimeFunctions.isoTime,
      },
      (stream ?? pino.destination({ dest: 1, sync: false })) as pino.DestinationStream,
    ],
    // Health probes and scrapes would drown the log.
    exclude: [
      { method: RequestMethod.ALL, path: 'health' },
      { method: RequestMethod.ALL, path: 'health/ready' },
      { method: RequestMethod.ALL, path: 'metrics' },
    ],
  };
}
