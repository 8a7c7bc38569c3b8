import {
  applyDecorators,
  CallHandler,
  ExecutionContext,
  HttpStatus,
  Inject,
  Injectable,
  NestInterceptor,
  UseInterceptors,
} from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { ApiHeader } from '@nestjs/swagger';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, Observable, of, switchMap, catchError, throwError } from 'rxjs';
import { LessThan, Repository } from 'typeorm';
import { Env, ENV } from '@/config/env';
import { AuthUser } from '@/common/auth/role';
import { ApiErrors } from '@/common/errors/api-errors';
import { DomainError, TooDeeplyNestedError } from '@/common/errors/domain-error';
import { newId } from '@/common/ids';
import { isDuplicateKey } from '@/common/errors/db-errors';
import { MAX_JSON_DEPTH } from '@/common/json-depth';
import { IDEMPOTENCY_ERRORS } from './errors';
import { IdempotencyKeyEntity } from './idempotency-key.entity';

/** A PENDING key older than this belongs to an attempt that died; a retry may take it over. */
const STALE_PENDING_MS = 60_000;

/**
 * The body with keys sorted at every level, for the request hash. Bodies deeper than MAX_JSON_DEPTH were
 * refused by the JSON parser already; the guard keeps this recursion safe whatever reaches it.
 */
export function canonical(value: unknown, depth = 0): string {
  if (value && typeof value === 'object' && depth >= MAX_JSON_DEPTH) {
    throw new TooDeeplyNestedError(MAX_JSON_DEPTH);
  }
  if (Buffer.isBuffer(value)) {
    // An uploaded file (multipart): its digest stands for it.
    return JSON.stringify(`sha256:${createHash('sha256').update(value).digest('hex')}`);
  }
  if (Array.isArray(value)) {
    return `[${value.map((v) => canonical(v, depth + 1)).join(',')}]`;
  }
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k], depth + 1)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * `Idempotency-Key` on a POST: the first answer is stored and replayed for repeats with the same body
 * (for IDEMPOTENCY_TTL_HOURS); the same key with another body is 422 `idempotency-key-reused`; a repeat
 * while the first is still running is 409 `idempotency-key-in-progress`. Keys are per signed-in caller.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    @InjectRepository(IdempotencyKeyEntity) private readonly repo: Repository<IdempotencyKeyEntity>,
    @Inject(ENV) private readonly env: Env,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const req = http.getRequest<FastifyRequest & { user?: AuthUser }>();
    const header = req.headers['idempotency-key'];
    // Keys belong to a signed-in caller; anonymous calls (logins) are not stored, so no token is ever kept.
    if (req.method !== 'POST' || header === undefined || !req.user) {
      return next.handle();
    }
    const key = Array.isArray(header) ? header[0] : header;
    if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
      throw new DomainError(
        400,
        'invalid-idempotency-key',
        'Invalid Idempotency-Key',
        'Use 1 to 255 visible ASCII characters.',
      );
    }
    const scope = req.user.id;
    const hash = createHash('sha256')
      .update(`${req.method} ${req.url.split('?')[0]}\n${canonical(req.body ?? null)}`)
      .digest('hex');
    const status =
      (Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler()) as number | undefined) ??
      HttpStatus.CREATED;
    const reply = http.getResponse<FastifyReply>();

    return from(this.claim(scope, key, hash)).pipe(
      switchMap((claim) => {
        if (claim.replay) {
          void reply.status(claim.replay.statusCode ?? status).header('Idempotent-Replayed', 'true');
          return of(claim.replay.responseBody === null ? undefined : JSON.parse(claim.replay.responseBody));
        }
        return next.handle().pipe(
          switchMap((body: unknown) =>
            from(
              this.repo.update(
                { id: claim.id },
                {
                  state: 'DONE',
                  statusCode: status,
                  responseBody: body === undefined ? null : JSON.stringify(body),
                },
              ),
            ).pipe(switchMap(() => of(body))),
          ),
          // A failed first attempt frees the key so the client can retry it.
          catchError((e: unknown) =>
            from(this.repo.delete({ id: claim.id })).pipe(switchMap(() => throwError(() => e))),
          ),
        );
      }),
    );
  }

  private async claim(
    scope: string,
    key: string,
    hash: string,
  ): Promise<{ id: string; replay?: undefined } | { id?: undefined; replay: IdempotencyKeyEntity }> {
    const expiresAt = new Date(Date.now() + this.env.IDEMPOTENCY_TTL_HOURS * 3600_000);
    for (let i = 0; i < 3; i++) {
      const existing = await this.repo.findOne({ where: { scope, key } });
      if (existing && existing.expiresAt.getTime() <= Date.now()) {
        await this.repo.delete({ id: existing.id, expiresAt: LessThan(new Date()) });
      } else if (
        existing &&
        existing.state !== 'DONE' &&
        Date.now() - existing.createdAt.getTime() > STALE_PENDING_MS
      ) {
        // The first attempt died mid-way (a crashed process): let this one take the key over.
        await this.repo.delete({ id: existing.id, state: 'PENDING' });
        continue;
      } else if (existing) {
        if (existing.requestHash !== hash) {
          throw new DomainError(
            422,
            'idempotency-key-reused',
            'Idempotency key reused',
            'This Idempotency-Key was already used with a different request.',
          );
        }
        if (existing.state !== 'DONE') {
          throw new DomainError(
            409,
            'idempotency-key-in-progress',
            'Request in progress',
            'The first request with this key is still running.',
          );
        }
        return { replay: existing };
      }
      const id = newId();
      try {
        await this.repo.insert({ id, scope, key, requestHash: hash, state: 'PENDING', expiresAt });
        return { id };
      } catch (e) {
        if (!isDuplicateKey(e)) {
          throw e;
        }
      }
    }
    throw new DomainError(
      409,
      'idempotency-key-in-progress',
      'Request in progress',
      'The first request with this key is still running.',
    );
  }
}

/**
 * Accept an `Idempotency-Key` on this POST. Applied per route rather than globally: an interceptor costs
 * every request that passes it (Nest wraps each call in observables and async resources), and only the
 * signed-in POSTs that create or change something take a key.
 */
export const Idempotent = () =>
  applyDecorators(
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        'A key of your choosing (a ULID or UUID per attempt): a repeat with the same key and body answers the ' +
        'first response again (with `Idempotent-Replayed: true`) instead of acting twice.',
      schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
      example: '01J9ZQ4T8Y6W3S7B2C5D0E1F2G',
    }),
    ApiErrors(IDEMPOTENCY_ERRORS.invalidKey, IDEMPOTENCY_ERRORS.keyInProgress, IDEMPOTENCY_ERRORS.keyReused),
  );
