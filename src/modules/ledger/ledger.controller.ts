import { Body, Controller, Get, Header, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentUser, Roles } from '@/common/auth/decorators';
import { AuthUser, Role } from '@/common/auth/role';
import { ApiErrors } from '@/common/errors/api-errors';
import { Idempotent } from '@/common/idempotency/idempotency.interceptor';
import { QueueService } from '@/infrastructure/queue/queue.service';
import { HouseholdNotFoundError, HouseholdOutsideRegionError } from '@/modules/households/errors';
import { NoRegionScopeError } from '@/modules/regions/errors';
import { NotOwnSupplierError } from '@/modules/suppliers/errors';
import { AccrualsService } from './accruals.service';
import { LedgerJobName } from './jobs/ledger.job-definitions';
import {
  AccrualView,
  AccrueDto,
  ChannelFiguresView,
  CloseSeasonDto,
  CreatePayoutDto,
  DateParam,
  HarvestDto,
  HarvestView,
  IncomeQuery,
  IncomeStatementView,
  mapHarvest,
  mapPayout,
  mapReconciliation,
  MonitoringView,
  PayoutDetailView,
  PayoutPaidDto,
  PayoutView,
  ReconcileDto,
  ReconciliationStartedView,
  ReconciliationView,
  SeasonCloseView,
} from './dto/ledger.dto';
import {
  NoPlotContractsError,
  NothingToPayError,
  PayoutAlreadyPaidError,
  PayoutNotFoundError,
  PlotContractNotFoundError,
  ReconciliationNotFoundError,
  SeasonClosedError,
} from './errors';
import { IncomeService } from './income.service';
import { PayoutsService } from './payouts.service';
import { ReconciliationService } from './reconciliation.service';

@ApiTags('ledger')
@Controller()
export class LedgerController {
  constructor(
    @Inject(IncomeService) private readonly income: IncomeService,
    @Inject(ReconciliationService) private readonly reconciliation: ReconciliationService,
    @Inject(AccrualsService) private readonly accruals: AccrualsService,
    @Inject(PayoutsService) private readonly payouts: PayoutsService,
    @Inject(QueueService) private readonly queues: QueueService,
  ) {}

  @Get('households/:id/income')
  @Roles(Role.Admin, Role.Cadre)
  @ApiOperation({
    summary: 'A household’s income, fen by fen: every posting, by source and channel, pending and available',
  })
  @ApiOkResponse({ type: IncomeStatementView })
  @ApiErrors(HouseholdNotFoundError, HouseholdOutsideRegionError, NoRegionScopeError)
  incomeOf(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Query() q: IncomeQuery,
  ): Promise<IncomeStatementView> {
    return this.income.statementFor(user, id, q.from, q.to);
  }

  @Post('ledger/reconciliations')
  @Idempotent()
  @Roles(Role.Admin)
  @HttpCode(202)
  @ApiOperation({ summary: 'Runs the reconciliation job for a business date' })
  @ApiAcceptedResponse({ type: ReconciliationStartedView })
  async reconcile(@Body() dto: ReconcileDto): Promise<ReconciliationStartedView> {
    await this.reconciliation.request(dto.date);
    await this.queues.add(LedgerJobName.Reconcile, { date: dto.date });
    return { date: dto.date, status: 'RUNNING' };
  }

  @Get('ledger/reconciliations/:date')
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'The outcome of a business date’s reconciliation, with its discrepancies' })
  @ApiExtraModels(ChannelFiguresView)
  @ApiOkResponse({ type: ReconciliationView })
  @ApiErrors(ReconciliationNotFoundError)
  async reconciliationOf(@Param() p: DateParam): Promise<ReconciliationView> {
    return mapReconciliation(await this.reconciliation.get(p.date));
  }

  @Post('ledger/accruals')
  @Idempotent()
  @Roles(Role.Admin)
  @HttpCode(200)
  @ApiOperation({ summary: 'Posts a month’s management fees, equity dividends and wages (idempotent)' })
  @ApiOkResponse({ type: AccrualView })
  accrue(@Body() dto: AccrueDto): Promise<AccrualView> {
    return this.accruals.accrueMonth(dto.month);
  }

  @Post('ledger/monitoring')
  @Idempotent()
  @Roles(Role.Admin)
  @HttpCode(200)
  @ApiOperation({ summary: 'Runs the return-to-poverty monitoring now' })
  @ApiOkResponse({ type: MonitoringView })
  monitor(): Promise<MonitoringView> {
    return this.income.monitor();
  }

  @Post('suppliers/:id/harvests')
  @Idempotent()
  @Roles(Role.Admin, Role.Supplier)
  @ApiOperation({ summary: 'Records a household’s picking; the picking fee is posted to it' })
  @ApiCreatedResponse({ type: HarvestView })
  @ApiErrors(NotOwnSupplierError, PlotContractNotFoundError)
  async harvest(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body() dto: HarvestDto,
  ): Promise<HarvestView> {
    return mapHarvest(await this.accruals.recordHarvest(user, id, dto));
  }

  @Post('suppliers/:id/seasons/:season/close')
  @Idempotent()
  @Roles(Role.Admin, Role.Supplier)
  @ApiOperation({
    summary: 'Closes a season with each household’s yield per plant and trues up the dividend tier',
  })
  @ApiParam({ name: 'season', description: 'A year', schema: { type: 'string', pattern: '^\\d{4}$' } })
  @ApiCreatedResponse({ type: SeasonCloseView })
  @ApiErrors(NotOwnSupplierError, SeasonClosedError, NoPlotContractsError)
  async closeSeason(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Param('season') season: string,
    @Body() dto: CloseSeasonDto,
  ): Promise<SeasonCloseView> {
    const c = await this.accruals.closeSeason(user, id, season, dto.yields);
    return { supplierId: c.supplierId, season: c.season, results: c.results };
  }

  @Post('ledger/payouts')
  @Idempotent()
  @Roles(Role.Admin)
  @ApiOperation({
    summary: 'Creates a payout batch of every household with a bank account and enough available income',
  })
  @ApiCreatedResponse({ type: PayoutView })
  @ApiErrors(NothingToPayError)
  async createPayout(@Body() dto: CreatePayoutDto): Promise<PayoutView> {
    return mapPayout(await this.payouts.create(dto.minimumFen));
  }

  @Get('ledger/payouts/:id')
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'A payout batch with its lines' })
  @ApiOkResponse({ type: PayoutDetailView })
  @ApiErrors(PayoutNotFoundError)
  async payout(@Param('id') id: string): Promise<PayoutDetailView> {
    const b = await this.payouts.get(id);
    return {
      ...mapPayout(b),
      lines: (await this.payouts.linesOf(id)).map((l) => ({
        householdId: l.householdId,
        amountFen: l.amountFen,
      })),
    };
  }

  @Get('ledger/payouts/:id/file')
  @Roles(Role.Admin)
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @ApiOperation({ summary: 'The bank transfer file of a batch (CSV)' })
  @ApiProduces('text/csv')
  @ApiOkResponse({
    description: 'UTF-8 with a byte order mark: seq, registry_no, payee_name, bank_account, amount_yuan, …',
    schema: { type: 'string' },
  })
  @ApiErrors(PayoutNotFoundError)
  payoutFile(@Param('id') id: string): Promise<string> {
    return this.payouts.file(id);
  }

  @Post('ledger/payouts/:id/paid')
  @Idempotent()
  @Roles(Role.Admin)
  @HttpCode(200)
  @ApiOperation({ summary: 'Marks a batch paid with the bank’s reference' })
  @ApiOkResponse({ type: PayoutView })
  @ApiErrors(PayoutNotFoundError, PayoutAlreadyPaidError)
  async payoutPaid(@Param('id') id: string, @Body() dto: PayoutPaidDto): Promise<PayoutView> {
    return mapPayout(await this.payouts.markPaid(id, dto.reference));
  }
}
