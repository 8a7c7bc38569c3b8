import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** The livestream's reporting SQL: figures per host over a period, the orders behind them. */
@Injectable()
export class LiveStatsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  private period(from?: string, to?: string, hostId?: string): { sql: string; params: unknown[] } {
    const where: string[] = [];
    const params: unknown[] = [];
    if (from) {
      where.push('o.paid_date >= ?');
      params.push(from);
    }
    if (to) {
      where.push('o.paid_date <= ?');
      params.push(to);
    }
    if (hostId) {
      where.push('s.host_id = ?');
      params.push(hostId);
    }
    return { sql: where.map((w) => ` AND ${w}`).join(''), params };
  }

  /** Per host: sessions with sales, paid orders, units, money net of refunds, distinct buyers. */
  async hostFigures(
    statuses: readonly string[],
    from?: string,
    to?: string,
    hostId?: string,
  ): Promise<
    { hostId: string; sessions: number; paidOrders: number; units: number; gmvFen: number; buyers: number }[]
  > {
    const p = this.period(from, to, hostId);
    const rows = (await this.db.query(
      `SELECT s.host_id AS hostId, COUNT(DISTINCT lo.session_id) AS sessions, COUNT(*) AS paidOrders,
              SUM(lo.units) AS units, SUM(o.total_fen - o.refunded_fen) AS gmvFen,
              COUNT(DISTINCT lo.buyer_user_id) AS buyers
         FROM live_orders lo JOIN live_sessions s ON s.id = lo.session_id JOIN orders o ON o.id = lo.order_id
        WHERE o.status IN (?)${p.sql}
        GROUP BY s.host_id`,
      [statuses, ...p.params],
    )) as Record<string, unknown>[];
    return rows.map((r) => ({
      hostId: r.hostId as string,
      sessions: Number(r.sessions),
      paidOrders: Number(r.paidOrders),
      units: Number(r.units),
      gmvFen: Number(r.gmvFen),
      buyers: Number(r.buyers),
    }));
  }

  /** The paid orders of each host's sessions in the period. */
  async hostOrders(
    statuses: readonly string[],
    from?: string,
    to?: string,
    hostId?: string,
  ): Promise<Map<string, string[]>> {
    const p = this.period(from, to, hostId);
    const rows = (await this.db.query(
      `SELECT s.host_id AS hostId, lo.order_id AS orderId
         FROM live_orders lo JOIN live_sessions s ON s.id = lo.session_id JOIN orders o ON o.id = lo.order_id
        WHERE o.status IN (?)${p.sql}`,
      [statuses, ...p.params],
    )) as { hostId: string; orderId: string }[];
    const out = new Map<string, string[]>();
    for (const r of rows) {
      const list = out.get(r.hostId) ?? [];
      list.push(r.orderId);
      out.set(r.hostId, list);
    }
    return out;
  }

  /** The session's orders in the given statuses. */
  async sessionOrders(sessionId: string, statuses: readonly string[]): Promise<string[]> {
    const rows = (await this.db.query(
      `SELECT lo.order_id AS orderId FROM live_orders lo JOIN orders o ON o.id = lo.order_id
        WHERE lo.session_id = ? AND o.status IN (?)`,
      [sessionId, statuses],
    )) as { orderId: string }[];
    return rows.map((r) => r.orderId);
  }
}
