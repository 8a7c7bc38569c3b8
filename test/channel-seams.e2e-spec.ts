import { EntityManager } from 'typeorm';
import { StockService } from '@/modules/catalog/stock.service';
import { ChannelPolicies, PlannedUnits, StockSource } from '@/modules/orders/channel-policy';
import { Channel } from '@/modules/orders/entities/order.entity';
import { OrdersService } from '@/modules/orders/orders.service';
import { SettlementService } from '@/modules/orders/settlement.service';
import { Statement } from '@/infrastructure/database/transaction';
import { factory } from './support/factory';
import { startTestApp, TestApp } from './support/test-app';

/**
 * A channel plugs its own stock into the order core through its policy, without editing OrdersService: here
 * a livestream offer whose units were carved out of a lot beforehand (a table of the test's own), taken and
 * given back inside the order's transaction.
 */
describe('channel seams: a stock source of the channel', () => {
  let t: TestApp;
  let productId: string;
  let lotId: string;
  let buyerUserId: string;

  /** Offer stock: units already out of the lot, held for the offer. */
  class OfferStock implements StockSource {
    constructor(private readonly catalog: StockService) {}
    async plan(
      lines: readonly { productId: string; quantity: number }[],
      lockIn?: { run(statements: readonly Statement[]): Promise<unknown[]> },
    ) {
      // Products (price, supplier, certification) from the catalog; units from what the offer holds.
      const { products } = await this.catalog.planOrder(lines.map((l) => ({ ...l, quantity: 0 })));
      const read: Statement = [
        `SELECT remaining FROM offer_stock WHERE lot_id = ?${lockIn ? ' FOR UPDATE' : ''}`,
        [lotId],
      ];
      const [rows] = (lockIn ? await lockIn.run([read]) : [await t.db.query(read[0], [...read[1]!])]) as {
        remaining: number;
      }[][];
      let left = Number(rows[0].remaining);
      const plans = lines.map((l) => {
        if (l.quantity > left) {
          return null;
        }
        left -= l.quantity;
        return [{ lotId, quantity: l.quantity }];
      });
      return { products, plans };
    }
    takeStatements(units: readonly PlannedUnits[]): Statement[] {
      return units.map((u) => [
        'UPDATE offer_stock SET remaining = remaining - ? WHERE lot_id = ?',
        [u.quantity, u.lotId],
      ]);
    }
    isTaken(e: unknown): boolean {
      return (e as { code?: string }).code === 'ER_DATA_OUT_OF_RANGE';
    }
    async giveBack(em: EntityManager, units: readonly PlannedUnits[]): Promise<void> {
      for (const u of units) {
        await em.query('UPDATE offer_stock SET remaining = remaining + ? WHERE lot_id = ?', [
          u.quantity,
          u.lotId,
        ]);
      }
    }
  }

  beforeAll(async () => {
    t = await startTestApp('seams');
    const f = factory(t);
    await f.regions();
    const h = await f.household();
    const supplier = await f.supplier({ type: 'HOUSEHOLD', householdId: h.id });
    productId = (await f.product(supplier.id, { priceFen: 990 })).id;
    lotId = (await f.lot(productId, { quantity: 100 })).id;
    // 30 of the lot's units carved out for the offer (as the livestream issue will do).
    await t.db.query('UPDATE supply_lots SET remaining = remaining - 30 WHERE id = ?', [lotId]);
    await t.db.query(
      'CREATE TABLE offer_stock (lot_id CHAR(26) PRIMARY KEY, remaining INT UNSIGNED NOT NULL)',
    );
    await t.db.query('INSERT INTO offer_stock VALUES (?, 30)', [lotId]);
    [{ id: buyerUserId }] = (await t.db.query('SELECT id FROM users WHERE username = ?', [
      t.env.ADMIN_USERNAME,
    ])) as {
      id: string;
    }[];
    const policies = t.app.get(ChannelPolicies);
    const of = policies.of.bind(policies);
    const offers = new OfferStock(t.app.get(StockService));
    jest
      .spyOn(policies, 'of')
      .mockImplementation((channel: Channel) =>
        channel === Channel.Livestream ? { ...of(channel), stock: offers } : of(channel),
      );
  });
  afterAll(() => t.close());

  const offerLeft = async () =>
    Number(
      (
        (await t.db.query('SELECT remaining FROM offer_stock WHERE lot_id = ?', [lotId])) as {
          remaining: number;
        }[]
      )[0].remaining,
    );
  const lotLeft = async () =>
    Number(
      (
        (await t.db.query('SELECT remaining FROM supply_lots WHERE id = ?', [lotId])) as {
          remaining: number;
        }[]
      )[0].remaining,
    );

  it("an order of the channel takes the offer's units, not the lot's, at the channel's deadline", async () => {
    const before = Date.now();
    const { order, lines } = await t.app.get(OrdersService).create({
      buyerUserId,
      channel: Channel.Livestream,
      lines: [{ productId, quantity: 3 }],
    });
    expect(lines.map((l) => [l.lotId, l.quantity, l.amountFen])).toEqual([[lotId, 3, 2970]]);
    expect(order.totalFen).toBe(2970);
    // The livestream policy's 15 minutes (API.md), not ORDER_PAY_MINUTES.
    expect(order.payBy!.getTime() - before).toBeGreaterThanOrEqual(15 * 60_000 - 1000);
    expect(order.payBy!.getTime() - before).toBeLessThanOrEqual(15 * 60_000 + 60_000);
    expect(await offerLeft()).toBe(27);
    expect(await lotLeft()).toBe(70);
  });

  it('more than the offer holds is 409 out-of-stock, taking nothing, though the lot has units', async () => {
    await expect(
      t.app
        .get(OrdersService)
        .create({ buyerUserId, channel: Channel.Livestream, lines: [{ productId, quantity: 28 }] }),
    ).rejects.toMatchObject({ status: 409, code: 'out-of-stock' });
    expect(await offerLeft()).toBe(27);
    expect(await lotLeft()).toBe(70);
  });

  it('an unpaid order at its deadline gives its units back to the offer', async () => {
    const { order } = await t.app.get(OrdersService).create({
      buyerUserId,
      channel: Channel.Livestream,
      lines: [{ productId, quantity: 5 }],
    });
    expect(await offerLeft()).toBe(22);
    await t.db.query('UPDATE orders SET pay_by = ? WHERE id = ?', [new Date(Date.now() - 1000), order.id]);
    expect(await t.app.get(SettlementService).expireOrder(order.id)).toBe('cancelled');
    expect(await offerLeft()).toBe(27);
    expect(await lotLeft()).toBe(70);
  });
});
