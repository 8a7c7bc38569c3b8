import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuthUser, hasRole, Role } from '@/common/auth/role';
import { ValidationFailedError } from '@/common/errors/domain-error';
import { newId } from '@/common/ids';
import { Page } from '@/common/pagination';
import { Env, ENV } from '@/config/env';
import { BatchPool } from '@/infrastructure/database/batch-pool';
import { withBatchTransaction, withTransaction } from '@/infrastructure/database/transaction';
import { isStockTaken, OrderPlan, StockService } from '@/modules/catalog/stock.service';
import { OutOfStockError, ProductNotCertifiedError } from '@/modules/orders/errors';
import {
  CreateSessionDto,
  OfferMappingDto,
  OfferView,
  PublicSessionView,
  SessionListQuery,
  SessionView,
} from './dto/live.dto';
import { LiveOfferEntity, LiveOfferLotEntity } from './entities/live-offer.entity';
import { LiveSessionEntity, LiveSessionStatus } from './entities/live-session.entity';
import {
  InvalidSessionTransitionError,
  LiveSessionNotFoundError,
  NotYourSessionError,
  OfferNotFoundError,
} from './errors';
import { FlashStock } from './flash-stock';
import { HostsService } from './hosts.service';
import { LiveEvents } from './live-events';
import { LiveRepository, unitsByLot } from './live.repository';

/**
 * Live sessions: a host's sale from SCHEDULED to LIVE to ENDED. Creating one carves each offer's units out of
 * the supply lots (first-expiring first; they leave warehouse stock); starting puts them on sale in the flash
 * stock; ending returns what was neither sold nor reserved to the lots it came from.
 */
@Injectable()
export class LiveSessionsService {
  private readonly logger = new Logger(LiveSessionsService.name);

  constructor(
    @Inject(BatchPool) private readonly batch: BatchPool,
    @InjectDataSource() private readonly db: DataSource,
    @Inject(LiveRepository) private readonly repo: LiveRepository,
    @Inject(HostsService) private readonly hosts: HostsService,
    @Inject(StockService) private readonly catalog: StockService,
    @Inject(FlashStock) private readonly flash: FlashStock,
    @Inject(LiveEvents) private readonly events: LiveEvents,
    @Inject(ENV) private readonly env: Env,
  ) {}

  /** An administrator acts on any host; a host user only on its own host profile. */
  assertOwn(user: AuthUser, hostId: string): void {
    if (hasRole(user, Role.Admin)) {
      return;
    }
    if (!hasRole(user, Role.Host) || user.hostId !== hostId) {
      throw new NotYourSessionError();
    }
  }

  /** A session the user may read and run; 404 when missing, 403 when another host's. */
  async requireOwn(user: AuthUser, id: string): Promise<LiveSessionEntity> {
    const s = await this.repo.findSession(id);
    if (!s) {
      throw new LiveSessionNotFoundError(id);
    }
    this.assertOwn(user, s.hostId);
    return s;
  }

  async create(user: AuthUser, dto: CreateSessionDto): Promise<SessionView> {
    this.assertOwn(user, dto.hostId);
    if (!(await this.hosts.exists(dto.hostId))) {
      throw new ValidationFailedError([{ field: 'hostId', message: 'hostId must name an existing host' }]);
    }
    const codes = dto.offers.map((o) => o.merchantCode).filter((c): c is string => !!c);
    const dup = codes.findIndex((c, i) => codes.indexOf(c) !== i);
    if (dup >= 0) {
      throw new ValidationFailedError([
        { field: 'offers', message: `merchantCode ${codes[dup]} is given to two offers of the session` },
      ]);
    }
    const now = new Date();
    const session = Object.assign(new LiveSessionEntity(), {
      id: newId(),
      hostId: dto.hostId,
      title: dto.title,
      platform: dto.platform,
      status: LiveSessionStatus.Scheduled,
      scheduledAt: new Date(dto.scheduledAt),
      startedAt: null,
      endedAt: null,
      createdAt: now,
      updatedAt: now,
    });
    const offers = dto.offers.map((o) =>
      Object.assign(new LiveOfferEntity(), {
        id: newId(),
        sessionId: session.id,
        productId: o.productId,
        livePriceFen: o.livePriceFen,
        stock: o.stock,
        perBuyerLimit: o.perBuyerLimit ?? null,
        merchantCode: o.merchantCode ?? null,
        platformProductId: o.platformProductId ?? null,
        onSale: 0,
        returned: 0,
        createdAt: now,
      }),
    );
    // The offers' units leave the lots in the session's own transaction, planned under the lots' row locks,
    // so the answer is final: refused only when the lots really are short.
    const plan = await withBatchTransaction(this.batch, async (tx) => {
      const plan = await this.catalog.planOrder(
        dto.offers.map((o) => ({ productId: o.productId, quantity: o.stock })),
        tx,
      );
      const lots = this.carve(offers, plan);
      try {
        await tx.commit([
          ...this.repo.insertSessionStatements(session, offers, lots),
          ...this.catalog.takeStockStatements(plan.plans.flatMap((p) => p ?? [])),
        ]);
      } catch (e) {
        throw isStockTaken(e) ? new OutOfStockError() : e;
      }
      return plan;
    });
    this.logger.log(
      { sessionId: session.id, hostId: session.hostId, offers: offers.length },
      'live session created',
    );
    return this.toView(session, offers, plan.products);
  }

  /** The lot runs of each offer's units; refuses unknown, uncertified or short products. */
  private carve(offers: LiveOfferEntity[], { products, plans }: OrderPlan): LiveOfferLotEntity[] {
    const lots: LiveOfferLotEntity[] = [];
    offers.forEach((o, i) => {
      const p = products.get(o.productId);
      if (!p) {
        throw new ValidationFailedError([
          { field: `offers[${i}].productId`, message: 'productId must name an existing product' },
        ]);
      }
      if (!p.certified) {
        throw new ProductNotCertifiedError(`offers[${i}].productId`, p.name);
      }
      const plan = plans[i];
      if (!plan) {
        throw new OutOfStockError(
          `Not enough of “${p.name}” in the lots for offer ${i + 1} (${o.stock} units).`,
        );
      }
      let first = 1;
      for (const t of plan) {
        lots.push(
          Object.assign(new LiveOfferLotEntity(), {
            offerId: o.id,
            firstUnit: first,
            lotId: t.lotId,
            units: t.quantity,
          }),
        );
        first += t.quantity;
      }
    });
    return lots;
  }

  async get(user: AuthUser, id: string): Promise<SessionView> {
    const s = await this.requireOwn(user, id);
    const offers = await this.repo.offersOf([s.id]);
    return this.toView(s, offers, await this.productsOf(offers));
  }

  async list(user: AuthUser, q: SessionListQuery): Promise<Page<SessionView>> {
    const hostId = hasRole(user, Role.Admin) ? q.hostId : (user.hostId ?? '-');
    const page = await this.repo.listSessions({
      hostId,
      status: q.status,
      cursor: q.cursor,
      limit: q.limit ?? 50,
    });
    const offers = await this.repo.offersOf(page.items.map((s) => s.id));
    const products = await this.productsOf(offers);
    return {
      items: page.items.map((s) =>
        this.toView(
          s,
          offers.filter((o) => o.sessionId === s.id),
          products,
        ),
      ),
      nextCursor: page.nextCursor,
    };
  }

  /** SCHEDULED → LIVE: the offers go on sale, their flash stock built before the first buyer comes. */
  async start(user: AuthUser, id: string): Promise<LiveSessionStatus> {
    const s = await this.requireOwn(user, id);
    if (!(await this.repo.start(s.id, new Date()))) {
      throw new InvalidSessionTransitionError(s.status, LiveSessionStatus.Live);
    }
    for (const o of await this.repo.offersOf([s.id])) {
      await this.flash.rebuild(o.id);
    }
    this.events.changed(s.id);
    this.logger.log({ sessionId: s.id }, 'live session started');
    return LiveSessionStatus.Live;
  }

  /**
   * LIVE (or SCHEDULED) → ENDED: the offers go off sale, and the units neither sold nor reserved go back to
   * the lots they came from. Orders still awaiting payment keep their units until paid or expired (an expired
   * one's units then go back to the lots too).
   */
  async end(user: AuthUser, id: string): Promise<LiveSessionStatus> {
    const s = await this.requireOwn(user, id);
    const offers = await withTransaction(this.db, async (em) => {
      const locked = await this.repo.findSession(id, em, true);
      if (!locked || locked.status === LiveSessionStatus.Ended) {
        throw new InvalidSessionTransitionError(locked?.status ?? s.status, LiveSessionStatus.Ended);
      }
      // Locking the offers waits for the orders being written (they hold them shared) and turns away the rest.
      const offers = await this.repo.offersOf([id], em, true);
      await this.repo.markEnded(em, id, new Date());
      const held = await this.repo.heldUnits(
        em,
        offers.map((o) => o.id),
      );
      const lots = await this.repo.lotsOf(
        offers.map((o) => o.id),
        em,
      );
      for (const o of offers) {
        const taken = new Set(held.get(o.id));
        const free: number[] = [];
        for (let u = 1; u <= o.stock; u++) {
          if (!taken.has(u)) {
            free.push(u);
          }
        }
        for (const [lotId, n] of unitsByLot(
          lots.filter((l) => l.offerId === o.id),
          free,
        )) {
          await this.catalog.returnStock(em, lotId, n);
        }
        await this.repo.addReturned(em, o.id, free.length);
      }
      return offers;
    });
    for (const o of offers) {
      await this.flash.drop(o.id);
    }
    this.events.changed(id);
    this.logger.log({ sessionId: id }, 'live session ended');
    return LiveSessionStatus.Ended;
  }

  /** Sets the codes that match a platform export's rows to an offer. */
  async setMapping(user: AuthUser, id: string, offerId: string, dto: OfferMappingDto): Promise<OfferView> {
    const s = await this.requireOwn(user, id);
    const offers = await this.repo.offersOf([s.id]);
    const offer = offers.find((o) => o.id === offerId);
    if (!offer) {
      throw new OfferNotFoundError(offerId);
    }
    if (dto.merchantCode && offers.some((o) => o.id !== offerId && o.merchantCode === dto.merchantCode)) {
      throw new ValidationFailedError([
        {
          field: 'merchantCode',
          message: `merchantCode ${dto.merchantCode} is another offer's of the session`,
        },
      ]);
    }
    await this.repo.setMapping(offerId, dto);
    Object.assign(offer, {
      ...(dto.merchantCode !== undefined ? { merchantCode: dto.merchantCode } : {}),
      ...(dto.platformProductId !== undefined ? { platformProductId: dto.platformProductId } : {}),
    });
    const products = await this.productsOf([offer]);
    return this.offerView(offer, products);
  }

  /** What a viewer sees: the offers with price and what is left. Anyone may read it. */
  async publicView(id: string): Promise<PublicSessionView> {
    const s = await this.repo.findSession(id);
    if (!s) {
      throw new LiveSessionNotFoundError(id);
    }
    const [offers, held, host] = await Promise.all([
      this.repo.offersOf([s.id]),
      this.repo.heldCounts(s.id),
      this.hosts.find(s.hostId),
    ]);
    const products = await this.productsOf(offers);
    return {
      id: s.id,
      title: s.title,
      hostName: host?.name ?? '',
      status: s.status,
      offers: offers.map((o) => ({
        id: o.id,
        productName: products.get(o.productId)?.name ?? '',
        livePriceFen: o.livePriceFen,
        remaining: s.status === LiveSessionStatus.Ended ? 0 : o.stock - (held.get(o.id) ?? 0),
        perBuyerLimit: o.perBuyerLimit,
      })),
    };
  }

  async productsOf(offers: readonly LiveOfferEntity[]): Promise<OrderPlan['products']> {
    if (!offers.length) {
      return new Map();
    }
    const { products } = await this.catalog.planOrder(
      [...new Set(offers.map((o) => o.productId))].map((productId) => ({ productId, quantity: 0 })),
    );
    return products;
  }

  shareUrl(id: string): string {
    return `${this.env.PUBLIC_BASE_URL}/l/${id}`;
  }

  private offerView(o: LiveOfferEntity, products: OrderPlan['products']): OfferView {
    return {
      id: o.id,
      productId: o.productId,
      productName: products.get(o.productId)?.name ?? '',
      livePriceFen: o.livePriceFen,
      stock: o.stock,
      perBuyerLimit: o.perBuyerLimit,
      merchantCode: o.merchantCode,
      platformProductId: o.platformProductId,
    };
  }

  private toView(
    s: LiveSessionEntity,
    offers: LiveOfferEntity[],
    products: OrderPlan['products'],
  ): SessionView {
    return {
      id: s.id,
      hostId: s.hostId,
      title: s.title,
      platform: s.platform,
      status: s.status,
      scheduledAt: s.scheduledAt.toISOString(),
      startedAt: s.startedAt?.toISOString() ?? null,
      endedAt: s.endedAt?.toISOString() ?? null,
      shareUrl: this.shareUrl(s.id),
      qrUrl: `${this.env.PUBLIC_BASE_URL}/api/v1/live/sessions/${s.id}/qr.png`,
      dashboardUrl: `${this.env.PUBLIC_BASE_URL}/h/${s.id}`,
      offers: offers.map((o) => this.offerView(o, products)),
    };
  }
}
