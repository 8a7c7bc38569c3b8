import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Headers,
  Query,
  RawBodyRequest,
  Req,
  Res,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentUser, Public, Roles } from '@/common/auth/decorators';
import { AuthUser, Role } from '@/common/auth/role';
import { ApiErrors } from '@/common/errors/api-errors';
import { Idempotent } from '@/common/idempotency/idempotency.interceptor';
import { Page } from '@/common/pagination';
import {
  AgreementView,
  CreateAgreementDto,
  CreateOrderDto,
  mapAgreement,
  CreatePaymentDto,
  CreateRefundDto,
  mapOrder,
  mapPayment,
  mapRefund,
  NotificationReceivedView,
  OrderListQuery,
  OrderPage,
  OrderView,
  PaymentView,
  RefundView,
} from './dto/orders.dto';
import { Channel } from './entities/order.entity';
import {
  InvalidNotificationProblem,
  NotTheBuyerError,
  OrderExpiredError,
  OrderNotFoundError,
  OrderNotPayableError,
  OrderNotRefundableError,
  OutOfStockError,
  PaymentNotFoundError,
  PaymentProviderUnavailableError,
  ProductNotCertifiedError,
  RefundExceedsPaymentError,
  UnknownProviderError,
} from './errors';
import { AgreementsService } from './agreements.service';
import { OrdersService } from './orders.service';
import { PaymentStartService } from './payment-start.service';
import { RefundsService } from './refunds.service';
import { SettlementService } from './settlement.service';

@ApiTags('orders')
@Controller()
export class OrdersController {
  constructor(
    @Inject(OrdersService) private readonly orders: OrdersService,
    @Inject(PaymentStartService) private readonly payments: PaymentStartService,
    @Inject(SettlementService) private readonly settlement: SettlementService,
    @Inject(RefundsService) private readonly refunds: RefundsService,
    @Inject(AgreementsService) private readonly agreements: AgreementsService,
  ) {}

  @Post('me/payment-agreements')
  @Idempotent()
  @Roles(Role.Citizen)
  @ApiOperation({
    summary: 'Agree to pay after use (smart cabinets charge through it); agreeing again answers the same one',
  })
  @ApiCreatedResponse({ type: AgreementView })
  @ApiErrors(UnknownProviderError, PaymentProviderUnavailableError)
  async agree(@CurrentUser() user: AuthUser, @Body() dto: CreateAgreementDto): Promise<AgreementView> {
    return mapAgreement(await this.agreements.agree(user.id, dto.provider));
  }

  @Get('me/payment-agreements')
  @Roles(Role.Citizen)
  @ApiOperation({ summary: 'My active pay-after-use agreements' })
  @ApiOkResponse({ type: AgreementView, isArray: true })
  async myAgreements(@CurrentUser() user: AuthUser): Promise<AgreementView[]> {
    return (await this.agreements.activeOf(user.id)).map(mapAgreement);
  }

  @Post('orders')
  @Idempotent()
  @Roles(Role.Citizen)
  @ApiOperation({ summary: 'Online shop: place an order; stock is held until payBy' })
  @ApiCreatedResponse({ type: OrderView })
  @ApiErrors(OutOfStockError, ProductNotCertifiedError)
  async create(@CurrentUser() user: AuthUser, @Body() dto: CreateOrderDto): Promise<OrderView> {
    const { order, lines } = await this.orders.create({
      buyerUserId: user.id,
      channel: Channel.Online,
      lines: dto.lines,
    });
    return mapOrder(order, lines);
  }

  @Get('orders')
  @Roles(Role.Citizen, Role.Admin)
  @ApiOperation({ summary: 'My orders (all orders for an administrator)' })
  @ApiOkResponse({ type: OrderPage })
  list(@CurrentUser() user: AuthUser, @Query() q: OrderListQuery): Promise<Page<OrderView>> {
    return this.orders.listFor(user, q);
  }

  @Get('orders/:id')
  @Roles(...Object.values(Role))
  @ApiOperation({
    summary: 'One order',
    description:
      'With `Prefer: wait=N` (RFC 7240, seconds, at most 10) an order still awaiting payment is answered when it changes ' +
      'or after N seconds, so a buyer waiting for PAID asks once instead of polling; `Preference-Applied` echoes it.',
  })
  @ApiHeader({ name: 'Prefer', required: false, example: 'wait=5' })
  @ApiOkResponse({ type: OrderView })
  @ApiErrors(OrderNotFoundError, NotTheBuyerError)
  get(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Headers('prefer') prefer: string | undefined,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<OrderView> {
    const wait = preferredWaitSeconds(prefer);
    if (wait > 0) {
      res.header('Preference-Applied', `wait=${wait}`);
    }
    return this.orders.getFor(user, id, wait * 1000);
  }

  @Post('orders/:id/payments')
  @Idempotent()
  @Roles(...Object.values(Role))
  @ApiOperation({ summary: 'The buyer pays; the order becomes PAID once the provider confirms' })
  @ApiCreatedResponse({ type: PaymentView, description: 'PENDING until the provider’s verdict' })
  @ApiErrors(
    OrderNotFoundError,
    NotTheBuyerError,
    OrderNotPayableError,
    OrderExpiredError,
    UnknownProviderError,
    PaymentProviderUnavailableError,
  )
  async pay(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body() dto: CreatePaymentDto,
  ): Promise<PaymentView> {
    return mapPayment(await this.payments.start(user, id, dto.provider));
  }

  @Get('payments/:id')
  @Roles(...Object.values(Role))
  @ApiOperation({ summary: 'One payment (its order’s buyer, or an administrator)' })
  @ApiOkResponse({ type: PaymentView })
  @ApiErrors(PaymentNotFoundError, NotTheBuyerError)
  async payment(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<PaymentView> {
    return mapPayment(await this.payments.getFor(user, id));
  }

  @Post('orders/:id/refunds')
  @Idempotent()
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Refunds part or all of a paid order; the ledger reverses its allocation' })
  @ApiCreatedResponse({ type: RefundView })
  @ApiErrors(OrderNotFoundError, OrderNotRefundableError, RefundExceedsPaymentError)
  async refund(@Param('id') id: string, @Body() dto: CreateRefundDto): Promise<RefundView> {
    return mapRefund(await this.refunds.refund(id, dto.amountFen, dto.reason));
  }

  @Post('payments/notify/:provider')
  @Public()
  // Providers call from their own addresses, as fast as sales happen; their signature is the gate.
  @SkipThrottle()
  @HttpCode(200)
  @ApiOperation({ summary: 'Payment provider notifications (signed by the provider)' })
  @ApiOkResponse({ type: NotificationReceivedView })
  @ApiErrors(UnknownProviderError, InvalidNotificationProblem)
  async notify(
    @Param('provider') provider: string,
    @Req() req: RawBodyRequest<FastifyRequest>,
  ): Promise<NotificationReceivedView> {
    const raw = req.rawBody?.toString('utf8') ?? JSON.stringify(req.body ?? {});
    await this.settlement.handleNotification(provider, req.headers, raw);
    return { received: true };
  }
}

/** The `wait` preference of a `Prefer` header in whole seconds, at most 10; 0 when absent or unreadable. */
export function preferredWaitSeconds(prefer: string | undefined): number {
  const m = /(?:^|[,;\s])wait\s*=\s*"?(\d+)"?/i.exec(prefer ?? '');
  return m ? Math.min(10, Number(m[1])) : 0;
}
