import { dropStaleTestDatabases, runId, TEST_DB_PREFIX } from './databases';
import { scanKeys, unlinkKeys } from './redis-keys';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Once per run: this run's databases and Redis keys go, and those of runs whose process is gone. Every test
 * app deletes its own keys when it closes; whatever is left under this run's prefix (a process a test
 * started, a key written after a close) is named here, then deleted, so that no run leaves keys behind.
 */
export default async function globalTeardown(): Promise<void> {
  await dropStaleTestDatabases();
  const prefix = `${TEST_DB_PREFIX}${runId()}_`;
  const left = await scanKeys(`${prefix}*`);
  if (left.length > 0) {
    const byApp = new Map<string, number>();
    for (const k of left) {
      const app = k.slice(0, k.indexOf(':'));
      byApp.set(app, (byApp.get(app) ?? 0) + 1);
    }
    console.error(
      `global teardown: ${left.length} Redis keys were left under ${prefix}* (${[...byApp]
        .map(([app, n]) => `${app}: ${n}`)
        .join(', ')}); deleting them`,
    );
  }
  await unlinkKeys(`${prefix}*`);
  // Runs that ended without their teardown (killed): their keys have no owner any more.
  const stale = new Set<string>();
  for (const k of await scanKeys(`${TEST_DB_PREFIX}*`, undefined, 100_000)) {
    const pid = /^cs_t_(\d+)_/.exec(k)?.[1];
    if (pid && !alive(Number(pid))) {
      stale.add(pid);
    }
  }
  for (const pid of stale) {
    await unlinkKeys(`${TEST_DB_PREFIX}${pid}_*`);
  }
  const remaining = await scanKeys(`${prefix}*`);
  if (remaining.length > 0) {
    throw new Error(
      `Redis keys of this run are still there after the teardown: ${remaining.slice(0, 10).join(', ')}`,
    );
  }
}
