import IORedis from 'ioredis';
import { loadEnv } from '@/config/env';

/**
 * Deletes every key matching `pattern` (SCAN + UNLINK, never KEYS) and returns how many went. A Redis
 * that does not answer (a test stopped its private one) deletes nothing rather than failing the run.
 */
export async function unlinkKeys(pattern: string, url = loadEnv().REDIS_URL): Promise<number> {
  const redis = new IORedis(url, { maxRetriesPerRequest: 1, connectTimeout: 2000, lazyConnect: true });
  redis.on('error', () => undefined);
  let deleted = 0;
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      if (keys.length) {
        deleted += await redis.unlink(...keys);
      }
    } while (cursor !== '0');
  } catch {
    // unreachable: nothing to clean there
  } finally {
    redis.disconnect();
  }
  return deleted;
}

/** Keys matching `pattern`, at most `limit` of them. */
export async function scanKeys(pattern: string, url = loadEnv().REDIS_URL, limit = 1000): Promise<string[]> {
  const redis = new IORedis(url, { maxRetriesPerRequest: 1 });
  const found: string[] = [];
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      found.push(...keys);
    } while (cursor !== '0' && found.length < limit);
  } finally {
    redis.disconnect();
  }
  return found.slice(0, limit);
}
