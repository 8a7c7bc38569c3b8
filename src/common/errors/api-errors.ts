import { applyDecorators, INestApplicationContext } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants';
import { STATUS_CODES } from 'node:http';
import { ModulesContainer } from '@nestjs/core';
import {
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  ApiSchema,
  getSchemaPath,
  OpenAPIObject,
} from '@nestjs/swagger';
import type {
  OperationObject,
  ParameterObject,
  ReferenceObject,
  ResponseObject,
  SchemaObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { PUBLIC_KEY } from '@/common/auth/decorators';
import { BodyNotAllowedError, NotAcceptableError } from './http-edge';
import {
  ForbiddenError,
  TooDeeplyNestedError,
  TooManyRequestsError,
  UnauthenticatedError,
  ValidationFailedError,
} from './domain-error';
import { EDGE_ERRORS, errorCatalog, ErrorSpec } from './error-catalog';

export const PROBLEM_MEDIA_TYPE = 'application/problem+json';
const API_ERRORS = 'cs:api-errors';
// @nestjs/throttler's SkipThrottle() key for the `default` throttler (not exported by the package).
const SKIP_DEFAULT_THROTTLE = 'THROTTLER:SKIPdefault';

@ApiSchema({ name: 'ProblemFieldError' })
export class ProblemFieldErrorSchema {
  @ApiProperty({ example: 'lines[0].quantity' })
  field: string;

  @ApiProperty({ example: 'lines[0].quantity must not be less than 1' })
  message: string;
}

/** RFC 9457 problem details as every error of this service is answered. */
@ApiSchema({ name: 'Problem', description: 'RFC 9457 problem details (application/problem+json)' })
export class ProblemSchema {
  @ApiProperty({ format: 'uri', example: 'https://consumption-support.dev/problems/out-of-stock' })
  type: string;

  @ApiProperty({ example: 'Out of stock' })
  title: string;

  @ApiProperty({ type: 'integer', minimum: 400, maximum: 599, example: 409 })
  status: number;

  @ApiPropertyOptional({ example: 'Not enough of “腊肉” in stock for line 1.' })
  detail?: string;

  @ApiProperty({
    description: 'Stable and machine-readable; each operation lists the codes it answers with',
    example: 'out-of-stock',
  })
  code: string;

  @ApiPropertyOptional({ description: 'The path of the request', example: '/api/v1/orders' })
  instance?: string;

  @ApiPropertyOptional({ description: 'Also in the X-Request-Id header and the logs' })
  requestId?: string;

  @ApiPropertyOptional({
    type: [ProblemFieldErrorSchema],
    description: 'On validation failures: one message per field',
  })
  errors?: ProblemFieldErrorSchema[];
}

/** The codes of each status; a code named by several errors (`forbidden` for two scope checks) says each case. */
function byStatus(errors: readonly ErrorSpec[]): Map<number, ErrorSpec[]> {
  const groups = new Map<number, ErrorSpec[]>();
  for (const e of errors) {
    const group = groups.get(e.status) ?? [];
    const i = group.findIndex((g) => g.code === e.code);
    if (i < 0) {
      group.push({ status: e.status, code: e.code, title: e.title, description: e.description });
    } else if (!group[i].description.includes(e.description)) {
      group[i] = { ...group[i], description: `${group[i].description} Or: ${e.description}` };
    }
    groups.set(e.status, group);
  }
  return groups;
}

/** One problem response: the codes as an enum of the schema and, with when each happens, in the description. */
export function problemResponse(specs: readonly ErrorSpec[]): ResponseObject {
  const codes = specs.map((s) => s.code);
  return {
    description: specs.map((s) => `\`${s.code}\` (${s.title}): ${s.description}`).join('\n\n'),
    content: {
      [PROBLEM_MEDIA_TYPE]: {
        schema: {
          allOf: [
            { $ref: getSchemaPath(ProblemSchema) },
            {
              type: 'object',
              required: ['code', 'status'],
              properties: {
                code: { type: 'string', enum: codes },
                status: { type: 'integer', enum: [specs[0].status] },
              },
            },
          ],
        },
      },
    },
  };
}

/**
 * The expected outcomes an operation answers with besides success, each a typed error class (or spec):
 * `@ApiErrors(OutOfStockError, ProductNotCertifiedError)`. One problem response per status lists its codes.
 * The generic ones (validation, authentication, roles, rate limit) are added to every operation that can
 * answer them when the document is built (completeResponses), so they need not be named here.
 */
export function ApiErrors(...errors: ErrorSpec[]): MethodDecorator {
  return (target, key, descriptor) => {
    const handler = descriptor.value as object;
    const declared = (Reflect.getMetadata(API_ERRORS, handler) as ErrorSpec[] | undefined) ?? [];
    Reflect.defineMetadata(API_ERRORS, [...declared, ...errors], handler);
    const responses = [...byStatus(errors)].map(([status, specs]) =>
      ApiResponse({ status, ...problemResponse(specs) }),
    );
    applyDecorators(ApiExtraModels(ProblemSchema), ...responses)(target, key, descriptor);
  };
}

interface HandlerFacts {
  isPublic: boolean;
  skipsThrottle: boolean;
  declared: ErrorSpec[];
}

/** What the route decorators say about each handler, by the operationId Nest's document gives it. */
function handlerFacts(app: INestApplicationContext): Map<string, HandlerFacts> {
  const facts = new Map<string, HandlerFacts>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (!controller) {
        continue;
      }
      const proto = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(proto)) {
        const handler = proto[name];
        if (name === 'constructor' || typeof handler !== 'function') {
          continue;
        }
        if (Reflect.getMetadata(PATH_METADATA, handler) === undefined) {
          continue;
        }
        const meta = (k: string) =>
          (Reflect.getMetadata(k, handler) as unknown) ?? (Reflect.getMetadata(k, controller) as unknown);
        facts.set(`${controller.name}_${name}`, {
          isPublic: meta(PUBLIC_KEY) === true,
          skipsThrottle: meta(SKIP_DEFAULT_THROTTLE) === true,
          declared: (Reflect.getMetadata(API_ERRORS, handler) as ErrorSpec[] | undefined) ?? [],
        });
      }
    }
  }
  return facts;
}

const isReference = (x: unknown): x is ReferenceObject => typeof x === 'object' && x !== null && '$ref' in x;

/** Whether the value of a parameter is checked (so a bad one is a 400), as its schema says. */
function isValidated(p: ParameterObject): boolean {
  const s = p.schema;
  if (!s || isReference(s)) {
    return true;
  }
  const checked: (keyof SchemaObject)[] = [
    'format',
    'pattern',
    'enum',
    'minimum',
    'maximum',
    'minLength',
    'maxLength',
  ];
  return s.type !== 'string' || checked.some((k) => s[k] !== undefined);
}

/** The generic problems an operation can answer, from the shape of the operation and its route's facts. */
function genericErrors(method: string, op: OperationObject, facts: HandlerFacts, throttled: boolean) {
  const errors: ErrorSpec[] = [];
  const params = (op.parameters ?? []).filter((p): p is ParameterObject => !isReference(p));
  if (op.requestBody) {
    errors.push(
      ValidationFailedError,
      EDGE_ERRORS.malformedJson,
      TooDeeplyNestedError,
      EDGE_ERRORS.payloadTooLarge,
      EDGE_ERRORS.unsupportedMediaType,
    );
  }
  if (params.some((p) => p.in === 'query' || (p.in === 'path' && isValidated(p)))) {
    errors.push(ValidationFailedError);
  }
  if (method === 'get' || method === 'head') {
    errors.push(BodyNotAllowedError);
  }
  if (!facts.isPublic) {
    errors.push(UnauthenticatedError, ForbiddenError);
  }
  errors.push(NotAcceptableError);
  if (throttled) {
    errors.push(TooManyRequestsError);
  }
  return errors;
}

export interface CompleteResponsesOptions {
  /** Paths the rate limiter never counts (the throttler guard skips them). */
  unthrottled: (path: string) => boolean;
}

/**
 * Completes the document's responses: for each operation, its declared errors (@ApiErrors) and the generic
 * ones it can answer, one problem response per status with the codes listed, and a description on every
 * success; and the catalog of every code in the document's description.
 */
export function completeResponses(
  document: OpenAPIObject,
  app: INestApplicationContext,
  options: CompleteResponsesOptions,
): void {
  const facts = handlerFacts(app);
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const) {
      const op = item[method];
      if (!op) {
        continue;
      }
      const route = (op.operationId && facts.get(op.operationId)) || {
        isPublic: false,
        skipsThrottle: false,
        declared: [],
      };
      const throttled = !route.skipsThrottle && !options.unthrottled(path);
      const errors = [...route.declared, ...genericErrors(method, op, route, throttled)];
      const responses = op.responses;
      for (const [status, r] of Object.entries(responses)) {
        if (!(r as ResponseObject).description) {
          (r as ResponseObject).description = STATUS_CODES[status] ?? status;
        }
      }
      for (const [status, specs] of byStatus(errors)) {
        const existing = responses[status] as ResponseObject | undefined;
        const problem = problemResponse(specs);
        // A status that also answers a body of its own (health's 503) keeps it next to the problem.
        const own = Object.entries(existing?.content ?? {}).filter(([m]) => m !== PROBLEM_MEDIA_TYPE);
        responses[status] = own.length
          ? {
              description: `${existing!.description}\n\n${problem.description}`,
              content: { ...Object.fromEntries(own), ...problem.content },
            }
          : problem;
      }
    }
  }
  document.info.description = `${document.info.description ?? ''}\n\n${catalogTable()}`;
}

/** Every code this service answers with, as a Markdown table. */
function catalogTable(): string {
  const rows = errorCatalog().map(
    (e) => `| ${e.status} | \`${e.code}\` | ${e.title} | ${e.description.replace(/\|/g, '\\|')} |`,
  );
  return ['## Error codes', '', '| status | code | title | when |', '|---|---|---|---|', ...rows].join('\n');
}
