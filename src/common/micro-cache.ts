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

  clear(): void {
    this.entries.clear();
  }
}
