import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isDuplicateKey } from './db-errors';
import { DomainError } from './domain-error';
import { Problem, problemFor, problemFromDomain } from './problem';

const logger = new Logger('Errors');

/** Maps anything thrown to a problem (and its extra headers); the unexpected becomes a bare 500. */
export function toProblem(e: unknown): { problem: Problem; headers?: Record<string, string> } {
  if (e instanceof DomainError) {
    return { problem: problemFromDomain(e), headers: e.headers };
  }
  if (e instanceof ThrottlerException) {
    return {
      problem: problemFor(429, 'Too many requests; slow down and try again shortly.', 'too-many-requests'),
    };
  }
  // Nest turns Fastify's own errors (bad JSON, body too large, wrong media type) into HttpExceptions.
  if (e instanceof HttpException) {
    const status = e.getStatus();
    const body = e.getResponse();
    const message =
      typeof body === 'object' && body && 'message' in body ? (body as { message: unknown }).message : body;
    const text = Array.isArray(message) ? message.join('; ') : String(message);
    if (status === 400 && /JSON/.test(text)) {
      return { problem: problemFor(400, 'The body is not valid JSON.', 'malformed-json') };
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
  if (isDuplicateKey(e)) {
    return { problem: problemFor(409, 'A record with the same unique value already exists.', 'duplicate') };
  }
  logger.error({ err: e }, 'unexpected error');
  return { problem: problemFor(500, 'Something went wrong on our side; it has been logged.') };
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest | undefined, e: unknown): void {
  const { problem, headers } = toProblem(e);
  if (request) {
    problem.instance = request.url.split('?')[0];
    problem.requestId = String(request.id);
  }
  if (headers) {
    void reply.headers(headers);
  }
  void reply
    .status(problem.status)
    .header('content-type', 'application/problem+json; charset=utf-8')
    .send(problem);
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  catch(e: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    sendProblem(ctx.getResponse<FastifyReply>(), ctx.getRequest<FastifyRequest>(), e);
  }
}
