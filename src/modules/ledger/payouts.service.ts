import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Env, ENV } from '@/config/env';
import { newId } from '@/common/ids';
import { businessDate } from '@/common/time';
import { parseDatabaseUrl } from '@/infrastructure/database/database-url';
import { withTransaction } from '@/infrastructure/database/transaction';
import { HouseholdsService } from '@/modules/households/households.service';
import { AccountType } from './entities/ledger-account.entity';
import { EntryKind } from './entities/journal-entry.entity';
import {
  NothingToPayError,
  PayoutAlreadyPaidError,
  PayoutInProgressError,
  PayoutNotFoundError,
} from './errors';
import { PayoutBatchEntity, PayoutLineEntity } from './entities/payout.entity';
import { IncomeSource } from './entities/posting.entity';
import { EntryInput, LedgerWriter } from './ledger.writer';
import { HouseholdBalance, PayoutsRepository } from './payouts.repository';

function yuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const a = Math.abs(fen);
  return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}

const csvCell = (v: string | number) =>
  /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v);

/**
 * Payout batches: the available balances of at least a minimum move to the payout account in one
 * transaction (so no household is paid twice and none goes below zero), a bank transfer file is produced,
 * and the batch is marked paid when the bank confirms.
 */
@Injectable()
export class PayoutsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(PayoutsRepository) private readonly repo: PayoutsRepository,
    @Inject(LedgerWriter) private readonly writer: LedgerWriter,
    @Inject(HouseholdsService) private readonly households: HouseholdsService,
    @Inject(ENV) private readonly env: Env,
  ) {}

  /**
   * Moves every available balance of at least `minimumFen` to the payout account, as one batch. Batches are
   * made one at a time: a request that comes while another is being made gets `payout-in-progress` (409)
   * at once, one that comes after it finds what is left (`nothing-to-pay` when that is nothing).
   */
  async create(minimumFen = this.env.PAYOUT_MINIMUM_FEN): Promise<PayoutBatchEntity> {
    // Refused before anything is written: nothing to pay must not even create the payout account below.
    if ((await this.payable(this.db.manager, minimumFen, businessDate())).length === 0) {
      throw new NothingToPayError(minimumFen);
    }
    // Known (committed) before the batch posts to it, so the writer never creates it mid-transaction.
    await this.writer.accountIds([{ type: AccountType.Payout, ownerId: 'bank' }]);
    // A named lock (server-wide, one per database) on the connection that runs the transaction: taken just
    // before it, released just after its commit. Not waited for: a caller who waited would only find the
    // balances already paid. A deadlock inside is retried (bounded) by withTransaction.
    const batch = await this.repo.whileLocked(this.lockName, (em) =>
      withTransaction(em, (tx) => this.writeBatch(tx, minimumFen)),
    );
    if (!batch) {
      throw new PayoutInProgressError();
    }
    return batch;
  }

  /** Named locks are server-wide: the database's name keeps deployments on one server apart. */
  private get lockName(): string {
    return `cs_payouts:${parseDatabaseUrl(this.env.DATABASE_URL).database}`.slice(0, 64);
  }

  private async writeBatch(em: EntityManager, minimumFen: number): Promise<PayoutBatchEntity> {
    const today = businessDate();
    // Again under the lock: another batch may have paid these balances since the check in create().
    const payable = await this.payable(em, minimumFen, today);
    if (payable.length === 0) {
      throw new NothingToPayError(minimumFen);
    }
    const batch = Object.assign(new PayoutBatchEntity(), {
      id: newId(),
      status: 'CREATED',
      minimumFen,
      totalFen: payable.reduce((a, b) => a + b.balanceFen, 0),
      lineCount: payable.length,
      bankReference: null,
      paidAt: null,
      createdAt: new Date(),
    });
    const entries: EntryInput[] = payable.map((b) => ({
      key: `payout:${batch.id}:${b.householdId}`,
      kind: EntryKind.Payout,
      businessDate: today,
      memo: `payout batch ${batch.id}`,
      postings: [
        {
          account: { type: AccountType.Household, ownerId: b.householdId },
          amountFen: -b.balanceFen,
          source: IncomeSource.Payout,
          availableOn: today,
        },
        {
          account: { type: AccountType.Payout, ownerId: 'bank' },
          amountFen: b.balanceFen,
          source: IncomeSource.Payout,
          availableOn: today,
        },
      ],
    }));
    await this.repo.insertBatch(
      em,
      batch,
      payable.map((b) =>
        Object.assign(new PayoutLineEntity(), {
          id: newId(),
          batchId: batch.id,
          householdId: b.householdId,
          amountFen: b.balanceFen,
        }),
      ),
    );
    await this.writer.post(em, entries);
    return batch;
  }

  /** The available household balances of at least `minimumFen` whose household has a bank account. */
  private async payable(em: EntityManager, minimumFen: number, today: string): Promise<HouseholdBalance[]> {
    const balances = await this.repo.availableBalances(em, minimumFen, today);
    const withBank = await this.households.findMany(balances.map((b) => b.householdId));
    return balances.filter((b) => withBank.get(b.householdId)?.bankAccountEnc);
  }

  async get(id: string): Promise<PayoutBatchEntity> {
    const b = await this.repo.findBatch(id);
    if (!b) {
      throw new PayoutNotFoundError(id);
    }
    return b;
  }

  /** The bank transfer file (CSV, UTF-8 with BOM so spreadsheet programs read the Chinese names). */
  async file(id: string): Promise<string> {
    const batch = await this.get(id);
    const lines = await this.repo.linesOf(id);
    const hh = await this.households.findMany(lines.map((l) => l.householdId));
    const rows = [['seq', 'registry_no', 'payee_name', 'bank_account', 'amount_yuan', 'amount_fen', 'memo']];
    lines.forEach((l, i) => {
      const h = hh.get(l.householdId)!;
      rows.push([
        String(i + 1),
        h.registryNo,
        h.headName,
        this.households.bankAccountOf(h) ?? '',
        yuan(l.amountFen),
        String(l.amountFen),
        `消费扶贫收益 ${batch.id}`,
      ]);
    });
    return '\ufeff' + rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
  }

  /** The bank confirmed the transfers: the payout account is settled against the clearing account. */
  async markPaid(id: string, reference: string): Promise<PayoutBatchEntity> {
    await withTransaction(this.db, async (em) => {
      const batch = await this.repo.lockBatch(em, id);
      if (!batch) {
        throw new PayoutNotFoundError(id);
      }
      if (batch.status === 'PAID') {
        throw new PayoutAlreadyPaidError();
      }
      const today = businessDate();
      await this.writer.post(em, [
        {
          key: `payout-paid:${id}`,
          kind: EntryKind.PayoutPaid,
          businessDate: today,
          memo: `bank reference ${reference}`,
          postings: [
            {
              account: { type: AccountType.Payout, ownerId: 'bank' },
              amountFen: -batch.totalFen,
              source: IncomeSource.Payout,
              availableOn: today,
            },
            {
              account: { type: AccountType.PaymentClearing, ownerId: 'bank' },
              amountFen: batch.totalFen,
              source: IncomeSource.Payout,
              availableOn: today,
            },
          ],
        },
      ]);
      await this.repo.markPaid(em, id, reference);
    });
    return this.get(id);
  }

  linesOf(batchId: string): Promise<PayoutLineEntity[]> {
    return this.repo.linesOf(batchId);
  }
}
