import { Module, OnModuleInit } from '@nestjs/common';
import { provideOptions } from '../../platform/config/options.provider';
import { ConsumerSettings } from '../../platform/messaging/consumer-settings';
import { sourcePath } from '../../platform/messaging/topology';
import { IntegrationFailedHandler } from './integration-failed.handler';
import { IntegrationRetryOptions } from './integration-retry.options';

/** The IntegrationRetryWorker role: consumes IntegrationFailed and retries async runs by their connection's RetryPolicy. */
@Module({
  controllers: [IntegrationFailedHandler],
  providers: [provideOptions(IntegrationRetryOptions)],
  exports: [IntegrationRetryOptions],
})
export class IntegrationRetryWorkerModule implements OnModuleInit {
  static readonly options = [IntegrationRetryOptions];

  constructor(
    private readonly consumers: ConsumerSettings,
    private readonly options: IntegrationRetryOptions,
  ) {}

  onModuleInit(): void {
    this.consumers.set(sourcePath({ topic: 'integration-failed', subscription: 'IntegrationRetryWorker' }), { concurrency: this.options.concurrency });
  }
}
