#!/usr/bin/env node
// `npm run migration:generate -- Name`: diff the entities against a freshly migrated scratch database
// and write src/infrastructure/database/migrations/<timestamp>-Name.ts. Add the class to migrations/index.ts.
'use strict';
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

const name = process.argv[2];
if (!name || !/^[A-Za-z][A-Za-z0-9]*$/.test(name)) {
  console.error('usage: npm run migration:generate -- MigrationName');
  process.exit(2);
}
const root = join(__dirname, '..');
const base = (process.env.DATABASE_URL || 'mysql://root@127.0.0.1:3306/consumption_support').replace(/\/[^/?]+(\?.*)?$/, '');
const env = { ...process.env, DATABASE_URL: `${base}/cs_migration_scratch`, TS_NODE_TRANSPILE_ONLY: '1' };
const cli = ['-r', 'ts-node/register', '-r', 'tsconfig-paths/register', require.resolve('typeorm/cli.js')];
const ds = ['-d', 'src/infrastructure/database/data-source.ts'];
execFileSync(process.execPath, [...cli, 'query', 'DROP DATABASE IF EXISTS cs_migration_scratch', ...ds], {
  cwd: root, env: { ...env, DATABASE_URL: `${base}/mysql` }, stdio: 'inherit',
});
execFileSync(process.execPath, [...cli, 'query', 'CREATE DATABASE cs_migration_scratch CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci', ...ds], {
  cwd: root, env: { ...env, DATABASE_URL: `${base}/mysql` }, stdio: 'inherit',
});
execFileSync(process.execPath, [...cli, 'migration:run', ...ds], { cwd: root, env, stdio: 'inherit' });
execFileSync(process.execPath, [...cli, 'migration:generate', '-p', ...ds, `src/infrastructure/database/migrations/${name}`], {
  cwd: root, env, stdio: 'inherit',
});
