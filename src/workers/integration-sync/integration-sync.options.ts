import { duration, int } from '../../platform/config/codecs';
import { Env, OptionsSection } from '../../platform/config/options';

@OptionsSection('Integration sync worker', 'Options of the IntegrationSyncWorker role')
export class IntegrationSyncOptions {
  @Env('SYNC_INTERVAL', duration({ min: 1000 }), { default: 300_000, description: 'How often scheduled pulls of external state run' })
  readonly intervalMs: number;

  @Env('SYNC_CONCURRENCY', int({ min: 1, max: 64 }), { default: 4, description: 'Pulls in progress at once per process' })
  readonly concurrency: number;
}
