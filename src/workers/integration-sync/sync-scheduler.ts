import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ProcessLifecycle } from '../../platform/lifecycle/process-lifecycle';
import { SyncRows } from '../../platform/integrations/syncs/sync-rows';
import { SyncRunner, SyncRunOutcome } from '../../platform/integrations/syncs/sync-runner';
import { IntegrationSyncOptions } from './integration-sync.options';

/**
 * IntegrationSyncWorker's schedule: every SYNC_TICK it looks for due syncs (enabled and past their
 * nextRunAt, or asked for on demand) and runs them, at most SYNC_CONCURRENCY at once in this process.
 * Each run holds the sync's lock, so replicas never run the same sync together. On shutdown it stops
 * starting runs; runs in progress stop after their current page's checkpoint and are waited for.
 */
@Injectable()
export class SyncScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SyncScheduler.name);
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;
  /** Runs in progress in this process, by sync id. */
  private readonly running = new Map<string, Promise<SyncRunOutcome>>();

  constructor(
    private readonly rows: SyncRows,
    private readonly runner: SyncRunner,
    private readonly lifecycle: ProcessLifecycle,
    private readonly options: IntegrationSyncOptions,
  ) {
    lifecycle.onDrain(() => clearInterval(this.timer));
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), this.options.tickMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.ticking;
    await Promise.allSettled([...this.running.values()]);
  }

  /** Starts every due sync this process has room for; answers how many it started. */
  async startDue(now = new Date()): Promise<number> {
    const room = this.options.concurrency - this.running.size;
    if (room <= 0 || this.lifecycle.isDraining) return 0;
    const due = await this.rows.due(now, room + this.running.size);
    let started = 0;
    for (const sync of due) {
      if (this.running.size >= this.options.concurrency) break;
      if (this.start(sync.tenantId, sync.id)) started += 1;
    }
    return started;
  }

  /** Starts a run of one sync now, if this process has room and is not running it already (RunSync). */
  start(tenantId: string, syncId: string): boolean {
    if (this.running.has(syncId) || this.running.size >= this.options.concurrency || this.lifecycle.isDraining) return false;
    const run = this.lifecycle
      .run('schedule', () =>
        this.runner.run(tenantId, syncId, {
          reserveShare: this.options.interactiveReserve,
          lockTtlMs: this.options.lockTtlMs,
          shouldStop: () => this.lifecycle.isDraining,
        }),
      )
      .catch((error: unknown): SyncRunOutcome => {
        this.logger.error({ msg: 'Sync run failed to run', syncId, err: error });
        return 'failed';
      })
      .finally(() => {
        this.running.delete(syncId);
        // A finished run frees a slot: whatever else is due need not wait for the next tick.
        if (!this.lifecycle.isDraining) void this.tick();
      });
    this.running.set(syncId, run);
    return true;
  }

  /** The run of a sync in progress in this process, if any (tests and the RunSync handler). */
  runOf(syncId: string): Promise<SyncRunOutcome> | undefined {
    return this.running.get(syncId);
  }

  private async tick(): Promise<void> {
    if (this.ticking || this.lifecycle.isDraining) return;
    this.ticking = this.startDue()
      .then(() => undefined)
      .catch((error) => this.logger.error({ msg: 'Sync schedule tick failed', err: error }))
      .finally(() => (this.ticking = undefined));
  }
}
