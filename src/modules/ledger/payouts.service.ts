import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, Repository } from 'typeorm';
import { Env, ENV } from '@/config/env';
import { newId } from '@/common/ids';
import { businessDate } from '@/common/time';
import { withTransaction } from '@/infrastructure/database/transaction';
import { HouseholdsService } from '@/modules/households/households.service';
import { AccountType } from './entities/ledger-account.entity';
import { EntryKind } from './entities/journal-entry.entity';
import { NothingToPayError, PayoutAlreadyPaidError, PayoutNotFoundError } from './errors';
import { PayoutBatchEntity, PayoutLineEntity } from './entities/payout.entity';
import { IncomeSource } from './entities/posting.entity';
import { EntryInput, LedgerWriter } from './ledger.writer';

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
    @InjectRepository(PayoutBatchEntity) private readonly batches: Repository<PayoutBatchEntity>,
    @InjectRepository(PayoutLineEntity) private readonly lines: Repository<PayoutLineEntity>,
    @Inject(LedgerWriter) private readonly writer: LedgerWriter,
    @Inject(HouseholdsService) private readonly households: HouseholdsService,
    @Inject(ENV) private readonly env: Env,
  ) {}

  async create(minimumFen = this.env.PAYOUT_MINIMUM_FEN): Promise<PayoutBatchEntity> {
    const today = businessDate();
    const batch = this.batches.create({
      id: newId(),
      status: 'CREATED',
      minimumFen,
      totalFen: 0,
      lineCount: 0,
      bankReference: null,
      paidAt: null,
      createdAt: new Date(),
    });
    // The writer resolves accounts on its own connection: the payout account must exist (committed) and be
    // known to it before the transaction below locks that row, or the writer would wait on our own lock.
    await this.writer.accountIds([{ type: AccountType.Payout, ownerId: 'bank' }]);
    return withTransaction(this.db, async (em) => {
      // One batch at a time: the lock row serialises batch creation across processes.
      await em.query("INSERT IGNORE INTO ledger_accounts (type, owner_id) VALUES ('PAYOUT', 'bank')");
      await em.query("SELECT id FROM ledger_accounts WHERE type = 'PAYOUT' AND owner_id = 'bank' FOR UPDATE");
      const balances = (await em.query(
        `SELECT a.owner_id AS householdId, SUM(p.amount_fen) AS balance
           FROM ledger_accounts a JOIN postings p ON p.account_id = a.id
          WHERE a.type = 'HOUSEHOLD' AND p.available_on <= ?
          GROUP BY a.owner_id HAVING SUM(p.amount_fen) >= ?
          ORDER BY a.owner_id`,
        [today, minimumFen],
      )) as { householdId: string; balance: string }[];
      const withBank = await this.households.findMany(balances.map((b) => b.householdId));
      const payable = balances.filter((b) => withBank.get(b.householdId)?.bankAccountEnc);
      if (payable.length === 0) {
        throw new NothingToPayError(minimumFen);
      }
      const entries: EntryInput[] = payable.map((b) => ({
        key: `payout:${batch.id}:${b.householdId}`,
        kind: EntryKind.Payout,
        businessDate: today,
        memo: `payout batch ${batch.id}`,
        postings: [
          {
            account: { type: AccountType.Household, ownerId: b.householdId },
            amountFen: -Number(b.balance),
            source: IncomeSource.Payout,
            availableOn: today,
          },
          {
            account: { type: AccountType.Payout, ownerId: 'bank' },
            amountFen: Number(b.balance),
            source: IncomeSource.Payout,
            availableOn: today,
          },
        ],
      }));
      batch.totalFen = payable.reduce((a, b) => a + Number(b.balance), 0);
      batch.lineCount = payable.length;
      await em.insert(PayoutBatchEntity, batch);
      await em.insert(
        PayoutLineEntity,
        payable.map((b) => ({
          id: newId(),
          batchId: batch.id,
          householdId: b.householdId,
          amountFen: Number(b.balance),
        })),
      );
      await this.writer.post(em, entries);
      return batch;
    });
  }

  async get(id: string): Promise<PayoutBatchEntity> {
    const b = await this.batches.findOne({ where: { id } });
    if (!b) {
      throw new PayoutNotFoundError(id);
    }
    return b;
  }

  /** The bank transfer file (CSV, UTF-8 with BOM so spreadsheet programs read the Chinese names). */
  async file(id: string): Promise<string> {
    const batch = await this.get(id);
    const lines = await this.lines.find({ where: { batchId: id }, order: { householdId: 'ASC' } });
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
      const [batch] = (await em.query(
        'SELECT status, total_fen AS totalFen FROM payout_batches WHERE id = ? FOR UPDATE',
        [id],
      )) as { status: string; totalFen: string }[];
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
              amountFen: -Number(batch.totalFen),
              source: IncomeSource.Payout,
              availableOn: today,
            },
            {
              account: { type: AccountType.PaymentClearing, ownerId: 'bank' },
              amountFen: Number(batch.totalFen),
              source: IncomeSource.Payout,
              availableOn: today,
            },
          ],
        },
      ]);
      await em.update(
        PayoutBatchEntity,
        { id },
        { status: 'PAID', bankReference: reference, paidAt: new Date() },
      );
    });
    return this.get(id);
  }

  linesOf(batchId: string): Promise<PayoutLineEntity[]> {
    return this.lines.find({ where: { batchId: In([batchId]) }, order: { householdId: 'ASC' } });
  }
}
