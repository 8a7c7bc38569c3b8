import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Env, ENV, CHANNELS } from '@/config/env';
import { AuthUser } from '@/common/auth/role';
import { ValidationFailedError } from '@/common/errors/domain-error';
import { businessDate } from '@/common/time';
import { LotIncomeReader } from '@/modules/catalog/lot-income';
import { HouseholdStatus } from '@/modules/households/entities/household.entity';
import { HouseholdsService } from '@/modules/households/households.service';
import { addDays } from './allocation.service';
import { IncomeSource } from './entities/posting.entity';

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

interface Row {
  entryId: string;
  kind: string;
  date: string;
  source: IncomeSource;
  channel: string | null;
  amountFen: string;
  availableOn: string | null;
  orderId: string | null;
  lotId: string | null;
  memo: string | null;
}

/**
 * A household's income is the sum of its postings, nothing else. Also: how many fen of a lot reached
 * households, and the return-to-poverty monitoring.
 */
@Injectable()
export class IncomeService implements LotIncomeReader {
  private readonly logger = new Logger(IncomeService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
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
    const rows = (await this.db.query(
      `SELECT e.id AS entryId, e.kind, p.business_date AS date, p.source, p.channel, p.amount_fen AS amountFen,
              p.available_on AS availableOn, e.order_id AS orderId, p.lot_id AS lotId, e.memo
         FROM ledger_accounts a
         JOIN postings p ON p.account_id = a.id
         JOIN journal_entries e ON e.id = p.entry_id
        WHERE a.type = 'HOUSEHOLD' AND a.owner_id = ?
          ${from ? 'AND p.business_date >= ?' : ''} ${to ? 'AND p.business_date <= ?' : ''}
        ORDER BY p.business_date, p.id`,
      [householdId, ...(from ? [from] : []), ...(to ? [to] : [])],
    )) as Row[];
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
      const amount = Number(r.amountFen);
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

  async householdFenOfLot(lotId: string): Promise<number> {
    const [{ fen }] = (await this.db.query(
      `SELECT COALESCE(SUM(p.amount_fen), 0) AS fen FROM postings p JOIN ledger_accounts a ON a.id = p.account_id
        WHERE p.lot_id = ? AND a.type = 'HOUSEHOLD'`,
      [lotId],
    )) as { fen: string }[];
    return Number(fen);
  }

  /**
   * Marks households whose income over the trailing twelve months, per member, is below
   * MONITOR_INCOME_LINE_FEN as MONITORED (with the reason), and returns those back above it to LIFTED.
   */
  async monitor(asOf = businessDate()): Promise<{ monitored: number; lifted: number }> {
    const since = addDays(asOf, -365);
    const rows = (await this.db.query(
      `SELECT h.id, h.members, h.status, COALESCE(SUM(CASE WHEN p.source IN ('SALE','DIVIDEND','MANAGEMENT_FEE','PICKING_FEE','WAGE') THEN p.amount_fen END), 0) AS income
         FROM households h
         LEFT JOIN ledger_accounts a ON a.type = 'HOUSEHOLD' AND a.owner_id = h.id
         LEFT JOIN postings p ON p.account_id = a.id AND p.business_date > ? AND p.business_date <= ?
        WHERE h.status IN ('LIFTED', 'MONITORED')
        GROUP BY h.id, h.members, h.status`,
      [since, asOf],
    )) as { id: string; members: number; status: HouseholdStatus; income: string }[];
    let monitored = 0;
    let lifted = 0;
    const line = this.env.MONITOR_INCOME_LINE_FEN;
    for (const r of rows) {
      const perMember = Math.floor(Number(r.income) / Math.max(1, r.members));
      if (perMember < line) {
        const reason = `trailing 12-month income per member ${perMember} fen (to ${asOf}) is below the monitoring line of ${line} fen`;
        await this.households.setStatus(r.id, HouseholdStatus.Monitored, reason);
        monitored++;
      } else if (r.status === HouseholdStatus.Monitored) {
        await this.households.setStatus(r.id, HouseholdStatus.Lifted, null);
        lifted++;
      }
    }
    this.logger.log(`monitoring ${asOf}: ${monitored} monitored, ${lifted} back above the line`);
    return { monitored, lifted };
  }
}
