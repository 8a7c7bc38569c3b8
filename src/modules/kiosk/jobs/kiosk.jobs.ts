import { Inject, Injectable } from '@nestjs/common';
import { JobHandler } from '@/infrastructure/queue/job-handler.decorator';
import { JobOf } from '@/infrastructure/queue/jobs';
import { CabinetsService } from '../cabinets.service';
import { KioskSettlementService } from '../kiosk-settlement.service';
import { KioskWatchdog } from '../kiosk-watchdog.service';
import { KioskSessionsService } from '../sessions.service';
import { KioskJobName } from './kiosk.job-definitions';

/** The kiosk's timers: no session ever hangs, no silent cabinet stays ONLINE. */
@Injectable()
export class KioskJobs {
  constructor(
    @Inject(KioskSessionsService) private readonly sessions: KioskSessionsService,
    @Inject(KioskSettlementService) private readonly settlement: KioskSettlementService,
    @Inject(CabinetsService) private readonly cabinets: CabinetsService,
    @Inject(KioskWatchdog) private readonly watchdogService: KioskWatchdog,
  ) {}

  @JobHandler(KioskJobName.UnlockTimeout)
  async unlockTimeout({ sessionId }: JobOf<typeof KioskJobName.UnlockTimeout>): Promise<string> {
    return this.sessions.unlockExpired(sessionId);
  }

  @JobHandler(KioskJobName.DoorAlert)
  async doorAlert({ sessionId }: JobOf<typeof KioskJobName.DoorAlert>): Promise<string> {
    return (await this.sessions.doorOpenTooLong(sessionId)) ? 'alerted' : 'closed in time';
  }

  /** Ten minutes on: an open session goes to review; a settled one whose order is missing is placed. */
  @JobHandler(KioskJobName.SessionLost)
  async sessionLost({ sessionId }: JobOf<typeof KioskJobName.SessionLost>): Promise<string> {
    if (await this.settlement.recover(sessionId)) {
      return 'order placed';
    }
    return (await this.sessions.sessionLost(sessionId)) ? 'to review' : 'unchanged';
  }

  /**
   * The backstop of the timers above (a delayed job can be lost with Redis): every minute, what is overdue is
   * done now; what is already done is a no-op.
   */
  @JobHandler(KioskJobName.Watchdog, { schedule: { every: 60_000 } })
  watchdog(): Promise<Record<string, number>> {
    return this.watchdogService.run();
  }

  @JobHandler(KioskJobName.OfflineSweep, { schedule: { every: 15_000 } })
  async offlineSweep(): Promise<{ offline: number }> {
    return { offline: await this.cabinets.sweepOffline() };
  }
}
