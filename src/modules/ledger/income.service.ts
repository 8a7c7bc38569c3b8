import { Inject, Injectable, Logger } from '@nestjs/common';
import { Env, ENV, CHANNELS } from '@/config/env';
import { AuthUser } from '@/common/auth/role';
import { ValidationFailedError } from '@/common/errors/domain-error';
import { businessDate } from '@/common/time';
import { LotIncomeReader } from '@/modules/catalog/lot-income';
import { HouseholdStatus } from '@/modules/households/entities/household.entity';
import { HouseholdsService } from '@/modules/households/households.service';
import { addDays } from './allocation.service';
import { IncomeSource } from './entities/posting.entity';
import { IncomeRepository } from './income.repository';

export const INCOME_SOURCES = [
  IncomeSource.Sale,
  IncomeSource.Dividend,
  IncomeSource.ManagementFee,
  IncomeSource.PickingFee,
  IncomeSource.Wage,
] as const;

export interface IncomeStatement {
  householdId: string;
  from: string | null;
  to: string | null;
  totalFen: number;
  pendingFen: number;
  availableFen: number;
  paidOutFen: number;
  balanceFen: number;
  bySource: Record<(typeof INCOME_SOURCES)[number], number>;
  byChannel: Record<(typeof CHANNELS)[number], number>;
  entries: {
    entryId: string;
    kind: string;
    date: string;
    source: string;
    channel: string | null;
    amountFen: number;
    status: 'PENDING' | 'AVAILABLE';
    availableOn: string | null;
    orderId: string | null;
    lotId: string | null;
    memo: string | null;
  }[];
}

/**
 * A household's income is the sum of its postings, nothing else. Also: how many fen of a lot reached
 * households, and the return-to-poverty monitoring.
 */
@Injectable()
export class IncomeService implements LotIncomeReader {
  private readonly logger = new Logger(IncomeService.name);

  constructor(
    @Inject(IncomeRepository) private readonly repo: IncomeRepository,
    @Inject(HouseholdsService) private readonly households: HouseholdsService,
    @Inject(ENV) private readonly env: Env,
  ) {}

  async statementFor(
    user: AuthUser,
    householdId: string,
    from?: string,
    to?: string,
  ): Promise<IncomeStatement> {
    await this.households.getFor(user, householdId); // 404 or 403 before any figure
    if (from && to && from > to) {
      throw new ValidationFailedError([{ field: 'from', message: 'from must not be after to' }]);
    }
    return this.statement(householdId, from, to);
  }

  async statement(householdId: string, from?: string, to?: string): Promise<IncomeStatement> {
    const today = businessDate();
    const rows = await this.repo.householdPostings(householdId, from, to);
    const s: IncomeStatement = {
      householdId,
      from: from ?? null,
      to: to ?? null,
      totalFen: 0,
      pendingFen: 0,
      availableFen: 0,
      paidOutFen: 0,
      balanceFen: 0,
      bySource: Object.fromEntries(INCOME_SOURCES.map((k) => [k, 0])) as IncomeStatement['bySource'],
      byChannel: Object.fromEntries(CHANNELS.map((k) => [k, 0])) as IncomeStatement['byChannel'],
      entries: [],
    };
    for (const r of rows) {
      const amount = r.amountFen;
      const available = r.availableOn !== null && r.availableOn <= today;
      if (r.source === IncomeSource.Payout) {
        s.paidOutFen -= amount;
      } else {
        s.totalFen += amount;
        if (available) {
          s.availableFen += amount;
        } else {
          s.pendingFen += amount;
        }
        if (r.source in s.bySource) {
          s.bySource[r.source as keyof IncomeStatement['bySource']] += amount;
        }
        if (r.channel && r.channel in s.byChannel) {
          s.byChannel[r.channel as keyof IncomeStatement['byChannel']] += amount;
        }
      }
      s.entries.push({
        entryId: r.entryId,
        kind: r.kind,
        date: r.date,
        source: r.source,
        channel: r.channel,
        amountFen: amount,
        status: available ? 'AVAILABLE' : 'PENDING',
        availableOn: r.availableOn,
        orderId: r.orderId,
        lotId: r.lotId,
        memo: r.memo,
      });
    }
    s.balanceFen = s.availableFen - s.paidOutFen;
    return s;
  }

  /** How many fen of an order's sales reached households (net of refunds); null until it is allocated. */
  /**
   * How many distinct households the sales of each group of orders credit (net of refunds): a channel's
   * "households benefited" (a live session, a host, a period). Orders are read in chunks.
   */
  async householdsBenefited(groups: ReadonlyMap<string, readonly string[]>): Promise<Map<string, number>> {
    const groupOf = new Map<string, string[]>();
    for (const [key, ids] of groups) {
      for (const id of ids) {
        const keys = groupOf.get(id) ?? [];
        keys.push(key);
        groupOf.set(id, keys);
      }
    }
    const seen = new Map<string, Set<string>>([...groups.keys()].map((k) => [k, new Set<string>()]));
    const all = [...groupOf.keys()];
    for (let i = 0; i < all.length; i += 5000) {
      for (const r of await this.repo.householdsOfOrders(all.slice(i, i + 5000))) {
        for (const key of groupOf.get(r.orderId) ?? []) {
          seen.get(key)!.add(r.householdId);
        }
      }
    }
    return new Map([...seen].map(([k, set]) => [k, set.size]));
  }

  /**
   * Households' sale income within [from, to] (business dates), net of refunds, per channel, buying
   * organization and household: what the impact report sums by channel, organization type and town.
   */
  saleIncome(
    from: string,
    to: string,
  ): Promise<{ channel: string; organizationId: string | null; householdId: string; fen: number }[]> {
    return this.repo.saleIncome(from, to);
  }

  householdFenOfOrder(orderId: string): Promise<number | null> {
    return this.repo.householdFenOfOrder(orderId);
  }

  householdFenOfLot(lotId: string): Promise<number> {
    return this.repo.householdFenOfLot(lotId);
  }

  /**
   * Marks households whose income over the trailing twelve months, per member, is below
   * MONITOR_INCOME_LINE_FEN as MONITORED (with the reason), and returns those back above it to LIFTED.
   */
  async monitor(asOf = businessDate()): Promise<{ monitored: number; lifted: number }> {
    const since = addDays(asOf, -365);
    const rows = await this.repo.monitoredIncome(since, asOf);
    let monitored = 0;
    let lifted = 0;
    const line = this.env.MONITOR_INCOME_LINE_FEN;
    for (const r of rows) {
      const perMember = Math.floor(r.incomeFen / Math.max(1, r.members));
      if (perMember < line) {
        const reason = `trailing 12-month income per member ${perMember} fen (to ${asOf}) is below the monitoring line of ${line} fen`;
        await this.households.setStatus(r.householdId, HouseholdStatus.Monitored, reason);
        monitored++;
      } else if (r.status === HouseholdStatus.Monitored) {
        await this.households.setStatus(r.householdId, HouseholdStatus.Lifted, null);
        lifted++;
      }
    }
    this.logger.log(`monitoring ${asOf}: ${monitored} monitored, ${lifted} back above the line`);
    return { monitored, lifted };
  }
}
