import { Body, Controller, Get, Header, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '@/common/auth/decorators';
import { AuthUser, Role } from '@/common/auth/role';
import { IsCalendarDate } from '@/common/validation';
import { QueueService } from '@/infrastructure/queue/queue.service';
import { AccrualsService } from './accruals.service';
import { LedgerJobName } from './jobs/ledger.job-definitions';
import {
  AccrueDto,
  CloseSeasonDto,
  CreatePayoutDto,
  HarvestDto,
  IncomeQuery,
  mapPayout,
  mapReconciliation,
  PayoutPaidDto,
  ReconcileDto,
} from './dto/ledger.dto';
import { IncomeService, IncomeStatement } from './income.service';
import { PayoutsService } from './payouts.service';
import { ReconciliationService } from './reconciliation.service';
import { Idempotent } from '@/common/idempotency/idempotency.interceptor';

class DateParam {
  @IsCalendarDate()
  date: string;
}

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
  incomeOf(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Query() q: IncomeQuery,
  ): Promise<IncomeStatement> {
    return this.income.statementFor(user, id, q.from, q.to);
  }

  @Post('ledger/reconciliations')
  @Idempotent()
  @Roles(Role.Admin)
  @HttpCode(202)
  @ApiOperation({ summary: 'Runs the reconciliation job for a business date' })
  async reconcile(@Body() dto: ReconcileDto): Promise<{ date: string; status: 'RUNNING' }> {
    await this.reconciliation.request(dto.date);
    await this.queues.add(LedgerJobName.Reconcile, { date: dto.date });
    return { date: dto.date, status: 'RUNNING' };
  }

  @Get('ledger/reconciliations/:date')
  @Roles(Role.Admin)
  async reconciliationOf(@Param() p: DateParam) {
    return mapReconciliation(await this.reconciliation.get(p.date));
  }

  @Post('ledger/accruals')
  @Idempotent()
  @Roles(Role.Admin)
  @HttpCode(200)
  @ApiOperation({ summary: 'Posts a month’s management fees, equity dividends and wages (idempotent)' })
  accrue(@Body() dto: AccrueDto): Promise<{ month: string; posted: number }> {
    return this.accruals.accrueMonth(dto.month);
  }

  @Post('ledger/monitoring')
  @Idempotent()
  @Roles(Role.Admin)
  @HttpCode(200)
  @ApiOperation({ summary: 'Runs the return-to-poverty monitoring now' })
  monitor(): Promise<{ monitored: number; lifted: number }> {
    return this.income.monitor();
  }

  @Post('suppliers/:id/harvests')
  @Idempotent()
  @Roles(Role.Admin, Role.Supplier)
  @ApiOperation({ summary: 'Records a household’s picking; the picking fee is posted to it' })
  async harvest(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() dto: HarvestDto) {
    const h = await this.accruals.recordHarvest(user, id, dto);
    return {
      id: h.id,
      supplierId: h.supplierId,
      householdId: h.householdId,
      season: h.season,
      pickedOn: h.pickedOn,
      weightGrams: h.weightGrams,
      feeFen: h.feeFen,
    };
  }

  @Post('suppliers/:id/seasons/:season/close')
  @Idempotent()
  @Roles(Role.Admin, Role.Supplier)
  @ApiOperation({
    summary: 'Closes a season with each household’s yield per plant and trues up the dividend tier',
  })
  async closeSeason(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Param('season') season: string,
    @Body() dto: CloseSeasonDto,
  ) {
    const c = await this.accruals.closeSeason(user, id, season, dto.yields);
    return { supplierId: c.supplierId, season: c.season, results: c.results };
  }

  @Post('ledger/payouts')
  @Idempotent()
  @Roles(Role.Admin)
  async createPayout(@Body() dto: CreatePayoutDto) {
    return mapPayout(await this.payouts.create(dto.minimumFen));
  }

  @Get('ledger/payouts/:id')
  @Roles(Role.Admin)
  async payout(@Param('id') id: string) {
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
  payoutFile(@Param('id') id: string): Promise<string> {
    return this.payouts.file(id);
  }

  @Post('ledger/payouts/:id/paid')
  @Idempotent()
  @Roles(Role.Admin)
  @HttpCode(200)
  async payoutPaid(@Param('id') id: string, @Body() dto: PayoutPaidDto) {
    return mapPayout(await this.payouts.markPaid(id, dto.reference));
  }
}
