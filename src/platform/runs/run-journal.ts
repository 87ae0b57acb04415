import { Injectable, Logger, BeforeApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { IntegrationEventType } from '../integrations/integration-events';
import { IntegrationsOptions } from '../integrations/integrations.options';
import type { OutgoingMessage } from '../messaging/bus-message';
import { TransactionalOutbox } from '../messaging/outbox/transactional-outbox';
import { RowWriter } from '../persistence/row-writer';
import type { AfterCommit } from '../persistence/store-transaction';
import { IntegrationFailure } from './entities/integration-failure.entity';
import { IntegrationRunAttempt } from './entities/integration-run-attempt.entity';
import { IntegrationRun } from './entities/integration-run.entity';

/** One finished synchronous run: its row, its attempt (none when refused before sending), its failure, and its event. */
export interface JournalEntry {
  run: IntegrationRun;
  attempt?: Partial<IntegrationRunAttempt>;
  failure?: Partial<IntegrationFailure>;
  event: { type: IntegrationEventType; message: OutgoingMessage };
}

interface Pending {
  entry: JournalEntry;
  resolve: () => void;
  reject: (error: unknown) => void;
}

const MAX_BATCH = 500;
const noop = (): void => undefined;
/** How long a finished run waits for runs still in flight to join its write. */
const LINGER_MS = 1;

/**
 * Group commit for finished synchronous runs. A caller awaits its own entry, so a run is stored and its
 * event on the bus before the caller hears the answer; but finished runs share writes (one transaction
 * with one multi-row INSERT per table, one bus send per event type). A finished run is written at once
 * when no other run is in flight (a lone call pays one transaction); otherwise it waits up to LINGER_MS for
 * the runs in flight to finish and join it. A batch the store refuses (a duplicate idempotency key, say)
 * is retried entry by entry, so only the offending entry fails.
 *
 * RUN_JOURNAL_MODE=background trades that guarantee for throughput: `record` resolves at once and runs
 * are written every RUN_JOURNAL_FLUSH_INTERVAL (or sooner when MAX_BATCH are waiting), and on shutdown.
 */
@Injectable()
export class RunJournal implements BeforeApplicationShutdown {
  private readonly logger = new Logger(RunJournal.name);
  private queue: Pending[] = [];
  private draining = false;
  private inFlight = 0;
  private lingering?: NodeJS.Timeout;

  private readonly writer: RowWriter;

  private readonly background: boolean;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly outbox: TransactionalOutbox,
    private readonly options: IntegrationsOptions,
  ) {
    this.writer = new RowWriter(dataSource);
    this.background = options.runJournalMode === 'background';
  }

  /** Writes whatever is waiting (shutdown: the background journal must not drop finished runs). */
  async beforeApplicationShutdown(): Promise<void> {
    clearTimeout(this.lingering);
    this.lingering = undefined;
    while (this.queue.length > 0 || this.draining) {
      if (!this.draining) await this.drain();
      else await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** A sync run started: it will be recorded (or `forget` called) when it finishes. */
  open(): void {
    this.inFlight += 1;
  }

  /** A run that was opened ends without an entry (it failed before it could be recorded). */
  forget(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    this.maybeDrain();
  }

  record(entry: JournalEntry): Promise<void> {
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (this.background) {
      this.queue.push({ entry, resolve: noop, reject: (error) => this.logger.error({ msg: 'Run not stored by the background journal', runId: entry.run.id, err: error }) });
      this.maybeDrain();
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ entry, resolve, reject });
      this.maybeDrain();
    });
  }

  private maybeDrain(): void {
    if (this.draining || this.queue.length === 0) return;
    if (this.background && this.queue.length < MAX_BATCH) {
      this.lingering ??= setTimeout(() => {
        this.lingering = undefined;
        if (!this.draining) void this.drain();
      }, this.options.runJournalFlushIntervalMs);
      return;
    }
    if (this.inFlight === 0 || this.queue.length >= MAX_BATCH) {
      clearTimeout(this.lingering);
      this.lingering = undefined;
      void this.drain();
    } else {
      this.lingering ??= setTimeout(() => {
        this.lingering = undefined;
        if (!this.draining) void this.drain();
      }, LINGER_MS);
    }
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        try {
          await this.write(batch.map((pending) => pending.entry));
        } catch (error) {
          if (batch.length === 1) {
            batch[0].reject(error);
            continue;
          }
          await this.writeOneByOne(batch);
          continue;
        }
        batch.forEach((pending) => pending.resolve());
      }
    } finally {
      this.draining = false;
      this.maybeDrain();
    }
  }

  private async writeOneByOne(batch: Pending[]): Promise<void> {
    for (const pending of batch) {
      try {
        await this.write([pending.entry]);
        pending.resolve();
      } catch (error) {
        pending.reject(error);
      }
    }
  }

  /**
   * Stores the entries and their events in one transaction, through the transactional outbox: a run and
   * its event exist together or not at all, whichever bus the platform runs on.
   */
  private async write(entries: readonly JournalEntry[]): Promise<void> {
    const rows = [
      { target: IntegrationRun, rows: entries.map((entry) => entry.run) },
      { target: IntegrationFailure, rows: entries.flatMap((entry) => (entry.failure ? [entry.failure] : [])) },
    ];
    const items = entries.map(({ event }) => ({ pattern: event.type, message: event.message }));
    let afterCommit: AfterCommit | undefined;
    await this.writer.insert(rows, (transaction) => {
      const joined = this.outbox.join(transaction, items);
      if (joined instanceof Promise) return joined.then((callback) => void (afterCommit = callback));
      afterCommit = joined;
    });
    afterCommit?.();
  }
}
