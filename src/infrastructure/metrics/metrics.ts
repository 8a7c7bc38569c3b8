import {
  CanActivate,
  Controller,
  ExecutionContext,
  Get,
  Header,
  Inject,
  Injectable,
  Module,
  UseGuards,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { createHash, timingSafeEqual } from 'node:crypto';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { Env, ENV } from '@/config/env';
import { Public } from '@/common/auth/decorators';
import { DomainError } from '@/common/errors/domain-error';

@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly jobs = new Counter({
    name: 'jobs_processed_total',
    help: 'Background jobs processed by name and outcome',
    labelNames: ['job', 'outcome'],
    registers: [this.registry],
  });

  readonly kioskEvents = new Counter({
    name: 'kiosk_device_events_total',
    help: 'Cabinet events by type and outcome (handled, or why dropped)',
    labelNames: ['type', 'outcome'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * With METRICS_TOKEN set (production requires it), a scrape must send `Authorization: Bearer <token>`
 * (Prometheus: `authorization: {credentials: ...}`); the metrics name routes and show the traffic.
 */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  private readonly expected: Buffer | null;

  constructor(@Inject(ENV) env: Env) {
    this.expected = env.METRICS_TOKEN ? digest(env.METRICS_TOKEN) : null;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected) {
      return true;
    }
    const header = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>()
      .headers.authorization;
    const given = typeof header === 'string' ? /^Bearer +(\S+) *$/i.exec(header)?.[1] : undefined;
    // Digests of equal length: the comparison takes the same time whatever was sent.
    if (given !== undefined && timingSafeEqual(digest(given), this.expected)) {
      return true;
    }
    throw new DomainError(
      401,
      'unauthenticated',
      'Unauthenticated',
      'GET /metrics needs "Authorization: Bearer <METRICS_TOKEN>".',
      undefined,
      { 'WWW-Authenticate': 'Bearer realm="metrics"' },
    );
  }
}

@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(MetricsService) private readonly metrics: MetricsService) {}

  @Get()
  // Not a user's route: the token, when set, is checked by MetricsTokenGuard instead of the access token.
  @Public()
  @UseGuards(MetricsTokenGuard)
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}

@Module({
  controllers: [MetricsController],
  providers: [MetricsService, MetricsTokenGuard],
  exports: [MetricsService],
})
export class MetricsModule {}
