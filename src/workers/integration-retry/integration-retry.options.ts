import { int } from '../../platform/config/codecs';
import { Env, OptionsSection } from '../../platform/config/options';

@OptionsSection('Integration retry worker', 'Options of the IntegrationRetryWorker role')
export class IntegrationRetryOptions {
  @Env('RETRY_CONCURRENCY', int({ min: 1, max: 256 }), { default: 8, description: 'IntegrationFailed events handled at once per process' })
  readonly concurrency: number;

  @Env('RETRY_MAX_ATTEMPTS', int({ min: 1, max: 50 }), { default: 5, description: 'Attempts of a run when its connection has no RetryPolicy' })
  readonly maxAttempts: number;
}
