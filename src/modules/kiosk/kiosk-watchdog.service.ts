import { Inject, Injectable } from '@nestjs/common';
import { Env, ENV } from '@/config/env';
import { UNLOCK_GRACE_MS, SessionStatus } from './entities/kiosk-session.entity';
import { KioskResolutionService } from './kiosk-resolution.service';
import { KioskSettlementService } from './kiosk-settlement.service';
import { KioskReceiptsService } from './receipts.service';
import { SessionsRepository } from './sessions.repository';
import { KioskSessionsService } from './sessions.service';

/**
 * The backstop of the kiosk's timers and of every step after a commit: a delayed job can be lost with Redis,
 * a process can die between a commit and the call after it. Run every minute; what is already done is a
 * no-op, so it may run anywhere, any number of times.
 */
@Injectable()
export class KioskWatchdog {
  constructor(
    @Inject(SessionsRepository) private readonly sessions: SessionsRepository,
    @Inject(KioskSessionsService) private readonly sessionTimers: KioskSessionsService,
    @Inject(KioskSettlementService) private readonly settlement: KioskSettlementService,
    @Inject(KioskResolutionService) private readonly resolution: KioskResolutionService,
    @Inject(KioskReceiptsService) private readonly receipts: KioskReceiptsService,
    @Inject(ENV) private readonly env: Env,
  ) {}

  /**
   * UNLOCKING past its unlock (and grace) is cancelled; OPEN past KIOSK_SESSION_LOST_SECONDS goes to review;
   * a sale settled in the last day but never charged is charged, a decided correction not applied is applied,
   * one paid and allocated but never receipted is receipted. Returns what it did.
   */
  async run(now = Date.now()): Promise<Record<string, number>> {
    const done = { cancelled: 0, toReview: 0, charged: 0, corrected: 0, receipted: 0 };
    const timers = await this.sessions.overdueTimers(
      new Date(now - UNLOCK_GRACE_MS - 1000),
      new Date(now - this.env.KIOSK_SESSION_LOST_SECONDS * 1000),
      200,
    );
    for (const s of timers) {
      if (s.status === SessionStatus.Unlocking) {
        done.cancelled += (await this.sessionTimers.unlockExpired(s.id)) === 'cancelled' ? 1 : 0;
      } else {
        done.toReview += (await this.sessionTimers.sessionLost(s.id)) ? 1 : 0;
      }
    }
    const unfinished = await this.sessions.unfinished(
      new Date(now - 86_400_000),
      new Date(now - 60_000),
      500,
    );
    for (const s of unfinished) {
      if (s.correction && !s.correctionDoneAt) {
        done.corrected += (await this.resolution.applyCorrection(s.id)) ? 1 : 0;
      } else if (!s.chargedAt) {
        done.charged += (await this.settlement.recover(s.id)) ? 1 : 0;
      } else if (s.orderId && !s.receiptSentAt && (await this.receipts.send(s.orderId))) {
        done.receipted++;
      }
    }
    return done;
  }
}
