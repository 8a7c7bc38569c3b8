import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { businessDate } from '@/common/time';
import { errorCode, Statement } from '@/infrastructure/database/transaction';
import { certificationStatus } from './dto/catalog.dto';
import { ProductEntity, ProductStatus } from './entities/product.entity';
import { ProductListCache } from './product-list.cache';
import { StatementRunner, StockRepository } from './stock.repository';

/** What `planOrder` read and planned. */
export interface OrderPlan {
  products: Map<
    string,
    Pick<ProductEntity, 'id' | 'name' | 'priceFen' | 'supplierId'> & { certified: boolean }
  >;
  plans: ({ lotId: string; quantity: number }[] | null)[];
}

/** Stock on sale, and taking it for orders and putting it back. */
@Injectable()
export class StockService {
  constructor(
    @Inject(StockRepository) private readonly repo: StockRepository,
    @Inject(ProductListCache) private readonly listCache: ProductListCache,
  ) {}

  /** Units on sale per product: the sum of its unexpired lots' remaining quantities. */
  stockOf(productIds: string[]): Promise<Map<string, number>> {
    return this.repo.stockOf(productIds, businessDate());
  }

  /**
   * Everything an order needs before it is placed, in one read: the named products (with whether they are
   * certified today) and their unexpired lots with stock, first-expiring first (lots without a date last).
   * Plans every line, counting what the order's earlier lines already planned from the same lot; a line
   * that cannot be filled plans null, a product that does not exist is missing from `products`.
   * With `lockIn`, the read runs inside that transaction and locks the rows it reads (FOR UPDATE): the plan
   * then holds until the transaction ends, so a refusal means the stock really is gone.
   */
  async planOrder(
    lines: readonly { productId: string; quantity: number; lotId?: string }[],
    lockIn?: StatementRunner,
  ): Promise<OrderPlan> {
    const today = businessDate();
    const rows = await this.repo.planRows([...new Set(lines.map((l) => l.productId))], today, lockIn);
    const products: OrderPlan['products'] = new Map();
    const lots = new Map<string, { id: string; remaining: number }[]>();
    for (const r of rows) {
      if (!products.has(r.productId)) {
        products.set(r.productId, {
          id: r.productId,
          name: r.name,
          priceFen: r.priceFen,
          supplierId: r.supplierId,
          certified: certificationStatus(r, today) === ProductStatus.Certified,
        });
        lots.set(r.productId, []);
      }
      if (r.lotId) {
        lots.get(r.productId)!.push({ id: r.lotId, remaining: r.remaining ?? 0 });
      }
    }
    return { products, plans: planFromLots(lines, lots) };
  }

  /**
   * The statements that take planned units inside a batched transaction. `remaining` is UNSIGNED, so a
   * decrement below zero is an error (`ER_DATA_OUT_OF_RANGE`, see `isStockTaken`) that stops the batch before
   * its COMMIT: stock never goes negative whatever the concurrency, and the caller plans again.
   */
  takeStockStatements(plan: readonly { lotId: string; quantity: number }[]): Statement[] {
    return this.repo.takeStatements(plan);
  }

  /**
   * Takes units off a lot inside the caller's transaction (units moved to a channel's own stock, such as a
   * cabinet's slot); throws `isStockTaken` when the lot holds fewer.
   */
  async takeStock(em: EntityManager, lotId: string, quantity: number): Promise<void> {
    await this.repo.take(em, lotId, quantity);
    this.listCache.clear();
  }

  /** Puts units back on a lot (a cancelled order), inside the caller's transaction. */
  async returnStock(em: EntityManager, lotId: string, quantity: number): Promise<void> {
    await this.repo.putBack(em, lotId, quantity);
    this.listCache.clear();
  }
}

/**
 * Plans each line from its product's lots in the order given (`lotId` pins one lot), taking what earlier
 * lines of the same order planned off those lots first; a line that cannot be filled plans null and takes
 * nothing. `lotsByProduct` is consumed: its `remaining` counts go down by what was planned.
 */
export function planFromLots(
  lines: readonly { productId: string; quantity: number; lotId?: string }[],
  lotsByProduct: ReadonlyMap<string, { id: string; remaining: number }[]>,
): ({ lotId: string; quantity: number }[] | null)[] {
  return lines.map((l) => {
    const candidates = (lotsByProduct.get(l.productId) ?? []).filter((lot) => !l.lotId || lot.id === l.lotId);
    const plan = takeFromLots(candidates, l.quantity);
    // What this line takes is not there for the next line of the same order.
    for (const t of plan ?? []) {
      candidates.find((lot) => lot.id === t.lotId)!.remaining -= t.quantity;
    }
    return plan;
  });
}

/** Takes `quantity` from lots in the order given; null when they do not hold enough. */
export function takeFromLots(
  lots: readonly { id: string; remaining: number }[],
  quantity: number,
): { lotId: string; quantity: number }[] | null {
  const plan: { lotId: string; quantity: number }[] = [];
  let need = quantity;
  for (const lot of lots) {
    if (need === 0) {
      break;
    }
    const take = Math.min(need, lot.remaining);
    if (take > 0) {
      plan.push({ lotId: lot.id, quantity: take });
      need -= take;
    }
  }
  return need === 0 ? plan : null;
}

/** True when a batch failed because a lot held fewer units than a decrement took (another buyer won). */
export function isStockTaken(e: unknown): boolean {
  return errorCode(e) === 'ER_DATA_OUT_OF_RANGE';
}
