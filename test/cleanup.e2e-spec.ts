import { factory } from './support/factory';
import { scanKeys } from './support/redis-keys';
import { startTestApp } from './support/test-app';
import { until } from './support/wait';

const API = '/api/v1';

describe('a test app leaves nothing in Redis', () => {
  it('after close no key under its prefix is left: queues, job schedulers, outbox marker, rate limits', async () => {
    const t = await startTestApp('cleanup', { role: 'all', listen: true });
    const prefix = t.env.QUEUE_PREFIX;
    try {
      // A sale end to end: an order, its payment by the sandbox's notification, its allocation job.
      const f = factory(t);
      await f.regions();
      const household = await f.household();
      const supplier = await f.supplier({ type: 'HOUSEHOLD', householdId: household.id });
      const product = await f.product(supplier.id, { priceFen: 300 });
      await f.lot(product.id, { quantity: 10, sources: [{ householdId: household.id, quantity: 10 }] });
      const buyer = await f.citizen('13700009001');
      const order = await t
        .http()
        .post(`${API}/orders`)
        .set('Authorization', buyer)
        .send({ lines: [{ productId: product.id, quantity: 1 }] });
      expect(order.status).toBe(201);
      const pay = await t
        .http()
        .post(`${API}/orders/${order.body.id}/payments`)
        .set('Authorization', buyer)
        .set('Idempotency-Key', 'cleanup-pay-1')
        .send({ provider: 'sandbox' });
      expect(pay.status).toBe(201);
      await until('the sale to be posted', async () => {
        const [row] = (await t.db.query('SELECT COUNT(*) AS n FROM journal_entries WHERE order_id = ?', [
          order.body.id,
        ])) as { n: string }[];
        return Number(row.n) === 1;
      });
      const written = await scanKeys(`${prefix}:*`, t.env.REDIS_URL);
      const kinds = new Set(written.map((k) => k.split(':').slice(1, 3).join(':')));
      expect([...kinds]).toEqual(
        expect.arrayContaining(['outbox:marker', 'ledger:meta', 'maintenance:repeat', 'rl:default']),
      );
    } finally {
      await t.close();
    }
    expect(await scanKeys(`${prefix}:*`, t.env.REDIS_URL)).toEqual([]);
  });
});
