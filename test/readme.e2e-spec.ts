import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { seedIfEmpty } from '@/cli/seed';
import { startTestApp, TestApp } from './support/test-app';

/** The README's first-purchase walkthrough, as a reader would paste it, against a fresh service with the demo. */
describe('README: the first purchase, step by step', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('readme', { role: 'all', listen: true });
    await t.db.query('DELETE FROM users'); // an empty database, as on a first start
    expect((await seedIfEmpty(t.app, t.env)).loaded).toBe(true);
  });
  afterAll(() => t.close());

  const block = () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const m = /<!-- first-purchase:start -->\n```bash\n([\s\S]*?)\n```\n<!-- first-purchase:end -->/.exec(
      readme,
    );
    if (!m) {
      throw new Error('README.md has no first-purchase block between its markers');
    }
    return m[1];
  };

  const run = (script: string) =>
    new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const child = spawn('bash', ['-euo', 'pipefail', '-c', script], {
        env: { ...process.env, BASE: t.env.PUBLIC_BASE_URL },
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
      child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
      child.on('close', (code) => resolve({ code, out, err }));
    });

  it('runs as written: the order is paid, households receive their part, the day reconciles BALANCED', async () => {
    const { code, out, err } = await run(block());
    expect({ code, err }).toEqual({ code: 0, err: '' });
    const lines = out.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^order [0-9A-Z]{26}: 25600 fen, PENDING_PAYMENT$/),
      'PENDING',
      'PAID',
      expect.stringMatching(/^households behind lot [0-9A-Z]{26} received 10240 fen of its sales$/),
      'total 1280 fen, pending 1280, available 0',
      'RUNNING',
      expect.stringMatching(/^reconciliation \d{4}-\d{2}-\d{2}: BALANCED$/),
    ]);
    // What it printed is what the database holds.
    const [paid] = (await t.db.query(
      "SELECT COUNT(*) AS n, SUM(total_fen) AS fen FROM orders WHERE status = 'PAID' AND channel = 'ONLINE'",
    )) as { n: string; fen: string }[];
    expect(paid).toEqual({ n: '1', fen: '25600' });
  });
});
