import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { errorCode, Statement } from '@/infrastructure/database/transaction';
import { OutboxService } from '@/infrastructure/outbox/outbox.service';
import { OrderPlan, StockService } from '@/modules/catalog/stock.service';
import { PlannedUnits, StockSource } from '@/modules/orders/channel-policy';
import { OrderEntity } from '@/modules/orders/entities/order.entity';
import { LiveJobName } from './jobs/livestream.job-definitions';
import { LiveClaim, LiveRepository, unitsByLot } from './live.repository';

/** How long a live sale reuses the products it read (all certified). */
const PRODUCTS_CACHE_MS = 1_000;

/**
 * The order's write found a unit of the offer already held by another order: Redis and MySQL disagreed. The
 * duplicate entry names the unit's key, `<offerId>-<unit>`.
 */
export function isUnitHeld(e: unknown, offerId: string): boolean {
  return errorCode(e) === 'ER_DUP_ENTRY' && String((e as Error).message).includes(`'${offerId}-`);
}

/** The offer went off sale (its session ended) between the read and the write. */
export function isOfferClosed(e: unknown): boolean {
  return errorCode(e) === 'ER_DATA_OUT_OF_RANGE' && String((e as Error).message).includes('on_sale');
}

/** The product's certificate lapsed: MySQL's guard refused the units. */
export function isNotCertified(e: unknown): boolean {
  return errorCode(e) === 'ER_DATA_OUT_OF_RANGE' && String((e as Error).message).includes('certified_until');
}

/** MySQL's guard of the per-buyer limit refused the order. */
export function isLimitExceeded(e: unknown): boolean {
  return errorCode(e) === 'ER_DATA_OUT_OF_RANGE' && String((e as Error).message).includes('units_left');
}

/**
 * A live order's units: they left their lots when the session was created and belong to the offer; the
 * flash stock in Redis gave the order its unit numbers (the order's `claim`), and the order's transaction
 * records them (MySQL's guard). A cancelled order's units go back to the offer (to Redis after the commit,
 * through the outbox), or to their lots when the session has ended.
 */
@Injectable()
export class LiveStock implements StockSource {
  constructor(
    @Inject(StockService) private readonly catalog: StockService,
    @Inject(LiveRepository) private readonly repo: LiveRepository,
    @Inject(OutboxService) private readonly outbox: OutboxService,
  ) {}

  /**
   * The products (name, supplier, certification) from the catalog, reused for a second while they are all
   * certified: a flash sale reads them once, not once per buyer. The certificate is checked again by MySQL's
   * guard in the order's own transaction, so a lapse within that second is still refused.
   */
  private readonly products = new Map<string, { at: number; plan: Promise<OrderPlan['products']> }>();

  private productsOf(productIds: string[]): Promise<OrderPlan['products']> {
    const key = productIds.join(',');
    const hit = this.products.get(key);
    if (hit && Date.now() - hit.at < PRODUCTS_CACHE_MS) {
      return hit.plan;
    }
    const plan = this.catalog
      .planOrder(productIds.map((productId) => ({ productId, quantity: 0 })))
      .then((p) => p.products);
    if (this.products.size > 1000) {
      this.products.clear();
    }
    this.products.set(key, { at: Date.now(), plan });
    plan.then(
      (ps) => [...ps.values()].every((p) => p.certified) || this.products.delete(key),
      () => this.products.delete(key),
    );
    return plan;
  }

  /** Forgets the products read (MySQL refused one as uncertified). */
  forgetProducts(): void {
    this.products.clear();
  }

  async plan(lines: readonly { productId: string; quantity: number; lotId?: string }[]): Promise<OrderPlan> {
    // Products (price, supplier, certification) from the catalog; the units are the claim's.
    const products = await this.productsOf([...new Set(lines.map((l) => l.productId))].sort());
    return {
      products,
      plans: lines.map((l) => (l.lotId ? [{ lotId: l.lotId, quantity: l.quantity }] : null)),
    };
  }

  takeStatements(_units: readonly PlannedUnits[], order: OrderEntity, claim?: unknown): Statement[] {
    if (!claim) {
      throw new Error('a live order is placed with the units the flash stock gave it');
    }
    return this.repo.takeStatements(order.id, order.buyerUserId, claim as LiveClaim);
  }

  isTaken(_e: unknown): boolean {
    // The units were decided by the flash stock: a refusal is answered by the live order service.
    return false;
  }

  async giveBack(em: EntityManager, _units: readonly PlannedUnits[], order: OrderEntity): Promise<void> {
    const released = await this.repo.releaseUnits(em, order.id);
    if (!released) {
      return;
    }
    const { offer, units, buyerUserId } = released;
    if (offer.onSale) {
      await this.outbox.add(em, LiveJobName.UnitsReleased, {
        offerId: offer.id,
        perBuyerLimit: offer.perBuyerLimit,
        buyerUserId,
        units,
      });
      return;
    }
    // The session has ended: the offer gave its other units back already; these follow them to their lots.
    const lots = await this.repo.lotsOf([offer.id], em);
    for (const [lotId, n] of unitsByLot(lots, units)) {
      await this.catalog.returnStock(em, lotId, n);
    }
    await this.repo.addReturned(em, offer.id, units.length);
  }
}
