import { MicroCache } from './micro-cache';

describe('MicroCache', () => {
  it('loads once for concurrent callers and serves the hit until the TTL passes', async () => {
    const cache = new MicroCache<number>(50);
    let loads = 0;
    const load = async () => ++loads;
    const [a, b] = await Promise.all([cache.get('k', load), cache.get('k', load)]);
    expect([a, b, loads]).toEqual([1, 1, 1]);
    await new Promise((r) => setTimeout(r, 60));
    expect(await cache.get('k', load)).toBe(2);
  });

  it('forgets a failed load and is cleared by a write', async () => {
    const cache = new MicroCache<number>(10_000);
    await expect(cache.get('k', () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    expect(await cache.get('k', async () => 7)).toBe(7);
    cache.clear();
    expect(await cache.get('k', async () => 8)).toBe(8);
  });

  it('with a TTL of 0 always loads', async () => {
    const cache = new MicroCache<number>(0);
    let n = 0;
    await cache.get('k', async () => ++n);
    await cache.get('k', async () => ++n);
    expect(n).toBe(2);
  });

  it('getMany loads only the missing keys, in one call, and caches each on its own', async () => {
    const cache = new MicroCache<string[]>(10_000);
    const calls: string[][] = [];
    const load = async (missing: string[]) => {
      calls.push(missing);
      return new Map(missing.filter((k) => k !== 'none').map((k) => [k, [`${k}!`]]));
    };
    const first = await cache.getMany(['a', 'b', 'a'], load, []);
    expect([...first]).toEqual([
      ['a', ['a!']],
      ['b', ['b!']],
    ]);
    const second = await cache.getMany(['b', 'c', 'none'], load, []);
    expect(Object.fromEntries(second)).toEqual({ b: ['b!'], c: ['c!'], none: [] });
    expect(calls).toEqual([
      ['a', 'b'],
      ['c', 'none'],
    ]);
    expect(await cache.getMany([], load, [])).toEqual(new Map());
    expect(calls).toHaveLength(2);
  });

  it('getMany forgets the keys of a failed load', async () => {
    const cache = new MicroCache<number>(10_000);
    await expect(cache.getMany(['x'], () => Promise.reject(new Error('db down')), 0)).rejects.toThrow(
      'db down',
    );
    expect(await cache.getMany(['x'], async () => new Map([['x', 5]]), 0)).toEqual(new Map([['x', 5]]));
  });
});
