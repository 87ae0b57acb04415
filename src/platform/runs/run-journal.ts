import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import type { IntegrationEventType } from '../integrations/integration-events';
import { IntegrationsOptions } from '../integrations/integrations.options';
import type { OutgoingMessage } from '../messaging/bus-message';
import { GroupedOutboxCommits } from '../messaging/outbox/grouped-outbox-commits';
import { GroupCommit } from '../persistence/group-commit';
import { IntegrationFailure } from './entities/integration-failure.entity';
import { IntegrationRun } from './entities/integration-run.entity';

/** One finished synchronous run: its row (the run is its one attempt), its failure, and its event. */
export interface JournalEntry {
  run: IntegrationRun;
  failure?: Partial<IntegrationFailure>;
  event: { type: IntegrationEventType; message: OutgoingMessage };
}

const MAX_BATCH = 500;
/** How long a finished run waits for runs still in flight to join its write. */
const LINGER_MS = 1;

/**
 * Group commit for finished synchronous runs. A caller awaits its own entry, so a run is stored and its
 * event on the bus before the caller hears the answer; but finished runs share writes (one transaction,
 * the events through the transactional outbox in it). A finished run is written at once when no other
 * run is in flight (a lone call pays one transaction); otherwise it waits up to LINGER_MS for the runs in
 * flight to finish and join it. Its batches go through the shared outbox group commit, so they also share
 * a transaction with whatever else of the pipeline commits in the same turn (message records).
 *
 * RUN_JOURNAL_MODE=background trades that guarantee for throughput: `record` resolves at once and runs
 * are written every RUN_JOURNAL_FLUSH_INTERVAL (or sooner when MAX_BATCH are waiting), and on shutdown.
 */
@Injectable()
export class RunJournal implements BeforeApplicationShutdown {
  private readonly logger = new Logger(RunJournal.name);
  private readonly background: boolean;
  private readonly commits: GroupCommit<JournalEntry>;
  private inFlight = 0;

  constructor(
    private readonly shared: GroupedOutboxCommits,
    options: IntegrationsOptions,
  ) {
    this.background = options.runJournalMode === 'background';
    this.commits = new GroupCommit((entries) => this.write(entries), {
      maxBatch: MAX_BATCH,
      delayMs: () => (this.background ? options.runJournalFlushIntervalMs : this.inFlight === 0 ? 0 : LINGER_MS),
    });
  }

  /** Writes whatever is waiting (shutdown: the background journal must not drop finished runs). */
  beforeApplicationShutdown(): Promise<void> {
    return this.commits.flush();
  }

  /** A sync run started: it will be recorded when it finishes (GovernedHttpClient records every started run). */
  open(): void {
    this.inFlight += 1;
  }

  record(entry: JournalEntry): Promise<void> {
    this.inFlight = Math.max(0, this.inFlight - 1);
    const stored = this.commits.submit(entry);
    this.writeIfNoneInFlight();
    if (!this.background) return stored;
    stored.catch((error: unknown) => this.logger.error({ msg: 'Run not stored by the background journal', runId: entry.run.id, err: error }));
    return Promise.resolve();
  }

  /** The last run in flight has finished: nobody is left to wait for. */
  private writeIfNoneInFlight(): void {
    if (!this.background && this.inFlight === 0) this.commits.kick();
  }

  private write(entries: readonly JournalEntry[]): Promise<void> {
    return this.shared.commit(
      {
        inserts: [
          { target: IntegrationRun, rows: entries.map((entry) => entry.run) },
          { target: IntegrationFailure, rows: entries.flatMap((entry) => (entry.failure ? [entry.failure] : [])) },
        ],
      },
      entries.map(({ event }) => ({ pattern: event.type, message: event.message })),
    );
  }
}
