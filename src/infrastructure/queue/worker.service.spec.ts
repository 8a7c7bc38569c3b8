import { Injectable, Module } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, MetadataScanner } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { loadEnv } from '@/config/env';
import { JobHandler } from './job-handler.decorator';
import { defineJobs, JOB_QUEUE, JobName, MERGED_JOBS, QueueName, queueOf } from './jobs';
import { QueueService } from './queue.service';
import { WorkerService } from './worker.service';

// This spec's own jobs, declared the way a module declares its jobs (the registry here holds no module's).
const Job = {
  Sweep: 'spec.sweep',
  Purge: 'spec.purge',
  Allocate: 'spec.allocate',
} as unknown as Record<'Sweep' | 'Purge' | 'Allocate', JobName>;
defineJobs({
  [Job.Sweep]: { queue: QueueName.Maintenance },
  [Job.Purge]: { queue: QueueName.Maintenance },
  [Job.Allocate]: {
    queue: QueueName.Ledger,
    merge: { key: 'orderId', into: 'orderIds', max: 'ALLOCATION_BATCH' },
  },
});

/** One handler for every job, declared the way providers declare them. */
@Injectable()
class AllJobs {
  @JobHandler(Job.Sweep) async sweep() {}
  @JobHandler(Job.Purge) async purge() {}
  @JobHandler(Job.Allocate) async allocate() {}
}

@Injectable()
class SecondSweep {
  @JobHandler(Job.Sweep) async sweep() {}
}

@Injectable()
class SomeJobs {
  @JobHandler(Job.Purge) async purge() {}
}

@Injectable()
class UndeclaredJob {
  @JobHandler('spec.nobody-declared' as JobName) async run() {}
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

describe('the job registry', () => {
  it('binds each declared job to its queue, and the merged ones to their merge', () => {
    expect(JOB_QUEUE).toEqual({
      'spec.sweep': QueueName.Maintenance,
      'spec.purge': QueueName.Maintenance,
      'spec.allocate': QueueName.Ledger,
    });
    expect(MERGED_JOBS).toEqual({
      'spec.allocate': { key: 'orderId', into: 'orderIds', max: 'ALLOCATION_BATCH' },
    });
    expect(queueOf(Job.Allocate)).toBe(QueueName.Ledger);
  });

  it('refuses a job declared twice', () => {
    expect(() => defineJobs({ [Job.Sweep]: { queue: QueueName.Orders } })).toThrow(
      'The job spec.sweep is declared twice',
    );
    expect(JOB_QUEUE[Job.Sweep]).toBe(QueueName.Maintenance);
  });

  it('has no queue for a job nobody declared', () => {
    expect(() => queueOf('spec.nobody-declared' as JobName)).toThrow(
      'The job spec.nobody-declared is bound to no queue: its module declares it with defineJobs',
    );
  });
});

describe('WorkerService job registry', () => {
  it('refuses to start when a job has no handler', async () => {
    const w = await discoverWith(SomeJobs);
    expect(() => w.discover()).toThrow(
      'The worker cannot start: spec.sweep has 0 handlers; spec.allocate has 0 handlers (each job is declared with defineJobs and has exactly one handler)',
    );
  });

  it('refuses to start when a job has two handlers', async () => {
    const w = await discoverWith(SecondSweep, AllJobs);
    expect(() => w.discover()).toThrow(
      'The worker cannot start: spec.sweep has 2 handlers (each job is declared with defineJobs and has exactly one handler)',
    );
  });

  it('refuses to start when a handler names a job nobody declared', async () => {
    const w = await discoverWith(AllJobs, UndeclaredJob);
    expect(() => w.discover()).toThrow(
      'The worker cannot start: spec.nobody-declared has a handler but was never declared (each job is declared with defineJobs and has exactly one handler)',
    );
  });

  it('binds exactly one handler per job otherwise', async () => {
    const w = await discoverWith(AllJobs);
    w.discover();
    expect([...w.handlers.keys()].sort()).toEqual(['spec.allocate', 'spec.purge', 'spec.sweep']);
  });
});
