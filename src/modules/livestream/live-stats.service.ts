import { Inject, Injectable, Logger } from '@nestjs/common';
import { Table, toCsv } from '@/common/spreadsheet';
import { AuthUser } from '@/common/auth/role';
import { OrderStatus } from '@/modules/orders/entities/order.entity';
import { IncomeService } from '@/modules/ledger/income.service';
import {
  HostTotalsView,
  LeaderboardQuery,
  LeaderboardView,
  PeriodQuery,
  PublicSessionView,
  SessionReportView,
  SessionStatsView,
} from './dto/live.dto';
import { LiveSessionStatus } from './entities/live-session.entity';
import { HostNotFoundError } from './errors';
import { HostsService } from './hosts.service';
import { LiveEvents } from './live-events';
import { LiveSessionsService } from './live-sessions.service';
import { LiveStatsRepository } from './live-stats.repository';
import { LiveRepository } from './live.repository';

/** Orders whose money counts: paid, and paid but partly refunded (net of the refund). */
export const PAID_STATUSES: readonly string[] = [OrderStatus.Paid, OrderStatus.PartiallyRefunded];
const PENDING: readonly string[] = [OrderStatus.PendingPayment];

/** The fewest milliseconds between two figures sent to one stream; changes in between share one. */
const STREAM_COALESCE_MS = 100;
/** A stream with no change still gets the figures this often, so proxies keep it open. */
const STREAM_HEARTBEAT_MS = 15_000;

/** A stream of figures: `close` stops it. */
export interface StatsStream {
  close(): void;
}

/**
 * A session's figures (API.md: gmvFen, units and buyers count paid orders; an offer's sold is paid units,
 * reserved is units awaiting payment, remaining what can still be bought), pushed to the host's dashboard on
 * every change; a host's totals over a period, the leaderboard, and the end-of-session report.
 */
@Injectable()
export class LiveStatsService {
  private readonly logger = new Logger(LiveStatsService.name);

  constructor(
    @Inject(LiveRepository) private readonly repo: LiveRepository,
    @Inject(LiveStatsRepository) private readonly statsRepo: LiveStatsRepository,
    @Inject(LiveSessionsService) private readonly sessions: LiveSessionsService,
    @Inject(HostsService) private readonly hosts: HostsService,
    @Inject(IncomeService) private readonly income: IncomeService,
    @Inject(LiveEvents) private readonly events: LiveEvents,
  ) {}

  async statsFor(user: AuthUser, id: string): Promise<SessionStatsView> {
    await this.sessions.requireOwn(user, id);
    return this.stats(id);
  }

  async stats(id: string): Promise<SessionStatsView> {
    const [session, offers, figures, held, buyers, timeline] = await Promise.all([
      this.repo.findSession(id),
      this.repo.offersOf([id]),
      this.repo.offerFigures(id),
      this.repo.heldCounts(id),
      this.repo.buyers(id, PAID_STATUSES),
      this.repo.salesByMinute(id, PAID_STATUSES),
    ]);
    const paid = figures.filter((f) => PAID_STATUSES.includes(f.status));
    const pending = figures.filter((f) => PENDING.includes(f.status));
    const sum = (rows: typeof figures, pick: (f: (typeof figures)[number]) => number) =>
      rows.reduce((a, f) => a + pick(f), 0);
    const ended = session?.status === LiveSessionStatus.Ended;
    return {
      sessionId: id,
      status: session?.status ?? LiveSessionStatus.Scheduled,
      gmvFen: sum(paid, (f) => f.netFen),
      paidOrders: sum(paid, (f) => f.orders),
      pendingOrders: sum(pending, (f) => f.orders),
      units: sum(paid, (f) => f.units),
      buyers,
      offers: offers.map((o) => {
        const mine = (rows: typeof figures) => rows.filter((f) => f.offerId === o.id);
        return {
          offerId: o.id,
          sold: sum(mine(paid), (f) => f.units),
          reserved: sum(mine(pending), (f) => f.units),
          remaining: ended ? 0 : o.stock - (held.get(o.id) ?? 0),
          gmvFen: sum(mine(paid), (f) => f.netFen),
          imported: sum(
            mine(paid).filter((f) => f.external),
            (f) => f.units,
          ),
        };
      }),
      timeline: timeline.map((p) => ({ minute: p.minute.toISOString(), gmvFen: p.gmvFen, units: p.units })),
      at: new Date().toISOString(),
    };
  }

  /**
   * Sends the session's figures now and after every change (changes within STREAM_COALESCE_MS share one
   * send; one computation at a time), until closed.
   */
  stream(id: string, send: (stats: SessionStatsView) => void): StatsStream {
    return this.changes(id, () => this.stats(id), send);
  }

  /** The viewers' view of the session, now and on every change. */
  publicStream(id: string, send: (view: PublicSessionView) => void): StatsStream {
    return this.changes(id, () => this.sessions.publicView(id), send);
  }

  private changes<T>(id: string, compute: () => Promise<T>, send: (value: T) => void): StatsStream {
    let timer: NodeJS.Timeout | undefined;
    let running = false;
    let again = false;
    let closed = false;
    const push = async () => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        const value = await compute();
        if (!closed) {
          send(value);
        }
      } catch (err) {
        this.logger.warn({ err, sessionId: id }, 'could not compute live figures');
      } finally {
        running = false;
        if (again && !closed) {
          again = false;
          schedule();
        }
      }
    };
    const schedule = () => {
      timer ??= setTimeout(() => {
        timer = undefined;
        void push();
      }, STREAM_COALESCE_MS);
    };
    const stop = this.events.listen(id, schedule);
    const heartbeat = setInterval(schedule, STREAM_HEARTBEAT_MS);
    void push();
    return {
      close: () => {
        closed = true;
        stop();
        clearTimeout(timer);
        clearInterval(heartbeat);
      },
    };
  }

  /** A host's totals over a period of business days (sales paid in it). */
  async hostTotals(user: AuthUser, hostId: string, q: PeriodQuery): Promise<HostTotalsView> {
    this.sessions.assertOwn(user, hostId);
    const host = await this.hosts.find(hostId);
    if (!host) {
      throw new HostNotFoundError(hostId);
    }
    const [row] = await this.totals(q, hostId);
    return (
      row ?? {
        hostId,
        name: host.name,
        kind: host.kind,
        sessions: 0,
        gmvFen: 0,
        paidOrders: 0,
        units: 0,
        buyers: 0,
        householdsBenefited: 0,
      }
    );
  }

  /** Hosts ranked by paid money or by households benefited over a period. */
  async leaderboard(q: LeaderboardQuery): Promise<LeaderboardView> {
    const by = q.by ?? 'gmv';
    // Hosts see the whole board: it is the district's ranking, and it names no buyer.
    const rows = await this.totals(q);
    rows.sort((a, b) =>
      by === 'gmv'
        ? b.gmvFen - a.gmvFen || b.householdsBenefited - a.householdsBenefited
        : b.householdsBenefited - a.householdsBenefited || b.gmvFen - a.gmvFen,
    );
    return { by, items: rows.slice(0, q.limit ?? 20) };
  }

  private async totals(q: PeriodQuery, hostId?: string): Promise<HostTotalsView[]> {
    const figures = await this.statsRepo.hostFigures(PAID_STATUSES, q.from, q.to, hostId);
    if (!figures.length) {
      return [];
    }
    const orders = await this.statsRepo.hostOrders(PAID_STATUSES, q.from, q.to, hostId);
    const households = await this.income.householdsBenefited(orders);
    const hosts = new Map((await this.hosts.findMany(figures.map((f) => f.hostId))).map((h) => [h.id, h]));
    return figures.map((f) => ({
      ...f,
      name: hosts.get(f.hostId)?.name ?? '',
      kind: hosts.get(f.hostId)?.kind ?? '',
      householdsBenefited: households.get(f.hostId) ?? 0,
    }));
  }

  /** The end-of-session report: money, units, buyers, households benefited and the top products. */
  async report(user: AuthUser, id: string): Promise<SessionReportView> {
    const session = await this.sessions.requireOwn(user, id);
    const [stats, host, offers, orderIds] = await Promise.all([
      this.stats(id),
      this.hosts.find(session.hostId),
      this.repo.offersOf([id]),
      this.statsRepo.sessionOrders(id, PAID_STATUSES),
    ]);
    const households = await this.income.householdsBenefited(new Map([[id, orderIds]]));
    const products = await this.sessions.productsOf(offers);
    const byProduct = new Map<string, { units: number; gmvFen: number }>();
    for (const o of stats.offers) {
      const productId = offers.find((x) => x.id === o.offerId)!.productId;
      const p = byProduct.get(productId) ?? { units: 0, gmvFen: 0 };
      p.units += o.sold;
      p.gmvFen += o.gmvFen;
      byProduct.set(productId, p);
    }
    return {
      sessionId: id,
      title: session.title,
      hostName: host?.name ?? '',
      status: session.status,
      startedAt: session.startedAt?.toISOString() ?? null,
      endedAt: session.endedAt?.toISOString() ?? null,
      gmvFen: stats.gmvFen,
      paidOrders: stats.paidOrders,
      units: stats.units,
      buyers: stats.buyers,
      householdsBenefited: households.get(id) ?? 0,
      topProducts: [...byProduct]
        .map(([productId, p]) => ({ productId, name: products.get(productId)?.name ?? '', ...p }))
        .sort((a, b) => b.gmvFen - a.gmvFen || b.units - a.units),
    };
  }
}

/** Fen as yuan with two decimals, exactly (no floating point). */
export function fenToYuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** The report as a CSV a spreadsheet opens (UTF-8 with BOM, Chinese labels). */
export function reportCsv(r: SessionReportView): string {
  const rows: Table = [
    ['场次', r.title],
    ['主播', r.hostName],
    ['状态', r.status],
    ['开播时间', r.startedAt ?? ''],
    ['下播时间', r.endedAt ?? ''],
    ['成交额(元)', fenToYuan(r.gmvFen)],
    ['成交额(分)', r.gmvFen],
    ['支付订单数', r.paidOrders],
    ['成交件数', r.units],
    ['买家数', r.buyers],
    ['带动农户数', r.householdsBenefited],
    [],
    ['排名', '商品ID', '商品', '件数', '成交额(元)', '成交额(分)'],
    ...r.topProducts.map((p, i) => [i + 1, p.productId, p.name, p.units, fenToYuan(p.gmvFen), p.gmvFen]),
  ];
  return toCsv(rows);
}
