import { DomainError, FieldError } from './domain-error';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  instance?: string;
  requestId?: string;
  errors?: FieldError[];
}

const TITLES: Record<number, [string, string]> = {
  400: ['bad-request', 'Bad request'],
  401: ['unauthenticated', 'Unauthenticated'],
  403: ['forbidden', 'Forbidden'],
  404: ['not-found', 'Not found'],
  405: ['method-not-allowed', 'Method not allowed'],
  406: ['not-acceptable', 'Not acceptable'],
  408: ['request-timeout', 'Request timeout'],
  409: ['conflict', 'Conflict'],
  413: ['payload-too-large', 'Payload too large'],
  414: ['uri-too-long', 'URI too long'],
  415: ['unsupported-media-type', 'Unsupported media type'],
  422: ['unprocessable', 'Unprocessable content'],
  429: ['too-many-requests', 'Too many requests'],
  431: ['headers-too-large', 'Request header fields too large'],
  500: ['internal-error', 'Internal server error'],
  503: ['service-unavailable', 'Service unavailable'],
};

export function problemType(code: string): string {
  return `https://consumption-support.dev/problems/${code}`;
}

export function problemFor(status: number, detail?: string, code?: string): Problem {
  const [defaultCode, title] = TITLES[status] ?? (status >= 500 ? TITLES[500] : TITLES[400]);
  const c = code ?? defaultCode;
  return { type: problemType(c), title, status, detail, code: c };
}

export function problemFromDomain(e: DomainError): Problem {
  return {
    type: problemType(e.code),
    title: e.title,
    status: e.status,
    detail: e.detail,
    code: e.code,
    errors: e.errors,
  };
}
