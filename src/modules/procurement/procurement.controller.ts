import { Body, Controller, Get, HttpCode, Inject, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Roles } from '@/common/auth/decorators';
import { AuthUser, Role } from '@/common/auth/role';
import { ApiErrors } from '@/common/errors/api-errors';
import { Idempotent } from '@/common/idempotency/idempotency.interceptor';
import { Page } from '@/common/pagination';
import { Table, toCsv, toXlsx } from '@/common/spreadsheet';
import { OutOfStockError, ProductNotCertifiedError } from '@/modules/orders/errors';
import {
  CreateOrganizationDto,
  mapOrganization,
  OrganizationListQuery,
  OrganizationPage,
  OrganizationView,
  SetVillagesDto,
} from './dto/organization.dto';
import {
  AcceptDto,
  BelowQuotaView,
  EmployeeListQuery,
  EmployeeParams,
  EmployerDto,
  EmploymentPage,
  EmploymentView,
  FairListQuery,
  FairPage,
  FairSaleView,
  FairView,
  IdParam,
  ImpactView,
  MonthlyQuery,
  MonthlyReportView,
  NewFairDto,
  NewFairSaleDto,
  NewProcurementOrderDto,
  OverdueQuery,
  PayDto,
  ProcurementEventView,
  ProcurementOrderListQuery,
  ProcurementOrderPage,
  ProcurementOrderView,
  ProcurementReportQuery,
  ProcurementReportView,
  QuotaParams,
  QuotaProgressView,
  QuotaView,
  RejectDto,
  SetQuotaDto,
  YearQuery,
} from './dto/procurement.dto';
import {
  FairNotFoundError,
  FairNotHeldYetError,
  FourEyesError,
  NoCanteenError,
  NotEmployedError,
  NothingReceivedError,
  NotOwnOrganizationError,
  NotYourLinesError,
  OrganizationNotFoundError,
  ProcurementOrderNotFoundError,
  ProcurementStateError,
  QuotaNotFoundError,
  ShareBelowFloorError,
} from './errors';
import { FairsService } from './fairs.service';
import { OrganizationsService } from './organizations.service';
import { ProcurementOrdersService } from './procurement-orders.service';
import { ProcurementReportsService } from './procurement-reports.service';

const UNIT = [Role.Admin, Role.UnitBuyer, Role.UnitApprover] as const;

@ApiTags('procurement')
@Controller('organizations')
export class OrganizationsController {
  constructor(@Inject(OrganizationsService) private readonly organizations: OrganizationsService) {}

  @Post()
  @Idempotent()
  @Roles(Role.Admin)
  @ApiOperation({
    summary: 'Registers a buying organization: a budget unit, an assistance group, an enterprise…',
  })
  @ApiCreatedResponse({ type: OrganizationView })
  async create(@Body() dto: CreateOrganizationDto): Promise<OrganizationView> {
    const { organization, villageCodes } = await this.organizations.create(dto);
    return mapOrganization(organization, villageCodes);
  }

  @Get()
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Buying organizations, by type or group' })
  @ApiOkResponse({ type: OrganizationPage })
  list(@Query() q: OrganizationListQuery): Promise<Page<OrganizationView>> {
    return this.organizations.list(q);
  }

  @Get(':id')
  @Roles(...UNIT)
  @ApiOperation({ summary: 'One organization (its own buyers and approvers, or an administrator)' })
  @ApiOkResponse({ type: OrganizationView })
  @ApiErrors(OrganizationNotFoundError, NotOwnOrganizationError)
  get(@CurrentUser() user: AuthUser, @Param() { id }: IdParam): Promise<OrganizationView> {
    return this.organizations.getFor(user, id);
  }

  @Put(':id/villages')
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Sets the villages an organization is paired with to assist' })
  @ApiOkResponse({ type: OrganizationView })
  @ApiErrors(OrganizationNotFoundError)
  setVillages(@Param() { id }: IdParam, @Body() dto: SetVillagesDto): Promise<OrganizationView> {
    return this.organizations.setVillages(id, dto.villageCodes);
  }

  @Put(':id/quotas/:year')
  @Roles(Role.Admin)
  @ApiOperation({
    summary:
      'Sets a year’s quota: a fixed amount, or a reserved share of the declared canteen food purchases',
  })
  @ApiOkResponse({ type: QuotaView })
  @ApiErrors(OrganizationNotFoundError, ShareBelowFloorError, NoCanteenError)
  setQuota(@Param() { id, year }: QuotaParams, @Body() dto: SetQuotaDto): Promise<QuotaView> {
    return this.organizations.setQuota(id, year, dto);
  }

  @Get(':id/quotas/:year')
  @Roles(...UNIT)
  @ApiOperation({
    summary:
      'A year’s quota and its progress: own procurement, employees’ and fair purchases, apart and together',
  })
  @ApiOkResponse({ type: QuotaProgressView })
  @ApiErrors(OrganizationNotFoundError, NotOwnOrganizationError, QuotaNotFoundError)
  quota(@CurrentUser() user: AuthUser, @Param() { id, year }: QuotaParams): Promise<QuotaProgressView> {
    return this.organizations.progressFor(user, id, year);
  }

  @Get(':id/employees')
  @Roles(...UNIT)
  @ApiOperation({ summary: 'Citizens linked (or asking to be linked) to the organization as its employees' })
  @ApiOkResponse({ type: EmploymentPage })
  @ApiErrors(OrganizationNotFoundError, NotOwnOrganizationError)
  employees(
    @CurrentUser() user: AuthUser,
    @Param() { id }: IdParam,
    @Query() q: EmployeeListQuery,
  ): Promise<Page<EmploymentView>> {
    return this.organizations.employees(user, id, q);
  }

  @Post(':id/employees/:userId/confirm')
  @Idempotent()
  @HttpCode(200)
  @Roles(Role.UnitBuyer)
  @ApiOperation({
    summary:
      'The organization’s buyer confirms an employee: from now on its purchases count toward the quota',
  })
  @ApiOkResponse({ type: EmploymentView })
  @ApiErrors(NotOwnOrganizationError, NotEmployedError)
  confirm(@CurrentUser() user: AuthUser, @Param() { id, userId }: EmployeeParams): Promise<EmploymentView> {
    return this.organizations.confirmEmployee(user, id, userId);
  }
}

@ApiTags('procurement')
@Controller('me/employer')
export class EmployerController {
  constructor(@Inject(OrganizationsService) private readonly organizations: OrganizationsService) {}

  @Post()
  @Idempotent()
  @Roles(Role.Citizen)
  @ApiOperation({ summary: 'A citizen names the organization it works for; its buyer confirms' })
  @ApiCreatedResponse({ type: EmploymentView })
  request(@CurrentUser() user: AuthUser, @Body() dto: EmployerDto): Promise<EmploymentView> {
    return this.organizations.requestEmployer(user, dto.organizationId);
  }

  @Get()
  @Roles(Role.Citizen)
  @ApiOperation({ summary: 'The citizen’s employer link and whether it is confirmed' })
  @ApiOkResponse({ type: EmploymentView })
  @ApiErrors(NotEmployedError)
  get(@CurrentUser() user: AuthUser): Promise<EmploymentView> {
    return this.organizations.employerFor(user);
  }
}

@ApiTags('procurement')
@Controller('procurement')
export class ProcurementOrdersController {
  constructor(@Inject(ProcurementOrdersService) private readonly orders: ProcurementOrdersService) {}

  @Post('orders')
  @Idempotent()
  @Roles(Role.UnitBuyer)
  @ApiOperation({ summary: 'A unit’s buyer drafts an order of certified products' })
  @ApiCreatedResponse({ type: ProcurementOrderView })
  @ApiErrors(ProductNotCertifiedError, NotOwnOrganizationError)
  create(@CurrentUser() user: AuthUser, @Body() dto: NewProcurementOrderDto): Promise<ProcurementOrderView> {
    return this.orders.create(user, dto);
  }

  @Get('orders')
  @Roles(...UNIT, Role.Supplier)
  @ApiOperation({
    summary:
      'Orders, newest first: a unit’s own, a supplier’s (its own lines only), or any for an administrator',
  })
  @ApiOkResponse({ type: ProcurementOrderPage })
  @ApiErrors(NotOwnOrganizationError)
  list(
    @CurrentUser() user: AuthUser,
    @Query() q: ProcurementOrderListQuery,
  ): Promise<Page<ProcurementOrderView>> {
    return this.orders.list(user, q);
  }

  @Get('overdue')
  @Roles(...UNIT)
  @ApiOperation({ summary: 'Accepted orders past their payment due date (a unit: its own)' })
  @ApiOkResponse({ type: [ProcurementOrderView] })
  overdue(@CurrentUser() user: AuthUser, @Query() q: OverdueQuery): Promise<ProcurementOrderView[]> {
    return this.orders.overdueFor(user, q.organizationId);
  }

  @Get('orders/:id')
  @Roles(...UNIT, Role.Supplier)
  @ApiOperation({ summary: 'One order (a supplier sees only its own lines)' })
  @ApiOkResponse({ type: ProcurementOrderView })
  @ApiErrors(ProcurementOrderNotFoundError, NotOwnOrganizationError, NotYourLinesError)
  get(@CurrentUser() user: AuthUser, @Param() { id }: IdParam): Promise<ProcurementOrderView> {
    return this.orders.getFor(user, id);
  }

  @Get('orders/:id/events')
  @Roles(...UNIT, Role.Supplier)
  @ApiOperation({ summary: 'The audit trail: who did what to the order, and when' })
  @ApiOkResponse({ type: [ProcurementEventView] })
  @ApiErrors(ProcurementOrderNotFoundError, NotOwnOrganizationError, NotYourLinesError)
  events(@CurrentUser() user: AuthUser, @Param() { id }: IdParam): Promise<ProcurementEventView[]> {
    return this.orders.events(user, id);
  }

  @Post('orders/:id/submit')
  @Idempotent()
  @HttpCode(200)
  @Roles(Role.UnitBuyer)
  @ApiOperation({ summary: 'The buyer submits its draft for approval; the approvers are told by SMS' })
  @ApiOkResponse({ type: ProcurementOrderView })
  @ApiErrors(ProcurementOrderNotFoundError, NotOwnOrganizationError, ProcurementStateError)
  submit(@CurrentUser() user: AuthUser, @Param() { id }: IdParam): Promise<ProcurementOrderView> {
    return this.orders.submit(user, id);
  }

  @Post('orders/:id/approve')
  @Idempotent()
  @HttpCode(200)
  @Roles(Role.UnitApprover)
  @ApiOperation({
    summary: 'Another user of the unit approves (never the submitter); the stock is taken from the lots',
  })
  @ApiOkResponse({ type: ProcurementOrderView })
  @ApiErrors(
    ProcurementOrderNotFoundError,
    NotOwnOrganizationError,
    FourEyesError,
    ProcurementStateError,
    OutOfStockError,
    ProductNotCertifiedError,
  )
  approve(@CurrentUser() user: AuthUser, @Param() { id }: IdParam): Promise<ProcurementOrderView> {
    return this.orders.approve(user, id);
  }

  @Post('orders/:id/reject')
  @Idempotent()
  @HttpCode(200)
  @Roles(Role.UnitApprover)
  @ApiOperation({ summary: 'Another user of the unit rejects the order, with a reason' })
  @ApiOkResponse({ type: ProcurementOrderView })
  @ApiErrors(ProcurementOrderNotFoundError, NotOwnOrganizationError, FourEyesError, ProcurementStateError)
  reject(
    @CurrentUser() user: AuthUser,
    @Param() { id }: IdParam,
    @Body() dto: RejectDto,
  ): Promise<ProcurementOrderView> {
    return this.orders.reject(user, id, dto.reason);
  }

  @Post('orders/:id/cancel')
  @Idempotent()
  @HttpCode(200)
  @Roles(Role.UnitBuyer)
  @ApiOperation({
    summary: 'The buyer calls off an order before anything shipped; its stock goes back to the lots',
  })
  @ApiOkResponse({ type: ProcurementOrderView })
  @ApiErrors(ProcurementOrderNotFoundError, NotOwnOrganizationError, ProcurementStateError)
  cancel(
    @CurrentUser() user: AuthUser,
    @Param() { id }: IdParam,
    @Body() dto: RejectDto,
  ): Promise<ProcurementOrderView> {
    return this.orders.cancel(user, id, dto.reason);
  }

  @Post('orders/:id/confirm')
  @Idempotent()
  @HttpCode(200)
  @Roles(Role.Supplier)
  @ApiOperation({ summary: 'A supplier confirms its own lines; the order is CONFIRMED when every line is' })
  @ApiOkResponse({ type: ProcurementOrderView })
  @ApiErrors(ProcurementOrderNotFoundError, NotYourLinesError, ProcurementStateError)
  confirm(@CurrentUser() user: AuthUser, @Param() { id }: IdParam): Promise<ProcurementOrderView> {
    return this.orders.supplierStep(user, id, 'confirm');
  }

  @Post('orders/:id/ship')
  @Idempotent()
  @HttpCode(200)
  @Roles(Role.Supplier)
  @ApiOperation({ summary: 'A supplier ships its confirmed lines; the order is SHIPPED when every line is' })
  @ApiOkResponse({ type: ProcurementOrderView })
  @ApiErrors(ProcurementOrderNotFoundError, NotYourLinesError, ProcurementStateError)
  ship(@CurrentUser() user: AuthUser, @Param() { id }: IdParam): Promise<ProcurementOrderView> {
    return this.orders.supplierStep(user, id, 'ship');
  }

  @Post('orders/:id/accept')
  @Idempotent()
  @HttpCode(200)
  @Roles(Role.UnitBuyer)
  @ApiOperation({
    summary:
      'The buyer accepts what arrived, with the invoice: the received amount counts toward the quota and reaches households',
  })
  @ApiOkResponse({ type: ProcurementOrderView })
  @ApiErrors(
    ProcurementOrderNotFoundError,
    NotOwnOrganizationError,
    ProcurementStateError,
    NothingReceivedError,
  )
  accept(
    @CurrentUser() user: AuthUser,
    @Param() { id }: IdParam,
    @Body() dto: AcceptDto,
  ): Promise<ProcurementOrderView> {
    return this.orders.accept(user, id, dto);
  }

  @Post('orders/:id/pay')
  @Idempotent()
  @HttpCode(200)
  @Roles(Role.Admin)
  @ApiOperation({
    summary: 'Records the unit’s payment of an accepted order (the bank transfer’s reference)',
  })
  @ApiOkResponse({ type: ProcurementOrderView })
  @ApiErrors(ProcurementOrderNotFoundError, ProcurementStateError)
  pay(
    @CurrentUser() user: AuthUser,
    @Param() { id }: IdParam,
    @Body() dto: PayDto,
  ): Promise<ProcurementOrderView> {
    return this.orders.pay(user, id, dto.reference);
  }
}

@ApiTags('procurement')
@Controller('fairs')
export class FairsController {
  constructor(@Inject(FairsService) private readonly fairs: FairsService) {}

  @Post()
  @Idempotent()
  @Roles(Role.Admin, Role.Cadre)
  @ApiOperation({ summary: 'An assistance group’s market day in a village (扶贫赶场)' })
  @ApiCreatedResponse({ type: FairView })
  create(@CurrentUser() user: AuthUser, @Body() dto: NewFairDto): Promise<FairView> {
    return this.fairs.create(user, dto);
  }

  @Get()
  @Roles(Role.Admin, Role.Cadre, Role.UnitBuyer)
  @ApiOperation({ summary: 'Fairs, newest first, with their sales so far' })
  @ApiOkResponse({ type: FairPage })
  list(@CurrentUser() user: AuthUser, @Query() q: FairListQuery): Promise<Page<FairView>> {
    return this.fairs.list(user, q);
  }

  @Get(':id')
  @Roles(Role.Admin, Role.Cadre, Role.UnitBuyer)
  @ApiOperation({ summary: 'One fair with its sales so far' })
  @ApiOkResponse({ type: FairView })
  @ApiErrors(FairNotFoundError)
  get(@CurrentUser() user: AuthUser, @Param() { id }: IdParam): Promise<FairView> {
    return this.fairs.get(user, id);
  }

  @Post(':id/sales')
  @Idempotent()
  @Roles(Role.Admin, Role.Cadre, Role.UnitBuyer)
  @ApiOperation({
    summary:
      'Records what was bought at a household’s stall: its income (channel FAIR), counted for the buyer',
  })
  @ApiCreatedResponse({ type: FairSaleView })
  @ApiErrors(FairNotFoundError, FairNotHeldYetError, NotOwnOrganizationError, ProductNotCertifiedError)
  addSale(
    @CurrentUser() user: AuthUser,
    @Param() { id }: IdParam,
    @Body() dto: NewFairSaleDto,
  ): Promise<FairSaleView> {
    return this.fairs.addSale(user, id, dto);
  }

  @Get(':id/sales')
  @Roles(Role.Admin, Role.Cadre, Role.UnitBuyer)
  @ApiOperation({ summary: 'The stall sales recorded at a fair' })
  @ApiOkResponse({ type: [FairSaleView] })
  @ApiErrors(FairNotFoundError)
  sales(@CurrentUser() user: AuthUser, @Param() { id }: IdParam): Promise<FairSaleView[]> {
    return this.fairs.sales(user, id);
  }
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

@ApiTags('procurement')
@Controller('reports')
export class ProcurementReportsController {
  constructor(@Inject(ProcurementReportsService) private readonly reports: ProcurementReportsService) {}

  @Get('procurement')
  @Roles(Role.Admin)
  @ApiOperation({
    summary:
      'The year’s procurement by organization type, organization, supplier or category (JSON, CSV, XLSX)',
  })
  @ApiProduces('application/json', 'text/csv', XLSX)
  @ApiOkResponse({ type: ProcurementReportView })
  async procurement(@Query() q: ProcurementReportQuery, @Res() res: FastifyReply): Promise<void> {
    const r = await this.reports.procurement(q.year, q.groupBy ?? 'organizationType');
    await this.send(
      res,
      q.format,
      `procurement-${q.year}-${r.groupBy}`,
      r,
      () => this.reports.procurementTable(r),
      () => this.reports.procurementSheet(r),
    );
  }

  @Get('procurement/below-quota')
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Organizations whose counted purchases fall short of their quota for the year' })
  @ApiOkResponse({ type: [BelowQuotaView] })
  belowQuota(@Query() q: YearQuery): Promise<BelowQuotaView[]> {
    return this.reports.belowQuota(q.year);
  }

  @Get('procurement/monthly')
  @Roles(Role.Admin)
  @ApiOperation({
    summary:
      'Progress by department up to a month’s end: units, declared shares, planned and completed (JSON, CSV, XLSX)',
  })
  @ApiProduces('application/json', 'text/csv', XLSX)
  @ApiOkResponse({ type: MonthlyReportView })
  async monthly(@Query() q: MonthlyQuery, @Res() res: FastifyReply): Promise<void> {
    const r = await this.reports.monthly(q.year, q.month);
    const table = () => this.reports.monthlyTable(r);
    await this.send(
      res,
      q.format,
      `procurement-${q.year}-${String(q.month).padStart(2, '0')}-by-department`,
      r,
      table,
      table,
    );
  }

  @Get('impact')
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'The year’s sales and household income by channel, organization type and town' })
  @ApiOkResponse({ type: ImpactView })
  impact(@Query() q: YearQuery): Promise<ImpactView> {
    return this.reports.impact(q.year);
  }

  private async send(
    res: FastifyReply,
    format: 'json' | 'csv' | 'xlsx' | undefined,
    name: string,
    json: object,
    csv: () => Table,
    sheet: () => Table,
  ): Promise<void> {
    if (format === 'csv') {
      await res
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}.csv"`)
        .send(toCsv(csv()));
    } else if (format === 'xlsx') {
      await res
        .type(XLSX)
        .header('content-disposition', `attachment; filename="${name}.xlsx"`)
        .send(await toXlsx([{ name: name.slice(0, 31), rows: sheet() }]));
    } else {
      await res.type('application/json; charset=utf-8').send(json);
    }
  }
}
