import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { formatYuan } from '@/common/money';
import { SMS_PROVIDER, SmsProvider } from '@/infrastructure/sms/sms-provider';
import { ProductsService } from '@/modules/catalog/products.service';
import { UsersService } from '@/modules/identity/users.service';
import { AllocationService } from '@/modules/ledger/allocation.service';
import { IncomeService } from '@/modules/ledger/income.service';
import { Channel } from '@/modules/orders/entities/order.entity';
import { CabinetsService } from './cabinets.service';
import { SessionKind } from './entities/kiosk-session.entity';
import { SessionsRepository } from './sessions.repository';

/**
 * The SMS receipt of a cabinet purchase, sent once its payment is in and the ledger has allocated it, so
 * that it can say how many fen reached households: the ledger tells its listeners when an order's lines
 * are all allocated, and the first to claim the session's receipt sends it.
 */
@Injectable()
export class KioskReceiptsService implements OnModuleInit {
  private readonly logger = new Logger(KioskReceiptsService.name);

  constructor(
    @Inject(AllocationService) private readonly allocation: AllocationService,
    @Inject(IncomeService) private readonly income: IncomeService,
    @Inject(SessionsRepository) private readonly sessions: SessionsRepository,
    @Inject(CabinetsService) private readonly cabinets: CabinetsService,
    @Inject(ProductsService) private readonly products: ProductsService,
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(SMS_PROVIDER) private readonly sms: SmsProvider,
  ) {}

  onModuleInit(): void {
    this.allocation.onAllocated(async (orders) => {
      // An allocation job carries up to ALLOCATION_BATCH orders: their receipts go out side by side.
      const sent = await Promise.allSettled(
        orders.filter((o) => o.channel === Channel.Kiosk).map((o) => this.send(o.orderId)),
      );
      const failed = sent.filter((r) => r.status === 'rejected');
      if (failed.length) {
        throw (failed[0] as PromiseRejectedResult).reason;
      }
    });
  }

  /** Sends the receipt of the session whose order this is, once; true when this call sent it. */
  async send(orderId: string): Promise<boolean> {
    const s = await this.sessions.findByOrder(orderId);
    if (!s || s.kind !== SessionKind.Sale || !s.items?.length) {
      return false;
    }
    // The receipt says how much reached households: only once the ledger has allocated the sale.
    const householdFen = await this.income.householdFenOfOrder(orderId);
    if (householdFen === null) {
      return false;
    }
    if (!(await this.sessions.claimReceipt(s.id, new Date()))) {
      return false;
    }
    try {
      const phone = await this.users.phoneOf(s.userId);
      if (!phone) {
        return false;
      }
      const cabinet = await this.cabinets.namesOf(s.cabinetId);
      const names = new Map<string, string>();
      for (const i of s.items) {
        if (!i.productName && !names.has(i.productId)) {
          names.set(i.productId, (await this.products.requireProduct(i.productId)).name);
        }
      }
      await this.sms.send(
        phone,
        receiptText(
          cabinet?.name ?? '',
          s.items.map((i) => ({ ...i, name: i.productName ?? names.get(i.productId)! })),
          s.totalFen,
          householdFen,
        ),
      );
      this.logger.log({ sessionId: s.id, orderId }, 'cabinet receipt sent');
      return true;
    } catch (e) {
      // Give the claim back, so the next allocation run (or a retry) sends it.
      await this.sessions.releaseReceipt(s.id);
      throw e;
    }
  }
}

/** The receipt's text (Chinese: citizens read it). */
export function receiptText(
  cabinetName: string,
  items: { name: string; quantity: number; amountFen: number }[],
  totalFen: number,
  householdFen: number,
): string {
  const lines = items.map((i) => `${i.name}×${i.quantity} ¥${formatYuan(i.amountFen)}`).join('，');
  return (
    `【消费扶贫】您在${cabinetName}购买：${lines}。合计¥${formatYuan(totalFen)}，已支付。` +
    `其中¥${formatYuan(householdFen)}进入脱贫户收入。感谢您的爱心消费！`
  );
}
