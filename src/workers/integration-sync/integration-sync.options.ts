import { duration, int, ratio } from '../../platform/config/codecs';
import { Env, OptionsSection } from '../../platform/config/options';

@OptionsSection('Integration sync worker', 'Options of the IntegrationSyncWorker role')
export class IntegrationSyncOptions {
  @Env('SYNC_INTERVAL', duration({ min: 1000 }), { default: 300_000, description: 'Default interval of a sync configured without one (PUT …/syncs/{name})' })
  readonly intervalMs: number;

  @Env('SYNC_CONCURRENCY', int({ min: 1, max: 64 }), { default: 4, description: 'Sync runs in progress at once per process' })
  readonly concurrency: number;

  @Env('SYNC_INTERACTIVE_RESERVE', ratio(), {
    default: 0.3,
    description: 'Share of each rate budget a sync may not spend, kept for interactive calls; a sync that would dip into it yields until the budget refills',
  })
  readonly interactiveReserve: number;

  @Env('SYNC_TICK', duration({ min: 50 }), { default: 1_000, description: 'How often the scheduler looks for due syncs' })
  readonly tickMs: number;

  @Env('SYNC_LOCK_TTL', duration({ min: 1000 }), { default: 30_000, description: 'TTL of the lock a sync run holds (extended every third of it while the run goes on)' })
  readonly lockTtlMs: number;
}
