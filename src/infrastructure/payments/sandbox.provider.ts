import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Repository } from 'typeorm';
import { request } from 'undici';
import { Env, ENV } from '@/config/env';
import { newId } from '@/common/ids';
import { businessDate } from '@/common/time';
import { RedisService } from '@/infrastructure/redis/redis.module';
import {
  InvalidNotificationError,
  PaymentProvider,
  ProviderNotification,
  ProviderPayment,
  ProviderStatus,
  StatementLine,
} from './payment-provider';
import { SandboxTransactionEntity } from './sandbox-transaction.entity';

/** What the sandbox does with the next payment; tests script it, the default is APPROVE. */
export type SandboxBehaviour = 'APPROVE' | 'DECLINE' | 'LOSE' | 'DUPLICATE' | `DELAY:${number}`;

export const SANDBOX_SIGNATURE_HEADER = 'x-sandbox-signature';

/**
 * A gateway that behaves like a real one: it keeps its own book, decides each payment, confirms it
 * asynchronously with a signed notification posted to the service's webhook (retrying like a gateway does
 * when the webhook fails), answers queries, refunds, produces a daily statement and runs pay-after-use
 * agreements. Tests can make it decline, lose, duplicate or delay a notification.
 */
@Injectable()
export class SandboxProvider implements PaymentProvider, OnApplicationShutdown {
  readonly name = 'sandbox';
  private readonly logger = new Logger('SandboxGateway');
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    @InjectRepository(SandboxTransactionEntity) private readonly book: Repository<SandboxTransactionEntity>,
    @Inject(RedisService) private readonly redis: RedisService,
    @Inject(ENV) private readonly env: Env,
  ) {}

  private get scriptKey(): string {
    return `${this.env.QUEUE_PREFIX}:sandbox:script`;
  }

  /** Queues behaviours for the next payments, in order (tests and development only). */
  async script(behaviours: SandboxBehaviour[]): Promise<void> {
    if (behaviours.length) {
      await this.redis.client.rpush(this.scriptKey, ...behaviours);
    }
  }

  async clearScript(): Promise<void> {
    await this.redis.client.del(this.scriptKey);
  }

  async create(merchantRef: string, amountFen: number): Promise<ProviderPayment> {
    const behaviour = ((await this.redis.client.lpop(this.scriptKey)) ?? 'APPROVE') as SandboxBehaviour;
    const ref = `sbx_${newId()}`;
    const status: ProviderStatus = behaviour === 'DECLINE' ? 'DECLINED' : 'SUCCEEDED';
    // The gateway decides at once (the buyer confirmed on the phone); the merchant hears of it later.
    await this.book.query(
      "INSERT INTO sandbox_transactions (ref, merchant_ref, kind, status, amount_fen, settled_date) VALUES (?, ?, 'PAYMENT', ?, ?, ?)",
      [ref, merchantRef, status, amountFen, status === 'SUCCEEDED' ? businessDate() : null],
    );
    const note = { ref, merchantRef, status, amountFen };
    if (behaviour === 'LOSE') {
      return { ref, status: 'PENDING', amountFen };
    }
    const delay = behaviour.startsWith('DELAY:')
      ? Number(behaviour.slice(6))
      : this.env.SANDBOX_NOTIFY_DELAY_MS;
    this.notifyLater(note, delay);
    if (behaviour === 'DUPLICATE') {
      this.notifyLater(note, delay + 5);
      this.notifyLater(note, delay + 30);
    }
    return { ref, status: 'PENDING', amountFen };
  }

  async capture(ref: string): Promise<ProviderPayment> {
    return this.query(ref);
  }

  async cancel(ref: string): Promise<ProviderPayment> {
    await this.book.update({ ref, status: 'PENDING' }, { status: 'CANCELLED' });
    return this.query(ref);
  }

  async refund(ref: string, merchantRefundRef: string, amountFen: number): Promise<ProviderPayment> {
    const payment = await this.book.findOne({ where: { ref } });
    if (!payment || payment.status !== 'SUCCEEDED') {
      throw new Error(`sandbox: ${ref} is not a settled payment`);
    }
    const existing = await this.book.findOne({ where: { merchantRef: merchantRefundRef } });
    if (existing) {
      return { ref: existing.ref, status: existing.status as ProviderStatus, amountFen: existing.amountFen };
    }
    const [{ refunded }] = (await this.book.query(
      "SELECT COALESCE(SUM(amount_fen), 0) AS refunded FROM sandbox_transactions WHERE parent_ref = ? AND kind = 'REFUND'",
      [ref],
    )) as { refunded: string }[];
    if (Number(refunded) + amountFen > payment.amountFen) {
      throw new Error(`sandbox: refunds of ${ref} would exceed the payment`);
    }
    const refundRef = `sbr_${newId()}`;
    await this.book.insert({
      ref: refundRef,
      merchantRef: merchantRefundRef,
      kind: 'REFUND',
      status: 'SUCCEEDED',
      amountFen,
      parentRef: ref,
      settledDate: businessDate(),
    });
    return { ref: refundRef, status: 'SUCCEEDED', amountFen };
  }

  async query(ref: string): Promise<ProviderPayment> {
    const t = await this.book.findOne({ where: { ref } });
    return t
      ? { ref, status: t.status as ProviderStatus, amountFen: t.amountFen }
      : { ref, status: 'UNKNOWN', amountFen: 0 };
  }

  verifyNotification(
    headers: Record<string, string | string[] | undefined>,
    rawBody: string,
  ): ProviderNotification {
    const given = headers[SANDBOX_SIGNATURE_HEADER];
    const expected = this.sign(rawBody);
    if (
      typeof given !== 'string' ||
      given.length !== expected.length ||
      !timingSafeEqual(Buffer.from(given), Buffer.from(expected))
    ) {
      throw new InvalidNotificationError('bad signature');
    }
    const body = JSON.parse(rawBody) as ProviderNotification;
    if (!body.eventId || !body.ref || !body.merchantRef || !Number.isSafeInteger(body.amountFen)) {
      throw new InvalidNotificationError('incomplete notification');
    }
    return body;
  }

  async fetchStatement(date: string): Promise<StatementLine[]> {
    const rows = await this.book.find({
      where: { settledDate: date, status: 'SUCCEEDED' },
      order: { ref: 'ASC' },
    });
    return rows.map((r) => ({
      ref: r.ref,
      merchantRef: r.merchantRef,
      kind: r.kind,
      amountFen: r.amountFen,
    }));
  }

  async createAgreement(_userRef: string): Promise<{ agreementRef: string; status: 'ACTIVE' }> {
    return { agreementRef: `sba_${newId()}`, status: 'ACTIVE' };
  }

  async chargeAgreement(
    _agreementRef: string,
    merchantRef: string,
    amountFen: number,
  ): Promise<ProviderPayment> {
    return this.create(merchantRef, amountFen);
  }

  sign(rawBody: string): string {
    return createHmac('sha256', this.env.SANDBOX_SECRET).update(rawBody).digest('hex');
  }

  private notifyUrl(): string {
    return (
      this.env.SANDBOX_NOTIFY_URL ||
      `${this.env.PUBLIC_BASE_URL.replace(/\/$/, '')}/api/v1/payments/notify/sandbox`
    );
  }

  private notifyLater(note: Omit<ProviderNotification, 'eventId'>, delayMs: number, attempt = 1): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      const body = JSON.stringify({ eventId: `evt_${note.ref}`, ...note, ts: Date.now() });
      // undici's request API over its keep-alive pool: a fraction of fetch's CPU per call.
      request(this.notifyUrl(), {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SANDBOX_SIGNATURE_HEADER]: this.sign(body) },
        body,
        headersTimeout: 5000,
        bodyTimeout: 5000,
      })
        .then(async (res) => {
          await res.body.dump();
          if (res.statusCode < 200 || res.statusCode >= 300) {
            throw new Error(`webhook answered ${res.statusCode}`);
          }
        })
        .catch((e: unknown) => {
          // Like a real gateway: retry with growing pauses, then give up (the merchant queries).
          if (attempt < 6) {
            this.notifyLater(note, 200 * 2 ** attempt, attempt + 1);
          } else {
            this.logger.warn(`gave up notifying ${note.ref}: ${(e as Error).message}`);
          }
        });
    }, delayMs);
    this.timers.add(t);
  }

  onApplicationShutdown(): void {
    // Notifications not yet sent are lost with the process, as when a gateway's callback never arrives;
    // the recovery job queries those payments.
    this.timers.forEach((t) => clearTimeout(t));
  }
}
