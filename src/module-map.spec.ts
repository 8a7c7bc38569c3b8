import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The module map (DESIGN.md) is enforced by eslint.config.mjs: these cases lint one import each, as if it were
 * written in the given file, so that the rule cannot be weakened or dropped without a test failing.
 */
const ROOT = join(__dirname, '..');

interface Case {
  file: string;
  source: string;
}

const forbidden: Case[] = [
  // A channel never imports another channel.
  { file: 'src/modules/kiosk/x.ts', source: '@/modules/livestream/hosts.service' },
  { file: 'src/modules/kiosk/jobs/x.ts', source: '../../procurement/organizations.service' },
  { file: 'src/modules/livestream/x.ts', source: '@/modules/kiosk/kiosk.module' },
  { file: 'src/modules/livestream/x.ts', source: '../procurement/procurement.module' },
  { file: 'src/modules/procurement/x.ts', source: '@/modules/kiosk' },
  { file: 'src/modules/procurement/x.ts', source: 'src/modules/livestream/hosts.service' },
  // The ledger and the order core (orders, catalog) import no channel; nor do the modules below them.
  { file: 'src/modules/ledger/x.ts', source: '@/modules/kiosk/kiosk.module' },
  { file: 'src/modules/ledger/jobs/x.ts', source: '@/modules/livestream/hosts.service' },
  { file: 'src/modules/ledger/x.ts', source: '../procurement/organizations.service' },
  { file: 'src/modules/orders/x.ts', source: '@/modules/procurement/procurement.module' },
  { file: 'src/modules/catalog/x.ts', source: '@/modules/livestream/livestream.module' },
  { file: 'src/modules/identity/x.ts', source: '@/modules/procurement/organizations.service' },
  { file: 'src/modules/suppliers/x.ts', source: '@/modules/kiosk/kiosk.module' },
  // Infrastructure and common import no module.
  { file: 'src/infrastructure/database/x.ts', source: '@/modules/orders/entities/order.entity' },
  { file: 'src/infrastructure/queue/x.ts', source: '../../modules/ledger/ledger.module' },
  { file: 'src/infrastructure/x.ts', source: '../modules/orders/orders.service' },
  { file: 'src/common/x.ts', source: '@/modules/identity/users.service' },
  { file: 'src/common/errors/x.ts', source: '../../modules/catalog/catalog.service' },
  // Common imports nothing from infrastructure.
  { file: 'src/common/errors/x.ts', source: '@/infrastructure/database/transaction' },
  { file: 'src/common/x.ts', source: '../infrastructure/redis/redis.module' },
  { file: 'src/common/idempotency/x.ts', source: 'src/infrastructure/queue/jobs' },
];

const allowed: Case[] = [
  { file: 'src/modules/ledger/x.ts', source: '@/modules/orders/orders.service' },
  { file: 'src/modules/ledger/x.ts', source: '@/infrastructure/queue/jobs' },
  { file: 'src/modules/kiosk/x.ts', source: '@/modules/orders/orders.module' },
  { file: 'src/modules/kiosk/x.ts', source: '@/modules/kiosk/kiosk.module' },
  { file: 'src/modules/livestream/x.ts', source: '@/modules/identity/identity.module' },
  { file: 'src/modules/livestream/dto/x.ts', source: '../hosts.service' },
  { file: 'src/modules/procurement/x.ts', source: '@/modules/regions/regions.service' },
  { file: 'src/infrastructure/x.ts', source: '@/common/ids' },
  { file: 'src/common/x.ts', source: '@/config/env' },
  // The composition root puts every module together.
  { file: 'src/app.module.ts', source: '@/modules/kiosk/kiosk.module' },
  { file: 'src/cli/seed.ts', source: '@/modules/procurement/organizations.service' },
];

/** Lints each snippet with the project's config (type-aware rules off) in a plain Node process. */
function lint(snippets: { file: string; code: string }[]): string[][] {
  // ESLint loads eslint.config.mjs with a dynamic import, which Jest's module sandbox does not allow.
  const script = `
    const { ESLint } = require('eslint');
    const tseslint = require('typescript-eslint');
    const snippets = JSON.parse(process.argv[1]);
    (async () => {
      const eslint = new ESLint({ cwd: process.cwd(), overrideConfig: tseslint.configs.disableTypeChecked });
      const out = [];
      for (const s of snippets) {
        const [r] = await eslint.lintText(s.code, { filePath: s.file });
        const fatal = r.messages.find((m) => m.fatal);
        if (fatal) throw new Error(s.file + ': ' + fatal.message);
        out.push(r.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message));
      }
      process.stdout.write(JSON.stringify(out));
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const out = execFileSync(process.execPath, ['-e', script, JSON.stringify(snippets)], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return JSON.parse(out) as string[][];
}

const forms = (source: string) => [
  `import { a } from '${source}';\nexport const b = a;\n`,
  `import type { A } from '${source}';\nexport type B = A;\n`,
  `export * from '${source}';\n`,
  `import '${source}';\n`,
];

describe('the module map (eslint no-restricted-imports)', () => {
  const all = [...forbidden, ...allowed];
  let results: Map<string, string[][]>;

  beforeAll(() => {
    const snippets = all.flatMap((c) => forms(c.source).map((code) => ({ file: c.file, code })));
    const out = lint(snippets);
    results = new Map(all.map((c, i) => [`${c.file} ${c.source}`, out.slice(i * 4, i * 4 + 4)]));
  }, 60_000);

  it.each(forbidden)('$file may not import $source', (c) => {
    const got = results.get(`${c.file} ${c.source}`)!;
    expect(got.map((messages) => messages.length)).toEqual([1, 1, 1, 1]);
  });

  it.each(allowed)('$file may import $source', (c) => {
    expect(results.get(`${c.file} ${c.source}`)).toEqual([[], [], [], []]);
  });
});
