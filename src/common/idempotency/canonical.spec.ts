import { TooDeeplyNestedError } from '@/common/errors/domain-error';
import { MAX_JSON_DEPTH } from '@/common/json-depth';
import { canonical } from './idempotency.interceptor';

const nest = (levels: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) {
    v = i % 2 ? [v] : { a: v };
  }
  return v;
};

describe('canonical (the idempotency request hash input)', () => {
  it('sorts keys at every level', () => {
    expect(canonical({ b: 1, a: [{ d: null, c: 'x' }] })).toBe('{"a":[{"c":"x","d":null}],"b":1}');
  });

  it('takes as many levels as the JSON parser lets through, and refuses deeper without overflowing the stack', () => {
    expect(() => canonical(nest(MAX_JSON_DEPTH))).not.toThrow();
    expect(() => canonical(nest(MAX_JSON_DEPTH + 1))).toThrow(TooDeeplyNestedError);
    expect(() => canonical(nest(100_000))).toThrow(TooDeeplyNestedError);
  });
});
