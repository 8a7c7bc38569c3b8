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
});
