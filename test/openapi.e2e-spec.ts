import { INTERCEPTORS_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { PUBLIC_KEY } from '@/common/auth/decorators';
import { findError } from '@/common/errors/error-catalog';
import { IdempotencyInterceptor } from '@/common/idempotency/idempotency.interceptor';
import { startTestApp, TestApp } from './support/test-app';

/**
 * The OpenAPI document is complete enough for a client generator: every operation has a summary, a typed
 * success response, its error responses with their codes, its path parameters, and (where the route takes
 * one) the Idempotency-Key header; every schema has its properties. A TypeScript client generated from it
 * with openapi-typescript compiles, and its types say what the API answers.
 */

type Schema = {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  enum?: unknown[];
};
type Parameter = { name: string; in: string; required?: boolean; schema?: Schema };
type Response = { description: string; content?: Record<string, { schema?: Schema }> };
type Operation = {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema?: Schema }> };
  responses: Record<string, Response>;
};
type Document = {
  openapi: string;
  info: { description?: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const PROBLEM = 'application/problem+json';

describe('the OpenAPI document', () => {
  let t: TestApp;
  let doc: Document;
  let ops: { key: string; path: string; method: string; op: Operation }[];
  /** What the route decorators say about each handler, by the operationId Nest gives it. */
  const handlers = new Map<string, { isPublic: boolean; idempotent: boolean; skipsThrottle: boolean }>();

  beforeAll(async () => {
    t = await startTestApp('openapi');
    const res = await t.http().get('/docs/openapi.json');
    expect(res.status).toBe(200);
    doc = res.body as Document;
    ops = Object.entries(doc.paths).flatMap(([path, item]) =>
      METHODS.filter((m) => item[m]).map((method) => ({
        key: `${method.toUpperCase()} ${path}`,
        path,
        method,
        op: item[method],
      })),
    );
    for (const module of t.app.get(ModulesContainer).values()) {
      for (const wrapper of module.controllers.values()) {
        const controller = wrapper.metatype as { name: string; prototype: Record<string, unknown> };
        for (const name of Object.getOwnPropertyNames(controller.prototype)) {
          const handler = controller.prototype[name];
          if (typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined) {
            continue;
          }
          const interceptors = (Reflect.getMetadata(INTERCEPTORS_METADATA, handler) ?? []) as unknown[];
          handlers.set(`${controller.name}_${name}`, {
            isPublic: Reflect.getMetadata(PUBLIC_KEY, handler) === true,
            idempotent: interceptors.includes(IdempotencyInterceptor),
            // @SkipThrottle() for the default throttler.
            skipsThrottle: Reflect.getMetadata('THROTTLER:SKIPdefault', handler) === true,
          });
        }
      }
    }
  });
  afterAll(() => t.close());

  const resolve = (s: Schema): Schema => {
    if (!s.$ref) {
      return s;
    }
    const name = s.$ref.replace('#/components/schemas/', '');
    const target = doc.components.schemas[name];
    if (!target) {
      throw new Error(`${s.$ref} points at no schema`);
    }
    return target;
  };

  /** Why a schema says nothing about its shape (a bare object, an empty schema), or undefined when it does. */
  const untyped = (s: Schema | undefined, where: string): string | undefined => {
    if (!s || Object.keys(s).length === 0) {
      return `${where}: no schema`;
    }
    const r = resolve(s);
    if (r.allOf || r.oneOf || r.anyOf) {
      return [...(r.allOf ?? []), ...(r.oneOf ?? []), ...(r.anyOf ?? [])]
        .map((x, i) => untyped(x, `${where}[${i}]`))
        .find(Boolean);
    }
    if (r.type === 'array') {
      return untyped(r.items, `${where}.items`);
    }
    if (r.type === 'object' || r.properties) {
      const hasShape =
        Object.keys(r.properties ?? {}).length > 0 || typeof r.additionalProperties === 'object';
      return hasShape ? undefined : `${where}: an object without properties`;
    }
    return r.type || r.enum ? undefined : `${where}: no type`;
  };

  it('gives every operation a summary, a tag and an operationId', () => {
    expect(ops.length).toBeGreaterThan(40);
    const missing = ops.filter((o) => !o.op.summary?.trim() || !o.op.tags?.length || !o.op.operationId);
    expect(missing.map((o) => o.key)).toEqual([]);
  });

  it('types every success response with a real schema (202 and 204 may have no body)', () => {
    const problems: string[] = [];
    for (const { key, op } of ops) {
      const success = Object.entries(op.responses).filter(([s]) => /^2\d\d$/.test(s));
      if (success.length === 0) {
        problems.push(`${key}: no 2xx response`);
      }
      for (const [status, r] of success) {
        if (!r.content) {
          if (status !== '202' && status !== '204') {
            problems.push(`${key} ${status}: no content`);
          }
          continue;
        }
        for (const [media, c] of Object.entries(r.content)) {
          const where = `${key} ${status} ${media}`;
          const why = untyped(c.schema, where);
          if (why) {
            problems.push(why);
          } else if (
            media.includes('json') &&
            !['array', 'object'].includes(resolve(c.schema!).type ?? 'object')
          ) {
            // A JSON answer is an object or a list; CSV or an image may be a plain string.
            problems.push(`${where}: neither an object nor an array`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('types every request body and every schema with its properties', () => {
    const problems: string[] = [];
    for (const { key, op } of ops) {
      for (const [media, c] of Object.entries(op.requestBody?.content ?? {})) {
        const why = untyped(c.schema, `${key} body ${media}`);
        if (why) {
          problems.push(why);
        }
      }
    }
    for (const [name, s] of Object.entries(doc.components.schemas)) {
      const why = untyped(s, name);
      if (why) {
        problems.push(why);
      }
      for (const [prop, p] of Object.entries(s.properties ?? {})) {
        const whyProp = untyped(p, `${name}.${prop}`);
        if (whyProp) {
          problems.push(whyProp);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('lists the error codes of every operation, each a listed code of its status', () => {
    const problems: string[] = [];
    for (const { key, op } of ops) {
      const errors = Object.entries(op.responses).filter(([s]) => /^[45]\d\d$/.test(s));
      if (!errors.some(([s]) => s.startsWith('4'))) {
        problems.push(`${key}: no 4xx response`);
      }
      for (const [status, r] of errors) {
        const schema = r.content?.[PROBLEM]?.schema;
        if (!schema) {
          // Health answers its own body with 503; everything else is a problem.
          if (!(status === '503' && r.content?.['application/json'])) {
            problems.push(`${key} ${status}: no ${PROBLEM} content`);
          }
          continue;
        }
        const codes = (schema.allOf ?? []).flatMap((s) => (s.properties?.code?.enum as string[]) ?? []);
        if (codes.length === 0) {
          problems.push(`${key} ${status}: no code enum`);
        }
        if (!schema.allOf?.some((s) => s.$ref === '#/components/schemas/Problem')) {
          problems.push(`${key} ${status}: not a Problem`);
        }
        for (const code of codes) {
          if (findError(code)?.status !== Number(status)) {
            problems.push(`${key} ${status}: ${code} is not a listed ${status} code`);
          }
          if (!r.description.includes(`\`${code}\``)) {
            problems.push(`${key} ${status}: the description does not explain ${code}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
    expect(doc.components.schemas.Problem.properties).toEqual(
      expect.objectContaining({
        type: expect.anything(),
        code: expect.anything(),
        status: expect.anything(),
      }),
    );
  });

  const codesOf = (op: Operation, status: number): string[] =>
    (op.responses[String(status)]?.content?.[PROBLEM]?.schema?.allOf ?? []).flatMap(
      (s) => (s.properties?.code?.enum as string[]) ?? [],
    );

  it('adds the generic errors: 400 on input, 401 and 403 behind a token, 429 on the rate-limited API', () => {
    const problems: string[] = [];
    for (const { key, path, op } of ops) {
      const route = handlers.get(op.operationId ?? '');
      if (!route) {
        problems.push(`${key}: no handler for operationId ${op.operationId}`);
        continue;
      }
      const want = (status: number, code: string) => {
        if (!codesOf(op, status).includes(code)) {
          problems.push(`${key}: no ${status} ${code}`);
        }
      };
      if (op.requestBody || op.parameters?.some((p) => p.in === 'query')) {
        want(400, 'validation-failed');
      }
      if (op.requestBody) {
        want(400, 'malformed-json');
        want(415, 'unsupported-media-type');
      }
      if (route.isPublic === Boolean(op.security?.length)) {
        problems.push(
          `${key}: ${route.isPublic ? 'public but asks for' : 'needs but declares no'} bearer auth`,
        );
      }
      if (!route.isPublic) {
        want(401, 'unauthenticated');
        want(403, 'forbidden');
      } else if (codesOf(op, 401).includes('unauthenticated')) {
        problems.push(`${key}: public but answers 401 unauthenticated`);
      }
      // The rate limiter counts the API, except routes that skip it (provider notifications).
      if (path.startsWith('/api/v1/') && !route.skipsThrottle) {
        want(429, 'too-many-requests');
      }
    }
    expect(problems).toEqual([]);
  });

  it('declares every path parameter of every path', () => {
    const problems: string[] = [];
    for (const { key, path, op } of ops) {
      const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      const declared = (op.parameters ?? []).filter((p) => p.in === 'path');
      const names = declared.map((p) => p.name).sort();
      if (JSON.stringify(inPath) !== JSON.stringify(names)) {
        problems.push(`${key}: path has {${inPath.join(',')}}, declares ${names.join(',') || 'none'}`);
      }
      for (const p of declared) {
        if (!p.required || !p.schema?.type) {
          problems.push(`${key}: path parameter ${p.name} is not required or has no type`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('documents Idempotency-Key on exactly the @Idempotent() routes, with its errors', () => {
    const problems: string[] = [];
    let idempotent = 0;
    for (const { key, op } of ops) {
      const route = handlers.get(op.operationId ?? '');
      const header = op.parameters?.find((p) => p.in === 'header' && p.name === 'Idempotency-Key');
      if (route?.idempotent) {
        idempotent++;
        if (!header || header.required || header.schema?.type !== 'string') {
          problems.push(`${key}: no optional string Idempotency-Key header`);
        }
        for (const [status, code] of [
          [400, 'invalid-idempotency-key'],
          [409, 'idempotency-key-in-progress'],
          [422, 'idempotency-key-reused'],
        ] as const) {
          if (!codesOf(op, status).includes(code)) {
            problems.push(`${key}: no ${status} ${code}`);
          }
        }
      } else if (header) {
        problems.push(`${key}: documents Idempotency-Key but does not take one`);
      }
    }
    expect(problems).toEqual([]);
    expect(idempotent).toBeGreaterThan(15);
  });

  it('lists the contract’s own codes where API.md puts them', () => {
    const op = (method: string, path: string) => doc.paths[`/api/v1${path}`][method];
    expect(codesOf(op('post', '/orders'), 409)).toContain('out-of-stock');
    expect(codesOf(op('post', '/orders'), 422)).toContain('product-not-certified');
    expect(codesOf(op('post', '/auth/login'), 401)).toContain('invalid-credentials');
    expect(codesOf(op('post', '/auth/otp/request'), 429)).toContain('too-many-requests');
    expect(codesOf(op('post', '/auth/otp/verify'), 401)).toContain('invalid-code');
    expect(codesOf(op('post', '/products/{id}/lots'), 400)).toContain('sources-mismatch');
    expect(codesOf(op('post', '/households'), 409)).toContain('household-exists');
    expect(codesOf(op('post', '/orders/{id}/refunds'), 422)).toContain('refund-exceeds-payment');
    expect(codesOf(op('get', '/orders/{id}'), 404)).toContain('order-not-found');
    // Every code in the catalog is listed in the document's description.
    for (const code of ['out-of-stock', 'malformed-json', 'idempotency-key-reused', 'internal-error']) {
      expect(doc.info.description).toContain(`\`${code}\``);
    }
  });

  it('generates a TypeScript client that compiles and says what the API answers', () => {
    const dir = mkdtempSync(join(tmpdir(), 'openapi-client-'));
    try {
      writeFileSync(join(dir, 'openapi.json'), JSON.stringify(doc));
      // In a plain Node process: openapi-typescript and some of its dependencies are ES modules, which
      // Jest's CommonJS sandbox cannot load.
      const script = `
        const { readFileSync, writeFileSync } = require('node:fs');
        (async () => {
          const { default: openapiTS, astToString } = await import('openapi-typescript').catch(() =>
            require('openapi-typescript'),
          );
          const ast = await openapiTS(JSON.parse(readFileSync(process.argv[1], 'utf8')));
          writeFileSync(process.argv[2], astToString(ast));
        })().catch((e) => {
          console.error(e.code === 'MODULE_NOT_FOUND' ? 'openapi-typescript@7 is not installed (a devDependency)' : e);
          process.exit(1);
        });`;
      execFileSync(process.execPath, ['-e', script, join(dir, 'openapi.json'), join(dir, 'api.ts')], {
        cwd: join(__dirname, '..'),
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      writeFileSync(
        join(dir, 'use.ts'),
        `
        import type { components, paths } from './api';

        type CreateOrder = paths['/api/v1/orders']['post'];
        type CreatedOrder = CreateOrder['responses']['201']['content']['application/json'];
        export const totalFen: number = ({} as CreatedOrder)['totalFen'];
        export const status: CreatedOrder['status'] = 'PENDING_PAYMENT';
        export const body: CreateOrder['requestBody'] extends { content: { 'application/json': infer B } } | undefined
          ? B
          : never = { lines: [{ productId: 'p1', quantity: 2 }] };
        export const key: NonNullable<CreateOrder['parameters']['header']> = { 'Idempotency-Key': 'k-1' };
        type OutOfStock = CreateOrder['responses']['409']['content']['application/problem+json'];
        export const code: OutOfStock['code'] = 'out-of-stock';
        // @ts-expect-error a code this operation never answers
        export const notACode: OutOfStock['code'] = 'no-such-code';

        type Households = paths['/api/v1/households']['get'];
        type HouseholdPage = Households['responses']['200']['content']['application/json'];
        export const cursor: HouseholdPage['nextCursor'] = null;
        export const first: components['schemas']['HouseholdView'] | undefined = ({} as HouseholdPage).items[0];
        export const poor: components['schemas']['HouseholdView']['status'] = 'POOR';
        export const query: NonNullable<Households['parameters']['query']> = { limit: 10, villageCode: 'v' };
        export const orderPath: paths['/api/v1/orders/{id}']['get']['parameters']['path'] = { id: 'o1' };

        type Income = paths['/api/v1/households/{id}/income']['get']['responses']['200']['content']['application/json'];
        export const saleFen: number = ({} as Income).bySource.SALE;
        type Login = paths['/api/v1/auth/login']['post']['responses']['200']['content']['application/json'];
        export const token: string = ({} as Login).accessToken;
        `,
      );
      const program = ts.createProgram([join(dir, 'use.ts')], {
        strict: true,
        noEmit: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.CommonJS,
        types: [],
      });
      const diagnostics = ts
        .getPreEmitDiagnostics(program)
        .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      expect(diagnostics).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
