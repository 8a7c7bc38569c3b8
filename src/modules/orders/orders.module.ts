import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CatalogModule } from '@/modules/catalog/catalog.module';
import { OrderEntity } from './entities/order.entity';
import { OrderLineEntity } from './entities/order-line.entity';
import { PaymentAgreementEntity } from './entities/payment-agreement.entity';
import { PaymentEntity } from './entities/payment.entity';
import { RefundEntity } from './entities/refund.entity';
import { OrdersJobs } from './jobs/orders.jobs';
import { OrderEvents } from './order-events';
import { OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';
import { PaymentsService } from './payments.service';

/** The one order model every channel uses, with payments and refunds through a provider. */
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
  providers: [OrdersService, PaymentsService, OrderEvents, OrdersJobs],
  exports: [OrdersService, PaymentsService],
})
export class OrdersModule {}
