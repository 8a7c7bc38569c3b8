import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, IsNull, LessThan, Repository } from 'typeorm';

import { CabinetEntity, CabinetStatus } from './entities/cabinet.entity';
import { CabinetSlotEntity } from './entities/cabinet-slot.entity';
import { AlertKind, KioskAlertEntity } from './entities/kiosk-alert.entity';

/** A slot below its par level, for the operators' restocking round. */
export interface LowStockRow {
  cabinetCode: string;
  cabinetName: string;
  slotNo: number;
  productId: string;
  lotId: string;
  quantity: number;
  parLevel: number;
}

/** The queries on cabinets, their slots and their alerts. */
@Injectable()
export class CabinetsRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectRepository(CabinetEntity) private readonly cabinets: Repository<CabinetEntity>,
    @InjectRepository(CabinetSlotEntity) private readonly slots: Repository<CabinetSlotEntity>,
    @InjectRepository(KioskAlertEntity) private readonly alerts: Repository<KioskAlertEntity>,
  ) {}

  async insert(c: CabinetEntity): Promise<void> {
    await this.cabinets.insert(c);
  }

  findByCode(code: string): Promise<CabinetEntity | null> {
    return this.cabinets.findOne({ where: { code } });
  }

  findById(id: string): Promise<CabinetEntity | null> {
    return this.cabinets.findOne({ where: { id } });
  }

  list(): Promise<CabinetEntity[]> {
    return this.cabinets.find({ order: { code: 'ASC' } });
  }

  slotsOf(cabinetId: string): Promise<CabinetSlotEntity[]> {
    return this.slots.find({ where: { cabinetId }, order: { slotNo: 'ASC' } });
  }

  async slot(em: EntityManager, cabinetId: string, slotNo: number): Promise<CabinetSlotEntity | null> {
    return em
      .getRepository(CabinetSlotEntity)
      .findOne({ where: { cabinetId, slotNo }, lock: { mode: 'pessimistic_write' } });
  }

  /** Writes a slot: inserted when new (a concurrent first stocking fails on the key), updated otherwise. */
  async saveSlot(em: EntityManager, slot: CabinetSlotEntity, isNew: boolean): Promise<void> {
    const repo = em.getRepository(CabinetSlotEntity);
    if (isNew) {
      await repo.insert(slot);
    } else {
      await repo.update({ cabinetId: slot.cabinetId, slotNo: slot.slotNo }, slot);
    }
  }

  async deleteSlot(em: EntityManager, cabinetId: string, slotNo: number): Promise<void> {
    await em.getRepository(CabinetSlotEntity).delete({ cabinetId, slotNo });
  }

  /**
   * Takes units out of a slot (sold) inside the caller's transaction. The scales are the truth: a slot whose
   * record holds fewer units than were taken goes to 0, and the shortfall is returned so that an alert says
   * the record was wrong.
   */
  async takeFromSlot(
    em: EntityManager,
    cabinetId: string,
    slotNo: number,
    quantity: number,
  ): Promise<number> {
    const [row] = (await em.query(
      'SELECT quantity FROM cabinet_slots WHERE cabinet_id = ? AND slot_no = ? FOR UPDATE',
      [cabinetId, slotNo],
    )) as { quantity: number }[];
    const held = row ? Number(row.quantity) : 0;
    const taken = Math.min(held, quantity);
    if (row) {
      await em.query(
        'UPDATE cabinet_slots SET quantity = quantity - ? WHERE cabinet_id = ? AND slot_no = ?',
        [taken, cabinetId, slotNo],
      );
    }
    return quantity - taken;
  }

  /** Puts units back into a slot (an operator found them still there) inside the caller's transaction. */
  async putIntoSlot(
    em: EntityManager,
    cabinetId: string,
    slotNo: number,
    quantity: number,
    lotId?: string,
  ): Promise<void> {
    await em.query(
      `UPDATE cabinet_slots SET quantity = quantity + ?${lotId ? ', lot_id = ?' : ''} WHERE cabinet_id = ? AND slot_no = ?`,
      [quantity, ...(lotId ? [lotId] : []), cabinetId, slotNo],
    );
  }

  /** Slots holding fewer units than their par level, fewest first. */
  async lowStock(): Promise<LowStockRow[]> {
    const rows = (await this.db.query(
      `SELECT c.code AS cabinetCode, c.name AS cabinetName, s.slot_no AS slotNo, s.product_id AS productId,
              s.lot_id AS lotId, s.quantity, s.par_level AS parLevel
         FROM cabinet_slots s JOIN cabinets c ON c.id = s.cabinet_id
        WHERE s.quantity < s.par_level
        ORDER BY s.quantity, c.code, s.slot_no`,
    )) as LowStockRow[];
    return rows.map((r) => ({
      ...r,
      slotNo: Number(r.slotNo),
      quantity: Number(r.quantity),
      parLevel: Number(r.parLevel),
    }));
  }

  /** A cabinet was heard from: it is ONLINE again unless in maintenance. */
  async markSeen(cabinetId: string, at: Date): Promise<void> {
    await this.db.query(
      `UPDATE cabinets SET last_seen_at = GREATEST(COALESCE(last_seen_at, ?), ?),
              status = IF(status = 'MAINTENANCE', status, 'ONLINE')
        WHERE id = ?`,
      [at, at, cabinetId],
    );
  }

  /** Cabinets ONLINE but silent since `before` become OFFLINE; returns them. */
  async markSilentOffline(before: Date): Promise<CabinetEntity[]> {
    const silent = await this.db.query(
      "SELECT id FROM cabinets WHERE status = 'ONLINE' AND (last_seen_at IS NULL OR last_seen_at < ?)",
      [before],
    );
    const ids = (silent as { id: string }[]).map((r) => r.id);
    if (!ids.length) {
      return [];
    }
    await this.db.query(
      `UPDATE cabinets SET status = 'OFFLINE'
        WHERE id IN (${ids.map(() => '?').join(',')}) AND status = 'ONLINE' AND (last_seen_at IS NULL OR last_seen_at < ?)`,
      [...ids, before],
    );
    return this.cabinets.find({ where: { id: In(ids), status: CabinetStatus.Offline } });
  }

  async setMaintenance(cabinetId: string, reason: string): Promise<void> {
    await this.cabinets.update(
      { id: cabinetId },
      { status: CabinetStatus.Maintenance, maintenanceReason: reason },
    );
  }

  /** Out of maintenance: ONLINE if heard from recently, else OFFLINE. True when it was in maintenance. */
  async clearMaintenance(cabinetId: string, onlineSince: Date): Promise<boolean> {
    const r = (await this.db.query(
      `UPDATE cabinets SET status = IF(last_seen_at >= ?, 'ONLINE', 'OFFLINE'), maintenance_reason = NULL
        WHERE id = ? AND status = 'MAINTENANCE'`,
      [onlineSince, cabinetId],
    )) as { affectedRows: number };
    return r.affectedRows === 1;
  }

  async addAlert(
    a: Omit<KioskAlertEntity, 'createdAt' | 'clearedAt' | 'clearedBy'>,
    em?: EntityManager,
  ): Promise<void> {
    await (em ? em.getRepository(KioskAlertEntity) : this.alerts).insert({
      ...a,
      clearedAt: null,
      clearedBy: null,
    });
  }

  /** Alerts newest first (by id, which grows with time), before a cursor, of one cabinet, only open ones. */
  alertsOf(q: {
    cabinetId?: string;
    open?: boolean;
    kinds?: AlertKind[];
    beforeId?: string;
    limit: number;
  }): Promise<KioskAlertEntity[]> {
    return this.alerts.find({
      where: {
        ...(q.cabinetId ? { cabinetId: q.cabinetId } : {}),
        ...(q.open ? { clearedAt: IsNull() } : {}),
        ...(q.kinds?.length ? { kind: In(q.kinds) } : {}),
        ...(q.beforeId ? { id: LessThan(q.beforeId) } : {}),
      },
      order: { id: 'DESC' },
      take: q.limit,
    });
  }

  async clearAlerts(cabinetId: string, kinds: AlertKind[], by: string): Promise<void> {
    await this.alerts.update(
      { cabinetId, kind: In(kinds), clearedAt: IsNull() },
      { clearedAt: new Date(), clearedBy: by },
    );
  }
}
