import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { seedIfEmpty } from '@/cli/seed';
import { factory } from './support/factory';
import { startTestApp, TestApp } from './support/test-app';
import { until } from './support/wait';

/**
 * The README's "trying it without a cabinet" block, as a reader would paste it, against a fresh service with
 * the demo data: it registers and stocks a cabinet and runs the simulator (npm run cabinet:sim); this test
 * plays the citizen through the API and types into the simulator what a customer does.
 */
describe('README: a smart cabinet with the simulator', () => {
  let t: TestApp;
  let child: ChildProcessWithoutNullStreams | undefined;
  beforeAll(async () => {
    t = await startTestApp('readmecab', { role: 'all', listen: true });
    await t.db.query('DELETE FROM users');
    expect((await seedIfEmpty(t.app, t.env)).loaded).toBe(true);
  });
  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.stdin.write('quit\n');
      await new Promise((r) => child!.once('close', r));
    }
    await t.close();
  });

  const block = () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const m = /<!-- cabinet-try:start -->\n```bash\n([\s\S]*?)\n```\n<!-- cabinet-try:end -->/.exec(readme);
    if (!m) {
      throw new Error('README.md has no cabinet-try block between its markers');
    }
    return m[1];
  };

  it('runs as written: the door opens, two boxes of tea are charged, the receipt names the households’ share', async () => {
    let out = '';
    let err = '';
    child = spawn('bash', ['-euo', 'pipefail', '-c', block()], {
      cwd: join(__dirname, '..'),
      env: { ...process.env, BASE: t.env.PUBLIC_BASE_URL, MQTT_URL: t.env.MQTT_URL },
    });
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    const qrUrl = await until(
      'the qrUrl',
      async () => /^(http:\/\/\S+\/k\/WZ-XZ-01\?t=\S+)$/m.exec(out)?.[1],
      30_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\nstdout: ${out}\nstderr: ${err}`);
    });
    expect(out.split('\n').slice(0, 2)).toEqual(['slot 1 holds 20 boxes', qrUrl]);
    await until(
      'the simulator online',
      async () => {
        const r = await t.http().get('/api/v1/cabinets/WZ-XZ-01').set('Authorization', t.adminToken);
        return r.body.status === 'ONLINE';
      },
      60_000,
    );
    const phone = '13800000001';
    const citizen = await factory(t).citizen(phone);
    expect(
      (
        await t
          .http()
          .post('/api/v1/me/payment-agreements')
          .set('Authorization', citizen)
          .send({ provider: 'sandbox' })
      ).status,
    ).toBe(201);
    const res = await t.http().post('/api/v1/kiosk/sessions').set('Authorization', citizen).send({ qrUrl });
    expect(res.status).toBe(201);
    const session = async () =>
      (await t.http().get(`/api/v1/kiosk/sessions/${res.body.id}`).set('Authorization', citizen)).body;
    await until('OPEN', async () => (await session()).status === 'OPEN', 15_000);
    child.stdin.write('take 1 500\nclose\n');
    const done = await until(
      'the receipt',
      async () => {
        const s = await session();
        return s.receiptSentAt && s;
      },
      15_000,
    );
    expect(done).toMatchObject({ status: 'SETTLED', payment: 'PAID', totalFen: 25600, householdFen: 10240 });
    expect(done.items).toEqual([
      expect.objectContaining({
        productName: '三峡绿茶 250克礼盒',
        quantity: 2,
        unitPriceFen: 12800,
        amountFen: 25600,
      }),
    ]);
    const sms = (await t.http().get(`/api/v1/dev/sms?phone=${phone}`)).body as { text: string }[];
    expect(sms.find((m) => m.text.includes('合计'))?.text).toBe(
      '【消费扶贫】您在万州区行政中心专柜购买：三峡绿茶 250克礼盒×2 ¥256.00。合计¥256.00，已支付。其中¥102.40进入脱贫户收入。感谢您的爱心消费！',
    );
  });
});
