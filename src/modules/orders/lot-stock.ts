import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Statement } from '@/infrastructure/database/transaction';
import { isStockTaken, OrderPlan, StockService } from '@/modules/catalog/stock.service';
import { PlannedUnits, StockSource } from './channel-policy';

/** The core's stock source: the supply lots, first-expiring first. */
@Injectable()
export class LotStock implements StockSource {
  constructor(@Inject(StockService) private readonly catalog: StockService) {}

  plan(
    lines: readonly { productId: string; quantity: number; lotId?: string }[],
    lockIn?: { run(statements: readonly Statement[]): Promise<unknown[]> },
  ): Promise<OrderPlan> {
    return this.catalog.planOrder(lines, lockIn);
  }

  takeStatements(units: readonly PlannedUnits[]): Statement[] {
    return this.catalog.takeStockStatements(units);
  }

  isTaken(e: unknown): boolean {
    return isStockTaken(e);
  }

  async giveBack(em: EntityManager, units: readonly PlannedUnits[]): Promise<void> {
    for (const u of units) {
      await this.catalog.returnStock(em, u.lotId, u.quantity);
    }
  }
}
