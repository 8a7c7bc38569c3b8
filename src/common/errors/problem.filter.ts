import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ThrottlerException } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DataSource } from 'typeorm';
import { constraintProblem, SchemaNames } from './db-constraint';
import { DomainError } from './domain-error';
import { Problem, problemFor, problemFromDomain } from './problem';

const logger = new Logger('Errors');

/** Fastify's own refusals (raised before any route runs) by their code: status, stable code, detail. */
const FASTIFY_ERRORS: Record<string, [number, string, string]> = {
  FST_ERR_BAD_URL: [400, 'malformed-url', 'The path is not validly percent-encoded.'],
  FST_ERR_MAX_PARAM_LENGTH: [414, 'uri-too-long', 'A path segment is longer than this service accepts.'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported-media-type', 'Send the body as application/json.'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'payload-too-large', 'The body is larger than this service accepts.'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [
    400,
    'malformed-request',
    'The body does not match its Content-Length.',
  ],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'malformed-json', 'The body is not valid JSON.'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'malformed-json', 'The body is empty but declared as JSON.'],
};

/** The numeric HTTP status an error from the framework or the body stream carries, if any. */
function statusOf(e: unknown): number | undefined {
  const s = (e as { statusCode?: unknown } | null)?.statusCode;
  return typeof s === 'number' && Number.isInteger(s) ? s : undefined;
}

/** Maps anything thrown to a problem (and its extra headers); the unexpected becomes a bare 500. */
export function toProblem(
  e: unknown,
  schema?: SchemaNames,
): { problem: Problem; headers?: Record<string, string> } {
  if (e instanceof DomainError) {
    return { problem: problemFromDomain(e), headers: e.headers };
  }
  if (e instanceof ThrottlerException) {
    return {
      problem: problemFor(429, 'Too many requests; slow down and try again shortly.', 'too-many-requests'),
    };
  }
  const fastifyCode = (e as { code?: unknown } | null)?.code;
  if (typeof fastifyCode === 'string' && fastifyCode in FASTIFY_ERRORS) {
    const [status, code, detail] = FASTIFY_ERRORS[fastifyCode];
    return { problem: problemFor(status, detail, code) };
  }
  // Nest turns Fastify's own errors (bad JSON, body too large, wrong media type) into HttpExceptions.
  if (e instanceof HttpException) {
    const status = e.getStatus();
    const body = e.getResponse();
    const message =
      typeof body === 'object' && body && 'message' in body ? (body as { message: unknown }).message : body;
    const text = Array.isArray(message) ? message.join('; ') : String(message);
    // Nest rethrows Fastify's errors with their message only, so FASTIFY_ERRORS above does not see their
    // code; the empty body's says "application/json", in lower case.
    if (status === 400 && /JSON/i.test(text)) {
      const empty = /cannot be empty/.test(text);
      return {
        problem: problemFor(
          400,
          empty ? 'The body is empty but declared as JSON.' : 'The body is not valid JSON.',
          'malformed-json',
        ),
      };
    }
    const detail =
      status === 404
        ? 'No such route or resource.'
        : status === 413
          ? 'The body is larger than this service accepts.'
          : status === 415
            ? 'Send the body as application/json.'
            : text;
    return { problem: problemFor(status, detail) };
  }
  if (e instanceof SyntaxError && statusOf(e) === 400) {
    return { problem: problemFor(400, 'The body is not valid JSON.', 'malformed-json') };
  }
  const constraint = constraintProblem(e, schema);
  if (constraint) {
    // Not a 500, but a write the service's own checks let through: worth a line that says which rule.
    logger.warn(constraint.log, 'the database refused a write');
    return { problem: constraint.problem };
  }
  // The request body stream failing (the client went away mid-body) carries a 4xx of its own.
  const status = statusOf(e);
  if (status !== undefined && status >= 400 && status < 500) {
    return { problem: problemFor(status, 'The request could not be read.') };
  }
  logger.error({ err: e }, 'unexpected error');
  return { problem: problemFor(500, 'Something went wrong on our side; it has been logged.') };
}

export function sendProblem(
  reply: FastifyReply,
  request: FastifyRequest | undefined,
  e: unknown,
  schema?: SchemaNames,
): void {
  const { problem, headers } = toProblem(e, schema);
  if (request) {
    problem.instance = request.url.split('?')[0];
    problem.requestId = String(request.id);
    // Also set by the onSend hook, which answers refused before routing (frameworkErrors) do not pass.
    void reply.header('x-request-id', problem.requestId);
  }
  if (headers) {
    void reply.headers(headers);
  }
  void reply
    .status(problem.status)
    .header('content-type', 'application/problem+json; charset=utf-8')
    .send(problem);
}

/** Unique keys by name (and by table and name), read once from the entities' metadata. */
export function schemaNamesOf(dataSource: DataSource): SchemaNames {
  let keys: Map<string, string[]> | undefined;
  const load = () => {
    const map = new Map<string, string[]>();
    for (const m of dataSource.entityMetadatas) {
      map.set(
        `${m.tableName}.PRIMARY`,
        m.primaryColumns.map((c) => c.databaseName),
      );
      for (const index of [...m.indices, ...m.uniques]) {
        if (index.name) {
          const columns = index.columns.map((c) => c.databaseName);
          map.set(`${m.tableName}.${index.name}`, columns);
          map.set(index.name, columns);
        }
      }
    }
    return map;
  };
  return {
    keyColumns: (table, key) => {
      keys ??= load();
      return (
        (table ? keys.get(`${table}.${key}`) : undefined) ?? (key === 'PRIMARY' ? undefined : keys.get(key))
      );
    },
  };
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly schema?: SchemaNames;

  constructor(@Optional() @InjectDataSource() dataSource?: DataSource) {
    this.schema = dataSource ? schemaNamesOf(dataSource) : undefined;
  }

  catch(e: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    sendProblem(ctx.getResponse<FastifyReply>(), ctx.getRequest<FastifyRequest>(), e, this.schema);
  }
}
