#!/usr/bin/env node
// `npm run migration:generate -- Name`: diff the entities (every src/**/*.entity.ts, found by the CLI data
// source) against a freshly migrated scratch database and write
// src/infrastructure/database/migrations/<timestamp>-Name.ts. Add the class to migrations/index.ts.
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
// One scratch database per run: two runs on one server do not drop each other's.
const scratch = `cs_migration_scratch_${process.pid}`;
const env = { ...process.env, DATABASE_URL: `${base}/${scratch}`, TS_NODE_TRANSPILE_ONLY: '1' };
const cli = ['-r', 'ts-node/register', '-r', 'tsconfig-paths/register', require.resolve('typeorm/cli.js')];
const ds = ['-d', 'src/infrastructure/database/data-source.ts'];
const onServer = (sql) =>
  execFileSync(process.execPath, [...cli, 'query', sql, ...ds], {
    cwd: root, env: { ...env, DATABASE_URL: `${base}/mysql` }, stdio: 'inherit',
  });

let status = 0;
onServer(`DROP DATABASE IF EXISTS ${scratch}`);
onServer(`CREATE DATABASE ${scratch} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
try {
  execFileSync(process.execPath, [...cli, 'migration:run', ...ds], { cwd: root, env, stdio: 'inherit' });
  // TypeORM reads a generated column's expression (payments.open_order_id, written by hand in a migration) from
  // its own metadata table, which our migrations do not create; an empty one lets the diff run.
  onServer(
    `CREATE TABLE ${scratch}.typeorm_metadata (type varchar(255) NOT NULL, \`database\` varchar(255) NULL,
      \`schema\` varchar(255) NULL, \`table\` varchar(255) NULL, name varchar(255) NULL, value text NULL)`,
  );
  execFileSync(process.execPath, [...cli, 'migration:generate', '-p', ...ds, `src/infrastructure/database/migrations/${name}`], {
    cwd: root, env, stdio: 'inherit',
  });
} catch (e) {
  status = typeof e.status === 'number' && e.status ? e.status : 1;
} finally {
  onServer(`DROP DATABASE IF EXISTS ${scratch}`);
}
process.exit(status);
