import { ModuleRef } from '@nestjs/core';
import { Queue } from 'bullmq';
import { newId } from '@/common/ids';
import { OutboxJobs, OutboxModule } from '@/infrastructure/outbox/outbox.module';
import { OutboxService } from '@/infrastructure/outbox/outbox.service';
import { SandboxProvider } from '@/infrastructure/payments/sandbox.provider';
import { QueueName } from '@/infrastructure/queue/jobs';
import { IdentityJobName } from '@/modules/identity/jobs/identity.job-definitions';
import { LedgerJobName } from '@/modules/ledger/jobs/ledger.job-definitions';
import { OrdersJobName } from '@/modules/orders/jobs/orders.job-definitions';
import { QueueService } from '@/infrastructure/queue/queue.service';
import { SettlementService } from '@/modules/orders/settlement.service';
import { factory } from './support/factory';
import { startTestApp, TestApp } from './support/test-app';
import { until, within } from './support/wait';

const API = '/api/v1';

type Bulk = Parameters<Queue['addBulk']>[0];

/**
 * Holds every `addBulk` call on a queue at a gate the test opens: the dispatcher is then inside its Redis
 * call for as long as the test likes. `after: true` holds it once the jobs are in Redis (between the
 * enqueue and the dispatcher's next step). `open(error)` lets the held calls fail instead.
 */
function holdAddBulk(queue: Queue, { after = false }: { after?: boolean } = {}) {
  const original = queue.addBulk.bind(queue);
  const calls: Bulk[] = [];
  let open!: (error?: Error) => void;
  const gate = new Promise<Error | undefined>((resolve) => (open = resolve));
  queue.addBulk = async (jobs: Bulk) => {
    calls.push(jobs);
    if (!after) {
      const error = await gate;
      if (error) {
        throw error;
      }
      return original(jobs);
    }
    const added = await original(jobs);
    const error = await gate;
    if (error) {
      throw error;
    }
    return added;
  };
  return {
    calls,
    open: (error?: Error) => {
      queue.addBulk = original;
      open(error);
    },
  };
}

/** The next `times` calls of `addBulk` on a queue fail as they would with Redis unreachable. */
function failAddBulk(queue: Queue, times: number) {
  const original = queue.addBulk.bind(queue);
  const failed: Bulk[] = [];
  queue.addBulk = async (jobs: Bulk) => {
    if (failed.length < times) {
      failed.push(jobs);
      throw new Error('Connection is closed. (addBulk failed in the test)');
    }
    return original(jobs);
  };
  return { failed, restore: () => (queue.addBulk = original) };
}

describe('outbox: no lock is held across Redis; every job is enqueued exactly once', () => {
  let t: TestApp;
  let outbox: OutboxService;
  let queues: QueueService;
  let ledger: Queue;
  let orders: Queue;
  let citizen: string;
  let products: { productId: string }[];

  beforeAll(async () => {
    // The api role: no worker takes the jobs, so the queues show exactly what the dispatcher enqueued.
    t = await startTestApp('outbox', { role: 'api', env: { OTP_RESEND_SECONDS: '0' } });
    const f = factory(t);
    await f.regions();
    const h = await f.household();
    const supplier = await f.supplier({ type: 'HOUSEHOLD', householdId: h.id });
    products = [];
    for (const priceFen of [101, 257]) {
      const productId = (await f.product(supplier.id, { priceFen })).id;
      await f.lot(productId, { quantity: 10_000, sources: [{ householdId: h.id, quantity: 10_000 }] });
      products.push({ productId });
    }
    citizen = await f.citizen('13700007701');
    outbox = t.app.get(OutboxService);
    queues = t.app.get(QueueService);
    ledger = queues.queue(QueueName.Ledger);
    orders = queues.queue(QueueName.Orders);
  });

  afterAll(async () => {
    for (const name of Object.values(QueueName)) {
      await queues
        .queue(name)
        .obliterate({ force: true })
        .catch(() => undefined);
    }
    await t.close();
  });

  const count = async (sql: string, params: unknown[] = []) =>
    Number(((await t.db.query(sql, params)) as { n: string }[])[0].n);

  /** A citizen's order and its sandbox payment, whose notification never comes (the test settles it). */
  async function orderAwaitingPayment(): Promise<{ orderId: string; paymentId: string }> {
    const o = await t
      .http()
      .post(`${API}/orders`)
      .set('Authorization', citizen)
      .send({ lines: products.map((p) => ({ productId: p.productId, quantity: 1 })) });
    expect(o.status).toBe(201);
    await t.app.get(SandboxProvider).script(['LOSE']);
    const pay = await t
      .http()
      .post(`${API}/orders/${o.body.id}/payments`)
      .set('Authorization', citizen)
      .send({ provider: 'sandbox' });
    expect(pay.status).toBe(201);
    return { orderId: o.body.id as string, paymentId: pay.body.id as string };
  }

  /** The provider's verdict on a payment, as its notification would bring it. */
  async function settle(paymentId: string) {
    const [{ ref }] = (await t.db.query('SELECT provider_ref AS ref FROM payments WHERE id = ?', [
      paymentId,
    ])) as { ref: string }[];
    return t.app.get(SettlementService).settle(paymentId, 'SUCCEEDED', 'sandbox', ref);
  }

  const statusOf = async (orderId: string) =>
    (await t.http().get(`${API}/orders/${orderId}`).set('Authorization', citizen)).body.status as string;

  /** Every job in a queue, whatever its state. */
  const jobsIn = (queue: Queue) =>
    queue.getJobs(['waiting', 'delayed', 'paused', 'prioritized', 'active', 'completed', 'failed']);

  /** How many times the allocation jobs in the ledger queue name each of these orders. */
  async function allocations(orderIds: string[]): Promise<number[]> {
    const named = (await jobsIn(ledger))
      .filter((j) => j.name === String(LedgerJobName.AllocateOrder))
      .flatMap((j) => {
        const d = j.data as { orderId?: string; orderIds?: string[] };
        return d.orderIds ?? (d.orderId ? [d.orderId] : []);
      });
    return orderIds.map((id) => named.filter((n) => n === id).length);
  }

  /** Allocation rows for orders that need not exist: no worker runs, the jobs only wait in the queue. */
  async function allocationRows(n: number): Promise<string[]> {
    const orderIds = Array.from({ length: n }, () => newId());
    await t.db.query(
      `INSERT INTO outbox (id, job_name, payload) VALUES ${orderIds.map(() => '(?, ?, ?)').join(',')}`,
      orderIds.flatMap((orderId) => [newId(), LedgerJobName.AllocateOrder, JSON.stringify({ orderId })]),
    );
    return orderIds;
  }

  const undispatched = (ids: string[]) =>
    count('SELECT COUNT(*) AS n FROM outbox WHERE dispatched_at IS NULL AND id IN (?)', [ids]);

  it('a payment settles while the dispatcher is stuck in Redis, though its deadline row is next in the outbox', async () => {
    // B first: its deadline row comes first among the rows waiting for their time.
    const b = await orderAwaitingPayment();
    const a = await orderAwaitingPayment();
    const hold = holdAddBulk(ledger);
    try {
      // A's payment writes an allocation row; the dispatcher takes it and waits inside addBulk.
      expect(await settle(a.paymentId)).toBe('CAPTURED');
      await until('the dispatcher to be inside its Redis call', async () => hold.calls.length > 0);
      const [first] = (await t.db.query(
        'SELECT id FROM outbox WHERE dispatched_at IS NULL AND run_at IS NOT NULL ORDER BY run_at, id LIMIT 1',
      )) as { id: string }[];
      expect(first.id).toBe(b.orderId);

      // Paying B deletes that deadline row. Far less than the lock wait timeout (50 s): nothing waits on a lock.
      expect(
        await within(20_000, "B's payment to settle while the dispatcher is in Redis", () =>
          settle(b.paymentId),
        ),
      ).toBe('CAPTURED');
      expect(await statusOf(b.orderId)).toBe('PAID');
      // Still held: the settlement did not wait for the dispatcher.
      expect(hold.calls.length).toBe(1);
    } finally {
      hold.open();
    }
    await until('the outbox to drain', async () => (await outbox.backlog()) === 0);
    expect(await allocations([a.orderId, b.orderId])).toEqual([1, 1]);
    // The paid orders' deadlines never reach the queue.
    expect(await count('SELECT COUNT(*) AS n FROM outbox WHERE id IN (?)', [[a.orderId, b.orderId]])).toBe(0);
    expect(await orders.getJob(a.orderId)).toBeUndefined();
    expect(await orders.getJob(b.orderId)).toBeUndefined();
  });

  it('a deadline row taken by a stuck dispatcher is deleted by the payment and never enqueued after', async () => {
    const x = await orderAwaitingPayment();
    // Its deadline comes due: the dispatcher takes the row a minute ahead, and waits inside addBulk.
    const soon = new Date(Date.now() + 30_000);
    const hold = holdAddBulk(orders);
    try {
      await t.db.query('UPDATE outbox SET run_at = ? WHERE id = ?', [soon, x.orderId]);
      outbox.kick();
      await until('the dispatcher to take the deadline row', async () =>
        hold.calls.some((jobs) => jobs.some((j) => j.opts?.jobId === x.orderId)),
      );
      expect(
        await within(20_000, 'the payment to settle while its deadline row is taken', () =>
          settle(x.paymentId),
        ),
      ).toBe('CAPTURED');
      expect(await statusOf(x.orderId)).toBe('PAID');
      expect(await count('SELECT COUNT(*) AS n FROM outbox WHERE id = ?', [x.orderId])).toBe(0);
    } finally {
      // Redis fails the held call: the dispatcher gives its rows back, and this one is gone.
      hold.open(new Error('Connection is closed. (addBulk failed in the test)'));
    }
    await until('the allocation to be dispatched', async () => (await allocations([x.orderId]))[0] === 1);
    await outbox.dispatch();
    expect(await count('SELECT COUNT(*) AS n FROM outbox WHERE id = ?', [x.orderId])).toBe(0);
    expect(await orders.getJob(x.orderId)).toBeUndefined();
    expect(await allocations([x.orderId])).toEqual([1]);
  });

  it('an enqueue that fails leaves the rows to the next round, which enqueues them once', async () => {
    const failing = failAddBulk(ledger, 2);
    try {
      const ids = await allocationRows(3);
      outbox.kick();
      await until('two rounds to fail', async () => failing.failed.length === 2);
      // Released at once, not left to a lease: the next round (a poll later) sends them.
      await until('the rows to be dispatched', async () => (await allocations(ids)).every((n) => n === 1));
      expect(await allocations(ids)).toEqual([1, 1, 1]);
      expect(
        await count(
          `SELECT COUNT(*) AS n FROM outbox WHERE dispatched_at IS NOT NULL AND JSON_VALUE(payload, '$.orderId') IN (?)`,
          [ids],
        ),
      ).toBe(3);
    } finally {
      failing.restore();
    }
  });

  it('several dispatchers never take the same rows; a dispatcher in Redis keeps its rows from the others', async () => {
    const moduleRef = t.app.select(OutboxModule).get(ModuleRef, { strict: true });
    // Dispatchers of other processes: copies of the service on the same database and Redis.
    const others = await Promise.all([moduleRef.create(OutboxService), moduleRef.create(OutboxService)]);
    const hold = holdAddBulk(ledger);
    let held: string[];
    try {
      held = await allocationRows(30);
      outbox.kick();
      await until('the dispatcher to be inside its Redis call', async () => hold.calls.length > 0);
      // The rows are taken: the others find nothing to send and do not call Redis.
      expect(await others[0].dispatch()).toBe(0);
      expect(await others[1].dispatch()).toBe(0);
      expect(hold.calls.length).toBe(1);
      expect(await undispatched(await rowIdsOf(held))).toBe(30);
    } finally {
      hold.open();
    }
    await until('the held rows to be sent', async () => (await allocations(held)).every((n) => n === 1));

    // Three dispatchers at once over 2,400 rows: each row is sent by one of them, in one job.
    const many = await allocationRows(2400);
    await Promise.all([outbox.dispatch(), others[0].dispatch(), others[1].dispatch()]);
    await until('every row to be sent', async () => (await undispatched(await rowIdsOf(many))) === 0);
    const times = await allocations(many);
    expect(times.filter((n) => n !== 1)).toEqual([]);
    expect(await allocations(held)).toEqual(held.map(() => 1));
  }, 60_000);

  async function rowIdsOf(orderIds: string[]): Promise<string[]> {
    const rows = (await t.db.query(
      `SELECT id FROM outbox WHERE job_name = ? AND JSON_VALUE(payload, '$.orderId') IN (?)`,
      [LedgerJobName.AllocateOrder, orderIds],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }

  it('a claim left by a dispatcher that died is taken over once its lease has run out', async () => {
    // Written already claimed, as a live dispatcher leaves it: nobody else sends the row.
    const orderId = newId();
    const id = newId();
    await t.db.query(
      `INSERT INTO outbox (id, job_name, payload, claim_token, claimed_until)
       VALUES (?, ?, ?, ?, NOW(3) + INTERVAL 1 HOUR)`,
      [id, LedgerJobName.AllocateOrder, JSON.stringify({ orderId }), newId()],
    );
    expect(await outbox.dispatch()).toBe(0);
    expect(await undispatched([id])).toBe(1);
    expect(await allocations([orderId])).toEqual([0]);
    // Its process died: the lease runs out and the row is sent by the next round.
    await t.db.query('UPDATE outbox SET claimed_until = NOW(3) - INTERVAL 1 SECOND WHERE id = ?', [id]);
    await until('the row to be sent', async () => (await undispatched([id])) === 0);
    expect(await allocations([orderId])).toEqual([1]);
  });

  it('PurgeOutbox deletes rows dispatched more than a week ago, and only those', async () => {
    const ids = { old: newId(), recent: newId(), pending: newId() };
    await t.db.query(
      `INSERT INTO outbox (id, job_name, payload, run_at, dispatched_at) VALUES
         (?, ?, '{}', NULL, NOW(3) - INTERVAL 8 DAY),
         (?, ?, '{}', NULL, NOW(3) - INTERVAL 6 DAY),
         (?, ?, '{}', NOW(3) + INTERVAL 1 DAY, NULL)`,
      [
        ids.old,
        IdentityJobName.PurgeOtpCodes,
        ids.recent,
        IdentityJobName.PurgeOtpCodes,
        ids.pending,
        OrdersJobName.OrderDeadline,
      ],
    );
    const before = await count('SELECT COUNT(*) AS n FROM outbox');
    expect(await t.app.get(OutboxJobs).purge()).toEqual({ deleted: 1 });
    expect(await count('SELECT COUNT(*) AS n FROM outbox')).toBe(before - 1);
    expect(await count('SELECT COUNT(*) AS n FROM outbox WHERE id IN (?)', [Object.values(ids)])).toBe(2);
    expect(await count('SELECT COUNT(*) AS n FROM outbox WHERE id = ?', [ids.old])).toBe(0);
  });

  // Last: it sends every dispatched row again, as a Redis that lost its data requires.
  it('a Redis that loses its data while a dispatcher is in flight gets those jobs again', async () => {
    const hold = holdAddBulk(ledger, { after: true });
    let orderId: string;
    let id: string;
    try {
      [orderId] = await allocationRows(1);
      [id] = await rowIdsOf([orderId]);
      outbox.kick();
      await until('the job to be in Redis, the dispatcher not yet back', async () => hold.calls.length > 0);
      expect(await allocations([orderId])).toEqual([1]);
      // Redis loses everything (here: that job and the marker) and reconnects.
      await (await ledger.getJob(id))!.remove();
      await queues.connection.del(`${queues.prefix}:outbox:marker`);
      expect(await outbox.redispatchIfRedisLost()).toBeGreaterThan(0);
      expect(await allocations([orderId])).toEqual([0]);
    } finally {
      hold.open();
    }
    // The dispatcher that was in flight does not mark the row sent: the next round sends it again.
    await until('the lost job to be in Redis again', async () => (await allocations([orderId]))[0] === 1);
    await until('the row to be marked sent', async () => (await undispatched([id])) === 0);
    expect(await allocations([orderId])).toEqual([1]);
    expect(await outbox.redispatchIfRedisLost()).toBe(0);
  });
});
