#!/usr/bin/env node
// `npm start [role]`: build when the sources are newer than dist, make sure MySQL, Redis and the MQTT
// broker answer (starting local ones that do not), then run dist/main in this same process. npm runs this
// through `sh -c`; the script line `exec`s node so that the SIGTERM/SIGINT npm forwards reaches this process
// (dash would die of it and leave node serving), and dist/main's handlers then shut down gracefully.
'use strict';
const { execFileSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const entry = join(root, 'dist', 'main.js');

function newestMtime(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function buildIfNeeded() {
  const inputs = [join(root, 'src'), join(root, 'tsconfig.json'), join(root, 'tsconfig.build.json'), join(root, 'package-lock.json')];
  const newest = Math.max(...inputs.filter(existsSync).map((p) => (statSync(p).isDirectory() ? newestMtime(p) : statSync(p).mtimeMs)));
  if (existsSync(entry) && statSync(entry).mtimeMs >= newest) {
    return;
  }
  console.error('building (sources changed since the last build)…');
  execFileSync(process.execPath, [require.resolve('@nestjs/cli/bin/nest.js'), 'build'], { cwd: root, stdio: 'inherit' });
}

async function main() {
  const args = process.argv.slice(2);
  buildIfNeeded();
  if (args[0] === '--build-only') {
    return;
  }
  if (args[0] !== 'revert') {
    const services = await require('./services').ensureServices();
    const started = Object.entries(services).filter(([, s]) => s.status === 'started');
    if (started.length) {
      // They outlive this process (the next start finds them answering); say how to stop them.
      const docker = started.some(([, s]) => s.via === 'docker compose');
      console.error(
        `${started.map(([kind]) => kind).join(', ')} keep running after this stops: ` +
          (docker ? 'docker compose -f docker/docker-compose.yml stop' : 'node scripts/services.js stop'),
      );
    }
  }
  process.argv = [process.argv[0], entry, ...(args.length ? args : ['all'])];
  require(entry);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
