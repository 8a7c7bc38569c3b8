// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

/*
 * The module map (DESIGN.md, CONVENTIONS.md): channels never import each other; the ledger, the order core and
 * the modules below them import no channel; src/infrastructure and src/common import no module; src/common
 * imports nothing from src/infrastructure. The composition root (src/app.module.ts, src/main.ts, src/cli/**)
 * puts every module together and is the one place allowed to import them all; tests and benchmarks too.
 * Each pattern matches an import of src/<path> by alias (@/), by baseUrl (src/) or by a relative path.
 * Each file falls under exactly one block below; a later block that sets no-restricted-imports for the same
 * files would replace these patterns, not add to them. src/module-map.spec.ts lints forbidden and allowed
 * imports of each kind, so the map cannot silently rot.
 */
const CHANNELS = ['kiosk', 'livestream', 'procurement'];
const channel = (name) => `^(@/modules/|src/modules/|(\\.\\./)+(modules/)?)${name}(/|$)`;
const layer = (name) => `^(@/|src/|(\\.\\./)+)${name}(/|$)`;
const restrict = (files, patterns, ignores) => ({
  files,
  ...(ignores ? { ignores } : {}),
  rules: { 'no-restricted-imports': ['error', { patterns }] },
});
const noModules = (who) => ({
  regex: layer('modules'),
  message: `${who} imports no module (src/modules/*): a module registers what it needs here instead.`,
});
const noChannels = (except, who) =>
  CHANNELS.filter((c) => c !== except).map((c) => ({
    regex: channel(c),
    message: `${who} imports no channel (${c}): a channel depends on the core, never the other way round or sideways.`,
  }));

const moduleMap = [
  restrict(
    ['src/common/**'],
    [
      noModules('src/common'),
      {
        regex: layer('infrastructure'),
        message: 'src/common imports nothing from src/infrastructure (infrastructure may import common).',
      },
    ],
  ),
  restrict(['src/infrastructure/**'], [noModules('src/infrastructure')]),
  ...CHANNELS.map((c) => restrict([`src/modules/${c}/**`], noChannels(c, `The ${c} channel`))),
  restrict(
    ['src/modules/**'],
    noChannels(undefined, 'A module that is not a channel (ledger, orders, catalog, identity, …)'),
    CHANNELS.map((c) => `src/modules/${c}/**`),
  ),
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.data/**', 'eslint.config.mjs', 'scripts/**', 'jest.config.js'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      curly: 'error',
      'no-console': ['error', { allow: ['error', 'warn'] }],
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
    },
  },
  {
    files: ['bench/**', 'src/cli/**', 'test/**'],
    rules: {
      'no-console': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  ...moduleMap,
);
