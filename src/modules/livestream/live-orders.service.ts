import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuthUser } from '@/common/auth/role';
import { businessDate } from '@/common/time';
import { ProductNotCertifiedError } from '@/modules/orders/errors';
import { MicroCache } from '@/common/micro-cache';
import { OrdersService } from '@/modules/orders/orders.service';
import { Channel } from '@/modules/orders/entities/order.entity';
import { LiveOrderView, PlaceLiveOrderDto } from './dto/live.dto';
import { LiveSessionStatus } from './entities/live-session.entity';
import {
  LimitExceededError,
  LiveSessionNotFoundError,
  OfferNotFoundError,
  SessionNotLiveError,
  SoldOutError,
  StockBusyError,
} from './errors';
import { FlashStock } from './flash-stock';
import { LiveEvents } from './live-events';
import { isLimitExceeded, isNotCertified, isOfferClosed, isUnitHeld, LiveStock } from './live-stock';
import { LiveClaim, LiveRepository, OfferForSale, unitsByLot } from './live.repository';

/** How long an offer's facts are reused by this copy; the database guards every sale anyway. */
const OFFER_CACHE_MS = 1_000;

/**
 * A viewer buys from a live offer: the flash stock in Redis takes the units (and checks the per-buyer limit)
 * in one atomic step, then the order core writes the order with those units, MySQL guarding them. Units taken
 * for an order that is not written go back at once; if MySQL finds a unit held already (Redis lost its keys
 * and counted again before an order committed) the offer's Redis keys are rebuilt and the buyer tries again.
 */
@Injectable()
export class LiveOrdersService {
  private readonly logger = new Logger(LiveOrdersService.name);
  private readonly offers = new MicroCache<OfferForSale | null>(OFFER_CACHE_MS);

  constructor(
    @Inject(LiveRepository) private readonly repo: LiveRepository,
    @Inject(FlashStock) private readonly flash: FlashStock,
    @Inject(OrdersService) private readonly orders: OrdersService,
    @Inject(LiveEvents) private readonly events: LiveEvents,
    @Inject(LiveStock) private readonly stock: LiveStock,
  ) {}

  /** Forgets cached offers (a session started or ended in this copy). */
  forget(): void {
    this.offers.clear();
  }

  async place(user: AuthUser, sessionId: string, dto: PlaceLiveOrderDto): Promise<LiveOrderView> {
    const key = `${sessionId}:${dto.offerId}`;
    let sale = await this.offers.get(key, () => this.repo.offerForSale(sessionId, dto.offerId));
    if (!sale || sale.sessionStatus !== LiveSessionStatus.Live) {
      // A refusal is never made on a cached read: the session may have started a moment ago.
      this.offers.clear();
      sale = await this.offers.get(key, () => this.repo.offerForSale(sessionId, dto.offerId));
    }
    if (!sale) {
      if (!(await this.repo.findSession(sessionId))) {
        throw new LiveSessionNotFoundError(sessionId);
      }
      throw new OfferNotFoundError(dto.offerId);
    }
    if (sale.sessionStatus !== LiveSessionStatus.Live) {
      throw new SessionNotLiveError(sale.sessionStatus);
    }
    const { offer } = sale;
    if (offer.perBuyerLimit && dto.quantity > offer.perBuyerLimit) {
      throw new LimitExceededError(offer.perBuyerLimit, 0);
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      const taken = await this.flash.take(offer, user.id, dto.quantity);
      if (!taken.ok) {
        if (taken.reason === 'closed') {
          this.offers.clear();
          throw new SessionNotLiveError(
            (await this.repo.findSession(sessionId))?.status ?? LiveSessionStatus.Ended,
          );
        }
        throw taken.reason === 'limit'
          ? new LimitExceededError(offer.perBuyerLimit ?? 0, taken.held)
          : new SoldOutError(taken.left);
      }
      const claim: LiveClaim = {
        sessionId,
        offerId: offer.id,
        units: taken.units,
        perBuyerLimit: offer.perBuyerLimit,
        today: businessDate(),
      };
      try {
        const { order } = await this.orders.create({
          buyerUserId: user.id,
          channel: Channel.Livestream,
          lines: [...unitsByLot(sale.lots, taken.units)].map(([lotId, quantity]) => ({
            productId: offer.productId,
            lotId,
            quantity,
            unitPriceFen: offer.livePriceFen,
          })),
          attribution: { liveSessionId: sessionId, hostId: sale.hostId, offerId: offer.id },
          claim,
        });
        this.events.changed(sessionId);
        return {
          orderId: order.id,
          status: order.status,
          totalFen: order.totalFen,
          payBy: order.payBy?.toISOString() ?? null,
        };
      } catch (e) {
        if (isUnitHeld(e, offer.id)) {
          // Redis gave out a unit an order holds: count again from MySQL, then take again.
          this.logger.warn(
            { offerId: offer.id, units: taken.units },
            'flash stock disagreed with MySQL; rebuilding',
          );
          await this.flash.invalidate(offer.id);
          continue;
        }
        // The order was not written: its units go back now, or a sale would be lost.
        await this.flash
          .giveBack(offer, user.id, taken.units)
          .catch((err: unknown) =>
            this.logger.error({ err, offerId: offer.id }, 'could not give units back; the next rebuild will'),
          );
        if (isOfferClosed(e)) {
          this.offers.clear();
          throw new SessionNotLiveError(LiveSessionStatus.Ended);
        }
        if (isNotCertified(e)) {
          this.stock.forgetProducts();
          throw new ProductNotCertifiedError('offerId', sale.productName);
        }
        if (isLimitExceeded(e)) {
          await this.flash.invalidate(offer.id);
          throw new LimitExceededError(offer.perBuyerLimit ?? 0, offer.perBuyerLimit ?? 0);
        }
        throw e;
      }
    }
    throw new StockBusyError();
  }
}
