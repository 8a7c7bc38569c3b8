import autocannon from 'autocannon';
import { ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { parseDatabaseUrl } from '@/infrastructure/database/database-url';
import { loadEnv } from '@/config/env';

export { freePort } from '../test/support/process';

export const ROOT = join(__dirname, '..');

/**
 * Drops a scratch database for a benchmark (the service creates it again when it starts; `create` creates it
 * now, for a process that does not); returns its URL.
 */
export async function freshDatabase(name: string, create = false): Promise<string> {
  const base = loadEnv().DATABASE_URL.replace(/\/[^/?]+(\?.*)?$/, '');
  const t = parseDatabaseUrl(`${base}/mysql`);
  const conn = await createConnection({ host: t.host, port: t.port, user: t.user, password: t.password });
  await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
  if (create) {
    await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  }
  await conn.end();
  return `${base}/${name}`;
}

export interface Server {
  child: ChildProcess;
  port: number;
  stop: () => Promise<void>;
}

/** Starts a process and waits until GET `readyPath` answers 200. */
export async function startServer(
  args: string[],
  env: Record<string, string>,
  port: number,
  readyPath: string,
): Promise<Server> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`${args.join(' ')} exited with ${child.exitCode}: ${stderr}`);
    }
    try {
      const res = await fetch(`http://127.0.0.1:${port}${readyPath}`);
      if (res.status === 200) {
        break;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${args.join(' ')} did not answer ${readyPath} within 60 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    child,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export interface LoadResult {
  label: string;
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  total: number;
}

/** autocannon against one URL: mean requests/s and latency percentiles. */
export async function load(
  label: string,
  url: string,
  seconds: number,
  connections: number,
): Promise<LoadResult> {
  const r = await autocannon({ url, connections, duration: seconds, pipelining: 1 });
  return {
    label,
    requestsPerSec: Math.round(r.requests.average),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    total: r.requests.total,
  };
}

export function table(rows: Record<string, string | number>[]): string {
  const keys = Object.keys(rows[0]);
  const widths = keys.map((k) => Math.max(k.length, ...rows.map((r) => String(r[k]).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  return [
    line(keys),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map((r) => line(keys.map((k) => String(r[k])))),
  ].join('\n');
}

/**
 * CPU time (user + system, ms) each named process has used so far, read from /proc (Linux); empty
 * elsewhere. Sampled before and after a run, it tells where the work of one unit goes, which is steadier
 * than throughput on a machine whose speed drifts.
 */
export function cpuMs(pids: Record<string, number | undefined>): Record<string, number> {
  const out: Record<string, number> = {};
  const tick = 1000 / 100; // USER_HZ is 100 on Linux
  for (const [name, pid] of Object.entries(pids)) {
    if (!pid) {
      continue;
    }
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out[name] = (Number(fields[11]) + Number(fields[12])) * tick;
    } catch {
      // not Linux, or the process is gone
    }
  }
  return out;
}

/** The pid of the first process whose command line contains `needle` (Linux), else undefined. */
export function pidOf(needle: string): number | undefined {
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) {
        continue;
      }
      try {
        if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').includes(needle)) {
          return Number(entry);
        }
      } catch {
        // gone meanwhile
      }
    }
  } catch {
    // no /proc
  }
  return undefined;
}

export interface Loop {
  done: number;
  errors: number;
  /** Milliseconds of each operation that succeeded, sorted. */
  latencies: number[];
}

/**
 * `clients` callers, each running `op` again as soon as it returns, for `seconds`: an operation that throws or
 * answers false is an error. `n` numbers the operations across all callers.
 */
export async function closedLoop(
  clients: number,
  seconds: number,
  op: (client: number, n: number) => Promise<boolean | void>,
): Promise<Loop> {
  const out: Loop = { done: 0, errors: 0, latencies: [] };
  const end = Date.now() + seconds * 1000;
  let n = 0;
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      while (Date.now() < end) {
        const t0 = performance.now();
        const ok = await op(c, n++).then(
          (r) => r !== false,
          () => false,
        );
        if (ok) {
          out.done++;
          out.latencies.push(performance.now() - t0);
        } else {
          out.errors++;
        }
      }
    }),
  );
  out.latencies.sort((a, b) => a - b);
  return out;
}
