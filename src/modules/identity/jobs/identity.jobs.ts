import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { JobHandler } from '@/infrastructure/queue/job-handler.decorator';
import { OtpCodeEntity } from '../entities/otp-code.entity';
import { IdentityJobName } from './identity.job-definitions';

@Injectable()
export class IdentityJobs {
  constructor(@InjectRepository(OtpCodeEntity) private readonly otps: Repository<OtpCodeEntity>) {}

  /** Hourly: drop login codes that expired more than a day ago. */
  @JobHandler(IdentityJobName.PurgeOtpCodes, { schedule: { pattern: '7 * * * *' } })
  async purge(): Promise<{ deleted: number }> {
    const r = await this.otps.delete({ expiresAt: LessThan(new Date(Date.now() - 24 * 3600_000)) });
    return { deleted: r.affected ?? 0 };
  }
}
