import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { HarvestEntity } from './entities/harvest.entity';
import { SeasonCloseEntity } from './entities/season-close.entity';

/** What a household was paid in first-tier dividends over a season, and on which sales. */
export interface SeasonDividend {
  /** The sale amounts the dividends were shares of. */
  baseFen: number;
  paidFen: number;
}

/** The queries of accruals: harvest records, season closes, and the tiered dividends a season paid. */
@Injectable()
export class AccrualsRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectRepository(SeasonCloseEntity) private readonly closes: Repository<SeasonCloseEntity>,
  ) {}

  /** Inserts a harvest record inside the caller's transaction. */
  async insertHarvest(em: EntityManager, harvest: HarvestEntity): Promise<void> {
    await em.insert(HarvestEntity, harvest);
  }

  /** Grams picked per household for a supplier's season; a household that picked nothing is absent. */
  async harvestedGrams(supplierId: string, season: string): Promise<Map<string, number>> {
    const rows = (await this.db.query(
      'SELECT household_id AS householdId, SUM(weight_grams) AS grams FROM harvests WHERE supplier_id = ? AND season = ? GROUP BY household_id',
      [supplierId, season],
    )) as { householdId: string; grams: string }[];
    return new Map(rows.map((r) => [r.householdId, Number(r.grams)]));
  }

  /**
   * Per household, the tiered dividends (postings that carry a rate) a supplier paid it dated `from`..`to`;
   * a household paid none is absent.
   */
  async tieredDividends(supplierId: string, from: string, to: string): Promise<Map<string, SeasonDividend>> {
    const rows = (await this.db.query(
      `SELECT a.owner_id AS householdId, COALESCE(SUM(p.base_fen), 0) AS base, COALESCE(SUM(p.amount_fen), 0) AS paid
         FROM postings p JOIN ledger_accounts a ON a.id = p.account_id
        WHERE a.type = 'HOUSEHOLD' AND p.source = 'DIVIDEND' AND p.supplier_id = ? AND p.rate_bps IS NOT NULL
          AND p.business_date BETWEEN ? AND ?
        GROUP BY a.owner_id`,
      [supplierId, from, to],
    )) as { householdId: string; base: string; paid: string }[];
    return new Map(rows.map((r) => [r.householdId, { baseFen: Number(r.base), paidFen: Number(r.paid) }]));
  }

  /** Whether a supplier's season is closed. */
  seasonClosed(supplierId: string, season: string): Promise<boolean> {
    return this.closes.exist({ where: { supplierId, season } });
  }

  /** Inserts a season close inside the caller's transaction. */
  async insertSeasonClose(em: EntityManager, close: SeasonCloseEntity): Promise<void> {
    await em.insert(SeasonCloseEntity, close);
  }
}
