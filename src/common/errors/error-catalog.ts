/**
 * The one list of every problem `code` this service answers with: each module's typed errors register here
 * as their errors.ts loads (through defineError), the HTTP edge's own refusals below. The OpenAPI document
 * lists it, each operation names the ones it can answer, and src/error-catalog.spec.ts fails when a code is
 * written anywhere in src without being listed.
 */
export interface ErrorSpec {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  /** When the service answers with it, for the API documentation. */
  readonly description: string;
}

const catalog = new Map<string, ErrorSpec>();

/** Lists a code; a code means one thing, so declaring it again with another status is a mistake. */
export function registerError(spec: ErrorSpec): ErrorSpec {
  const known = catalog.get(spec.code);
  if (known && known.status !== spec.status) {
    throw new Error(
      `error code ${spec.code} is declared with status ${known.status} and ${spec.status}; a code has one status`,
    );
  }
  if (!known) {
    catalog.set(spec.code, {
      status: spec.status,
      code: spec.code,
      title: spec.title,
      description: spec.description,
    });
  }
  return spec;
}

/** Every registered code, by status then code. */
export function errorCatalog(): ErrorSpec[] {
  return [...catalog.values()].sort((a, b) => a.status - b.status || a.code.localeCompare(b.code));
}

export function findError(code: string): ErrorSpec | undefined {
  return catalog.get(code);
}

/**
 * Refusals of the HTTP edge and the problem filter that no typed error class stands for: Fastify's and Node's
 * own (problem.filter.ts FASTIFY_ERRORS, http-edge.ts answerClientError), the default code of a framework
 * HttpException by status (problem.ts), and database constraints mapped to 4xx (db-constraint.ts).
 */
export const EDGE_ERRORS = {
  badRequest: registerError({
    status: 400,
    code: 'bad-request',
    title: 'Bad request',
    description: 'The framework refused the request before it reached the service.',
  }),
  malformedJson: registerError({
    status: 400,
    code: 'malformed-json',
    title: 'Bad request',
    description: 'The body is not valid JSON, or is empty while declared as JSON.',
  }),
  malformedUrl: registerError({
    status: 400,
    code: 'malformed-url',
    title: 'Bad request',
    description: 'The path is not validly percent-encoded.',
  }),
  malformedRequest: registerError({
    status: 400,
    code: 'malformed-request',
    title: 'Bad request',
    description: 'The request is not valid HTTP, or its body does not match its Content-Length.',
  }),
  requestTimeout: registerError({
    status: 408,
    code: 'request-timeout',
    title: 'Request timeout',
    description: 'The request took too long to arrive.',
  }),
  conflict: registerError({
    status: 409,
    code: 'conflict',
    title: 'Conflict',
    description: 'The framework refused the request as conflicting.',
  }),
  duplicate: registerError({
    status: 409,
    code: 'duplicate',
    title: 'Conflict',
    description: 'A record with the same unique value already exists; `errors` names the fields.',
  }),
  stillReferenced: registerError({
    status: 409,
    code: 'still-referenced',
    title: 'Conflict',
    description: 'Other records still refer to this one.',
  }),
  constraintViolated: registerError({
    status: 409,
    code: 'constraint-violated',
    title: 'Conflict',
    description: 'The request conflicts with a rule of the stored data.',
  }),
  payloadTooLarge: registerError({
    status: 413,
    code: 'payload-too-large',
    title: 'Payload too large',
    description: 'The body is larger than this service accepts (BODY_LIMIT_BYTES).',
  }),
  uriTooLong: registerError({
    status: 414,
    code: 'uri-too-long',
    title: 'URI too long',
    description: 'A path segment is longer than this service accepts.',
  }),
  unsupportedMediaType: registerError({
    status: 415,
    code: 'unsupported-media-type',
    title: 'Unsupported media type',
    description: 'The body is not application/json.',
  }),
  unprocessable: registerError({
    status: 422,
    code: 'unprocessable',
    title: 'Unprocessable content',
    description: 'The framework refused the request as unprocessable.',
  }),
  headersTooLarge: registerError({
    status: 431,
    code: 'headers-too-large',
    title: 'Request header fields too large',
    description: 'The request headers are larger than this service accepts.',
  }),
  internalError: registerError({
    status: 500,
    code: 'internal-error',
    title: 'Internal server error',
    description: 'Something unexpected went wrong on the service side; it has been logged.',
  }),
  serviceUnavailable: registerError({
    status: 503,
    code: 'service-unavailable',
    title: 'Service unavailable',
    description: 'The service is shutting down or cannot answer right now.',
  }),
} as const;
