import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newId } from '@/common/ids';
import { businessDate } from '@/common/time';
import { OutboxService } from '@/infrastructure/outbox/outbox.service';
import { SandboxProvider } from '@/infrastructure/payments/sandbox.provider';
import { QueueName } from '@/infrastructure/queue/jobs';
import { LedgerJobName } from '@/modules/ledger/jobs/ledger.job-definitions';
import { QueueService } from '@/infrastructure/queue/queue.service';
import { SettlementService } from '@/modules/orders/settlement.service';
import { urlFor } from './support/databases';
import { factory } from './support/factory';
import { freePort, Proc, runMain } from './support/process';
import { startTestApp, TestApp } from './support/test-app';
import { until, within } from './support/wait';

const API = '/api/v1';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Holds `addBulk` calls on a queue until `open()`: the dispatcher then stays inside its Redis call. */
function holdAddBulk(queue: Queue) {
  const original = queue.addBulk.bind(queue);
  const hold = { calls: 0, open: () => undefined as void };
  const gate = new Promise<void>((resolve) => {
    hold.open = () => {
      queue.addBulk = original;
      resolve();
    };
  });
  queue.addBulk = async (jobs: Parameters<Queue['addBulk']>[0]) => {
    hold.calls++;
    await gate;
    return original(jobs);
  };
  return hold;
}

async function scalar(t: TestApp, sql: string, params: unknown[] = []): Promise<number> {
  const [row] = (await t.db.query(sql, params)) as { n: string | number | null }[];
  return Number(row.n ?? 0);
}

/** The ledger's invariants over the whole database, as the assertions of both tests need them. */
async function ledgerFacts(t: TestApp) {
  return {
    sales: await scalar(t, "SELECT COUNT(*) AS n FROM journal_entries WHERE kind = 'SALE'"),
    duplicates: (await t.db.query(
      `SELECT order_line_id AS lineId, COUNT(*) AS n FROM journal_entries
        WHERE kind = 'SALE' GROUP BY order_line_id HAVING COUNT(*) > 1`,
    )) as unknown[],
    unposted: await scalar(
      t,
      `SELECT COUNT(*) AS n FROM order_lines l JOIN orders o ON o.id = l.order_id
         LEFT JOIN journal_entries e ON e.order_line_id = l.id AND e.kind = 'SALE'
        WHERE o.status = 'PAID' AND e.id IS NULL`,
    ),
    unbalanced: (await t.db.query(
      'SELECT entry_id AS id, SUM(amount_fen) AS s FROM postings GROUP BY entry_id HAVING SUM(amount_fen) <> 0',
    )) as unknown[],
    entriesWithPostings: await scalar(
      t,
      `SELECT COUNT(DISTINCT p.entry_id) AS n FROM postings p
         JOIN journal_entries e ON e.id = p.entry_id WHERE e.kind = 'SALE'`,
    ),
    paidFen: await scalar(
      t,
      "SELECT SUM(l.amount_fen) AS n FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.status = 'PAID'",
    ),
    paidLines: await scalar(
      t,
      "SELECT COUNT(*) AS n FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.status = 'PAID'",
    ),
  };
}

/** Income of the households as the service reports it (GET /households/:id/income). */
async function householdIncome(t: TestApp, households: { id: string }[]): Promise<number> {
  let total = 0;
  for (const h of households) {
    const res = await t.http().get(`${API}/households/${h.id}/income`).set('Authorization', t.adminToken);
    expect(res.status).toBe(200);
    total += res.body.totalFen as number;
  }
  return total;
}

/** Regions, three households, a household supplier and products whose lots name the households. */
async function supplyChain(t: TestApp, prices: number[]) {
  const f = factory(t);
  await f.regions();
  const households = [await f.household(), await f.household(), await f.household()];
  const supplier = await f.supplier({ type: 'HOUSEHOLD', householdId: households[0].id });
  const products: { productId: string; lotId: string }[] = [];
  for (const priceFen of prices) {
    const productId = (await f.product(supplier.id, { priceFen })).id;
    // Uneven sources (30/33/37 %) so that splits have remainders to place.
    const lotId = (
      await f.lot(productId, {
        quantity: 100_000,
        sources: households.map((h, i) => ({ householdId: h.id, quantity: [30_000, 33_000, 37_000][i] })),
      })
    ).id;
    products.push({ productId, lotId });
  }
  return { f, households, supplierId: supplier.id, products };
}

/** A private redis-server (no persistence: a restart comes back empty), run as a child of this process. */
async function startRedis(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${out}`)), 10_000);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${out}`));
    };
    child.once('exit', onExit);
    const onData = (d: Buffer) => {
      out += d.toString('utf8');
      if (/Ready to accept connections/.test(out)) {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
  });
  return child;
}

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

describe('resilience: crashes and outages lose no money', () => {
  it('A worker killed with SIGKILL in the middle of 1,000 allocations and replaced leaves every line posted exactly once', async () => {
    // Five orders (20 lines) to an allocation job: 50 jobs, small enough for the kill to land between them.
    const t = await startTestApp('resilience-kill', { role: 'api', env: { ALLOCATION_BATCH: '5' } });
    const redis = new IORedis(t.env.REDIS_URL, { maxRetriesPerRequest: null });
    const prefix = t.env.QUEUE_PREFIX;
    const ledger = new Queue(QueueName.Ledger, { connection: redis, prefix });
    const workers: Proc[] = [];
    try {
      const { households, supplierId, products } = await supplyChain(t, [100]);
      const [{ productId, lotId }] = products;
      const [{ id: buyer }] = (await t.db.query('SELECT id FROM users WHERE username = ?', [
        t.env.ADMIN_USERNAME,
      ])) as { id: string }[];

      // One dispatcher only (the worker's): two dispatchers claiming at once split the rows between them
      // wherever their scans meet, and the jobs' boundaries (five orders each) would then fall anywhere.
      await t.app.get(OutboxService).onApplicationShutdown();

      // 250 paid orders × 4 lines, written as the payment would leave them, with one outbox row each.
      const today = businessDate();
      const now = new Date();
      const payBy = new Date(now.getTime() + 15 * 60_000);
      const orders: unknown[][] = [];
      const lines: unknown[][] = [];
      const payments: unknown[][] = [];
      const outbox: unknown[][] = [];
      // Orders past the first 10 (the first two allocation jobs), and one line of each of them.
      const heldOrders = new Set<string>();
      const heldLines: string[] = [];
      let expectedFen = 0;
      let barrierKey = '';
      for (let o = 0; o < 250; o++) {
        if (o === 10) {
          barrierKey = `sale:${newId()}`; // sorts after every free line's key and before every held one
        }
        const orderId = newId();
        let total = 0;
        for (let n = 1; n <= 4; n++) {
          const quantity = 1 + ((o + n) % 3);
          const unit = 100 + ((o * 37 + n * 11) % 97);
          total += quantity * unit;
          const lineId = newId();
          lines.push([lineId, orderId, n, productId, lotId, supplierId, quantity, unit, quantity * unit]);
          if (o >= 10 && n === 1) {
            heldOrders.add(orderId);
            heldLines.push(lineId);
          }
        }
        expectedFen += total;
        orders.push([orderId, buyer, 'ONLINE', 'PAID', total, payBy, now, today]);
        payments.push([newId(), orderId, 'sandbox', `sbx_kill_${orderId}`, 'CAPTURED', total, now, today]);
        outbox.push([newId(), LedgerJobName.AllocateOrder, JSON.stringify({ orderId })]);
      }
      const rows = (n: number, count: number) =>
        Array.from({ length: count }, () => `(${Array(n).fill('?').join(',')})`).join(',');
      await t.db.transaction(async (em) => {
        await em.query(
          `INSERT INTO orders (id, buyer_user_id, channel, status, total_fen, pay_by, paid_at, paid_date) VALUES ${rows(8, orders.length)}`,
          orders.flat(),
        );
        await em.query(
          `INSERT INTO order_lines (id, order_id, line_no, product_id, lot_id, supplier_id, quantity, unit_price_fen, amount_fen) VALUES ${rows(9, lines.length)}`,
          lines.flat(),
        );
        await em.query(
          `INSERT INTO payments (id, order_id, provider, provider_ref, status, amount_fen, captured_at, captured_date) VALUES ${rows(8, payments.length)}`,
          payments.flat(),
        );
        await em.query(
          `INSERT INTO outbox (id, job_name, payload, run_at, dispatched_at) VALUES ${rows(3, outbox.length).replace(/\?\)/g, '?, NULL, NULL)')}`,
          outbox.flat(),
        );
      });
      expect(await scalar(t, 'SELECT COUNT(*) AS n FROM order_lines')).toBe(1000);

      const sales = () => scalar(t, "SELECT COUNT(*) AS n FROM journal_entries WHERE kind = 'SALE'");
      const env = {
        DATABASE_URL: urlFor(t.database),
        QUEUE_PREFIX: prefix,
        DATABASE_POOL_SIZE: '10',
        WORKER_CONCURRENCY: '8',
        ALLOCATION_BATCH: '5',
      };

      // The kill must land in the middle however fast or slow the machine is, so the middle is made to
      // wait: a transaction of the test's own, kept open, inserts the sale entries' keys of one line of each
      // held order, and the worker's insert of such a key waits for it. Two jobs at a time: the worker posts
      // the two free jobs (orders 1 to 10, 40 lines), then holds two jobs that cannot finish, and is killed.
      // A committed key between the free lines' keys and the held ones: the waiting inserts' locks on the
      // held keys' gaps then end at it, and the free jobs' inserts below it never wait on them (without it
      // InnoDB reports a deadlock to a free job whose keys fall in the gap before the first held key).
      await t.db.query(
        "INSERT INTO journal_entries (id, idempotency_key, kind, business_date) VALUES (?, ?, 'TEST_BARRIER', ?)",
        [newId(), barrierKey, today],
      );
      const hold = t.db.createQueryRunner();
      await hold.connect();
      await hold.startTransaction();
      await hold.query(
        `INSERT INTO journal_entries (id, idempotency_key, kind, business_date) VALUES ${rows(4, heldLines.length)}`,
        heldLines.flatMap((lineId) => [newId(), `sale:${lineId}`, 'SALE', today]),
      );
      const first = runMain(['worker'], { ...env, WORKER_CONCURRENCY: '2' });
      workers.push(first);
      let atKill = -1;
      try {
        await until(
          'the first worker to hold two jobs it cannot finish',
          async () => {
            const active = await ledger.getJobs(['active']);
            return (
              active.length === 2 &&
              active.every((j) =>
                (j.data as { orderIds: string[] }).orderIds.some((id) => heldOrders.has(id)),
              )
            );
          },
          30_000,
          50,
        );
        first.child.kill('SIGKILL');
        await first.exited;
        atKill = await sales();
      } finally {
        // The dead worker's two batches were sent whole (BEGIN … COMMIT in one round trip) and waited on the
        // server: let go, and they may still commit. The orphans then run again and skip what is posted.
        await hold.rollbackTransaction();
        await hold.release();
        await t.db.query('DELETE FROM journal_entries WHERE idempotency_key = ?', [barrierKey]);
      }
      // The jobs it held: in BullMQ's active list, their locks left to expire.
      const orphans = await redis.lrange(`${prefix}:${QueueName.Ledger}:active`, 0, -1);
      console.log(`SIGKILL after ${atKill} of 1000 lines; ${orphans.length} jobs were in its hands`);
      // Both free jobs (40 lines) are posted before the kill, unless one lost a deadlock to its twin on a busy
      // machine and waits for its retry (a failed attempt: the second worker runs it); the kill lands in the
      // middle either way, with the two held jobs in hand.
      if (atKill !== 40) {
        console.log(
          `a free job did not finish before the kill; the worker said:\n${first.output().slice(-4000)}`,
        );
      }
      expect([20, 40]).toContain(atKill);
      expect(orphans.length).toBe(2);

      // What half a minute would bring, without waiting for it (a wait that a loaded machine stretches past
      // the test's time): the first worker ran for seconds, not for a whole stalledInterval (30 s), so
      // BullMQ's throttle on stalled checks would still hold back its replacement's first check, and the
      // orphans' locks (30 s) would still be there. Clear the throttle, let the locks expire and mark the
      // orphans as a stalled check does, as if the dead worker had run longer: the replacement's first
      // check then takes them back at once.
      const ledgerKey = `${prefix}:${QueueName.Ledger}`;
      await redis.del(`${ledgerKey}:stalled-check`, ...orphans.map((id) => `${ledgerKey}:${id}:lock`));
      await redis.sadd(`${ledgerKey}:stalled`, ...orphans);
      const second = runMain(['worker'], env);
      workers.push(second);
      await second.waitFor(/worker ready/, 20_000);

      // Done when every one of the 50 jobs has completed, the orphans included (they run again).
      await until(
        'every allocation job to complete',
        async () => {
          const c = await ledger.getJobCounts('completed', 'failed');
          if (c.failed > 0) {
            throw new Error(`${c.failed} allocation jobs failed:\n${second.output().slice(-3000)}`);
          }
          return c.completed === 50;
        },
        45_000,
        250,
      );

      // The jobs the killed worker held were taken back as stalled and run again to completion.
      for (const id of orphans) {
        const job = await ledger.getJob(id);
        expect(job?.stalledCounter).toBe(1);
        expect(await job?.getState()).toBe('completed');
      }

      const facts = await ledgerFacts(t);
      expect(facts.sales).toBe(1000);
      expect(facts.duplicates).toEqual([]);
      expect(facts.unposted).toBe(0);
      expect(facts.unbalanced).toEqual([]);
      expect(facts.entriesWithPostings).toBe(1000);
      expect(facts.paidFen).toBe(expectedFen);
      expect(await householdIncome(t, households)).toBe(expectedFen);

      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    } finally {
      for (const w of workers) {
        if (w.child.exitCode === null && w.child.signalCode === null) {
          w.child.kill('SIGKILL');
          await w.exited;
        }
      }
      for (const name of Object.values(QueueName)) {
        const q = new Queue(name, { connection: redis, prefix });
        await q.obliterate({ force: true }).catch(() => undefined);
        await q.close();
      }
      await ledger.close();
      redis.disconnect();
      await t.close();
    }
  }, 58_000);

  it('Redis stopped and restarted in the middle leaves nothing lost', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'cs-resilience-redis-'));
    const redisUrl = `redis://127.0.0.1:${port}/0`;
    let server = await startRedis(port, dir);
    let t: TestApp | undefined;
    try {
      t = await startTestApp('resilience-redis', {
        role: 'all',
        listen: true,
        env: { REDIS_URL: redisUrl, OTP_RESEND_SECONDS: '0' },
      });
      const app = t;
      const { f, households, products } = await supplyChain(app, [101, 257]);
      const citizen = await f.citizen('13700009901');
      const placeOrder = async (n: number): Promise<string> => {
        const res = await app
          .http()
          .post(`${API}/orders`)
          .set('Authorization', citizen)
          .send({ lines: products.map((p, i) => ({ productId: p.productId, quantity: 1 + ((n + i) % 3) })) });
        expect(res.status).toBe(201);
        return res.body.id as string;
      };
      const startPayment = async (orderId: string): Promise<string> => {
        const res = await app
          .http()
          .post(`${API}/orders/${orderId}/payments`)
          .set('Authorization', citizen)
          .send({ provider: 'sandbox' });
        expect(res.status).toBe(201);
        return res.body.id as string;
      };
      const placeAndPay = async (count: number, from: number) => {
        const ids: { orderId: string; paymentId: string }[] = [];
        for (let i = 0; i < count; i++) {
          const orderId = await placeOrder(from + i);
          ids.push({ orderId, paymentId: await startPayment(orderId) });
        }
        return ids;
      };
      const paidCount = (orderIds: string[]) =>
        scalar(app, `SELECT COUNT(*) AS n FROM orders WHERE status = 'PAID' AND id IN (?)`, [orderIds]);
      const entriesOf = (orderIds: string[]) =>
        scalar(app, `SELECT COUNT(*) AS n FROM journal_entries WHERE order_id IN (?)`, [orderIds]);
      const outbox = app.app.get(OutboxService);
      const queues = app.app.get(QueueService);

      // 1. Redis up: orders paid through the gateway flow all the way to the ledger.
      const flowing = (await placeAndPay(3, 0)).map((x) => x.orderId);
      await until('the first orders to be allocated', async () => (await entriesOf(flowing)) === 6, 10_000);

      // 2. A backlog that lives only in Redis: the jobs are dispatched (outbox rows marked sent) but no
      //    worker has taken them yet when Redis goes away.
      const ledgerQueue = queues.queue(QueueName.Ledger);
      await ledgerQueue.pause();
      const queued = (await placeAndPay(3, 3)).map((x) => x.orderId);
      await until('the queued orders to be paid', async () => (await paidCount(queued)) === 3, 10_000);
      await until('their outbox rows to be dispatched', async () => (await outbox.backlog()) === 0, 10_000);
      // Allocation rows due together may travel as one merged job ({orderIds}): what must wait is the orders.
      const waiting = await ledgerQueue.getJobs(['paused', 'wait']);
      const waitingOrders = waiting.flatMap((j) => {
        const data = j.data as { orderId?: string; orderIds?: string[] };
        return data.orderIds ?? (data.orderId ? [data.orderId] : []);
      });
      expect(waitingOrders.sort()).toEqual([...queued].sort());
      expect(await entriesOf(queued)).toBe(0);

      // 3. Payments in hand when Redis goes away: three whose notification never comes (settled by us while
      //    Redis is down) and one whose notification arrives while Redis is down.
      await app.app.get(SandboxProvider).script(['LOSE', 'LOSE', 'LOSE', 'DELAY:1500']);
      const inHand = await placeAndPay(4, 6);
      const schedulers = async () =>
        (await Promise.all(Object.values(QueueName).map((q) => queues.queue(q).getJobSchedulers())))
          .flat()
          .map((s) => s.key)
          .sort();
      const schedulersBefore = await schedulers();
      expect(schedulersBefore.length).toBeGreaterThan(0);
      const marker = new IORedis(redisUrl, { maxRetriesPerRequest: 1 });
      await marker.set('resilience:before-the-outage', '1');
      marker.disconnect();

      // 4. Redis stops. A row that comes due now sends the dispatcher into Redis with it in hand, where it
      //    waits for Redis to come back; the test holds it there, so that the payments below always settle
      //    while it is inside that call.
      const stoppedAt = Date.now();
      await stopRedis(server);
      const payments = app.app.get(SettlementService);
      const settle = async (paymentId: string) => {
        const [{ ref }] = (await app.db.query('SELECT provider_ref AS ref FROM payments WHERE id = ?', [
          paymentId,
        ])) as { ref: string }[];
        // Far less than the lock wait timeout (50 s): a payment never waits on the dispatcher.
        return within(10_000, 'a payment to settle while Redis is down', () =>
          payments.settle(paymentId, 'SUCCEEDED', 'sandbox', ref),
        );
      };
      const lost = inHand.slice(0, 3);
      const lostOrders = lost.map((x) => x.orderId);
      const hold = holdAddBulk(queues.queue(QueueName.Orders));
      try {
        // The first order's deadline comes due (half a minute away): its row, first in the outbox's order,
        // is what the dispatcher takes into Redis.
        const soon = new Date(Date.now() + 30_000);
        await app.db.query('UPDATE orders SET pay_by = ? WHERE id = ?', [soon, lost[0].orderId]);
        await app.db.query('UPDATE outbox SET run_at = ? WHERE id = ?', [soon, lost[0].orderId]);
        outbox.kick();
        await until('the dispatcher to be inside its Redis call', async () => hold.calls > 0, 10_000);
        // The payments commit with their outbox rows (and the first deletes its deadline row) although the
        // dispatcher is stuck in Redis.
        for (const { paymentId } of lost) {
          expect(await settle(paymentId)).toBe('CAPTURED');
        }
        expect(await paidCount(lostOrders)).toBe(3);
        expect(hold.calls).toBe(1);
      } finally {
        // On to Redis itself, which is down: the call waits for it to come back.
        hold.open();
      }
      // Their outbox rows committed with the payment and wait: the dispatcher cannot reach Redis.
      await sleep(300);
      expect(await outbox.backlog()).toBeGreaterThanOrEqual(3);
      expect(await entriesOf(lostOrders)).toBe(0);
      // Keep Redis down past the delayed notification (1.5 s after its payment) and its first retry.
      await sleep(Math.max(0, stoppedAt + 2500 - Date.now()));

      // 5. Redis comes back on the same port, empty.
      server = await startRedis(port, dir);
      const probe = new IORedis(redisUrl, { maxRetriesPerRequest: 1 });
      expect(await probe.get('resilience:before-the-outage')).toBeNull();
      probe.disconnect();

      const all = [...flowing, ...queued, ...inHand.map((x) => x.orderId)];
      await until(
        'every paid line to be posted and the outbox to drain',
        async () => {
          const facts = await ledgerFacts(app);
          return (
            (await paidCount(all)) === all.length &&
            facts.unposted === 0 &&
            facts.sales === all.length * 2 &&
            (await outbox.backlog()) === 0
          );
        },
        20_000,
        100,
      ).catch(async (e: Error) => {
        const groups = { flowing, queued, lost: lostOrders, delayed: [inHand[3].orderId] };
        const state: Record<string, unknown> = { backlog: await outbox.backlog() };
        for (const [k, ids] of Object.entries(groups)) {
          state[k] = { paid: await paidCount(ids), entries: await entriesOf(ids) };
        }
        throw new Error(`${e.message}: ${JSON.stringify(state)}`);
      });
      const facts = await ledgerFacts(app);
      expect(facts.paidLines).toBe(all.length * 2);
      expect(facts.sales).toBe(all.length * 2);
      expect(facts.duplicates).toEqual([]);
      expect(facts.unbalanced).toEqual([]);
      expect(facts.entriesWithPostings).toBe(all.length * 2);
      expect(await householdIncome(app, households)).toBe(facts.paidFen);
      // The job schedulers (payment recovery, reconciliation…) lived in Redis too: they are back.
      await until(
        'the job schedulers to be registered again',
        async () => JSON.stringify(await schedulers()) === JSON.stringify(schedulersBefore),
        10_000,
        100,
      );
    } finally {
      // The app closes with Redis up, so that nothing waits on it forever.
      if (server.exitCode !== null || server.signalCode !== null) {
        server = await startRedis(port, dir);
      }
      await t?.close();
      await stopRedis(server);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 40_000);
});
