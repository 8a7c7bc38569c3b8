import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Env, ENV } from '@/config/env';
import { FieldCipher } from '@/common/crypto/field-cipher';
import { ValidationFailedError } from '@/common/errors/domain-error';
import { newId } from '@/common/ids';
import { MicroCache } from '@/common/micro-cache';
import { isDuplicateKey, withTransaction } from '@/infrastructure/database/transaction';
import { isStockTaken, StockService } from '@/modules/catalog/stock.service';
import { LotsService } from '@/modules/catalog/lots.service';
import { OutOfStockError } from '@/modules/orders/errors';
import { CabinetsRepository } from './cabinets.repository';
import { CreateCabinetDto, PutSlotDto } from './dto/kiosk.dto';
import { CabinetEntity, CabinetStatus } from './entities/cabinet.entity';
import { CabinetSlotEntity } from './entities/cabinet-slot.entity';
import { AlertKind } from './entities/kiosk-alert.entity';
import {
  CabinetNotFoundError,
  LotNotOfProductError,
  NotAMaintenanceCabinetError,
  SlotNotFoundError,
} from './errors';
import { qrKey, qrUrlOf } from './qr';

/** A cabinet with its device secret in the clear (for signing and verifying messages). */
export interface CabinetWithSecret {
  cabinet: CabinetEntity;
  secret: string;
}

/** Cabinets, their slots and stock, their QR codes, status and alerts. */
@Injectable()
export class CabinetsService {
  private readonly key: Buffer;
  /** Secrets never change, and every device event needs its cabinet's: kept a little in each copy. */
  private readonly byCode = new MicroCache<CabinetWithSecret | null>(10_000);
  private readonly names = new MicroCache<{ code: string; name: string } | null>(60_000);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(CabinetsRepository) private readonly repo: CabinetsRepository,
    @Inject(StockService) private readonly stock: StockService,
    @Inject(LotsService) private readonly lots: LotsService,
    @Inject(FieldCipher) private readonly cipher: FieldCipher,
    @Inject(ENV) private readonly env: Env,
  ) {
    this.key = qrKey(env);
  }

  publicBaseUrl(): string {
    return this.env.PUBLIC_BASE_URL || `http://localhost:${this.env.PORT}`;
  }

  qrUrlOf(code: string): string {
    return qrUrlOf(this.publicBaseUrl(), code, this.key);
  }

  get qrKey(): Buffer {
    return this.key;
  }

  /** Registers a cabinet; its device secret is answered this once and kept encrypted. */
  async create(dto: CreateCabinetDto): Promise<{ cabinet: CabinetEntity; deviceSecret: string }> {
    const deviceSecret = randomBytes(24).toString('base64url');
    const cabinet = Object.assign(new CabinetEntity(), {
      id: newId(),
      code: dto.code,
      name: dto.name,
      siteType: dto.siteType,
      address: dto.address,
      deviceSecretEnc: this.cipher.encrypt(deviceSecret),
      status: CabinetStatus.Offline,
      maintenanceReason: null,
      lastSeenAt: null,
      createdAt: new Date(),
      updatedAt: new Date(),
    });
    try {
      await this.repo.insert(cabinet);
    } catch (e) {
      if (isDuplicateKey(e)) {
        throw new ValidationFailedError([{ field: 'code', message: 'code is taken by another cabinet' }]);
      }
      throw e;
    }
    this.byCode.get(cabinet.code, async () => ({ cabinet, secret: deviceSecret })).catch(() => undefined);
    return { cabinet, deviceSecret };
  }

  async requireByCode(code: string): Promise<CabinetEntity> {
    const c = await this.repo.findByCode(code);
    if (!c) {
      throw new CabinetNotFoundError(`No cabinet has the code ${code}.`);
    }
    return c;
  }

  /** The cabinet and its secret, from a short per-copy cache (device events, unlock commands). */
  async withSecret(code: string): Promise<CabinetWithSecret | null> {
    return this.byCode.get(code, async () => {
      const cabinet = await this.repo.findByCode(code);
      return cabinet ? { cabinet, secret: this.cipher.decrypt(cabinet.deviceSecretEnc) } : null;
    });
  }

  /** A cabinet's code and name (they never change once registered), from a per-copy cache. */
  namesOf(id: string): Promise<{ code: string; name: string } | null> {
    return this.names.get(id, async () => {
      const c = await this.repo.findById(id);
      return c ? { code: c.code, name: c.name } : null;
    });
  }

  list(): Promise<CabinetEntity[]> {
    return this.repo.list();
  }

  slotsOf(cabinetId: string): Promise<CabinetSlotEntity[]> {
    return this.repo.slotsOf(cabinetId);
  }

  /** The status a caller should act on: a cabinet silent past KIOSK_OFFLINE_SECONDS is OFFLINE already. */
  effectiveStatus(c: CabinetEntity, now = Date.now()): CabinetStatus {
    if (c.status === CabinetStatus.Maintenance) {
      return c.status;
    }
    const silent = !c.lastSeenAt || now - c.lastSeenAt.getTime() > this.env.KIOSK_OFFLINE_SECONDS * 1000;
    return silent ? CabinetStatus.Offline : CabinetStatus.Online;
  }

  /**
   * Stocks a slot: `quantity` units of the lot are in it. The difference to what it held moves between the
   * lot and the slot in one transaction (a slot that held another lot gives all its units back first), so a
   * unit is never on sale in the warehouse and the cabinet at once; 409 `out-of-stock` if the lot is short.
   */
  async putSlot(code: string, slotNo: number, dto: PutSlotDto): Promise<CabinetSlotEntity> {
    const cabinet = await this.requireByCode(code);
    const lot = await this.lots.requireLot(dto.lotId);
    if (lot.productId !== dto.productId) {
      throw new LotNotOfProductError('The lot is not a lot of this product.', [
        { field: 'lotId', message: 'lotId must name a lot of productId' },
      ]);
    }
    // READ COMMITTED: locking a slot that does not exist yet takes no gap lock, so cabinets stocked at the same
    // time (their new slots all fall in the same gap of the key) never deadlock; two first stockings of the
    // same slot meet on its primary key, and the loser retries and finds the winner's row.
    return this.stockingTransaction((em) => this.putSlotIn(em, cabinet.id, slotNo, dto));
  }

  private async stockingTransaction<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await withTransaction(this.db, work, { isolation: 'READ COMMITTED' });
      } catch (e) {
        if (!isDuplicateKey(e) || attempt >= 3) {
          throw e;
        }
      }
    }
  }

  private async putSlotIn(
    em: EntityManager,
    cabinetId: string,
    slotNo: number,
    dto: PutSlotDto,
  ): Promise<CabinetSlotEntity> {
    const held = await this.repo.slot(em, cabinetId, slotNo);
    let fromLot = dto.quantity;
    if (held && held.lotId === dto.lotId) {
      fromLot = dto.quantity - held.quantity;
    } else if (held && held.quantity > 0) {
      await this.stock.returnStock(em, held.lotId, held.quantity);
    }
    if (fromLot > 0) {
      try {
        await this.stock.takeStock(em, dto.lotId, fromLot);
      } catch (e) {
        if (isStockTaken(e)) {
          throw new OutOfStockError(`The lot holds fewer than the ${fromLot} units this slot needs.`);
        }
        throw e;
      }
    } else if (fromLot < 0) {
      await this.stock.returnStock(em, dto.lotId, -fromLot);
    }
    const slot = Object.assign(new CabinetSlotEntity(), {
      cabinetId,
      slotNo,
      productId: dto.productId,
      lotId: dto.lotId,
      unitWeightGrams: dto.unitWeightGrams,
      toleranceGrams: dto.toleranceGrams,
      quantity: dto.quantity,
      parLevel: dto.parLevel ?? held?.parLevel ?? 0,
      updatedAt: new Date(),
    });
    await this.repo.saveSlot(em, slot, !held);
    return slot;
  }

  /** Empties a slot: its units go back to their lot. */
  async removeSlot(code: string, slotNo: number): Promise<void> {
    const cabinet = await this.requireByCode(code);
    await this.stockingTransaction(async (em) => {
      const held = await this.repo.slot(em, cabinet.id, slotNo);
      if (!held) {
        throw new SlotNotFoundError(slotNo);
      }
      if (held.quantity > 0) {
        await this.stock.returnStock(em, held.lotId, held.quantity);
      }
      await this.repo.deleteSlot(em, cabinet.id, slotNo);
    });
  }

  lowStock() {
    return this.repo.lowStock();
  }

  /** Alerts newest first, a page at a time, each with its cabinet's code. */
  async alerts(q: { cabinetCode?: string; open?: boolean; limit: number; cursor?: string }) {
    const cabinet = q.cabinetCode ? await this.requireByCode(q.cabinetCode) : undefined;
    const rows = await this.repo.alertsOf({
      cabinetId: cabinet?.id,
      open: q.open,
      beforeId: q.cursor,
      limit: q.limit + 1,
    });
    const page = rows.slice(0, q.limit);
    const items = await Promise.all(
      page.map(async (a) => ({ ...a, cabinetCode: (await this.namesOf(a.cabinetId))?.code ?? '' })),
    );
    return { items, nextCursor: rows.length > q.limit ? page[page.length - 1].id : null };
  }

  /** An operator clears a cabinet's maintenance (and its open fault alerts) after fixing it. */
  async clearMaintenance(code: string, operatorId: string): Promise<CabinetEntity> {
    const cabinet = await this.requireByCode(code);
    const since = new Date(Date.now() - this.env.KIOSK_OFFLINE_SECONDS * 1000);
    if (!(await this.repo.clearMaintenance(cabinet.id, since))) {
      throw new NotAMaintenanceCabinetError();
    }
    await this.repo.clearAlerts(cabinet.id, [AlertKind.Fault], operatorId);
    return (await this.repo.findById(cabinet.id))!;
  }

  // --- what the device gateway reports ---

  markSeen(cabinetId: string, at = new Date()): Promise<void> {
    return this.repo.markSeen(cabinetId, at);
  }

  async fault(cabinet: CabinetEntity, reason: string): Promise<void> {
    await this.repo.setMaintenance(cabinet.id, reason.slice(0, 255));
    await this.repo.addAlert({
      id: newId(),
      cabinetId: cabinet.id,
      sessionId: null,
      kind: AlertKind.Fault,
      detail: reason.slice(0, 500),
    });
  }

  async alert(
    cabinetId: string,
    kind: AlertKind,
    detail: string,
    sessionId: string | null = null,
  ): Promise<void> {
    await this.repo.addAlert({ id: newId(), cabinetId, sessionId, kind, detail: detail.slice(0, 500) });
  }

  /** Cabinets silent past KIOSK_OFFLINE_SECONDS become OFFLINE, each with an alert. */
  async sweepOffline(now = Date.now()): Promise<number> {
    const gone = await this.repo.markSilentOffline(new Date(now - this.env.KIOSK_OFFLINE_SECONDS * 1000));
    for (const c of gone) {
      await this.alert(
        c.id,
        AlertKind.Offline,
        `no heartbeat since ${c.lastSeenAt?.toISOString() ?? 'ever'}`,
      );
    }
    return gone.length;
  }
}
