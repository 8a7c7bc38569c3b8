import { Inject, Injectable } from '@nestjs/common';
import { JobHandler } from '@/infrastructure/queue/job-handler.decorator';
import { JobOf } from '@/infrastructure/queue/jobs';
import { FlashStock } from '../flash-stock';
import { ImportsService } from '../imports/imports.service';
import { LiveJobName } from './livestream.job-definitions';

@Injectable()
export class LivestreamJobs {
  constructor(
    @Inject(FlashStock) private readonly flash: FlashStock,
    @Inject(ImportsService) private readonly imports: ImportsService,
  ) {}

  /** A cancelled order's units are on sale again (its unit rows went in the cancellation's transaction). */
  @JobHandler(LiveJobName.UnitsReleased)
  async unitsReleased(p: JobOf<typeof LiveJobName.UnitsReleased>): Promise<string> {
    await this.flash.giveBack({ id: p.offerId, perBuyerLimit: p.perBuyerLimit }, p.buyerUserId, p.units);
    return `${p.units.length} units back on offer ${p.offerId}`;
  }

  @JobHandler(LiveJobName.Import)
  async import({
    importId,
  }: JobOf<typeof LiveJobName.Import>): Promise<{ rows: number; accepted: number; refused: number }> {
    return this.imports.run(importId);
  }
}
