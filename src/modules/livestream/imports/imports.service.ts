import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuthUser } from '@/common/auth/role';
import { DomainError, ValidationFailedError } from '@/common/errors/domain-error';
import { newId } from '@/common/ids';
import { BatchPool } from '@/infrastructure/database/batch-pool';
import { isDuplicateKey, withBatchTransaction } from '@/infrastructure/database/transaction';
import { OutboxService } from '@/infrastructure/outbox/outbox.service';
import { UsersService } from '@/modules/identity/users.service';
import { Channel } from '@/modules/orders/entities/order.entity';
import { OrdersService, PaidElsewhere } from '@/modules/orders/orders.service';
import { RefundsService } from '@/modules/orders/refunds.service';
import { ExternalOrdersDto, ExternalRowDto, ImportView } from '../dto/live.dto';
import { ImportStatus, LiveImportEntity } from '../entities/live-import.entity';
import { LiveOfferEntity, LiveOfferLotEntity } from '../entities/live-offer.entity';
import { ImportNotFoundError } from '../errors';
import { LiveJobName } from '../jobs/livestream.job-definitions';
import { LiveEvents } from '../live-events';
import { LiveSessionsService } from '../live-sessions.service';
import { LiveRepository } from '../live.repository';
import { ImportsRepository, KnownSale } from './imports.repository';
import { ExternalRow, parseExport, Platform } from './platform-export';

/** Rows recorded per transaction. */
const BATCH_ROWS = 500;
/** Refusals answered by GET /live/imports/:id (all are kept). */
const REFUSALS_SHOWN = 1000;

/** A row new to us, matched to its offer, as the sale it becomes. */
interface Fresh {
  row: ExternalRow;
  offer: LiveOfferEntity;
  /** Who the session counts as the buyer: one per platform order. */
  buyer: string;
  sale: PaidElsewhere;
}

/** What one batch did. */
interface BatchOutcome {
  done: number;
  accepted: number;
  refunded: number;
  repeated: number;
  refused: { row: number; reason: string }[];
}

/**
 * A platform buyer, as far as an export tells: one per platform order (an export names no buyer), so the
 * session's buyers count the platform's orders. A fixed 26-character id, never a user of ours.
 */
export function externalBuyerId(platform: string, shopId: string, orderId: string): string {
  return `X${createHash('sha256').update(`${platform}\n${shopId}\n${orderId}`).digest('hex').slice(0, 25).toUpperCase()}`;
}

/**
 * Platform orders: a shop's order export (Douyin, Kuaishou, WeChat Channels; CSV or XLSX, UTF-8 or GBK) or
 * the same rows as JSON, imported by a background job. Each sub-order counts once, by (platform, shop,
 * sub-order id), as a PAID livestream order marked external, allocated to the households behind its offer;
 * a later import of a row whose after-sale status became a refund reverses it. Rows are matched to offers by
 * merchant code (商家编码) or the platform product id mapped on the offer; a bad row is refused with its
 * reason and never stops the good ones.
 */
@Injectable()
export class ImportsService {
  private readonly logger = new Logger(ImportsService.name);

  constructor(
    @Inject(BatchPool) private readonly batch: BatchPool,
    @Inject(ImportsRepository) private readonly repo: ImportsRepository,
    @Inject(LiveRepository) private readonly live: LiveRepository,
    @Inject(LiveSessionsService) private readonly sessions: LiveSessionsService,
    @Inject(OrdersService) private readonly orders: OrdersService,
    @Inject(RefundsService) private readonly refunds: RefundsService,
    @Inject(OutboxService) private readonly outbox: OutboxService,
    @Inject(LiveEvents) private readonly events: LiveEvents,
    @Inject(UsersService) private readonly users: UsersService,
  ) {}

  /** Stores the export (or JSON rows) and queues its import; answers at once with the import's id. */
  async submit(user: AuthUser, sessionId: string, dto: ExternalOrdersDto): Promise<string> {
    await this.sessions.requireOwn(user, sessionId);
    const file = Buffer.isBuffer(dto.file) ? dto.file : undefined;
    if (!file === !dto.rows) {
      throw new ValidationFailedError([
        { field: 'file', message: 'send either file (multipart/form-data) or rows (JSON), one of them' },
      ]);
    }
    if (file && file.length === 0) {
      throw new ValidationFailedError([{ field: 'file', message: 'file is empty' }]);
    }
    const now = new Date();
    const i = Object.assign(new LiveImportEntity(), {
      id: newId(),
      sessionId,
      platform: dto.platform,
      shopId: dto.shopId ?? '',
      status: ImportStatus.Running,
      createdBy: user.id,
      createdAt: now,
      updatedAt: now,
    });
    // JSON rows are kept as a JSON array: no platform export starts with '['.
    const content = file ?? Buffer.from(JSON.stringify(dto.rows), 'utf8');
    const [head, ...chunks] = this.repo.insertStatements(i, content);
    await withBatchTransaction(this.batch, async (tx) => {
      // One chunk per round trip: a whole export in one packet could pass MySQL's max_allowed_packet.
      for (const chunk of chunks) {
        await tx.run([chunk]);
      }
      await tx.commit([head, this.outbox.statement(LiveJobName.Import, { importId: i.id })]);
    });
    this.outbox.kick();
    return i.id;
  }

  async view(user: AuthUser, id: string): Promise<ImportView> {
    const i = await this.repo.find(id);
    if (!i) {
      throw new ImportNotFoundError(id);
    }
    await this.sessions.requireOwn(user, i.sessionId).catch((e: unknown) => {
      // Another host's import is as invisible as one that does not exist.
      throw e instanceof DomainError && e.status === 403 ? new ImportNotFoundError(id) : e;
    });
    return {
      id: i.id,
      sessionId: i.sessionId,
      platform: i.platform,
      status: i.status,
      rowsTotal: i.rowsTotal,
      rowsDone: i.rowsDone,
      rowsAccepted: i.rowsAccepted,
      rowsRefunded: i.rowsRefunded,
      rowsRepeated: i.rowsRepeated,
      rowsRefused: await this.repo.refusals(id, REFUSALS_SHOWN),
    };
  }

  /** The job: reads the file, then records its rows batch by batch, reporting progress after each. */
  async run(importId: string): Promise<{ rows: number; accepted: number; refused: number }> {
    const i = await this.repo.find(importId);
    if (!i || i.status === ImportStatus.Done) {
      return { rows: 0, accepted: 0, refused: 0 };
    }
    const file = await this.repo.file(importId);
    const parsed = file[0] === 0x5b ? jsonRows(file) : await parseExport(i.platform as Platform, file);
    const total = parsed.rows.length + parsed.refused.length;
    await this.repo.begin(importId, total);
    if (parsed.refused.length) {
      await this.repo.progress(
        importId,
        { done: parsed.refused.length, accepted: 0, refunded: 0, repeated: 0 },
        parsed.refused,
      );
    }
    const account = await this.users.platformAccount(i.platform);
    const offers = await this.live.offersOf([i.sessionId]);
    const lots = await this.live.lotsOf(offers.map((o) => o.id));
    let accepted = 0;
    let refused = parsed.refused.length;
    for (let at = 0; at < parsed.rows.length; at += BATCH_ROWS) {
      const out = await this.batchOf(i, parsed.rows.slice(at, at + BATCH_ROWS), offers, lots, account);
      accepted += out.accepted;
      refused += out.refused.length;
      await this.repo.progress(importId, out, out.refused);
      this.events.changed(i.sessionId);
    }
    await this.repo.finish(importId);
    this.events.changed(i.sessionId);
    this.logger.log({ importId, rows: total, accepted, refused }, 'platform import done');
    return { rows: total, accepted, refused };
  }

  /** One batch: new rows recorded together (one by one if the batch is refused), refunds reversed. */
  private async batchOf(
    i: LiveImportEntity,
    rows: ExternalRow[],
    offers: LiveOfferEntity[],
    lots: LiveOfferLotEntity[],
    account: string,
  ): Promise<BatchOutcome> {
    const out: BatchOutcome = { done: rows.length, accepted: 0, refunded: 0, repeated: 0, refused: [] };
    const shopOf = (r: ExternalRow) => i.shopId || r.shopId || '';
    const byShop = new Map<string, ExternalRow[]>();
    for (const r of rows) {
      const list = byShop.get(shopOf(r)) ?? [];
      list.push(r);
      byShop.set(shopOf(r), list);
    }
    const known = new Map<string, KnownSale>();
    for (const [shop, list] of byShop) {
      for (const [sub, k] of await this.repo.known(
        i.platform,
        shop,
        list.map((r) => r.subOrderId),
      )) {
        known.set(`${shop}\n${sub}`, k);
      }
    }
    const fresh: Fresh[] = [];
    const seen = new Set<string>();
    for (const r of rows) {
      const key = `${shopOf(r)}\n${r.subOrderId}`;
      const had = known.get(key);
      if (had || seen.has(key)) {
        if (had && r.refunded && !had.refunded) {
          const reason = await this.reverse(i, shopOf(r), r, had);
          if (reason) {
            out.refused.push({ row: r.row, reason });
          } else {
            had.refunded = true;
            out.refunded++;
          }
        } else {
          out.repeated++;
        }
        continue;
      }
      seen.add(key);
      const offer = matchOffer(offers, r);
      if (!offer) {
        out.refused.push({
          row: r.row,
          reason: `no offer of the session has merchant code (商家编码) ${r.merchantCode ?? '-'} or platform product id (商品ID) ${r.platformProductId ?? '-'}`,
        });
        continue;
      }
      const lot = lots.find((l) => l.offerId === offer.id);
      fresh.push({
        row: r,
        offer,
        buyer: externalBuyerId(i.platform, shopOf(r), r.orderId),
        sale: {
          id: newId(),
          // The platform's account is the order's buyer; the session counts each platform order's buyer.
          buyerUserId: account,
          channel: Channel.Livestream,
          lines: [
            { productId: offer.productId, lotId: lot!.lotId, quantity: r.quantity, amountFen: r.amountFen },
          ],
          attribution: {
            liveSessionId: i.sessionId,
            offerId: offer.id,
            external: {
              platform: i.platform,
              shopId: shopOf(r),
              orderId: r.orderId,
              subOrderId: r.subOrderId,
            },
          },
          paidAt: r.paidAt ?? new Date(),
          payment: { provider: `platform:${i.platform.toLowerCase()}`, ref: r.subOrderId },
        },
      });
    }
    if (fresh.length) {
      try {
        await this.record(i, fresh);
        out.accepted += fresh.length;
      } catch (e) {
        // One row spoils the batch (a product that lost its certificate, a row another import counted
        // meanwhile): record the rows one by one, refusing only the bad ones.
        this.logger.warn({ importId: i.id, err: e as Error }, 'batch refused; recording its rows one by one');
        for (const f of fresh) {
          try {
            await this.record(i, [f]);
            out.accepted++;
          } catch (err) {
            if (isDuplicateKey(err)) {
              out.repeated++;
            } else if (err instanceof DomainError) {
              out.refused.push({ row: f.row.row, reason: err.detail ?? err.title });
            } else {
              throw err;
            }
          }
        }
      }
    }
    // Rows new to us that were already refunded on the platform: counted, then reversed.
    for (const f of fresh.filter((x) => x.row.refunded)) {
      const reason = await this.reverse(i, shopOf(f.row), f.row, {
        subOrderId: f.row.subOrderId,
        saleOrderId: f.sale.id!,
        refunded: false,
      });
      if (reason) {
        out.refused.push({ row: f.row.row, reason });
      } else {
        out.refunded++;
      }
    }
    return out;
  }

  private async record(i: LiveImportEntity, fresh: Fresh[]): Promise<void> {
    await this.orders.recordPaidElsewhere(
      fresh.map((f) => f.sale),
      this.repo.recordStatements(
        fresh.map((f) => ({
          platform: i.platform,
          shopId: f.sale.attribution.external!.shopId,
          subOrderId: f.row.subOrderId,
          platformOrderId: f.row.orderId,
          saleOrderId: f.sale.id!,
          sessionId: i.sessionId,
          offerId: f.offer.id,
          buyerUserId: f.buyer,
          units: f.row.quantity,
        })),
      ),
    );
  }

  /** Reverses a counted row the platform refunded; answers a refusal reason, or nothing when done. */
  private async reverse(
    i: LiveImportEntity,
    shopId: string,
    r: ExternalRow,
    had: KnownSale,
  ): Promise<string | null> {
    if (!(await this.repo.markRefunded(i.platform, shopId, r.subOrderId))) {
      return null; // another import reversed it already
    }
    try {
      const { order } = await this.orders.orderWithLines(had.saleOrderId);
      const left = order.totalFen - order.refundedFen;
      if (left > 0) {
        await this.refunds.refund(
          had.saleOrderId,
          left,
          `${i.platform} after-sale refund of sub-order ${r.subOrderId}`,
          undefined,
          `${i.platform.toLowerCase()}-refund:${r.subOrderId}`.slice(0, 64),
        );
      }
      return null;
    } catch (e) {
      await this.repo.unmarkRefunded(i.platform, shopId, r.subOrderId);
      if (e instanceof DomainError) {
        return `the refund could not be recorded: ${e.detail ?? e.title}`;
      }
      throw e;
    }
  }
}

/** The offer a row belongs to: by merchant code first, then by the platform product id mapped on an offer. */
export function matchOffer(
  offers: readonly LiveOfferEntity[],
  r: Pick<ExternalRow, 'merchantCode' | 'platformProductId'>,
): LiveOfferEntity | undefined {
  return (
    (r.merchantCode ? offers.find((o) => o.merchantCode === r.merchantCode) : undefined) ??
    (r.platformProductId ? offers.find((o) => o.platformProductId === r.platformProductId) : undefined)
  );
}

/** The JSON form's rows, numbered from 1 in the order sent. */
function jsonRows(file: Buffer): { rows: ExternalRow[]; refused: { row: number; reason: string }[] } {
  const rows = JSON.parse(file.toString('utf8')) as ExternalRowDto[];
  return {
    rows: rows.map((r, n) => ({
      row: n + 1,
      orderId: r.orderId,
      subOrderId: r.subOrderId,
      platformProductId: r.platformProductId ?? null,
      merchantCode: r.merchantCode ?? null,
      quantity: r.quantity,
      amountFen: r.amountFen,
      paidAt: new Date(r.paidAt),
      refunded: r.afterSale === 'REFUNDED',
      shopId: null,
    })),
    refused: [],
  };
}
