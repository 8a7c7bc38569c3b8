import type { DataSource } from 'typeorm';
import { request } from 'undici';

/**
 * A fuzzer driven by the OpenAPI document: for every operation it derives, from what the document declares
 * (path, query and header parameters, the request body schema with its $refs resolved), inputs that are
 * invalid by construction, so that the only right answer is a problem+json 4xx.
 */

// ---------------------------------------------------------------- the document

export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  example?: unknown;
  default?: unknown;
  nullable?: boolean;
}

interface ParameterObject {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}

interface OperationObject {
  tags?: string[];
  parameters?: ParameterObject[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
  security?: Record<string, string[]>[];
  'x-roles'?: string[];
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OperationObject>>;
  components?: { schemas?: Record<string, Schema> };
  security?: Record<string, string[]>[];
}

export interface Param {
  name: string;
  required: boolean;
  schema: Schema;
}

export interface FuzzOperation {
  /** `POST /api/v1/orders`, as the document spells it. */
  key: string;
  method: string;
  path: string;
  tags: string[];
  /** The document asks for a bearer token (operation security, else the document's). */
  secured: boolean;
  /** The `x-roles` extension, when the document has one. */
  roles?: string[];
  pathParams: Param[];
  query: Param[];
  headers: Param[];
  /** The JSON request body's schema, resolved; undefined when the operation declares no body. */
  body?: Schema;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** Resolves `$ref`s (local ones), merges `allOf` and takes the first branch of `oneOf`/`anyOf`. */
export function resolveSchema(doc: OpenApiDocument, schema: Schema | undefined, depth = 0): Schema {
  if (!schema || depth > 12) {
    return {};
  }
  if (schema.$ref) {
    const name = /^#\/components\/schemas\/(.+)$/.exec(schema.$ref)?.[1];
    const target = name ? doc.components?.schemas?.[decodeURIComponent(name)] : undefined;
    const { $ref: _ref, ...rest } = schema;
    return resolveSchema(doc, { ...target, ...rest }, depth + 1);
  }
  if (schema.allOf?.length) {
    const parts = schema.allOf.map((s) => resolveSchema(doc, s, depth + 1));
    const { allOf: _allOf, ...rest } = schema;
    return resolveSchema(
      doc,
      parts.reduce<Schema>(
        (merged, p) => ({
          ...merged,
          ...p,
          properties: { ...merged.properties, ...p.properties },
          required: [...(merged.required ?? []), ...(p.required ?? [])],
        }),
        rest,
      ),
      depth + 1,
    );
  }
  const branch = schema.oneOf?.[0] ?? schema.anyOf?.[0];
  if (branch) {
    const { oneOf: _o, anyOf: _a, ...rest } = schema;
    return resolveSchema(doc, { ...rest, ...resolveSchema(doc, branch, depth + 1) }, depth + 1);
  }
  const out: Schema = { ...schema };
  if (schema.properties) {
    out.properties = Object.fromEntries(
      Object.entries(schema.properties).map(([k, v]) => [k, resolveSchema(doc, v, depth + 1)]),
    );
    if (!out.type) {
      out.type = 'object';
    }
  }
  if (schema.items) {
    out.items = resolveSchema(doc, schema.items, depth + 1);
  }
  return out;
}

/** Every operation the document lists, with its parameters (path ones also from the template) and body. */
export function operationsOf(doc: OpenApiDocument): FuzzOperation[] {
  const out: FuzzOperation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!HTTP_METHODS.includes(method)) {
        continue;
      }
      const declared = (op.parameters ?? []).map((p) => ({
        ...p,
        schema: resolveSchema(doc, p.schema),
      }));
      const of = (where: ParameterObject['in']) =>
        declared
          .filter((p) => p.in === where)
          .map((p) => ({ name: p.name, required: !!p.required, schema: p.schema }));
      // A path parameter the document forgot to declare is still in the template.
      const pathParams = of('path');
      for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) {
        if (!pathParams.some((p) => p.name === name)) {
          pathParams.push({ name, required: true, schema: { type: 'string' } });
        }
      }
      const content = op.requestBody?.content;
      const json = content?.['application/json'] ?? Object.values(content ?? {})[0];
      const security = op.security ?? doc.security ?? [];
      out.push({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        tags: op.tags ?? [],
        secured: security.some((s) => Object.keys(s).length > 0),
        roles: op['x-roles'],
        pathParams,
        query: of('query'),
        headers: of('header'),
        body: op.requestBody ? resolveSchema(doc, json?.schema ?? {}) : undefined,
      });
    }
  }
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

// ---------------------------------------------------------------- the cases

/** A number (or any JSON) written into the body exactly as given: 2^53+1 and 1e400 do not survive JSON.stringify. */
export class RawJson {
  constructor(readonly text: string) {}
}

export function toJson(value: unknown): string {
  if (value instanceof RawJson) {
    return value.text;
  }
  if (Array.isArray(value)) {
    return `[${value.map(toJson).join(',')}]`;
  }
  if (value && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export interface FuzzCase {
  /** What is wrong with this request, e.g. `body.members=1.5` or `path.id=other user's`. */
  label: string;
  /** The request target: path (parameters filled in) and query string. */
  target: string;
  headers: Record<string, string>;
  /** The raw body; with `contentType` when given. */
  body?: string;
  contentType?: string;
}

export interface FuzzContext {
  /** The value of a path parameter that the caller may use, from the segment before it (`/orders/{id}`). */
  own: (segment: string, name: string) => string;
  /** Ids of objects that belong to someone else than the caller (another citizen's order, another supplier). */
  foreign: string[];
  /** Plausible values of body properties by name (`householdId`, `villageCode`), to build a valid-looking base. */
  values: Record<string, unknown>;
  /** A well-formed id that names nothing. */
  unknownId: string;
  /** The server's body limit, to send a body over it. */
  bodyLimitBytes: number;
  /** At most this many cases per operation (the groups take turns, so every input gets some). */
  maxCases: number;
}

const HUGE = 'x'.repeat(10_000);
const HUGE_CJK = '花'.repeat(10_000);

/** Path parameter values no route should take for an id, a code, a date or a name. */
const GARBAGE_PATH: [string, string][] = [
  ['garbage', 'not-an-id'],
  ['zero', '0'],
  ['negative', '-1'],
  ['1e308', '1e308'],
  ['null', 'null'],
  ['sql', "' OR '1'='1"],
  ['traversal', '../../etc/passwd'],
  ['unicode', '花椒😀'],
  ['space', ' '],
  ['NUL', '\u0000'],
  ['100 chars', 'a'.repeat(100)],
  ['overlong', 'a'.repeat(101)],
  ['10,000 chars', HUGE],
];

/** Strings tried, in order, for a base value that fits a string property's pattern and length. */
const PATTERN_CANDIDATES = [
  'fuzz',
  'FUZZ01',
  'fuzz_user.1',
  '13900009999',
  '123456',
  '2026-01',
  '2026-01-15',
  '2026',
  '500101113201',
  '6222020200112233',
  'APPROVE',
];

const isDateName = (name: string) => /(^date$|^from$|^to$|On$|At$|Until$|^month$)/.test(name);

function typeOf(s: Schema): string {
  if (s.type) {
    return s.type;
  }
  if (s.properties) {
    return 'object';
  }
  if (s.items) {
    return 'array';
  }
  if (s.enum?.length) {
    return typeof s.enum[0];
  }
  return 'any';
}

/** A plausible (not necessarily accepted) value of a schema: the base every mutation starts from. */
export function baseValue(s: Schema, name: string, ctx: FuzzContext, depth = 0): unknown {
  if (name in ctx.values) {
    return ctx.values[name];
  }
  if (s.example !== undefined) {
    return s.example;
  }
  if (s.enum?.length) {
    return s.enum[0];
  }
  switch (typeOf(s)) {
    case 'string': {
      if (isDateName(name) || s.format === 'date') {
        return name === 'month' ? '2026-01' : '2026-01-15';
      }
      if (s.format === 'date-time') {
        return '2026-01-15T08:00:00.000Z';
      }
      const pattern = s.pattern ? safeRegExp(s.pattern) : undefined;
      const fits = (v: string) =>
        (!pattern || pattern.test(v)) &&
        v.length >= (s.minLength ?? 0) &&
        v.length <= (s.maxLength ?? Infinity);
      return (
        PATTERN_CANDIDATES.find(fits) ??
        'fuzz'.padEnd(Math.min(s.minLength ?? 4, 64), 'z').slice(0, s.maxLength)
      );
    }
    case 'integer':
    case 'number': {
      const v = Math.max(s.minimum ?? 1, 1);
      return s.maximum !== undefined && v > s.maximum ? s.maximum : v;
    }
    case 'boolean':
      return false;
    case 'array':
      return depth > 3 ? [] : [baseValue(s.items ?? {}, singular(name), ctx, depth + 1)];
    case 'object':
      return depth > 3 ? {} : baseObject(s, ctx, depth + 1);
    default:
      return 'fuzz';
  }
}

const singular = (name: string) => name.replace(/s$/, '');

function safeRegExp(pattern: string): RegExp | undefined {
  try {
    return new RegExp(pattern);
  } catch {
    return undefined;
  }
}

/** The required properties of an object schema with plausible values (optional ones are left out). */
export function baseObject(s: Schema, ctx: FuzzContext, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of s.required ?? []) {
    out[name] = baseValue(s.properties?.[name] ?? {}, name, ctx, depth);
  }
  return out;
}

type Mutation = [label: string, value: unknown];

/**
 * Values of the wrong type for a schema. `null` only where the property is required: class-validator's
 * @IsOptional() takes null for absent, so null on an optional property is not invalid by construction.
 */
function wrongTypes(s: Schema, required: boolean): Mutation[] {
  const t = typeOf(s);
  const all: Mutation[] = [
    ['a string', 'fuzz'],
    ['a number', 12345],
    ['a boolean', true],
    ['an object', { fuzz: 1 }],
    ['an array', ['fuzz']],
  ];
  const wrong = all.filter(([label]) => {
    if (t === 'string') {
      return label !== 'a string';
    }
    if (t === 'number' || t === 'integer') {
      return label !== 'a number';
    }
    if (t === 'boolean') {
      return label !== 'a boolean';
    }
    if (t === 'object') {
      return label !== 'an object';
    }
    if (t === 'array') {
      return label !== 'an array';
    }
    return false;
  });
  // A string "12345" where a number is wanted is the classic one; a string where a string is wanted is not.
  if (t === 'number' || t === 'integer') {
    wrong.unshift(['a numeric string', '12']);
  }
  if (t === 'boolean') {
    wrong.unshift(['the string "true"', 'true']);
  }
  return required ? [...wrong, ['null', null]] : wrong;
}

/** Values a property of this schema must refuse: wrong types, out of range, oversized, not in the enum. */
export function badValues(s: Schema, name: string, required: boolean, ctx: FuzzContext): Mutation[] {
  const out = wrongTypes(s, required);
  const t = typeOf(s);
  if (t === 'string') {
    out.push(['10,000 chars', HUGE], ['10,000 CJK chars', HUGE_CJK]);
    if (s.enum?.length) {
      out.push(['not in the enum', 'NOT_IN_THE_ENUM']);
    }
    if (s.maxLength !== undefined && s.maxLength < 10_000) {
      out.push([`${s.maxLength + 1} chars`, 'x'.repeat(s.maxLength + 1)]);
    }
    if ((s.minLength ?? 0) >= 1 || s.pattern || s.enum || required || /Id$|Code$/.test(name)) {
      out.push(['empty', '']);
    }
    if (s.pattern) {
      out.push(['not matching the pattern', '\u0000!不']);
    }
    if (isDateName(name) || s.format === 'date' || s.format === 'date-time') {
      out.push(['not a date', '2026-02-30'], ['not a date at all', 'yesterday']);
    }
    if (/Id$/.test(name)) {
      out.push(['an unknown id', ctx.unknownId]);
      ctx.foreign.forEach((id, i) => out.push([`another user's id #${i + 1}`, id]));
    }
  }
  if (t === 'number' || t === 'integer') {
    out.push(
      ['1e308', 1e308],
      ['1e400 (Infinity)', new RawJson('1e400')],
      ['2^53+1', new RawJson('9007199254740993')],
      ['1.5', 1.5],
    );
    if (s.minimum === undefined || s.minimum > -1) {
      out.push(['-1', -1]);
    }
    if (s.minimum !== undefined && s.minimum - 1 !== -1) {
      out.push([`minimum-1 (${s.minimum - 1})`, s.minimum - 1]);
    }
    if (s.maximum !== undefined && s.maximum < Number.MAX_SAFE_INTEGER) {
      out.push([`maximum+1 (${s.maximum + 1})`, s.maximum + 1]);
    }
  }
  if (t === 'array') {
    if ((s.minItems ?? 0) >= 1) {
      out.push(['an empty array', []]);
    }
    if (s.maxItems !== undefined && s.maxItems <= 1000) {
      const item = baseValue(s.items ?? {}, singular(name), ctx);
      out.push([`${s.maxItems + 1} items`, Array.from({ length: s.maxItems + 1 }, () => item)]);
    }
    out.push(...wrongTypes(s.items ?? {}, true).map(([label, v]): Mutation => [`items ${label}`, [v]]));
  }
  return out;
}

/** Sets `value` at `path` in a copy of `obj` (undefined deletes); paths are property names and array indexes. */
function setAt(obj: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) {
    return value;
  }
  const [head, ...rest] = path;
  if (Array.isArray(obj)) {
    const copy = [...obj];
    copy[head as number] = setAt(copy[head as number], rest, value);
    return copy;
  }
  const copy = { ...(obj as Record<string, unknown>) };
  const next = setAt(copy[head as string], rest, value);
  if (next === undefined) {
    delete copy[head as string];
  } else {
    copy[head as string] = next;
  }
  return copy;
}

const fieldLabel = (path: (string | number)[]) =>
  path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i ? `.${p}` : p)).join('');

/** One group of body mutations per property, nested objects and arrays of objects included. */
function propertyGroups(
  s: Schema,
  base: unknown,
  ctx: FuzzContext,
  at: (string | number)[] = [],
  depth = 0,
): { label: string; value: unknown }[][] {
  const groups: { label: string; value: unknown }[][] = [];
  for (const [name, prop] of Object.entries(s.properties ?? {})) {
    const required = (s.required ?? []).includes(name);
    const path = [...at, name];
    const field = fieldLabel(path);
    const group: { label: string; value: unknown }[] = [];
    if (required) {
      group.push({ label: `body.${field} missing`, value: setAt(base, path, undefined) });
    }
    for (const [label, v] of badValues(prop, name, required, ctx)) {
      group.push({ label: `body.${field}=${label}`, value: setAt(base, path, v) });
    }
    groups.push(group);
    if (depth < 2) {
      // Inside a nested object (or the first item of an array of objects), with the property present.
      const inner = typeOf(prop) === 'array' ? prop.items : prop;
      if (inner && typeOf(inner) === 'object' && inner.properties) {
        const innerPath = typeOf(prop) === 'array' ? [...path, 0] : path;
        const withIt = setAt(base, path, baseValue(prop, name, ctx));
        groups.push([
          {
            label: `body.${fieldLabel(innerPath)}: an unknown field`,
            value: setAt(withIt, [...innerPath, 'fuzzUnknownField'], 'x'),
          },
        ]);
        groups.push(...propertyGroups(inner, withIt, ctx, innerPath, depth + 1));
      }
    }
  }
  return groups;
}

/** Fills a path template: `overrides` by parameter name, the rest from `ctx.own`; values percent-encoded. */
export function fillPath(
  path: string,
  ctx: FuzzContext,
  overrides: Record<string, string> = {},
  raw = false,
): string {
  return path.replace(/([^/]*)\/\{([^}]+)\}/g, (_whole, segment: string, name: string) => {
    const value = name in overrides ? overrides[name] : ctx.own(segment, name);
    return `${segment}/${raw && name in overrides ? value : encodeURIComponent(value)}`;
  });
}

const qs = (pairs: [string, string][]) =>
  pairs.length
    ? `?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`
    : '';

/** Wrong values of a query (or header) parameter, as the strings they travel as (arrays as repeats). */
function badParamValues(p: Param): [string, string[]][] {
  const t = typeOf(p.schema);
  const out: [string, string[]][] = [];
  if (t === 'number' || t === 'integer') {
    out.push(
      ['a word', ['abc']],
      ['1.5', ['1.5']],
      ['-1', ['-1']],
      ['1e308', ['1e308']],
      ['2^53+1', ['9007199254740993']],
      ['empty', ['']],
    );
    if (p.schema.maximum !== undefined) {
      out.push([`maximum+1`, [String(p.schema.maximum + 1)]]);
    }
  } else if (t === 'boolean') {
    out.push(['a word', ['maybe']], ['a number', ['2']]);
  } else {
    // Only what the schema rules out: a filter the document leaves open (any string) may match nothing.
    const { maxLength, minLength, pattern } = p.schema;
    if (maxLength !== undefined || pattern) {
      out.push(['10,000 chars', [HUGE]]);
    }
    if (maxLength !== undefined && maxLength < 10_000) {
      out.push([`${maxLength + 1} chars`, ['x'.repeat(maxLength + 1)]]);
    }
    if ((minLength ?? 0) >= 1 || pattern || p.schema.enum?.length) {
      out.push(['empty', ['']]);
    }
    if (pattern) {
      out.push(['not matching the pattern', ['!不']]);
    }
    if (p.schema.enum?.length) {
      out.push(['not in the enum', ['NOT_IN_THE_ENUM']]);
    }
  }
  out.push(['repeated (an array)', ['1', '2']]);
  return out;
}

function interleave<T>(groups: T[][], cap: number): T[] {
  const out: T[] = [];
  for (let i = 0; out.length < cap && groups.some((g) => i < g.length); i++) {
    for (const g of groups) {
      if (i < g.length && out.length < cap) {
        out.push(g[i]);
      }
    }
  }
  return out;
}

/** Every case for one operation, at most `ctx.maxCases`, each invalid by construction. */
export function casesFor(op: FuzzOperation, ctx: FuzzContext): FuzzCase[] {
  const path = fillPath(op.path, ctx);
  const hasBody = op.method !== 'GET' && op.method !== 'DELETE' && op.method !== 'HEAD';
  const base = op.body ? (typeOf(op.body) === 'object' ? baseObject(op.body, ctx) : {}) : undefined;
  const json = (value: unknown) => ({ body: toJson(value), contentType: 'application/json' });
  const make = (label: string, over: Partial<FuzzCase> = {}): FuzzCase => ({
    label,
    target: path,
    headers: {},
    ...(op.body && base !== undefined ? json(base) : {}),
    ...over,
  });

  const structural: FuzzCase[] = [];
  if (hasBody) {
    // Refused before any handler runs, whatever the route does with a body.
    structural.push(
      make('body: malformed JSON', { body: '{"fuzz":', contentType: 'application/json' }),
      make('body: over the size limit', {
        body: `{"fuzz":"${'x'.repeat(ctx.bodyLimitBytes)}"}`,
        contentType: 'application/json',
      }),
      make('body: as text/plain', { body: '{}', contentType: 'text/plain' }),
      make('body: as a form', { body: 'fuzz=1', contentType: 'application/x-www-form-urlencoded' }),
      make('body: __proto__ key', {
        body: `{"__proto__":{"isAdmin":true}}`,
        contentType: 'application/json',
      }),
    );
  }
  if (op.body) {
    structural.push(
      make('body: none', { body: undefined, contentType: undefined }),
      make('body: empty, declared JSON', { body: '', contentType: 'application/json' }),
      make('body: an array', json([])),
      make('body: an array of the object', json([base])),
      make('body: a number', json(42)),
      make('body: a string', json('fuzz')),
      make('body: null', json(null)),
      make('body: true', json(true)),
      make('body: an unknown field', json({ ...base, fuzzUnknownField: 'x' })),
      make('body: an unknown field of 10,000 chars', json({ ...base, [HUGE.slice(0, 64)]: HUGE })),
      make(
        'body: a constructor.prototype key',
        json({ ...base, constructor: { prototype: { isAdmin: true } } }),
      ),
    );
    if ((op.body.required ?? []).length) {
      structural.push(make('body: {} (every required field missing)', json({})));
    }
  }
  if (op.method === 'GET') {
    structural.push(make('a body on a GET', { body: '{}', contentType: 'application/json' }));
  }

  const pathGroups = op.pathParams.map((p) => [
    ...GARBAGE_PATH.map(([label, v]) =>
      make(`path.${p.name}=${label}`, { target: fillPath(op.path, ctx, { [p.name]: v }) }),
    ),
    make(`path.${p.name}=bad percent-escape`, {
      target: fillPath(op.path, ctx, { [p.name]: '%E0%A4%A' }, true),
    }),
    make(`path.${p.name}=an unknown id`, { target: fillPath(op.path, ctx, { [p.name]: ctx.unknownId }) }),
    ...ctx.foreign.map((id, i) =>
      make(`path.${p.name}=another user's id #${i + 1}`, {
        target: fillPath(op.path, ctx, { [p.name]: id }),
      }),
    ),
  ]);

  const queryGroups = op.query.map((p) =>
    badParamValues(p).map(([label, values]) =>
      make(`query.${p.name}=${label}`, { target: path + qs(values.map((v) => [p.name, v])) }),
    ),
  );
  if (op.query.length) {
    queryGroups.push([make('query: an unknown parameter', { target: path + qs([['fuzzUnknown', '1']]) })]);
  }

  // A required header a server cannot read is refused; an optional one it does not understand is ignored by
  // design (RFC 7240 for Prefer), so garbage in it is sent only along with an id that names nothing.
  const headerGroups = op.headers.map((p) =>
    badParamValues(p)
      .filter(([, values]) => values.length === 1 && !/[\r\n]/.test(values[0]))
      // A header carries visible ASCII only (an HTTP client refuses to send anything else): characters
      // outside it become '!', which keeps a value that breaks the pattern breaking it.
      .map(([label, [v]]): [string, string[]] => [label, [v.replace(/[^\t\x20-\x7e]/g, '!')]])
      .map(([label, [v]]) =>
        make(`header.${p.name}=${label}${p.required ? '' : ' (with an unknown id)'}`, {
          headers: { [p.name]: v },
          target: p.required
            ? path
            : fillPath(op.path, ctx, Object.fromEntries(op.pathParams.map((pp) => [pp.name, ctx.unknownId]))),
        }),
      )
      .filter(() => p.required || op.pathParams.length > 0),
  );

  const bodyGroups =
    op.body && base !== undefined
      ? propertyGroups(op.body, base, ctx).map((g) => g.map(({ label, value }) => make(label, json(value))))
      : [];

  return interleave(
    [structural, ...pathGroups, ...queryGroups, ...headerGroups, ...bodyGroups],
    ctx.maxCases,
  );
}

// ---------------------------------------------------------------- sending

export interface Answer {
  status: number;
  contentType: string;
  body: unknown;
  text: string;
  error?: string;
}

/** Sends one case (with `authorization` when given) and reads the answer; a stream is not read past its head. */
export async function send(
  origin: string,
  method: string,
  c: FuzzCase,
  authorization?: string,
): Promise<Answer> {
  const headers: Record<string, string> = { ...c.headers };
  if (authorization) {
    headers.authorization = authorization;
  }
  if (c.contentType) {
    headers['content-type'] = c.contentType;
  }
  try {
    const res = await request(origin + c.target, {
      method: method as 'GET',
      headers,
      body: c.body,
      headersTimeout: 15_000,
      bodyTimeout: 15_000,
    });
    const contentType = String(res.headers['content-type'] ?? '');
    if (contentType.startsWith('text/event-stream')) {
      res.body.destroy();
      return { status: res.statusCode, contentType, body: undefined, text: '' };
    }
    const text = await res.body.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: res.statusCode, contentType, body, text };
  } catch (e) {
    return { status: 0, contentType: '', body: undefined, text: '', error: (e as Error).message };
  }
}

/** Runs `fn` over `items`, at most `concurrency` at a time, keeping the order of the results. */
export async function pool<T, R>(items: T[], concurrency: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return out;
}

/** Why an answer breaks the rules (never 5xx; a 4xx is problem+json with a string code), if it does. */
export function violation(a: Answer): string | undefined {
  if (a.error) {
    return `no answer: ${a.error}`;
  }
  if (a.status >= 500 || a.status < 200 || (a.status >= 300 && a.status < 400)) {
    return `status ${a.status}`;
  }
  if (a.status >= 400) {
    if (!a.contentType.startsWith('application/problem+json')) {
      return `${a.status} with content-type "${a.contentType}"`;
    }
    const body = a.body as { code?: unknown; status?: unknown } | undefined;
    if (typeof body?.code !== 'string') {
      return `${a.status} problem without a string code`;
    }
    if (body.status !== a.status) {
      return `${a.status} problem whose status says ${String(body.status)}`;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------- nothing written

export type Fingerprint = Record<string, string>;

/** Row count and CHECKSUM TABLE of every table of the database: equal fingerprints, nothing written. */
export async function fingerprint(db: DataSource): Promise<Fingerprint> {
  const tables = (
    (await db.query(
      "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' ORDER BY table_name",
    )) as { t: string }[]
  ).map((r) => r.t);
  const ident = (t: string) => `\`${t.replace(/`/g, '``')}\``;
  const counts = (await db.query(
    tables.map((t) => `SELECT ? AS t, COUNT(*) AS n FROM ${ident(t)}`).join(' UNION ALL '),
    tables,
  )) as { t: string; n: string | number }[];
  const sums = (await db.query(`CHECKSUM TABLE ${tables.map(ident).join(', ')}`)) as {
    Table: string;
    Checksum: string | number | null;
  }[];
  const out: Fingerprint = {};
  for (const { t, n } of counts) {
    out[t] = `rows=${n}`;
  }
  for (const { Table, Checksum } of sums) {
    const t = Table.split('.').pop()!;
    out[t] = `${out[t]} checksum=${Checksum}`;
  }
  return out;
}

/** The tables whose fingerprint differs. */
export function changedTables(before: Fingerprint, after: Fingerprint): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((t) => before[t] !== after[t])
    .sort();
}
