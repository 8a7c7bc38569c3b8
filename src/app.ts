import multipart from '@fastify/multipart';
import helmet from 'helmet';
import { INestApplicationContext, Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest, RawServerDefault } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { Logger } from 'nestjs-pino';
import { Env } from '@/config/env';
import { completeResponses, ProblemSchema } from '@/common/errors/api-errors';
import { DomainError, TooDeeplyNestedError } from '@/common/errors/domain-error';
import {
  acceptsSomethingWeProduce,
  answerClientError,
  BodyNotAllowedError,
  hasBody,
  MethodNotAllowedError,
  NotAcceptableError,
  RouteMethods,
} from '@/common/errors/http-edge';
import { sendProblem } from '@/common/errors/problem.filter';
import { newId } from '@/common/ids';
import { exceedsJsonDepth, MAX_JSON_DEPTH } from '@/common/json-depth';
import { createValidationPipe } from '@/common/validation';
import { MetricsService } from '@/infrastructure/metrics/metrics';
import { AppModule, AppOptions } from './app.module';

export const API_PREFIX = 'api/v1';
/** The routes that take multipart/form-data (file uploads). */
const MULTIPART_ROUTES = new Set([`/${API_PREFIX}/live/sessions/:id/external-orders`]);

/** Set when a shutdown begins: answers then ask keep-alive clients to close, so the server can stop. */
export const lifecycle = { closing: false };
const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/** Why no route of this service can answer the request, if none can (checked before any handler runs). */
function refuseUnanswerable(req: FastifyRequest, routes: RouteMethods): Error | undefined {
  if (req.is404) {
    const allowed = routes.allowed(req.url.split('?')[0]);
    return allowed.length && !allowed.includes(req.method)
      ? new MethodNotAllowedError(req.method, allowed)
      : undefined;
  }
  if ((req.method === 'GET' || req.method === 'HEAD') && hasBody(req.headers)) {
    return new BodyNotAllowedError(req.method);
  }
  const accept = req.headers.accept;
  return accept && !acceptsSomethingWeProduce(accept) ? new NotAcceptableError() : undefined;
}

/** Builds the HTTP application (api or all role) without listening; tests and main share it. */
export async function createHttpApp(options: AppOptions): Promise<NestFastifyApplication> {
  const { env } = options;
  const adapter = new FastifyAdapter({
    bodyLimit: env.BODY_LIMIT_BYTES,
    trustProxy: true,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    genReqId: (req: IncomingMessage) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : newId();
      // pino-http reuses it, so the log lines and the answer carry the same id.
      (req as { id?: string }).id = id;
      return id;
    },
    // Refusals before routing (a bad percent-escape, an over-long path parameter) are problems like any other.
    frameworkErrors: (error: unknown, req: FastifyRequest, reply: FastifyReply) =>
      sendProblem(reply, req, error),
    // So are the requests Node's parser refuses (a header block too large, a bad Content-Length).
    clientErrorHandler: answerClientError,
  });
  const fastify = adapter.getInstance();
  // JSON only: anything else (text, forms, multipart) is 415 rather than a body that fails validation.
  fastify.removeContentTypeParser('text/plain');
  const routes = new RouteMethods();
  fastify.addHook('onRoute', (route) => routes.add(route.method, route.url ?? route.path));

  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(options), adapter, {
    bufferLogs: true,
    abortOnError: false,
    // Payment notifications are verified against the exact bytes the provider signed.
    rawBody: true,
  });
  app.useLogger(app.get(Logger));
  app.flushLogs();
  // The one body parser. Registering it here also keeps Nest from adding its urlencoded one. Nesting is
  // counted before JSON.parse, since the parser, class-transformer and class-validator all recurse per
  // level; Nest still keeps the exact bytes in req.rawBody (rawBody: true above).
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  app.useBodyParser<RawServerDefault>(
    'application/json',
    { bodyLimit: env.BODY_LIMIT_BYTES },
    (req, body, done) => {
      if (exceedsJsonDepth(body, MAX_JSON_DEPTH)) {
        done(new TooDeeplyNestedError(MAX_JSON_DEPTH), undefined);
        return;
      }
      // Typed for strings, but secure-json-parse takes the Buffer as it is (as Nest's own parser passes it).
      void parseJson(req, body as unknown as string, done);
    },
  );
  app.setGlobalPrefix(API_PREFIX, {
    exclude: ['health', 'health/ready', 'metrics', 'k/:code', 'l/:id', 'h/:id', 'p'],
  });
  app.useGlobalPipes(createValidationPipe());

  const metrics = app.get(MetricsService);
  // After routing and body parsing, before any handler: what no route could answer is refused here, so
  // that it is logged like every other answer. A callback hook: this runs on every request.
  fastify.addHook('preHandler', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const refusal = refuseUnanswerable(req, routes);
    if (refusal) {
      sendProblem(reply, req, refusal);
      return;
    }
    done();
  });
  fastify.addHook('onSend', async (req: FastifyRequest, reply: FastifyReply) => {
    void reply.header('x-request-id', req.id);
    if (lifecycle.closing) {
      void reply.header('connection', 'close');
    }
  });
  fastify.addHook('onResponse', async (req: FastifyRequest, reply: FastifyReply) => {
    metrics.httpDuration.observe(
      { method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  // Files are uploaded to these routes only (a platform's order export); anywhere else a form body stays 415.
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fileSize: env.UPLOAD_LIMIT_BYTES, files: 1, fields: 10, parts: 12 },
  });
  fastify.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const type = req.headers['content-type'];
    if (type?.toLowerCase().startsWith('multipart/') && !MULTIPART_ROUTES.has(req.routeOptions.url ?? '')) {
      sendProblem(
        reply,
        req,
        new DomainError(
          415,
          'unsupported-media-type',
          'Unsupported media type',
          'Send the body as application/json.',
        ),
      );
      return;
    }
    done();
  });

  // The security headers, built once: @fastify/helmet builds helmet's middleware again on every request
  // (its parsing of the CSP directives showed in the livestream benchmark's profile), this applies one.
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", "'unsafe-inline'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
      },
    },
  });
  fastify.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) =>
    securityHeaders(req.raw, reply.raw, (err?: unknown) => done(err as Error | undefined)),
  );

  const doc = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Consumption-support commerce API')
      .setDescription(
        'Every sale of a poverty-alleviation product, traced fen by fen to household income. ' +
          'Money is integer fen (…Fen), errors are application/problem+json with a stable `code`.',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
    { extraModels: [ProblemSchema] },
  );
  // Each operation's problem responses: its declared errors and the generic ones its route can answer.
  completeResponses(doc, app, { unthrottled: (path) => !path.startsWith(`/${API_PREFIX}/`) });
  SwaggerModule.setup('docs', app, doc, { jsonDocumentUrl: 'docs/openapi.json' });
  return app;
}

/** Builds the worker role: every module, job processors on, no HTTP server. */
export async function createWorkerContext(options: AppOptions): Promise<INestApplicationContext> {
  const ctx = await NestFactory.createApplicationContext(AppModule.forRoot(options), { bufferLogs: true });
  ctx.useLogger(ctx.get(Logger));
  ctx.flushLogs();
  return ctx;
}

export function describeListening(env: Env): string {
  return `listening on http://${env.HOST}:${env.PORT} (API /${API_PREFIX}, docs /docs, health /health, metrics /metrics)`;
}

export const bootLogger = new NestLogger('Boot');
