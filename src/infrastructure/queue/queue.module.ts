import { DynamicModule, Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { QueueService } from './queue.service';
import { WORKER_ENABLED, WorkerService } from './worker.service';

@Global()
@Module({})
export class QueueModule {
  static forRoot(runWorkers: boolean): DynamicModule {
    return {
      module: QueueModule,
      imports: [DiscoveryModule],
      providers: [QueueService, WorkerService, { provide: WORKER_ENABLED, useValue: runWorkers }],
      exports: [QueueService, WorkerService],
    };
  }
}
