import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { errorCatalog, findError } from '@/common/errors/error-catalog';

/**
 * Every problem `code` written anywhere in src is in the error catalog (src/common/errors/error-catalog.ts),
 * with the status it is answered with, and typed errors are declared only in an errors.ts (the generic ones
 * in src/common/errors). The sources are read as TypeScript syntax, so a code in a comment or a log line
 * does not count and one passed to any error class does, whatever its constructor's argument order.
 */
const SRC = __dirname;
const CODE = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

interface Found {
  file: string;
  line: number;
  code: string;
  status?: number;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      return sourceFiles(p);
    }
    return e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [p] : [];
  });
}

const isErrorDeclaration = (call: ts.Expression) =>
  ts.isCallExpression(call) &&
  ts.isIdentifier(call.expression) &&
  ['defineError', 'registerError'].includes(call.expression.text);

/** Classes deriving from DomainError, by name, across all the given sources (names are unique in src). */
function domainErrorClasses(sources: ts.SourceFile[]): Set<string> {
  const bases = new Map<string, ts.Expression>();
  for (const sf of sources) {
    const visit = (n: ts.Node) => {
      if ((ts.isClassDeclaration(n) || ts.isClassExpression(n)) && n.name) {
        const base = n.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
        if (base) {
          bases.set(n.name.text, base.expression);
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  const derived = new Set<string>(['DomainError']);
  for (let grew = true; grew;) {
    grew = false;
    for (const [name, base] of bases) {
      const yes = isErrorDeclaration(base) || (ts.isIdentifier(base) && derived.has(base.text));
      if (yes && !derived.has(name)) {
        derived.add(name);
        grew = true;
      }
    }
  }
  return derived;
}

const literal = (n: ts.Node | undefined): string | undefined =>
  n && (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) ? n.text : undefined;
const numeric = (n: ts.Node | undefined): number | undefined =>
  n && ts.isNumericLiteral(n) ? Number(n.text) : undefined;
const isStatus = (s: number | undefined): s is number => s !== undefined && s >= 400 && s <= 599;

/** Where a problem code is written: arguments and defaults of error classes, declarations, problem tables. */
function codesIn(sources: ts.SourceFile[], root: string): Found[] {
  const errorClasses = domainErrorClasses(sources);
  const found: Found[] = [];
  for (const sf of sources) {
    const add = (node: ts.Node, code: string | undefined, status?: number) => {
      if (code !== undefined && CODE.test(code)) {
        const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
        found.push({
          file: relative(root, sf.fileName),
          line,
          code,
          status: isStatus(status) ? status : undefined,
        });
      }
    };
    const fromArguments = (args: readonly ts.Expression[]) =>
      args.forEach((a, i) => add(a, literal(a), numeric(args[i - 1])));
    const visit = (n: ts.Node, inErrorClass: boolean) => {
      let inside = inErrorClass;
      if ((ts.isClassDeclaration(n) || ts.isClassExpression(n)) && n.name) {
        inside = errorClasses.has(n.name.text);
      }
      if (ts.isNewExpression(n) && ts.isIdentifier(n.expression) && errorClasses.has(n.expression.text)) {
        fromArguments(n.arguments ?? []);
      }
      if (ts.isCallExpression(n)) {
        if (inside && n.expression.kind === ts.SyntaxKind.SuperKeyword) {
          fromArguments(n.arguments);
        }
        if (isErrorDeclaration(n) && n.arguments[0] && ts.isObjectLiteralExpression(n.arguments[0])) {
          const props = new Map(
            n.arguments[0].properties
              .filter(ts.isPropertyAssignment)
              .map((p) => [p.name.getText(sf), p.initializer]),
          );
          add(n, literal(props.get('code')), numeric(props.get('status')));
        }
        if (ts.isIdentifier(n.expression) && n.expression.text === 'problemFor') {
          add(n, literal(n.arguments[2]), numeric(n.arguments[0]));
        }
      }
      // A parameter's default in an error class's constructor (`code = 'not-found'`).
      if (inside && ts.isParameter(n) && ts.isConstructorDeclaration(n.parent)) {
        add(n, literal(n.initializer));
      }
      // Tables of [status, code, …] (Fastify's errors, the HTTP parser's) and { 404: [code, title] }.
      if (ts.isArrayLiteralExpression(n) && isStatus(numeric(n.elements[0]))) {
        add(n, literal(n.elements[1]), numeric(n.elements[0]));
      }
      if (
        ts.isPropertyAssignment(n) &&
        isStatus(numeric(n.name)) &&
        ts.isArrayLiteralExpression(n.initializer)
      ) {
        add(n, literal(n.initializer.elements[0]), numeric(n.name));
      }
      ts.forEachChild(n, (c) => visit(c, inside));
    };
    visit(sf, false);
  }
  return found;
}

const parse = (file: string, text: string) => ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);

describe('the error catalog', () => {
  const files = sourceFiles(SRC);
  const sources = files.map((f) => parse(f, readFileSync(f, 'utf8')));

  beforeAll(async () => {
    // The catalog fills as the files that declare errors load; load every one of them.
    for (const sf of sources) {
      if (/\b(defineError|registerError)\(/.test(sf.text)) {
        await import(sf.fileName);
      }
    }
  });

  it('lists every code written in src, with the status it is answered with', () => {
    const found = codesIn(sources, SRC);
    const unlisted = found.filter((f) => !findError(f.code)).map((f) => `${f.file}:${f.line} ${f.code}`);
    expect(unlisted).toEqual([]);
    const wrongStatus = found
      .filter((f) => f.status !== undefined && findError(f.code) && findError(f.code)!.status !== f.status)
      .map((f) => `${f.file}:${f.line} ${f.code} ${f.status} (listed as ${findError(f.code)!.status})`);
    expect(wrongStatus).toEqual([]);
    // The scan itself sees the codes of each kind of place they are written in.
    const codes = new Set(found.map((f) => f.code));
    for (const code of [
      'out-of-stock', // a module's typed error
      'validation-failed', // the generic ones
      'malformed-json', // the problem filter's table
      'headers-too-large', // Node's parser
      'bad-request', // the default code of a status
      'duplicate', // a database constraint
      'idempotency-key-reused', // the interceptor
    ]) {
      expect(codes).toContain(code);
    }
  });

  it('holds the generic codes of the HTTP edge and the filter', () => {
    const codes = errorCatalog().map((e) => `${e.status} ${e.code}`);
    expect(codes).toEqual(
      expect.arrayContaining([
        '400 validation-failed',
        '400 malformed-json',
        '400 too-deeply-nested',
        '401 unauthenticated',
        '403 forbidden',
        '404 not-found',
        '405 method-not-allowed',
        '406 not-acceptable',
        '413 payload-too-large',
        '414 uri-too-long',
        '415 unsupported-media-type',
        '429 too-many-requests',
        '500 internal-error',
      ]),
    );
    for (const e of errorCatalog()) {
      expect(e.title).not.toBe('');
      expect(e.description).not.toBe('');
    }
  });

  it('declares typed errors only in an errors.ts (the generic ones in src/common/errors)', () => {
    const allowed = (file: string) => file.endsWith('/errors.ts') || file.startsWith('common/errors/');
    const errorClasses = domainErrorClasses(sources);
    const misplaced: string[] = [];
    for (const sf of sources) {
      const file = relative(SRC, sf.fileName);
      const visit = (n: ts.Node) => {
        const declares =
          ((ts.isClassDeclaration(n) || ts.isClassExpression(n)) &&
            n.name &&
            errorClasses.has(n.name.text)) ||
          (ts.isCallExpression(n) && isErrorDeclaration(n));
        if (declares && !allowed(file) && !(ts.isClassDeclaration(n) && n.name?.text === 'DomainError')) {
          misplaced.push(`${file}:${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1}`);
        }
        ts.forEachChild(n, visit);
      };
      visit(sf);
    }
    expect(misplaced).toEqual([]);
  });

  it('finds a code however it is written', () => {
    const snippet = parse(
      'x.ts',
      `
      class FooError extends defineError({ status: 409, code: 'foo-declared', title: 'T', description: 'D' }) {}
      class BarError extends NotFoundError { constructor() { super('Bar', 'bar-passed-up'); } }
      class NotFoundError extends DomainError { constructor(what: string, code = 'default-code') { super(404, code, 'Not found'); } }
      throw new DomainError(422, 'raw-code', 'Title', 'a detail');
      throw new BarError('made-up-code');
      throw new Error('not-an-error-code');
      problemFor(409, 'a detail', 'filter-code');
      const TABLE = { X: [415, 'table-code', 'detail'] };
      const TITLES = { 431: ['titles-code', 'Title'] };
      `,
    );
    expect(codesIn([snippet], '').map((f) => `${f.status ?? '-'} ${f.code}`)).toEqual([
      '409 foo-declared',
      '- bar-passed-up',
      '- default-code',
      '422 raw-code',
      '- made-up-code',
      '409 filter-code',
      '415 table-code',
      '431 titles-code',
    ]);
  });
});
