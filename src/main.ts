import 'reflect-metadata';
import { INestApplicationContext, Logger } from '@nestjs/common';
import { ConfigError, loadEnv } from '@/config/env';
import { migrate } from '@/infrastructure/database/migrate';
import { probePublicUrl, sandboxNotifyUrl } from '@/infrastructure/health/public-url-probe';
import { createBootLogger } from '@/infrastructure/logging';
import { bootLogger, createHttpApp, createWorkerContext, describeListening, lifecycle } from './app';
import type { Role } from './app.module';
import { seedIfEmpty, SeedResult } from './cli/seed';

const USAGE = 'usage: node dist/main <api|worker|all|migrate|revert|seed [--reset]>';

function logSeed(r: SeedResult): void {
  const counts = Object.entries(r.counts ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  bootLogger.log(r.loaded ? `demo data loaded: ${counts}` : `demo data not loaded: ${r.reason}`);
}

/**
 * SIGTERM/SIGINT: stop taking requests, let those in flight and the jobs in hand finish, close the
 * connections, exit 0. A close that hangs past SHUTDOWN_TIMEOUT_MS exits 1.
 */
function closeOnSignal(app: INestApplicationContext, timeoutMs: number): void {
  let closing = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (closing) {
        return;
      }
      closing = true;
      lifecycle.closing = true;
      bootLogger.log(`${signal}: no new requests; finishing those in flight and the jobs in hand`);
      setTimeout(() => {
        console.error(`shutdown took longer than ${timeoutMs} ms; exiting`);
        process.exit(1);
      }, timeoutMs).unref();
      app.close().then(
        () => {
          bootLogger.log('closed cleanly');
          process.exit(0);
        },
        (e: unknown) => {
          console.error('shutdown failed:', e);
          process.exit(1);
        },
      );
    });
  }
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
    closeOnSignal(ctx, env.SHUTDOWN_TIMEOUT_MS);
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
  closeOnSignal(app, env.SHUTDOWN_TIMEOUT_MS);
  if (env.PAYMENTS_SANDBOX_ENABLED) {
    // The sandbox posts its notifications to PUBLIC_BASE_URL: say so at once when they would go elsewhere.
    void probePublicUrl(app.getHttpServer(), env).then((warning) =>
      warning
        ? bootLogger.warn(warning)
        : bootLogger.log(`the sandbox's webhook ${sandboxNotifyUrl(env)} reaches this process`),
    );
  }
}

async function main(): Promise<void> {
  // pino's JSON lines from the first one; the app hands over to its own pino logger once it exists.
  Logger.overrideLogger(createBootLogger());
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
