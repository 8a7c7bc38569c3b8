import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CatalogModule } from '@/modules/catalog/catalog.module';
import { OrderEntity } from './entities/order.entity';
import { OrderLineEntity } from './entities/order-line.entity';
import { PaymentAgreementEntity } from './entities/payment-agreement.entity';
import { PaymentEntity } from './entities/payment.entity';
import { RefundEntity } from './entities/refund.entity';
import { AgreementsService } from './agreements.service';
import { BuyerAttributions, ChannelPolicies } from './channel-policy';
import { OrdersJobs } from './jobs/orders.jobs';
import { LotStock } from './lot-stock';
import { OrderLifecycle } from './order-lifecycle';
import { OrderEvents } from './order-events';
import { OrdersController } from './orders.controller';
import { OrdersRepository } from './orders.repository';
import { OrdersService } from './orders.service';
import { PaymentProviders } from './payment-providers';
import { PaymentStartService } from './payment-start.service';
import { PaymentsRepository } from './payments.repository';
import { RefundsService } from './refunds.service';
import { SettlementService } from './settlement.service';

/**
 * The one order model every channel uses, with payments and refunds through a provider. Channels plug in
 * through ChannelPolicies (their policy) and OrderLifecycle (their states, transitions and hooks).
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      OrderEntity,
      OrderLineEntity,
      PaymentEntity,
      RefundEntity,
      PaymentAgreementEntity,
    ]),
    CatalogModule,
  ],
  controllers: [OrdersController],
  providers: [
    AgreementsService,
    OrdersService,
    OrdersRepository,
    PaymentsRepository,
    PaymentProviders,
    PaymentStartService,
    SettlementService,
    RefundsService,
    OrderEvents,
    OrdersJobs,
    ChannelPolicies,
    BuyerAttributions,
    OrderLifecycle,
    LotStock,
  ],
  exports: [
    AgreementsService,
    OrdersService,
    PaymentStartService,
    SettlementService,
    RefundsService,
    ChannelPolicies,
    BuyerAttributions,
    OrderLifecycle,
    LotStock,
  ],
})
export class OrdersModule {}
