import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuthUser, hasRole, Role } from '@/common/auth/role';
import { newId } from '@/common/ids';
import { isDuplicateKey } from '@/infrastructure/database/transaction';
import { PaymentProvider } from '@/infrastructure/payments/payment-provider';
import { OrderEntity, OrderStatus } from './entities/order.entity';
import { PaymentEntity, PaymentStatus } from './entities/payment.entity';
import {
  NotTheBuyerError,
  OrderExpiredError,
  OrderNotFoundError,
  OrderNotPayableError,
  PaymentNotFoundError,
  PaymentProviderUnavailableError,
} from './errors';
import { ChannelPolicies } from './channel-policy';
import { PaymentProviders } from './payment-providers';
import { PaymentsRepository } from './payments.repository';
import { OrdersService } from './orders.service';

/**
 * Starting payments: a buyer pays an order through a provider, or a pay-after-use agreement charges it.
 * The answer is PENDING until the provider's verdict is settled (SettlementService).
 */
@Injectable()
export class PaymentStartService {
  private readonly logger = new Logger(PaymentStartService.name);

  constructor(
    @Inject(PaymentsRepository) private readonly payments: PaymentsRepository,
    @Inject(PaymentProviders) private readonly providers: PaymentProviders,
    @Inject(OrdersService) private readonly orders: OrdersService,
    @Inject(ChannelPolicies) private readonly policies: ChannelPolicies,
  ) {}

  /**
   * The buyer pays an order. One round trip: the payment is inserted only if the order is the buyer's,
   * awaiting payment and within its time, and the database keeps one open payment per order, so a double
   * tap finds the first tap's payment instead of charging the buyer twice.
   */
  async start(user: AuthUser, orderId: string, providerName: string, attempt = 1): Promise<PaymentEntity> {
    const provider = this.providers.get(providerName);
    const now = new Date();
    const id = newId();
    let result: Awaited<ReturnType<PaymentsRepository['insertIfPayable']>>;
    try {
      result = await this.payments.insertIfPayable({
        id,
        orderId,
        provider: provider.name,
        buyerUserId: user.id,
        payableStatus: OrderStatus.PendingPayment,
        // An invoiced order (unit procurement) is settled when its goods are accepted, never paid online.
        channels: this.policies.providerPaid(),
        now,
      });
    } catch (e) {
      if (!isDuplicateKey(e)) {
        throw e;
      }
      // A payment is open already (a double tap, or a retry after a lost answer): that one is the answer.
      const open = await this.payments.findOpenForOrder(orderId);
      if (open) {
        return open;
      }
      if (attempt >= 3) {
        throw e;
      }
      // It closed in between (declined, or paid): ask again, now without it.
      return this.start(user, orderId, providerName, attempt + 1);
    }
    const { inserted, order } = result;
    if (inserted && order) {
      const payment = Object.assign(this.newPayment(order, provider), { id, createdAt: now, updatedAt: now });
      return this.callProvider(payment, provider, (pid) => provider.create(pid, payment.amountFen));
    }
    // Nothing inserted: say why.
    if (!order) {
      throw new OrderNotFoundError(orderId);
    }
    if (order.buyerUserId !== user.id) {
      throw new NotTheBuyerError('Only the buyer may pay this order.');
    }
    if (order.status !== OrderStatus.PendingPayment) {
      throw new OrderNotPayableError(order.status);
    }
    if (!this.policies.providerPaid().includes(order.channel)) {
      throw new OrderNotPayableError(order.status, 'it is invoiced and settled when its goods are accepted');
    }
    throw new OrderExpiredError();
  }

  /** Charges an order through a pay-after-use agreement (cabinets). */
  async chargeAgreement(
    order: OrderEntity,
    providerName: string,
    agreementRef: string,
  ): Promise<PaymentEntity> {
    const provider = this.providers.get(providerName);
    const payment = this.newPayment(order, provider);
    await this.payments.insert(payment);
    return this.callProvider(payment, provider, (id) =>
      provider.chargeAgreement(agreementRef, id, order.totalFen),
    );
  }

  async getFor(user: AuthUser, paymentId: string): Promise<PaymentEntity> {
    const p = await this.payments.findById(paymentId);
    const order = p ? await this.orders.requireOrder(p.orderId) : undefined;
    if (!p || !order) {
      throw new PaymentNotFoundError(paymentId);
    }
    if (order.buyerUserId !== user.id && !hasRole(user, Role.Admin)) {
      throw new NotTheBuyerError();
    }
    return p;
  }

  private newPayment(order: OrderEntity, provider: PaymentProvider): PaymentEntity {
    return Object.assign(new PaymentEntity(), {
      id: newId(),
      orderId: order.id,
      provider: provider.name,
      providerRef: null,
      status: PaymentStatus.Pending,
      amountFen: order.totalFen,
      failureReason: null,
      capturedAt: null,
      capturedDate: null,
      createdAt: new Date(),
      updatedAt: new Date(),
    });
  }

  /** Hands a stored PENDING payment to the provider; FAILED (and 502) when the provider does not answer. */
  private async callProvider(
    payment: PaymentEntity,
    provider: PaymentProvider,
    call: (paymentId: string) => Promise<{ ref: string }>,
  ): Promise<PaymentEntity> {
    try {
      const { ref } = await call(payment.id);
      payment.providerRef = ref;
      await this.payments.setProviderRef(payment.id, ref);
    } catch (e) {
      await this.payments.markFailed(payment.id, 'provider unavailable');
      this.logger.warn(
        { paymentId: payment.id, provider: provider.name, err: e as Error },
        'the provider refused the payment',
      );
      throw new PaymentProviderUnavailableError();
    }
    return payment;
  }
}
