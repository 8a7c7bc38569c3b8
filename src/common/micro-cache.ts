/**
 * A per-process read-through cache for hot public reads, with a short TTL and single flight: while a key
 * is being loaded, other callers wait for the same load instead of querying again. Holds nothing another
 * copy needs: each copy serves data at most `ttlMs` old, and a write in this copy clears it at once.
 */
export class MicroCache<T> {
  private readonly entries = new Map<string, { at: number; value: Promise<T> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 1000,
  ) {}

  get(key: string, load: () => Promise<T>): Promise<T> {
    if (this.ttlMs <= 0) {
      return load();
    }
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.ttlMs) {
      return hit.value;
    }
    if (this.entries.size >= this.maxEntries) {
      this.entries.clear();
    }
    const value = load();
    this.entries.set(key, { at: now, value });
    value.catch(() => this.entries.delete(key));
    return value;
  }

  /**
   * Several keys at once: those not cached are loaded together by one `loadMissing` call (a key it does
   * not return gets `absent`), each then cached on its own.
   */
  async getMany(
    keys: string[],
    loadMissing: (missing: string[]) => Promise<Map<string, T>>,
    absent: T,
  ): Promise<Map<string, T>> {
    const now = Date.now();
    const out = new Map<string, T>();
    const waits: Promise<void>[] = [];
    const missing: string[] = [];
    for (const key of new Set(keys)) {
      const hit = this.ttlMs > 0 ? this.entries.get(key) : undefined;
      if (hit && now - hit.at < this.ttlMs) {
        waits.push(hit.value.then((v) => void out.set(key, v)));
      } else {
        missing.push(key);
      }
    }
    if (missing.length) {
      if (this.entries.size + missing.length > this.maxEntries) {
        this.entries.clear();
      }
      const loaded = loadMissing(missing);
      for (const key of missing) {
        const value = loaded.then((m) => (m.has(key) ? m.get(key)! : absent));
        if (this.ttlMs > 0) {
          this.entries.set(key, { at: now, value });
          value.catch(() => this.entries.delete(key));
        }
        waits.push(value.then((v) => void out.set(key, v)));
      }
    }
    await Promise.all(waits);
    return out;
  }

  clear(): void {
    this.entries.clear();
  }
}
