import { Inject, Injectable, Logger } from '@nestjs/common';
import { JobHandler } from '@/infrastructure/queue/job-handler.decorator';
import { JobOf } from '@/infrastructure/queue/jobs';
import { ProductsService } from '../products.service';
import { CatalogJobName } from './catalog.job-definitions';

@Injectable()
export class CertificationJobs {
  private readonly logger = new Logger(CertificationJobs.name);

  constructor(@Inject(ProductsService) private readonly products: ProductsService) {}

  /** Just after midnight in Wanzhou, products whose certificate lapsed become UNCERTIFIED. */
  @JobHandler(CatalogJobName.CertificationSweep, { schedule: { pattern: '5 0 * * *' } })
  async sweep(data: JobOf<typeof CatalogJobName.CertificationSweep>): Promise<{ changed: number }> {
    const changed = await this.products.sweepCertification(data.asOf);
    if (changed) {
      this.logger.log(`certification sweep changed ${changed} products`);
    }
    return { changed };
  }
}
