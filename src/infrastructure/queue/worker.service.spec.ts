import { Injectable, Module } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, MetadataScanner } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { loadEnv } from '@/config/env';
import { JobHandler } from './job-handler.decorator';
import { JobName } from './jobs';
import { QueueService } from './queue.service';
import { WorkerService } from './worker.service';

/** One handler for every job, declared the way providers declare them. */
@Injectable()
class AllJobs {}
for (const name of Object.values(JobName)) {
  const key = `handle_${name}`;
  Object.defineProperty(AllJobs.prototype, key, {
    value: async () => undefined,
    writable: true,
    configurable: true,
  });
  JobHandler(name)(AllJobs.prototype, key, Object.getOwnPropertyDescriptor(AllJobs.prototype, key)!);
}

@Injectable()
class SecondSweep {
  @JobHandler(JobName.CertificationSweep) async sweep() {}
}

@Injectable()
class SomeJobs {
  @JobHandler(JobName.PurgeOtpCodes) async otp() {}
}
async function discoverWith(...providers: (new () => object)[]): Promise<WorkerService> {
  @Module({ imports: [DiscoveryModule], providers })
  class M {}
  const ref = await Test.createTestingModule({ imports: [M] }).compile();
  return new WorkerService(
    loadEnv({}, {} as NodeJS.ProcessEnv),
    false,
    ref.get(DiscoveryService),
    ref.get(MetadataScanner),
    {} as QueueService,
  );
}

describe('WorkerService job registry', () => {
  it('refuses to start when a job has no handler', async () => {
    const w = await discoverWith(SomeJobs);
    expect(() => w.discover()).toThrow(/catalog\.certification-sweep has 0 handlers/);
  });

  it('refuses to start when a job has two handlers', async () => {
    const w = await discoverWith(SecondSweep, AllJobs);
    expect(() => w.discover()).toThrow(
      'The worker cannot start: catalog.certification-sweep has 2 handlers (each job needs exactly one)',
    );
  });

  it('binds exactly one handler per job otherwise', async () => {
    const w = await discoverWith(AllJobs);
    w.discover();
    expect([...w.handlers.keys()].sort()).toEqual(Object.values(JobName).sort());
  });
});
