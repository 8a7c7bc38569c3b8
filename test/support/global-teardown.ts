import { dropStaleTestDatabases } from './databases';

export default async function globalTeardown(): Promise<void> {
  await dropStaleTestDatabases();
}
