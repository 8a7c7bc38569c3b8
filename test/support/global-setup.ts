import { loadEnv } from '@/config/env';
import { migrate } from '@/infrastructure/database/migrate';
import { dropStaleTestDatabases, runId, templateDb, urlFor } from './databases';

/** Once per run: services answer, stale test databases go, this run's template is migrated. */
export default async function globalSetup(): Promise<void> {
  process.env.CS_TEST_RUN = runId();
  const { ensureServices } = require('../../scripts/services') as typeof import('../../scripts/services');
  await ensureServices({ log: () => undefined, createDatabase: false });
  await dropStaleTestDatabases();
  await migrate(loadEnv({ DATABASE_URL: urlFor(templateDb()) }));
}
