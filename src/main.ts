import 'reflect-metadata';
import { ConfigError, loadEnv } from '@/config/env';
import { migrate } from '@/infrastructure/database/migrate';
import { bootLogger, createHttpApp, createWorkerContext, describeListening } from './app';
import type { Role } from './app.module';
import { seedIfEmpty, SeedResult } from './cli/seed';

const USAGE = 'usage: node dist/main <api|worker|all|migrate|revert|seed [--reset]>';

function logSeed(r: SeedResult): void {
  bootLogger.log(
    r.loaded ? `demo data loaded: ${JSON.stringify(r.counts)}` : `demo data not loaded: ${r.reason}`,
  );
}

async function serve(role: Role): Promise<void> {
  const env = loadEnv();
  const started = Date.now();
  if (env.MIGRATE_ON_START) {
    const ran = await migrate(env);
    if (ran.length) {
      bootLogger.log(`migrations applied: ${ran.join(', ')}`);
    }
  }
  if (role === 'worker') {
    const ctx = await createWorkerContext({ env, role });
    await ctx.init();
    bootLogger.log(`worker ready in ${Date.now() - started} ms`);
    return;
  }
  const app = await createHttpApp({ env, role });
  await app.init();
  if (env.SEED_DEMO) {
    logSeed(await seedIfEmpty(app, env));
  }
  await app.listen({ port: env.PORT, host: env.HOST });
  bootLogger.log(`${role} ${describeListening(env)}; ready in ${Date.now() - started} ms`);
  const timeout = env.SHUTDOWN_TIMEOUT_MS;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      bootLogger.log(`${signal}: no new requests; finishing those in flight and the jobs in hand`);
      // Nest closes the server (in-flight requests finish) and the workers (jobs in hand finish);
      // this only guards against a close that never ends.
      setTimeout(() => {
        console.error(`shutdown took longer than ${timeout} ms; exiting`);
        process.exit(1);
      }, timeout).unref();
    });
  }
}

async function main(): Promise<void> {
  const [command = 'all', ...args] = process.argv.slice(2);
  switch (command) {
    case 'api':
    case 'worker':
    case 'all':
      return serve(command);
    case 'migrate': {
      const ran = await migrate(loadEnv());
      bootLogger.log(ran.length ? `applied: ${ran.join(', ')}` : 'no pending migrations');
      return;
    }
    case 'revert':
      await migrate(loadEnv(), 'down');
      bootLogger.log('reverted the last migration');
      return;
    case 'seed': {
      const env = loadEnv();
      const { runSeedCommand } = await import('./cli/seed');
      logSeed(await runSeedCommand(env, args.includes('--reset')));
      return;
    }
    default:
      console.error(USAGE);
      process.exit(2);
  }
}

main().catch((e: unknown) => {
  if (e instanceof ConfigError) {
    console.error(e.message);
  } else {
    console.error('start failed:', e instanceof Error ? (e.stack ?? e.message) : e);
  }
  process.exit(1);
});
