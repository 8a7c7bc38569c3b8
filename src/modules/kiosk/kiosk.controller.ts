import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Put,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Public, Roles } from '@/common/auth/decorators';
import { AuthUser, Role } from '@/common/auth/role';
import { ApiErrors } from '@/common/errors/api-errors';
import { Idempotent } from '@/common/idempotency/idempotency.interceptor';
import { PageQuery } from '@/common/pagination';
import { LotNotFoundError } from '@/modules/catalog/errors';
import {
  OrderNotRefundableError,
  OutOfStockError,
  PaymentProviderUnavailableError,
} from '@/modules/orders/errors';
import { CabinetsService } from './cabinets.service';
import {
  AlertListView,
  AlertsQuery,
  CabinetCodeParam,
  CabinetCreatedView,
  CabinetListView,
  CabinetScanView,
  CabinetView,
  CreateCabinetDto,
  DisputeDto,
  KioskSessionView,
  LowStockListView,
  mapAlert,
  mapCabinet,
  mapSlot,
  PutSlotDto,
  QrQuery,
  ResolveDto,
  RestockDto,
  ScanQuery,
  ReviewPage,
  SessionListView,
  SlotParams,
  SlotView,
  UnlockDto,
  UnpaidBalanceView,
} from './dto/kiosk.dto';
import {
  CabinetBusyError,
  CabinetMaintenanceError,
  CabinetNotFoundError,
  CabinetOfflineError,
  KioskSessionNotFoundError,
  LotNotOfProductError,
  NotAMaintenanceCabinetError,
  NotYourSessionError,
  PaymentAgreementRequiredError,
  SessionNotDisputableError,
  SessionNotInReviewError,
  SlotNotFoundError,
  UnpaidBalanceError,
} from './errors';
import { KioskResolutionService } from './kiosk-resolution.service';
import { posterPng, posterSvg } from '@/common/qr-poster';
import { RestockService } from './restock.service';
import { KioskSessionsService } from './sessions.service';

@ApiTags('kiosk')
@Controller()
export class KioskController {
  constructor(
    @Inject(CabinetsService) private readonly cabinets: CabinetsService,
    @Inject(KioskSessionsService) private readonly sessions: KioskSessionsService,
    @Inject(KioskResolutionService) private readonly resolution: KioskResolutionService,
    @Inject(RestockService) private readonly restock: RestockService,
  ) {}

  // --- cabinets ---

  @Post('cabinets')
  @Idempotent()
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Registers a cabinet; its device secret is answered this once' })
  @ApiCreatedResponse({ type: CabinetCreatedView })
  async create(@Body() dto: CreateCabinetDto): Promise<CabinetCreatedView> {
    const { cabinet, deviceSecret } = await this.cabinets.create(dto);
    return { id: cabinet.id, code: cabinet.code, deviceSecret, qrUrl: this.cabinets.qrUrlOf(cabinet.code) };
  }

  @Get('cabinets')
  @Roles(Role.Admin, Role.Operator)
  @ApiOperation({ summary: 'Every cabinet with its status and slots' })
  @ApiOkResponse({ type: CabinetListView })
  async list(): Promise<CabinetListView> {
    const items = await Promise.all(
      (await this.cabinets.list()).map(async (c) =>
        mapCabinet(
          c,
          this.cabinets.effectiveStatus(c),
          this.cabinets.qrUrlOf(c.code),
          await this.cabinets.slotsOf(c.id),
        ),
      ),
    );
    return { items };
  }

  @Get('cabinets/:code')
  @Roles(Role.Admin, Role.Operator)
  @ApiOperation({ summary: 'One cabinet: status (ONLINE, OFFLINE, MAINTENANCE), last heard from, slots' })
  @ApiOkResponse({ type: CabinetView })
  @ApiErrors(CabinetNotFoundError)
  async get(@Param() { code }: CabinetCodeParam): Promise<CabinetView> {
    const c = await this.cabinets.requireByCode(code);
    return mapCabinet(
      c,
      this.cabinets.effectiveStatus(c),
      this.cabinets.qrUrlOf(c.code),
      await this.cabinets.slotsOf(c.id),
    );
  }

  @Put('cabinets/:code/slots/:slotNo')
  @Roles(Role.Admin, Role.Operator)
  @ApiOperation({
    summary:
      'Stocks a slot: `quantity` units of the lot are in it; the difference moves between the lot and the slot',
  })
  @ApiOkResponse({ type: SlotView })
  @ApiErrors(CabinetNotFoundError, LotNotFoundError, LotNotOfProductError, OutOfStockError)
  async putSlot(@Param() { code, slotNo }: SlotParams, @Body() dto: PutSlotDto): Promise<SlotView> {
    return mapSlot(await this.cabinets.putSlot(code, slotNo, dto));
  }

  @Delete('cabinets/:code/slots/:slotNo')
  @Roles(Role.Admin, Role.Operator)
  @HttpCode(204)
  @ApiOperation({ summary: 'Unstocks a slot: its units go back to their lot' })
  @ApiNoContentResponse({ description: 'The slot is gone and its units are back in the lot' })
  @ApiErrors(CabinetNotFoundError, SlotNotFoundError)
  async removeSlot(@Param() { code, slotNo }: SlotParams): Promise<void> {
    await this.cabinets.removeSlot(code, slotNo);
  }

  @Get('cabinets/:code/qr')
  @Roles(Role.Admin, Role.Operator)
  @ApiOperation({ summary: 'The printable QR poster of the cabinet (PNG or SVG), its name under the code' })
  @ApiProduces('image/png', 'image/svg+xml')
  @ApiOkResponse({ description: 'The poster', schema: { type: 'string', format: 'binary' } })
  @ApiErrors(CabinetNotFoundError)
  async qr(
    @Param() { code }: CabinetCodeParam,
    @Query() q: QrQuery,
    @Res() res: FastifyReply,
  ): Promise<void> {
    const c = await this.cabinets.requireByCode(code);
    const url = this.cabinets.qrUrlOf(c.code);
    const file = `cabinet-${c.code}-qr.${q.format ?? 'png'}`;
    void res.header('content-disposition', `inline; filename="${file}"`);
    if (q.format === 'svg') {
      await res.type('image/svg+xml; charset=utf-8').send(await posterSvg(url, c.name, c.code));
      return;
    }
    await res.type('image/png').send(await posterPng(url, c.name, c.code));
  }

  @Post('cabinets/:code/clear-maintenance')
  @Idempotent()
  @Roles(Role.Admin, Role.Operator)
  @HttpCode(200)
  @ApiOperation({ summary: 'An operator puts a cabinet back in service after a fault' })
  @ApiOkResponse({ type: CabinetView })
  @ApiErrors(CabinetNotFoundError, NotAMaintenanceCabinetError)
  async clear(@CurrentUser() user: AuthUser, @Param() { code }: CabinetCodeParam): Promise<CabinetView> {
    const c = await this.cabinets.clearMaintenance(code, user.id);
    return mapCabinet(
      c,
      this.cabinets.effectiveStatus(c),
      this.cabinets.qrUrlOf(c.code),
      await this.cabinets.slotsOf(c.id),
    );
  }

  @Post('cabinets/:code/restock')
  @Idempotent()
  @Roles(Role.Admin, Role.Operator)
  @ApiOperation({
    summary: 'An operator opens the cabinet to restock it (or take goods out); nobody is charged',
  })
  @ApiCreatedResponse({ type: KioskSessionView })
  @ApiErrors(CabinetNotFoundError, CabinetOfflineError, CabinetBusyError)
  openRestock(
    @CurrentUser() user: AuthUser,
    @Param() { code }: CabinetCodeParam,
    @Body() dto: RestockDto,
  ): Promise<KioskSessionView> {
    return this.restock.open(user, code, dto);
  }

  @Get('kiosk/low-stock')
  @Roles(Role.Admin, Role.Operator)
  @ApiOperation({ summary: 'Slots below their par level, fewest units first (the restocking round)' })
  @ApiOkResponse({ type: LowStockListView })
  async lowStock(): Promise<LowStockListView> {
    return { items: await this.cabinets.lowStock() };
  }

  @Get('kiosk/alerts')
  @Roles(Role.Admin, Role.Operator)
  @ApiOperation({ summary: 'Faults and alerts of the cabinets, newest first' })
  @ApiOkResponse({ type: AlertListView })
  @ApiErrors(CabinetNotFoundError)
  async alerts(@Query() q: AlertsQuery): Promise<AlertListView> {
    const page = await this.cabinets.alerts({
      cabinetCode: q.cabinetCode,
      open: q.open,
      limit: q.limit ?? 50,
      cursor: q.cursor,
    });
    return { items: page.items.map(mapAlert), nextCursor: page.nextCursor };
  }

  // --- sessions ---

  @Get('kiosk/scan')
  @Public()
  @ApiOperation({
    summary:
      'What a scanned QR code names: the cabinet, its status and whether it is in use (no sign-in needed)',
  })
  @ApiOkResponse({ type: CabinetScanView })
  @ApiErrors(CabinetNotFoundError)
  scan(@Query() q: ScanQuery): Promise<CabinetScanView> {
    return this.sessions.scan(q.qrUrl);
  }

  @Post('kiosk/sessions')
  @Idempotent()
  @Roles(Role.Citizen)
  @ApiOperation({ summary: 'Scan to open: unlocks the cabinet of the QR code for the citizen' })
  @ApiCreatedResponse({ type: KioskSessionView })
  @ApiErrors(
    CabinetNotFoundError,
    CabinetOfflineError,
    CabinetMaintenanceError,
    CabinetBusyError,
    PaymentAgreementRequiredError,
    UnpaidBalanceError,
  )
  unlock(@CurrentUser() user: AuthUser, @Body() dto: UnlockDto): Promise<KioskSessionView> {
    return this.sessions.unlock(user, dto.qrUrl);
  }

  @Get('kiosk/sessions')
  @Roles(Role.Citizen)
  @ApiOperation({ summary: 'My cabinet purchases, newest first' })
  @ApiOkResponse({ type: SessionListView })
  async mine(@CurrentUser() user: AuthUser, @Query() q: PageQuery): Promise<SessionListView> {
    return this.sessions.listMine(user, q.limit ?? 20, q.cursor);
  }

  @Get('kiosk/me/unpaid')
  @Roles(Role.Citizen)
  @ApiOperation({ summary: 'What I owe for cabinet purchases whose charge did not go through' })
  @ApiOkResponse({ type: UnpaidBalanceView })
  unpaid(@CurrentUser() user: AuthUser): Promise<UnpaidBalanceView> {
    return this.sessions.unpaidOf(user);
  }

  @Get('kiosk/sessions/:id')
  @Roles(Role.Citizen, Role.Admin, Role.Operator)
  @ApiOperation({ summary: 'One session: status, items, payment and how much reached households' })
  @ApiOkResponse({ type: KioskSessionView })
  @ApiErrors(KioskSessionNotFoundError, NotYourSessionError)
  get1(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<KioskSessionView> {
    return this.sessions.getFor(user, id);
  }

  @Post('kiosk/sessions/:id/dispute')
  @Idempotent()
  @Roles(Role.Citizen)
  @ApiOperation({
    summary: 'The citizen disputes a settled purchase within the refund window: it goes to review',
  })
  @ApiCreatedResponse({ type: KioskSessionView })
  @ApiErrors(KioskSessionNotFoundError, NotYourSessionError, SessionNotDisputableError)
  dispute(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body() dto: DisputeDto,
  ): Promise<KioskSessionView> {
    return this.sessions.dispute(user, id, dto.reason);
  }

  @Get('kiosk/reviews')
  @Roles(Role.Admin, Role.Operator)
  @ApiOperation({
    summary: 'Sessions in review with their evidence (weights per slot before and after, candidate items)',
  })
  @ApiOkResponse({ type: ReviewPage })
  reviews(@Query() q: PageQuery): Promise<ReviewPage> {
    return this.sessions.reviews(q.limit ?? 50, q.cursor);
  }

  @Post('kiosk/sessions/:id/resolve')
  @Idempotent()
  @Roles(Role.Admin, Role.Operator)
  @HttpCode(200)
  @ApiOperation({
    summary: 'Resolves a session in review with the items actually taken: charges, refunds or closes',
  })
  @ApiOkResponse({ type: KioskSessionView })
  @ApiErrors(
    KioskSessionNotFoundError,
    SessionNotInReviewError,
    OrderNotRefundableError,
    PaymentProviderUnavailableError,
  )
  resolve(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body() dto: ResolveDto,
  ): Promise<KioskSessionView> {
    return this.resolution.resolve(user, id, dto);
  }
}
