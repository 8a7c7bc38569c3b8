import {
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentUser, Public, Roles } from '@/common/auth/decorators';
import { AuthUser, Role } from '@/common/auth/role';
import { ApiErrors } from '@/common/errors/api-errors';
import { ValidationFailedError } from '@/common/errors/domain-error';
import { Idempotent } from '@/common/idempotency/idempotency.interceptor';
import { Page } from '@/common/pagination';
import { posterPng } from '@/common/qr-poster';
import { OutOfStockError, ProductNotCertifiedError } from '@/modules/orders/errors';
import {
  CreateSessionDto,
  ExternalOrdersDto,
  HostIdParam,
  HostTotalsView,
  ImportAcceptedView,
  ImportIdParam,
  ImportView,
  LeaderboardQuery,
  LeaderboardView,
  LiveOrderView,
  OfferMappingDto,
  OfferParams,
  OfferView,
  PeriodQuery,
  PlaceLiveOrderDto,
  PublicSessionView,
  SessionIdParam,
  SessionListQuery,
  SessionPage,
  SessionReportView,
  SessionStatsView,
  SessionStatusView,
  SessionView,
} from './dto/live.dto';
import {
  HostNotFoundError,
  ImportNotFoundError,
  InvalidSessionTransitionError,
  LimitExceededError,
  LiveSessionNotFoundError,
  NotYourSessionError,
  OfferNotFoundError,
  SessionNotLiveError,
  SoldOutError,
  StockBusyError,
} from './errors';
import { ImportsService } from './imports/imports.service';
import { LiveOrdersService } from './live-orders.service';
import { LiveSessionsService } from './live-sessions.service';
import { LiveStatsService, reportCsv } from './live-stats.service';

/** Opens a Server-Sent Events answer on the raw response; the caller writes `data:` frames to it. */
function openEventStream(
  req: FastifyRequest,
  res: FastifyReply,
  onClose: () => void,
): (data: unknown) => void {
  res.hijack();
  res.raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-request-id': String(req.id),
  });
  res.raw.write('retry: 2000\n\n');
  req.raw.on('close', onClose);
  return (data) => res.raw.write(`data: ${JSON.stringify(data)}\n\n`);
}

@ApiTags('livestream')
@Controller('live')
export class LiveSessionsController {
  constructor(
    @Inject(LiveSessionsService) private readonly sessions: LiveSessionsService,
    @Inject(LiveOrdersService) private readonly orders: LiveOrdersService,
    @Inject(LiveStatsService) private readonly stats: LiveStatsService,
    @Inject(ImportsService) private readonly imports: ImportsService,
  ) {}

  @Post('sessions')
  @Idempotent()
  @Roles(Role.Admin, Role.Host)
  @ApiOperation({
    summary:
      'Schedules a live session; each offer’s units are carved out of the supply lots (first-expiring first)',
  })
  @ApiCreatedResponse({ type: SessionView })
  @ApiErrors(NotYourSessionError, ProductNotCertifiedError, OutOfStockError)
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateSessionDto): Promise<SessionView> {
    return this.sessions.create(user, dto);
  }

  @Get('sessions')
  @Roles(Role.Admin, Role.Host)
  @ApiOperation({ summary: 'Live sessions: all for an administrator, its own for a host' })
  @ApiOkResponse({ type: SessionPage })
  list(@CurrentUser() user: AuthUser, @Query() q: SessionListQuery): Promise<Page<SessionView>> {
    return this.sessions.list(user, q);
  }

  @Get('sessions/:id')
  @Roles(Role.Admin, Role.Host)
  @ApiOperation({ summary: 'A live session with its offers, share link and QR code' })
  @ApiOkResponse({ type: SessionView })
  @ApiErrors(LiveSessionNotFoundError, NotYourSessionError)
  get(@CurrentUser() user: AuthUser, @Param() { id }: SessionIdParam): Promise<SessionView> {
    return this.sessions.get(user, id);
  }

  @Post('sessions/:id/start')
  @Idempotent()
  @Roles(Role.Admin, Role.Host)
  @HttpCode(200)
  @ApiOperation({ summary: 'Goes live: the offers go on sale' })
  @ApiOkResponse({ type: SessionStatusView })
  @ApiErrors(LiveSessionNotFoundError, NotYourSessionError, InvalidSessionTransitionError)
  async start(@CurrentUser() user: AuthUser, @Param() { id }: SessionIdParam): Promise<SessionStatusView> {
    const status = await this.sessions.start(user, id);
    this.orders.forget();
    return { status };
  }

  @Post('sessions/:id/end')
  @Idempotent()
  @Roles(Role.Admin, Role.Host)
  @HttpCode(200)
  @ApiOperation({
    summary: 'Ends the session: offers go off sale, units neither sold nor reserved return to their lots',
  })
  @ApiOkResponse({ type: SessionStatusView })
  @ApiErrors(LiveSessionNotFoundError, NotYourSessionError, InvalidSessionTransitionError)
  async end(@CurrentUser() user: AuthUser, @Param() { id }: SessionIdParam): Promise<SessionStatusView> {
    const status = await this.sessions.end(user, id);
    this.orders.forget();
    return { status };
  }

  @Patch('sessions/:id/offers/:offerId')
  @Roles(Role.Admin, Role.Host)
  @ApiOperation({ summary: 'Maps an offer to the codes platform exports name it by (商家编码, 商品ID)' })
  @ApiOkResponse({ type: OfferView })
  @ApiErrors(LiveSessionNotFoundError, NotYourSessionError, OfferNotFoundError)
  setMapping(
    @CurrentUser() user: AuthUser,
    @Param() { id, offerId }: OfferParams,
    @Body() dto: OfferMappingDto,
  ): Promise<OfferView> {
    return this.sessions.setMapping(user, id, offerId, dto);
  }

  @Post('sessions/:id/orders')
  @Idempotent()
  @Roles(Role.Citizen)
  @ApiOperation({
    summary:
      'Buys from a live offer: units are reserved for 15 minutes until paid (POST /orders/:id/payments)',
  })
  @ApiCreatedResponse({ type: LiveOrderView })
  @ApiErrors(
    LiveSessionNotFoundError,
    OfferNotFoundError,
    SessionNotLiveError,
    SoldOutError,
    LimitExceededError,
    ProductNotCertifiedError,
    StockBusyError,
  )
  placeOrder(
    @CurrentUser() user: AuthUser,
    @Param() { id }: SessionIdParam,
    @Body() dto: PlaceLiveOrderDto,
  ): Promise<LiveOrderView> {
    return this.orders.place(user, id, dto);
  }

  @Get('sessions/:id/stats')
  @Roles(Role.Admin, Role.Host)
  @ApiOperation({ summary: 'The session’s figures: paid money, orders, units, buyers, each offer’s stock' })
  @ApiOkResponse({ type: SessionStatsView })
  @ApiErrors(LiveSessionNotFoundError, NotYourSessionError)
  getStats(@CurrentUser() user: AuthUser, @Param() { id }: SessionIdParam): Promise<SessionStatsView> {
    return this.stats.statsFor(user, id);
  }

  @Get('sessions/:id/stats/stream')
  @Roles(Role.Admin, Role.Host)
  @SkipThrottle()
  @ApiOperation({ summary: 'Server-Sent Events: the session’s figures now and on every change' })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ type: SessionStatsView, description: 'Each `data:` frame is the figures as JSON' })
  @ApiErrors(LiveSessionNotFoundError, NotYourSessionError)
  async statsStream(
    @CurrentUser() user: AuthUser,
    @Param() { id }: SessionIdParam,
    @Req() req: FastifyRequest,
    @Res() res: FastifyReply,
  ): Promise<void> {
    await this.sessions.requireOwn(user, id);
    const closers: (() => void)[] = [];
    const send = openEventStream(req, res, () => closers.forEach((c) => c()));
    const stream = this.stats.stream(id, send);
    closers.push(() => stream.close());
  }

  @Get('sessions/:id/report')
  @Roles(Role.Admin, Role.Host)
  @ApiOperation({
    summary: 'The end-of-session report: money, units, buyers, households benefited, top products',
  })
  @ApiOkResponse({ type: SessionReportView })
  @ApiErrors(LiveSessionNotFoundError, NotYourSessionError)
  report(@CurrentUser() user: AuthUser, @Param() { id }: SessionIdParam): Promise<SessionReportView> {
    return this.stats.report(user, id);
  }

  @Get('sessions/:id/report.csv')
  @Roles(Role.Admin, Role.Host)
  @ApiOperation({ summary: 'The end-of-session report as CSV (UTF-8 with BOM, opens in a spreadsheet)' })
  @ApiProduces('text/csv')
  @ApiOkResponse({
    description: 'Summary rows, then the products ranked by money',
    schema: { type: 'string' },
  })
  @ApiErrors(LiveSessionNotFoundError, NotYourSessionError)
  async reportFile(
    @CurrentUser() user: AuthUser,
    @Param() { id }: SessionIdParam,
    @Res() res: FastifyReply,
  ): Promise<void> {
    const r = await this.stats.report(user, id);
    await res
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="live-${id}-report.csv"`)
      .send(reportCsv(r));
  }

  @Get('sessions/:id/public')
  @Public()
  @ApiOperation({ summary: 'What a viewer sees: the session’s offers with price and what is left' })
  @ApiOkResponse({ type: PublicSessionView })
  @ApiErrors(LiveSessionNotFoundError)
  publicView(@Param() { id }: SessionIdParam): Promise<PublicSessionView> {
    return this.sessions.publicView(id);
  }

  @Get('sessions/:id/public/stream')
  @Public()
  @SkipThrottle()
  @ApiOperation({ summary: 'Server-Sent Events for viewers: the offers and what is left, on every change' })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ type: PublicSessionView, description: 'Each `data:` frame is the viewer’s view as JSON' })
  @ApiErrors(LiveSessionNotFoundError)
  async publicStream(
    @Param() { id }: SessionIdParam,
    @Req() req: FastifyRequest,
    @Res() res: FastifyReply,
  ): Promise<void> {
    await this.sessions.publicView(id);
    const closers: (() => void)[] = [];
    const send = openEventStream(req, res, () => closers.forEach((c) => c()));
    const stream = this.stats.publicStream(id, send);
    closers.push(() => stream.close());
  }

  @Get('sessions/:id/qr.png')
  @Public()
  @ApiOperation({ summary: 'A QR poster of the session’s share link (PNG), its title under the code' })
  @ApiProduces('image/png')
  @ApiOkResponse({ description: 'The poster', schema: { type: 'string', format: 'binary' } })
  @ApiErrors(LiveSessionNotFoundError)
  async qr(@Param() { id }: SessionIdParam, @Res() res: FastifyReply): Promise<void> {
    const s = await this.sessions.publicView(id);
    await res
      .type('image/png')
      .header('content-disposition', `inline; filename="live-${id}-qr.png"`)
      .send(
        await posterPng(this.sessions.shareUrl(id), s.title, s.hostName, '扫码进入直播间 · 助农好物限量抢购'),
      );
  }

  @Post('sessions/:id/external-orders')
  @Idempotent()
  @Roles(Role.Admin, Role.Host)
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Imports a platform’s order export (Douyin/Kuaishou CSV, WeChat Channels XLSX, UTF-8 or GBK) or JSON rows, in the background',
  })
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiAcceptedResponse({ type: ImportAcceptedView })
  @ApiErrors(LiveSessionNotFoundError, NotYourSessionError)
  async importOrders(
    @CurrentUser() user: AuthUser,
    @Param() { id }: SessionIdParam,
    @Body() dto: ExternalOrdersDto,
  ): Promise<ImportAcceptedView> {
    if (dto.file !== undefined && !Buffer.isBuffer(dto.file)) {
      throw new ValidationFailedError([{ field: 'file', message: 'file must be sent as a multipart file' }]);
    }
    return { importId: await this.imports.submit(user, id, dto) };
  }

  @Get('imports/:id')
  @Roles(Role.Admin, Role.Host)
  @ApiOperation({
    summary: 'An import’s progress: rows done, accepted, refunded, and each refused row with why',
  })
  @ApiOkResponse({ type: ImportView })
  @ApiErrors(ImportNotFoundError)
  importStatus(@CurrentUser() user: AuthUser, @Param() { id }: ImportIdParam): Promise<ImportView> {
    return this.imports.view(user, id);
  }

  @Get('hosts/:id/totals')
  @Roles(Role.Admin, Role.Host)
  @ApiOperation({ summary: 'A host’s totals over a period of business days (sales paid in it)' })
  @ApiOkResponse({ type: HostTotalsView })
  @ApiErrors(HostNotFoundError, NotYourSessionError)
  hostTotals(
    @CurrentUser() user: AuthUser,
    @Param() { id }: HostIdParam,
    @Query() q: PeriodQuery,
  ): Promise<HostTotalsView> {
    return this.stats.hostTotals(user, id, q);
  }

  @Get('leaderboard')
  @Roles(Role.Admin, Role.Host)
  @Header('cache-control', 'no-store')
  @ApiOperation({ summary: 'Hosts ranked by paid money or by households benefited over a period' })
  @ApiOkResponse({ type: LeaderboardView })
  leaderboard(@Query() q: LeaderboardQuery): Promise<LeaderboardView> {
    return this.stats.leaderboard(q);
  }
}
