import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Statement } from '@/infrastructure/database/transaction';
import { LiveOfferEntity, LiveOfferLotEntity } from './entities/live-offer.entity';
import { LiveSessionEntity, LiveSessionStatus } from './entities/live-session.entity';

/** An offer as a sale needs it: the offer, its session's status and host, and the lots of its units. */
export interface OfferForSale {
  offer: LiveOfferEntity;
  sessionStatus: LiveSessionStatus;
  hostId: string;
  productName: string;
  lots: LiveOfferLotEntity[];
}

/** What a buyer's order reserved: the unit numbers the flash stock gave it, and the offer's limit. */
export interface LiveClaim {
  sessionId: string;
  offerId: string;
  units: readonly number[];
  perBuyerLimit: number | null;
  /** The business date the product's certificate must still be valid on. */
  today: string;
}

/** One row of an offer's figures, by order status. */
export interface OfferFigureRow {
  offerId: string;
  status: string;
  orders: number;
  units: number;
  netFen: number;
  /** Imported from a platform's export. */
  external: boolean;
}

const SESSION_COLUMNS = `SELECT id, host_id AS hostId, title, platform, status, scheduled_at AS scheduledAt,
  started_at AS startedAt, ended_at AS endedAt, created_at AS createdAt, updated_at AS updatedAt FROM live_sessions`;
const OFFER_COLUMNS = `SELECT id, session_id AS sessionId, product_id AS productId, live_price_fen AS livePriceFen,
  stock, per_buyer_limit AS perBuyerLimit, merchant_code AS merchantCode, platform_product_id AS platformProductId,
  on_sale AS onSale, returned, created_at AS createdAt FROM live_offers`;

const toSession = (r: Record<string, unknown>): LiveSessionEntity =>
  Object.assign(new LiveSessionEntity(), r, {
    scheduledAt: new Date(r.scheduledAt as Date),
    startedAt: r.startedAt ? new Date(r.startedAt as Date) : null,
    endedAt: r.endedAt ? new Date(r.endedAt as Date) : null,
  });
const toOffer = (r: Record<string, unknown>): LiveOfferEntity =>
  Object.assign(new LiveOfferEntity(), r, {
    livePriceFen: Number(r.livePriceFen),
    stock: Number(r.stock),
    perBuyerLimit: r.perBuyerLimit === null ? null : Number(r.perBuyerLimit),
    onSale: Number(r.onSale),
    returned: Number(r.returned),
  });
const toLot = (r: Record<string, unknown>): LiveOfferLotEntity =>
  Object.assign(new LiveOfferLotEntity(), {
    offerId: r.offerId,
    firstUnit: Number(r.firstUnit),
    lotId: r.lotId,
    units: Number(r.units),
  });

/** The lot of each unit number, by the offer's runs of units. */
export function lotOfUnit(lots: readonly LiveOfferLotEntity[], unit: number): string {
  const run = lots.find((l) => unit >= l.firstUnit && unit < l.firstUnit + l.units);
  if (!run) {
    throw new Error(`unit ${unit} of offer ${lots[0]?.offerId} belongs to no lot`);
  }
  return run.lotId;
}

/** Units counted per lot. */
export function unitsByLot(
  lots: readonly LiveOfferLotEntity[],
  units: Iterable<number>,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const u of units) {
    const lot = lotOfUnit(lots, u);
    out.set(lot, (out.get(lot) ?? 0) + 1);
  }
  return out;
}

/** The livestream module's SQL: sessions, offers and their units, attributed orders, statistics. */
@Injectable()
export class LiveRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The statements that write a new session with its offers and the lot runs of their units. */
  insertSessionStatements(
    s: LiveSessionEntity,
    offers: readonly LiveOfferEntity[],
    lots: readonly LiveOfferLotEntity[],
  ): Statement[] {
    return [
      [
        `INSERT INTO live_sessions (id, host_id, title, platform, status, scheduled_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        [s.id, s.hostId, s.title, s.platform, s.status, s.scheduledAt, s.createdAt, s.updatedAt],
      ],
      [
        `INSERT INTO live_offers (id, session_id, product_id, live_price_fen, stock, per_buyer_limit, merchant_code,
           platform_product_id, on_sale, returned, created_at)
         VALUES ${offers.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?)').join(', ')}`,
        offers.flatMap((o) => [
          o.id,
          o.sessionId,
          o.productId,
          o.livePriceFen,
          o.stock,
          o.perBuyerLimit,
          o.merchantCode,
          o.platformProductId,
          o.createdAt,
        ]),
      ],
      [
        `INSERT INTO live_offer_lots (offer_id, first_unit, lot_id, units) VALUES ${lots.map(() => '(?, ?, ?, ?)').join(', ')}`,
        lots.flatMap((l) => [l.offerId, l.firstUnit, l.lotId, l.units]),
      ],
    ];
  }

  async findSession(id: string, em?: EntityManager, lock = false): Promise<LiveSessionEntity | null> {
    const [r] = (await (em ?? this.db).query(`${SESSION_COLUMNS} WHERE id = ?${lock ? ' FOR UPDATE' : ''}`, [
      id,
    ])) as Record<string, unknown>[];
    return r ? toSession(r) : null;
  }

  async listSessions(q: {
    hostId?: string;
    status?: LiveSessionStatus;
    cursor?: string;
    limit: number;
  }): Promise<{ items: LiveSessionEntity[]; nextCursor: string | null }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.hostId) {
      where.push('host_id = ?');
      params.push(q.hostId);
    }
    if (q.status) {
      where.push('status = ?');
      params.push(q.status);
    }
    if (q.cursor) {
      where.push('id > ?');
      params.push(q.cursor);
    }
    const rows = (await this.db.query(
      `${SESSION_COLUMNS}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT ?`,
      [...params, q.limit + 1],
    )) as Record<string, unknown>[];
    const items = rows.slice(0, q.limit).map(toSession);
    return {
      items,
      nextCursor: rows.length > q.limit ? items[items.length - 1].id : null,
    };
  }

  async offersOf(
    sessionIds: readonly string[],
    em?: EntityManager,
    lock = false,
  ): Promise<LiveOfferEntity[]> {
    if (!sessionIds.length) {
      return [];
    }
    const rows = (await (em ?? this.db).query(
      `${OFFER_COLUMNS} WHERE session_id IN (?) ORDER BY session_id, id${lock ? ' FOR UPDATE' : ''}`,
      [sessionIds],
    )) as Record<string, unknown>[];
    return rows.map(toOffer);
  }

  async lotsOf(offerIds: readonly string[], em?: EntityManager): Promise<LiveOfferLotEntity[]> {
    if (!offerIds.length) {
      return [];
    }
    const rows = (await (em ?? this.db).query(
      `SELECT offer_id AS offerId, first_unit AS firstUnit, lot_id AS lotId, units FROM live_offer_lots
        WHERE offer_id IN (?) ORDER BY offer_id, first_unit`,
      [offerIds],
    )) as Record<string, unknown>[];
    return rows.map(toLot);
  }

  /** An offer of a session with what a sale needs, in one round trip; null when there is no such offer. */
  async offerForSale(sessionId: string, offerId: string): Promise<OfferForSale | null> {
    const rows = (await this.db.query(
      `SELECT o.id, o.session_id AS sessionId, o.product_id AS productId, o.live_price_fen AS livePriceFen, o.stock,
              o.per_buyer_limit AS perBuyerLimit, o.merchant_code AS merchantCode,
              o.platform_product_id AS platformProductId, o.on_sale AS onSale, o.returned, o.created_at AS createdAt,
              s.status AS sessionStatus, s.host_id AS hostId, p.name AS productName, l.first_unit AS firstUnit,
              l.lot_id AS lotId, l.units AS units
         FROM live_offers o JOIN live_sessions s ON s.id = o.session_id JOIN products p ON p.id = o.product_id
         JOIN live_offer_lots l ON l.offer_id = o.id
        WHERE o.id = ? AND o.session_id = ? ORDER BY l.first_unit`,
      [offerId, sessionId],
    )) as Record<string, unknown>[];
    if (!rows.length) {
      return null;
    }
    const { sessionStatus, hostId, productName, firstUnit: _f, lotId: _l, units: _u, ...offer } = rows[0];
    return {
      offer: toOffer(offer),
      sessionStatus: sessionStatus as LiveSessionStatus,
      hostId: hostId as string,
      productName: productName as string,
      lots: rows.map((r) => toLot({ ...r, offerId })),
    };
  }

  /**
   * What the flash stock is rebuilt from: the offer's stock, the units orders hold and each buyer's held
   * units (for offers with a limit); null when the offer is not on sale.
   */
  async flashState(offerId: string): Promise<{
    stock: number;
    heldUnits: number[];
    buyers: { buyerUserId: string; held: number }[];
  } | null> {
    const [offers, units, buyers] = (await Promise.all([
      this.db.query('SELECT stock, per_buyer_limit AS lim, on_sale AS onSale FROM live_offers WHERE id = ?', [
        offerId,
      ]),
      this.db.query('SELECT unit_no AS u FROM live_offer_units WHERE offer_id = ?', [offerId]),
      this.db.query(
        `SELECT b.buyer_user_id AS buyer, o.per_buyer_limit - b.units_left AS held
           FROM live_offer_buyers b JOIN live_offers o ON o.id = b.offer_id
          WHERE b.offer_id = ? AND o.per_buyer_limit - b.units_left > 0`,
        [offerId],
      ),
    ])) as [Record<string, unknown>[], { u: number }[], { buyer: string; held: number }[]];
    if (!offers.length || Number(offers[0].onSale) !== 1) {
      return null;
    }
    return {
      stock: Number(offers[0].stock),
      heldUnits: units.map((r) => Number(r.u)),
      buyers: buyers.map((b) => ({ buyerUserId: b.buyer, held: Number(b.held) })),
    };
  }

  /**
   * MySQL's guard of a sale, for the order's transaction: the order holds exactly its unit numbers (each unit
   * held by one order: a second holder fails on the primary key), only while the offer is on sale and only
   * numbers within its stock (otherwise an unsigned underflow fails the statement, `isOfferClosed`), only
   * while the product's certificate is valid (`isNotCertified`, read here rather than before); the buyer's
   * limit never goes below zero (`isLimitExceeded`); and the order is the session's.
   */
  takeStatements(orderId: string, buyerUserId: string, c: LiveClaim): Statement[] {
    const units = [...c.units];
    return [
      [
        `INSERT INTO live_offer_units (offer_id, unit_no, order_id)
         SELECT o.id,
                IF(o.on_sale = 1 AND v.n <= o.stock,
                   IF(p.certificate_no IS NOT NULL AND p.certificate_no <> ''
                        AND (p.certified_until IS NULL OR p.certified_until >= ?),
                      v.n, CAST(0 AS UNSIGNED) - (p.certified_until IS NULL) - 1),
                   CAST(o.on_sale AS UNSIGNED) - 2),
                ?
           FROM live_offers o JOIN products p ON p.id = o.product_id
           JOIN (${units.map(() => 'SELECT ? AS n').join(' UNION ALL ')}) v
          WHERE o.id = ? LOCK IN SHARE MODE`,
        [c.today, orderId, ...units, c.offerId],
      ],
      ...(c.perBuyerLimit
        ? ([
            [
              `INSERT INTO live_offer_buyers (offer_id, buyer_user_id, units_left)
               SELECT ?, ?, CAST(? AS UNSIGNED) - ? FROM DUAL
               ON DUPLICATE KEY UPDATE units_left = units_left - ?`,
              [c.offerId, buyerUserId, c.perBuyerLimit, units.length, units.length],
            ],
          ] as Statement[])
        : []),
      [
        `INSERT INTO live_orders (order_id, session_id, offer_id, buyer_user_id, units, external) VALUES (?, ?, ?, ?, ?, 0)`,
        [orderId, c.sessionId, c.offerId, buyerUserId, units.length],
      ],
    ];
  }

  /**
   * Releases the units a cancelled order held (inside the cancellation's transaction, the offer row locked
   * so an ending session waits): the unit rows go, the buyer may take them again. Answers the offer, its
   * limit, whether it is still on sale, and the unit numbers.
   */
  async releaseUnits(
    em: EntityManager,
    orderId: string,
  ): Promise<{ offer: LiveOfferEntity; units: number[]; buyerUserId: string } | null> {
    const [lo] = (await em.query(
      'SELECT offer_id AS offerId, buyer_user_id AS buyer FROM live_orders WHERE order_id = ?',
      [orderId],
    )) as { offerId: string; buyer: string }[];
    if (!lo) {
      return null;
    }
    const [offerRow] = (await em.query(`${OFFER_COLUMNS} WHERE id = ? FOR UPDATE`, [lo.offerId])) as Record<
      string,
      unknown
    >[];
    const units = (
      (await em.query('SELECT unit_no AS u FROM live_offer_units WHERE order_id = ? FOR UPDATE', [
        orderId,
      ])) as { u: number }[]
    ).map((r) => Number(r.u));
    if (!units.length) {
      return null;
    }
    await em.query('DELETE FROM live_offer_units WHERE order_id = ?', [orderId]);
    const offer = toOffer(offerRow);
    if (offer.perBuyerLimit) {
      await em.query(
        'UPDATE live_offer_buyers SET units_left = LEAST(units_left + ?, ?) WHERE offer_id = ? AND buyer_user_id = ?',
        [units.length, offer.perBuyerLimit, offer.id, lo.buyer],
      );
    }
    return { offer, units, buyerUserId: lo.buyer };
  }

  async addReturned(em: EntityManager, offerId: string, units: number): Promise<void> {
    await em.query('UPDATE live_offers SET returned = returned + ? WHERE id = ?', [units, offerId]);
  }

  /** SCHEDULED → LIVE (the offers go on sale); false when the session was not SCHEDULED. */
  async start(id: string, now: Date): Promise<boolean> {
    return this.db.transaction(async (em) => {
      const r = (await em.query(
        'UPDATE live_sessions SET status = ?, started_at = ?, updated_at = NOW(3) WHERE id = ? AND status = ?',
        [LiveSessionStatus.Live, now, id, LiveSessionStatus.Scheduled],
      )) as { affectedRows: number };
      if (r.affectedRows !== 1) {
        return false;
      }
      await em.query('UPDATE live_offers SET on_sale = 1 WHERE session_id = ?', [id]);
      return true;
    });
  }

  /** Ends the session inside the caller's transaction (offers locked): off sale, ended. */
  async markEnded(em: EntityManager, id: string, now: Date): Promise<void> {
    await em.query('UPDATE live_sessions SET status = ?, ended_at = ?, updated_at = NOW(3) WHERE id = ?', [
      LiveSessionStatus.Ended,
      now,
      id,
    ]);
    await em.query('UPDATE live_offers SET on_sale = 0 WHERE session_id = ?', [id]);
  }

  /** The unit numbers orders hold, per offer. */
  async heldUnits(em: EntityManager, offerIds: readonly string[]): Promise<Map<string, number[]>> {
    const out = new Map<string, number[]>(offerIds.map((id) => [id, []]));
    if (!offerIds.length) {
      return out;
    }
    const rows = (await em.query(
      'SELECT offer_id AS offerId, unit_no AS u FROM live_offer_units WHERE offer_id IN (?)',
      [offerIds],
    )) as { offerId: string; u: number }[];
    for (const r of rows) {
      out.get(r.offerId)!.push(Number(r.u));
    }
    return out;
  }

  async setMapping(
    offerId: string,
    m: { merchantCode?: string | null; platformProductId?: string | null },
  ): Promise<void> {
    const sets: string[] = [];
    const params: unknown[] = [];
    if (m.merchantCode !== undefined) {
      sets.push('merchant_code = ?');
      params.push(m.merchantCode);
    }
    if (m.platformProductId !== undefined) {
      sets.push('platform_product_id = ?');
      params.push(m.platformProductId);
    }
    if (sets.length) {
      await this.db.query(`UPDATE live_offers SET ${sets.join(', ')} WHERE id = ?`, [...params, offerId]);
    }
  }

  /** The session an order belongs to (null for an order of no session). */
  async sessionOfOrder(orderId: string): Promise<string | null> {
    const [r] = (await this.db.query('SELECT session_id AS s FROM live_orders WHERE order_id = ?', [
      orderId,
    ])) as {
      s: string;
    }[];
    return r?.s ?? null;
  }

  /** Per offer and order status: orders, units and money net of refunds. */
  async offerFigures(sessionId: string): Promise<OfferFigureRow[]> {
    const rows = (await this.db.query(
      `SELECT lo.offer_id AS offerId, o.status, lo.external, COUNT(*) AS orders, SUM(lo.units) AS units,
              SUM(o.total_fen - o.refunded_fen) AS netFen
         FROM live_orders lo JOIN orders o ON o.id = lo.order_id
        WHERE lo.session_id = ? GROUP BY lo.offer_id, o.status, lo.external`,
      [sessionId],
    )) as Record<string, unknown>[];
    return rows.map((r) => ({
      offerId: r.offerId as string,
      status: r.status as string,
      orders: Number(r.orders),
      units: Number(r.units),
      netFen: Number(r.netFen),
      external: Number(r.external) === 1,
    }));
  }

  /** Distinct buyers of the session's orders in the given statuses. */
  async buyers(sessionId: string, statuses: readonly string[]): Promise<number> {
    const [r] = (await this.db.query(
      `SELECT COUNT(DISTINCT lo.buyer_user_id) AS n FROM live_orders lo JOIN orders o ON o.id = lo.order_id
        WHERE lo.session_id = ? AND o.status IN (?)`,
      [sessionId, statuses],
    )) as { n: number }[];
    return Number(r.n);
  }

  /** Units held by orders (reserved or sold), per offer of the session. */
  async heldCounts(sessionId: string): Promise<Map<string, number>> {
    const rows = (await this.db.query(
      `SELECT u.offer_id AS offerId, COUNT(*) AS n FROM live_offer_units u JOIN live_offers o ON o.id = u.offer_id
        WHERE o.session_id = ? GROUP BY u.offer_id`,
      [sessionId],
    )) as { offerId: string; n: number }[];
    return new Map(rows.map((r) => [r.offerId, Number(r.n)]));
  }

  /** Paid orders of the session per minute since it started: money and units. */
  async salesByMinute(
    sessionId: string,
    statuses: readonly string[],
  ): Promise<{ minute: Date; gmvFen: number; units: number }[]> {
    const rows = (await this.db.query(
      `SELECT DATE_FORMAT(o.paid_at, '%Y-%m-%dT%H:%i:00.000Z') AS m, SUM(o.total_fen - o.refunded_fen) AS fen,
              SUM(lo.units) AS units
         FROM live_orders lo JOIN orders o ON o.id = lo.order_id
        WHERE lo.session_id = ? AND o.status IN (?) AND o.paid_at IS NOT NULL
        GROUP BY m ORDER BY m`,
      [sessionId, statuses],
    )) as { m: string; fen: number; units: number }[];
    return rows.map((r) => ({ minute: new Date(r.m), gmvFen: Number(r.fen), units: Number(r.units) }));
  }
}
