import { acceptsSomethingWeProduce, hasBody, RouteMethods } from './http-edge';

describe('RouteMethods', () => {
  const routes = new RouteMethods();
  routes.add(['GET', 'HEAD'], '/api/v1/orders/:id');
  routes.add('POST', '/api/v1/orders/:id/payments');
  routes.add('GET', '/docs/*');
  routes.add('GET', '/api/v1/a.b');

  it('lists the methods whose patterns match the path', () => {
    expect(routes.allowed('/api/v1/orders/01ABC')).toEqual(['GET', 'HEAD']);
    expect(routes.allowed('/api/v1/orders/01ABC/payments')).toEqual(['POST']);
    expect(routes.allowed('/docs/static/index.css')).toEqual(['GET']);
  });

  it('matches a parameter to one segment and literal characters literally', () => {
    expect(routes.allowed('/api/v1/orders/a/b')).toEqual([]);
    expect(routes.allowed('/api/v1/aXb')).toEqual([]);
    expect(routes.allowed('/api/v1/a.b')).toEqual(['GET']);
  });
});

describe('acceptsSomethingWeProduce', () => {
  it.each([
    ['*/*', true],
    ['application/json', true],
    ['application/problem+json', true],
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', true],
    ['application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.3', true],
    ['image/*', true],
    ['text/event-stream', true],
    ['application/xml', false],
    ['application/json;q=0, text/xml', false],
    ['*/*;q=0', false],
    ['*/json', false],
    ['garbage', false],
  ])('%s → %s', (accept, ok) => {
    expect(acceptsSomethingWeProduce(accept)).toBe(ok);
  });
});

describe('hasBody', () => {
  it('is a Content-Length other than 0, or any Transfer-Encoding', () => {
    expect(hasBody({})).toBe(false);
    expect(hasBody({ 'content-length': '0' })).toBe(false);
    expect(hasBody({ 'content-length': '7' })).toBe(true);
    expect(hasBody({ 'transfer-encoding': 'chunked' })).toBe(true);
  });
});
