import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Statement } from '@/infrastructure/database/transaction';
import { OrderPlan, StockService } from '@/modules/catalog/stock.service';
import { PlannedUnits, StockSource } from '@/modules/orders/channel-policy';

/**
 * A cabinet order's units: they left their lot when the slot was stocked, and the customer has taken them
 * (the scales say so), so the order takes nothing more. Each line names the slot's lot; the kiosk moves the
 * slot's count in the settlement's own transaction. A cabinet order is never cancelled at a deadline, so
 * nothing is ever given back here (units found still in the slot go back to it through the kiosk).
 */
@Injectable()
export class KioskStock implements StockSource {
  constructor(@Inject(StockService) private readonly catalog: StockService) {}

  async plan(lines: readonly { productId: string; quantity: number; lotId?: string }[]): Promise<OrderPlan> {
    // Products (price, supplier, certification) from the catalog; the units are what was taken.
    const { products } = await this.catalog.planOrder(
      lines.map((l) => ({ productId: l.productId, quantity: 0 })),
    );
    return {
      products,
      plans: lines.map((l) => (l.lotId ? [{ lotId: l.lotId, quantity: l.quantity }] : null)),
    };
  }

  takeStatements(_units: readonly PlannedUnits[]): Statement[] {
    return [];
  }

  isTaken(_e: unknown): boolean {
    return false;
  }

  async giveBack(_em: EntityManager, _units: readonly PlannedUnits[]): Promise<void> {
    // The goods are gone from the cabinet; a correction goes through the kiosk's review.
  }
}
