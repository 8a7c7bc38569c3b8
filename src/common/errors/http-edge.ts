import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { newId } from '@/common/ids';
import { defineError } from './domain-error';
import { problemFor } from './problem';

/**
 * Node's HTTP parser refuses some requests before Fastify sees them (a header block too large, a bad
 * Content-Length, a method HTTP does not know): answer those as problem+json too, with a request id of their
 * own, and close the connection, since what follows on it cannot be trusted.
 */
export function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  // A reset connection has nobody left to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) {
    return;
  }
  const [status, code, detail] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'headers-too-large', 'The request headers are larger than this service accepts.']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'request-timeout', 'The request took too long to arrive.']
        : [400, 'malformed-request', 'The request is not valid HTTP.'];
  const requestId = newId();
  const body = JSON.stringify({ ...problemFor(status, detail, code), requestId });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        'Content-Type: application/problem+json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy(err);
}

/** The path patterns each method serves, to tell "no such path" (404) from "not with this method" (405). */
export class RouteMethods {
  private readonly routes: { method: string; pattern: RegExp }[] = [];

  add(methods: string | string[], url: string): void {
    // find-my-way syntax: `:name` is one segment, `*` the rest of the path.
    const pattern = new RegExp(
      `^${url
        .split(/(:[A-Za-z0-9_]+|\*)/)
        .map((part) =>
          part === '*' ? '.*' : part.startsWith(':') ? '[^/]+' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'),
        )
        .join('')}$`,
    );
    for (const method of Array.isArray(methods) ? methods : [methods]) {
      this.routes.push({ method, pattern });
    }
  }

  /** The methods some route serves this path with, in a stable order. */
  allowed(path: string): string[] {
    const methods = new Set(this.routes.filter((r) => r.pattern.test(path)).map((r) => r.method));
    return [...methods].sort();
  }
}

export class MethodNotAllowedError extends defineError({
  status: 405,
  code: 'method-not-allowed',
  title: 'Method not allowed',
  description: 'The path exists but not with this method; `Allow` lists the methods it takes.',
}) {
  constructor(method: string, allowed: string[]) {
    super(`This path does not take ${method}.`, undefined, { Allow: allowed.join(', ') });
  }
}

export class BodyNotAllowedError extends defineError({
  status: 400,
  code: 'body-not-allowed',
  title: 'Bad request',
  description: 'A GET or HEAD request carried a body.',
}) {
  constructor(method: string) {
    super(`A ${method} request carries no body.`);
  }
}

export class NotAcceptableError extends defineError({
  status: 406,
  code: 'not-acceptable',
  title: 'Not acceptable',
  description: 'The Accept header admits nothing this service answers with.',
}) {
  constructor() {
    super(
      'This service answers with JSON (and, on some routes, CSV, XLSX, PNG, SVG, HTML or an event stream).',
    );
  }
}

/** Whether a request announces a body (a Content-Length other than 0, or a chunked one). */
export function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** Every media type some route of this service answers with. */
const PRODUCED = [
  'application/json',
  'application/problem+json',
  'application/javascript',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'text/csv',
  'text/css',
  'text/event-stream',
  'text/html',
  'text/plain',
  'image/png',
  'image/svg+xml',
];
const PRODUCED_TYPES = new Set(PRODUCED.map((m) => m.split('/')[0]));

/**
 * Whether an Accept header admits anything this service can send. The check is per service, not per route
 * (a JSON route asked for text/html answers JSON, as RFC 9110 allows); it only refuses what nothing here
 * could ever satisfy, such as application/xml alone.
 */
export function acceptsSomethingWeProduce(accept: string): boolean {
  // What nearly every client sends, without parsing.
  if (accept === '*/*' || accept === 'application/json') {
    return true;
  }
  return accept.split(',').some((range) => acceptsRange(range.trim()));
}

function acceptsRange(range: string): boolean {
  const [mediaRange, ...params] = range.split(';');
  const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
  if (q !== undefined && !(Number(q.slice(2)) > 0)) {
    return false;
  }
  const [type, subtype] = mediaRange.trim().toLowerCase().split('/');
  if (!type || !subtype) {
    return false;
  }
  if (type === '*') {
    return subtype === '*';
  }
  if (subtype === '*') {
    return PRODUCED_TYPES.has(type);
  }
  return PRODUCED.includes(`${type}/${subtype}`);
}
