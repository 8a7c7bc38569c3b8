import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import { LotSourceEntity } from './entities/lot-source.entity';
import { SupplyLotEntity } from './entities/supply-lot.entity';

export type NewLot = Omit<SupplyLotEntity, 'createdAt'>;
export type NewLotSource = LotSourceEntity;

/** A household's part of a lot. */
export interface LotShare {
  householdId: string;
  quantity: number;
}

/** The queries on `supply_lots` and `lot_sources` that read and create lots. */
@Injectable()
export class LotsRepository {
  constructor(
    @InjectRepository(SupplyLotEntity) private readonly lots: Repository<SupplyLotEntity>,
    @InjectRepository(LotSourceEntity) private readonly sources: Repository<LotSourceEntity>,
  ) {}

  /** Inserts a lot and its sources inside the caller's transaction. */
  async insertWithSources(em: EntityManager, lot: NewLot, sources: readonly NewLotSource[]): Promise<void> {
    await em.insert(SupplyLotEntity, lot);
    if (sources.length) {
      await em.insert(LotSourceEntity, [...sources]);
    }
  }

  findById(id: string): Promise<SupplyLotEntity | null> {
    return this.lots.findOne({ where: { id } });
  }

  /** A product's lots, oldest first. */
  findByProduct(productId: string): Promise<SupplyLotEntity[]> {
    return this.lots.find({ where: { productId }, order: { id: 'ASC' } });
  }

  /** Each lot's shares in the order they were listed; a lot without sources is absent. */
  async sharesOf(lotIds: readonly string[]): Promise<Map<string, LotShare[]>> {
    const rows = lotIds.length
      ? await this.sources.find({
          where: { lotId: In([...lotIds]) },
          order: { lotId: 'ASC', position: 'ASC' },
        })
      : [];
    const out = new Map<string, LotShare[]>();
    for (const r of rows) {
      out.set(r.lotId, [...(out.get(r.lotId) ?? []), { householdId: r.householdId, quantity: r.quantity }]);
    }
    return out;
  }
}
