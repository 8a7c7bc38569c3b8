import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { PayoutBatchEntity, PayoutLineEntity } from './entities/payout.entity';

/** A household's available balance, in fen. */
export interface HouseholdBalance {
  householdId: string;
  balanceFen: number;
}

/** Every SQL statement on payout batches and their lines, and the named lock that serialises batches. */
@Injectable()
export class PayoutsRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectRepository(PayoutBatchEntity) private readonly batches: Repository<PayoutBatchEntity>,
    @InjectRepository(PayoutLineEntity) private readonly lines: Repository<PayoutLineEntity>,
  ) {}

  /**
   * Runs `work` on one connection while it holds the named lock `name` (server-wide), not waiting for it:
   * null when another connection holds it. The lock goes with the connection should that die.
   */
  async whileLocked<T>(name: string, work: (em: EntityManager) => Promise<T>): Promise<T | null> {
    const runner = this.db.createQueryRunner();
    try {
      await runner.connect();
      const [{ ok }] = (await runner.query('SELECT GET_LOCK(?, 0) AS ok', [name])) as {
        ok: number | string | null;
      }[];
      if (Number(ok) !== 1) {
        return null;
      }
      try {
        return await work(runner.manager);
      } finally {
        await runner.query('SELECT RELEASE_LOCK(?)', [name]);
      }
    } finally {
      await runner.release();
    }
  }

  /** Households whose balance available by `today` is at least `minimumFen`, by household id. */
  async availableBalances(em: EntityManager, minimumFen: number, today: string): Promise<HouseholdBalance[]> {
    const rows = (await em.query(
      `SELECT a.owner_id AS householdId, SUM(p.amount_fen) AS balance
         FROM ledger_accounts a JOIN postings p ON p.account_id = a.id
        WHERE a.type = 'HOUSEHOLD' AND p.available_on <= ?
        GROUP BY a.owner_id HAVING SUM(p.amount_fen) >= ?
        ORDER BY a.owner_id`,
      [today, minimumFen],
    )) as { householdId: string; balance: string }[];
    return rows.map((r) => ({ householdId: r.householdId, balanceFen: Number(r.balance) }));
  }

  async insertBatch(em: EntityManager, batch: PayoutBatchEntity, lines: PayoutLineEntity[]): Promise<void> {
    await em.insert(PayoutBatchEntity, batch);
    await em.insert(PayoutLineEntity, lines);
  }

  findBatch(id: string): Promise<PayoutBatchEntity | null> {
    return this.batches.findOne({ where: { id } });
  }

  /** A batch's status and total, locked for update inside the caller's transaction; null when missing. */
  async lockBatch(em: EntityManager, id: string): Promise<{ status: string; totalFen: number } | null> {
    const [r] = (await em.query(
      'SELECT status, total_fen AS totalFen FROM payout_batches WHERE id = ? FOR UPDATE',
      [id],
    )) as { status: string; totalFen: string }[];
    return r ? { status: r.status, totalFen: Number(r.totalFen) } : null;
  }

  async markPaid(em: EntityManager, id: string, reference: string): Promise<void> {
    await em.update(
      PayoutBatchEntity,
      { id },
      { status: 'PAID', bankReference: reference, paidAt: new Date() },
    );
  }

  linesOf(batchId: string): Promise<PayoutLineEntity[]> {
    return this.lines.find({ where: { batchId }, order: { householdId: 'ASC' } });
  }
}
