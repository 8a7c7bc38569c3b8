import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuthUser } from '@/common/auth/role';
import { ValidationFailedError } from '@/common/errors/domain-error';
import { newId } from '@/common/ids';
import { splitFen } from '@/common/money';
import { businessDate } from '@/common/time';
import { withTransaction } from '@/infrastructure/database/transaction';
import { BenefitLinkageEntity, LinkageType } from '@/modules/suppliers/entities/benefit-linkage.entity';
import { SuppliersService } from '@/modules/suppliers/suppliers.service';
import { AccrualsRepository } from './accruals.repository';
import { AccountType } from './entities/ledger-account.entity';
import { HarvestEntity } from './entities/harvest.entity';
import { NoPlotContractsError, PlotContractNotFoundError, SeasonClosedError } from './errors';
import { EntryKind } from './entities/journal-entry.entity';
import { IncomeSource } from './entities/posting.entity';
import { SeasonCloseEntity } from './entities/season-close.entity';
import { AccountKey, EntryInput, LedgerWriter } from './ledger.writer';

const GRAMS_PER_JIN = 500;

/** The last day of a YYYY-MM month. */
export function monthEnd(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

/** The month before the one `date` (YYYY-MM-DD) falls in. */
export function previousMonth(date: string): string {
  const [y, m] = date.split('-').map(Number);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

/**
 * Income that comes with time rather than with a sale: monthly management fees, equity dividends and wages
 * (twelve months add up to the yearly amount exactly: the year is split by largest remainder and month m
 * gets part m), picking fees from harvest records, and the dividend true-up when a season closes.
 */
@Injectable()
export class AccrualsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(AccrualsRepository) private readonly repo: AccrualsRepository,
    @Inject(LedgerWriter) private readonly writer: LedgerWriter,
    @Inject(SuppliersService) private readonly suppliers: SuppliersService,
  ) {}

  /** Posts a month's accruals for every time-based linkage in force that month; returns entries written. */
  async accrueMonth(month: string): Promise<{ month: string; posted: number }> {
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) {
      throw new ValidationFailedError([{ field: 'month', message: 'month must be YYYY-MM' }]);
    }
    const end = monthEnd(month);
    const index = Number(month.slice(5)) - 1;
    const linkages = await this.suppliers.activeLinkages([
      LinkageType.PlotContract,
      LinkageType.Equity,
      LinkageType.Employment,
    ]);
    const entries: EntryInput[] = [];
    for (const l of linkages) {
      if (l.startsOn && l.startsOn > end) {
        continue;
      }
      const annual = annualAmount(l);
      if (!annual) {
        continue;
      }
      const amount = splitFen(annual.fen, Array(12).fill(1))[index];
      if (amount === 0) {
        continue;
      }
      entries.push({
        key: `accrual:${l.id}:${month}`,
        kind: EntryKind.Accrual,
        businessDate: end,
        memo: `${annual.source} ${month}`,
        postings: [
          {
            account: { type: AccountType.Supplier, ownerId: l.supplierId },
            amountFen: -amount,
            source: annual.source,
            availableOn: end,
            supplierId: l.supplierId,
          },
          {
            account: beneficiary(l),
            amountFen: amount,
            source: annual.source,
            availableOn: end,
            supplierId: l.supplierId,
          },
        ],
      });
    }
    let posted = 0;
    for (let i = 0; i < entries.length; i += 500) {
      posted += await withTransaction(this.db, (em) => this.writer.post(em, entries.slice(i, i + 500)));
    }
    return { month, posted };
  }

  /** Records a household's picking for its cooperative and posts the picking fee. */
  async recordHarvest(
    user: AuthUser,
    supplierId: string,
    input: { householdId: string; pickedOn: string; weightGrams: number },
  ): Promise<HarvestEntity> {
    this.suppliers.assertOwn(user, supplierId);
    const contract = await this.plotContract(supplierId, input.householdId);
    if (input.pickedOn > businessDate()) {
      throw new ValidationFailedError([{ field: 'pickedOn', message: 'pickedOn cannot be in the future' }]);
    }
    const fee = Number(
      (BigInt(input.weightGrams) * BigInt(contract.pickingFeeFenPerJin ?? 0) * 2n + BigInt(GRAMS_PER_JIN)) /
        (2n * BigInt(GRAMS_PER_JIN)),
    );
    const harvest: HarvestEntity = {
      id: newId(),
      supplierId,
      householdId: input.householdId,
      linkageId: contract.id,
      season: input.pickedOn.slice(0, 4),
      pickedOn: input.pickedOn,
      weightGrams: input.weightGrams,
      feeFen: fee,
      createdAt: new Date(),
    };
    await withTransaction(this.db, async (em) => {
      await this.repo.insertHarvest(em, harvest);
      if (fee > 0) {
        await this.writer.post(em, [
          {
            key: `harvest:${harvest.id}`,
            kind: EntryKind.PickingFee,
            businessDate: input.pickedOn,
            postings: [
              {
                account: { type: AccountType.Supplier, ownerId: supplierId },
                amountFen: -fee,
                source: IncomeSource.PickingFee,
                availableOn: input.pickedOn,
                supplierId,
              },
              {
                account: { type: AccountType.Household, ownerId: input.householdId },
                amountFen: fee,
                source: IncomeSource.PickingFee,
                availableOn: input.pickedOn,
                supplierId,
              },
            ],
          },
        ]);
      }
    });
    return harvest;
  }

  /**
   * Closes a season: each plot-contract household's yield per plant (given, or from its harvest records)
   * picks its dividend tier, and the dividends paid during the season at the first tier are trued up.
   */
  async closeSeason(
    user: AuthUser,
    supplierId: string,
    season: string,
    yields?: { householdId: string; gramsPerPlant: number }[],
  ): Promise<SeasonCloseEntity> {
    this.suppliers.assertOwn(user, supplierId);
    if (!/^\d{4}$/.test(season)) {
      throw new ValidationFailedError([{ field: 'season', message: 'season must be a year (YYYY)' }]);
    }
    if (await this.repo.seasonClosed(supplierId, season)) {
      throw new SeasonClosedError(season);
    }
    const contracts = await this.suppliers.activeLinkages([LinkageType.PlotContract], supplierId);
    if (contracts.length === 0) {
      throw new NoPlotContractsError();
    }
    const given = new Map((yields ?? []).map((y) => [y.householdId, y.gramsPerPlant]));
    const unknown = (yields ?? []).findIndex((y) => !contracts.some((c) => c.householdId === y.householdId));
    if (unknown >= 0) {
      throw new ValidationFailedError([
        { field: `yields[${unknown}].householdId`, message: 'no plot contract with this household' },
      ]);
    }
    const pickedBy = await this.repo.harvestedGrams(supplierId, season);
    const paidBy = await this.repo.tieredDividends(supplierId, `${season}-01-01`, `${season}-12-31`);
    const results: SeasonCloseEntity['results'] = [];
    const entries: EntryInput[] = [];
    const closedOn = businessDate() < `${season}-12-31` ? businessDate() : `${season}-12-31`;
    for (const c of contracts) {
      const h = c.householdId!;
      const gramsPerPlant = given.get(h) ?? Math.floor((pickedBy.get(h) ?? 0) / (c.plants ?? 1));
      const tiers = c.dividendTiers ?? [];
      const tier =
        [...tiers].reverse().find((t) => t.minJinPerPlant * GRAMS_PER_JIN <= gramsPerPlant) ?? tiers[0];
      const sofar = paidBy.get(h) ?? { baseFen: 0, paidFen: 0 };
      const target = Number((BigInt(sofar.baseFen) * BigInt(tier.shareBps) * 2n + 10000n) / 20000n);
      const trueUp = tier.shareBps === tiers[0].shareBps ? 0 : Math.max(0, target - sofar.paidFen);
      results.push({ householdId: h, gramsPerPlant, rateBps: tier.shareBps, trueUpFen: trueUp });
      if (trueUp > 0) {
        entries.push({
          key: `trueup:${supplierId}:${season}:${h}`,
          kind: EntryKind.DividendTrueUp,
          businessDate: closedOn,
          memo: `season ${season}: ${tier.shareBps} bps on ${sofar.baseFen} fen`,
          postings: [
            {
              account: { type: AccountType.Supplier, ownerId: supplierId },
              amountFen: -trueUp,
              source: IncomeSource.Dividend,
              availableOn: closedOn,
              supplierId,
            },
            {
              account: { type: AccountType.Household, ownerId: h },
              amountFen: trueUp,
              source: IncomeSource.Dividend,
              availableOn: closedOn,
              supplierId,
            },
          ],
        });
      }
    }
    const close: SeasonCloseEntity = { id: newId(), supplierId, season, results, createdAt: new Date() };
    await withTransaction(this.db, async (em) => {
      await this.repo.insertSeasonClose(em, close);
      await this.writer.post(em, entries);
    });
    return close;
  }

  private async plotContract(supplierId: string, householdId: string): Promise<BenefitLinkageEntity> {
    const [c] = (await this.suppliers.activeLinkages([LinkageType.PlotContract], supplierId)).filter(
      (l) => l.householdId === householdId,
    );
    if (!c) {
      throw new PlotContractNotFoundError(householdId);
    }
    return c;
  }
}

function annualAmount(l: BenefitLinkageEntity): { fen: number; source: IncomeSource } | null {
  switch (l.type) {
    case LinkageType.PlotContract:
      return l.plants && l.managementFeeFenPerPlantYear
        ? { fen: l.plants * l.managementFeeFenPerPlantYear, source: IncomeSource.ManagementFee }
        : null;
    case LinkageType.Equity:
      return l.annualDividendFen ? { fen: l.annualDividendFen, source: IncomeSource.Dividend } : null;
    case LinkageType.Employment:
      return l.annualWageFen ? { fen: l.annualWageFen, source: IncomeSource.Wage } : null;
    default:
      return null;
  }
}

function beneficiary(l: BenefitLinkageEntity): AccountKey {
  return l.householdId
    ? { type: AccountType.Household, ownerId: l.householdId }
    : { type: AccountType.VillageCollective, ownerId: l.collectiveVillageCode! };
}
