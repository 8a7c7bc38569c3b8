import { Channel, OrderStatus } from './entities/order.entity';
import { InvalidTransitionError } from './errors';
import { OrderLifecycle } from './order-lifecycle';

describe('OrderLifecycle', () => {
  it('knows the core transitions and refuses the others', () => {
    const l = new OrderLifecycle();
    expect(l.can(OrderStatus.PendingPayment, OrderStatus.Paid, Channel.Online)).toBe(true);
    expect(l.can(OrderStatus.PendingPayment, OrderStatus.Cancelled, Channel.Kiosk)).toBe(true);
    expect(l.can(OrderStatus.Paid, OrderStatus.Refunded, Channel.Online)).toBe(true);
    expect(l.can(OrderStatus.Cancelled, OrderStatus.Paid, Channel.Online)).toBe(false);
    expect(l.can(OrderStatus.Refunded, OrderStatus.PartiallyRefunded, Channel.Online)).toBe(false);
    expect(l.sourcesOf(OrderStatus.Refunded).sort()).toEqual([
      OrderStatus.Paid,
      OrderStatus.PartiallyRefunded,
    ]);
  });

  it('a channel adds its states and transitions without touching the core: procurement approval', async () => {
    const l = new OrderLifecycle();
    l.extend({
      name: 'procurement',
      states: ['DRAFT', 'SUBMITTED', 'APPROVED', 'REJECTED', 'ACCEPTED'],
      transitions: [
        { from: 'DRAFT', to: 'SUBMITTED', channels: [Channel.Procurement] },
        { from: 'SUBMITTED', to: 'APPROVED', channels: [Channel.Procurement] },
        { from: 'SUBMITTED', to: 'REJECTED', channels: [Channel.Procurement] },
        { from: 'APPROVED', to: 'ACCEPTED', channels: [Channel.Procurement] },
        { from: 'ACCEPTED', to: OrderStatus.Paid, channels: [Channel.Procurement] },
      ],
    });
    expect(l.can('SUBMITTED', 'APPROVED', Channel.Procurement)).toBe(true);
    expect(l.can('SUBMITTED', 'APPROVED', Channel.Online)).toBe(false);
    expect(l.sourcesOf(OrderStatus.Paid, Channel.Procurement).sort()).toEqual([
      'ACCEPTED',
      OrderStatus.PendingPayment,
    ]);
    expect(l.sourcesOf(OrderStatus.Paid, Channel.Online)).toEqual([OrderStatus.PendingPayment]);
    await expect(
      l.assertTransition({ orderId: 'o1', channel: Channel.Procurement, from: 'DRAFT', to: 'APPROVED' }),
    ).rejects.toBeInstanceOf(InvalidTransitionError);
  });

  it('refuses a process that names an unknown state or registers twice', () => {
    const l = new OrderLifecycle();
    expect(() => l.extend({ name: 'x', transitions: [{ from: 'NOPE', to: OrderStatus.Paid }] })).toThrow(
      /unknown state NOPE/,
    );
    l.extend({
      name: 'y',
      states: ['HELD'],
      transitions: [{ from: OrderStatus.PendingPayment, to: 'HELD' }],
    });
    expect(() => l.extend({ name: 'y', transitions: [] })).toThrow(/twice/);
  });

  it('guards refuse a change before it is made; after-hooks are told of committed changes and never throw', async () => {
    const l = new OrderLifecycle();
    const seen: string[] = [];
    l.guard(OrderStatus.Cancelled, (e) => {
      if (e.channel === Channel.Kiosk) {
        throw new Error('a cabinet order is never cancelled by a deadline');
      }
    });
    l.after(OrderStatus.Paid, (e) => {
      seen.push(`${e.orderId}:${e.from}>${e.to}`);
    });
    l.after(OrderStatus.Paid, () => {
      throw new Error('a broken hook');
    });
    await expect(
      l.assertTransition({
        orderId: 'k',
        channel: Channel.Kiosk,
        from: OrderStatus.PendingPayment,
        to: OrderStatus.Cancelled,
      }),
    ).rejects.toThrow(/never cancelled/);
    await expect(
      l.assertTransition({
        orderId: 'o',
        channel: Channel.Online,
        from: OrderStatus.PendingPayment,
        to: OrderStatus.Cancelled,
      }),
    ).resolves.toBeUndefined();
    await l.changed({
      orderId: 'o',
      channel: Channel.Online,
      from: OrderStatus.PendingPayment,
      to: OrderStatus.Paid,
    });
    expect(seen).toEqual(['o:PENDING_PAYMENT>PAID']);
  });
});
