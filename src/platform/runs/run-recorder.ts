import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { RequestContext } from '../context/request-context';
import { IntegrationEvents } from '../integrations/integration-events';
import type { OutgoingMessage } from '../messaging/bus-message';
import { PlatformMetrics } from '../observability/platform-metrics';
import { newId } from '../persistence/ids';
import { TransactionalOutbox } from '../messaging/outbox/transactional-outbox';
import { FailureClassification, IntegrationError } from '../resilience/failure-classifier';
import { IntegrationFailure } from './entities/integration-failure.entity';
import { IntegrationRunAttempt } from './entities/integration-run-attempt.entity';
import { RunJournal } from './run-journal';
import { IntegrationRun, RunMode, RunPurpose, RunState, StoredRequest } from './entities/integration-run.entity';
import { EVENTS } from '../messaging/contracts';

/** The idempotency key names a run that already exists: the request is not sent again. */
export class IdempotencyKeyUsedError extends IntegrationError {
  constructor(readonly runId: string) {
    super('Validation', 'idempotency_key_used', `This idempotency key was already used by run ${runId}`);
  }
}

export interface NewRun {
  tenantId: string;
  connectionId: string;
  providerId: string;
  operation: string;
  mode: RunMode;
  purpose: RunPurpose;
  state: Extract<RunState, 'Pending' | 'Running'>;
  request?: StoredRequest | null;
  idempotencyKey?: string | null;
  /** The model gateway request this run is an attempt of. */
  requestId?: string | null;
  model?: string | null;
}

/** What a model call consumed, as the vendor reported it. */
export interface RunUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface RunFailure extends FailureClassification {
  /** Ours, never the vendor's body: safe for rows, logs and events. */
  readonly message: string;
}

export interface AttemptOutcome {
  startedAt: Date;
  latencyMs: number;
  statusCode: number | null;
  failure?: RunFailure;
  externalRef?: string | null;
  usage?: RunUsage;
  /** A streamed call: from sending the request to its first token. */
  firstTokenMs?: number;
}

/** Payload of `IntegrationFailed`: what the IntegrationRetryWorker needs to decide, idempotently, on run id and attempt. */
export interface IntegrationFailedData {
  runId: string;
  connectionId: string;
  providerId: string;
  operation: string;
  mode: RunMode;
  purpose: RunPurpose;
  attempt: number;
  category: FailureClassification['category'];
  code: string;
  retryable: boolean;
  retryAfterMs?: number;
  status?: number;
}

export interface IntegrationRunCompletedData {
  runId: string;
  connectionId: string;
  providerId: string;
  operation: string;
  purpose: RunPurpose;
  attempts: number;
  latencyMs: number;
  status: number | null;
  externalRef: string | null;
}

/**
 * The IntegrationRun lifecycle in the store (Pending → Running → Completed | Failed, then Retrying or
 * DeadLettered by the retry worker), each attempt and failure recorded, the run metrics moved and the
 * run's outcome published. Transitions are conditional updates, so a duplicate command cannot run an
 * attempt twice.
 */
@Injectable()
export class RunRecorder {
  /** Sync runs stored when they began (they carry an idempotency key): finished by an update, not by the journal. */
  private readonly storedEarly = new WeakSet<IntegrationRun>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly events: IntegrationEvents,
    private readonly journal: RunJournal,
    private readonly outbox: TransactionalOutbox,
    private readonly metrics: PlatformMetrics,
  ) {}

  /**
   * A sync run lives in memory until it finishes; the RunJournal then stores it in one group commit. A
   * run with an idempotency key is stored at once instead, so the key is claimed before the vendor is
   * called: a second call with the same key is refused (IdempotencyKeyUsedError) rather than sent twice.
   */
  async begin(start: NewRun): Promise<IntegrationRun> {
    const run = this.build({ ...start, state: 'Running' });
    if (start.idempotencyKey) {
      try {
        await this.dataSource.getRepository(IntegrationRun).insert(run);
      } catch (error) {
        const holder = await this.findByIdempotencyKey(start.tenantId, start.idempotencyKey);
        if (holder) throw new IdempotencyKeyUsedError(holder.id);
        throw error;
      }
      this.storedEarly.add(run);
    } else {
      this.journal.open();
    }
    RequestContext.bindIds({ runId: run.id });
    return run;
  }

  /** An async run is stored Pending at once, holding its request, and executed from the bus. */
  async create(start: NewRun): Promise<IntegrationRun> {
    const run = this.build(start);
    await this.dataSource.getRepository(IntegrationRun).insert(run);
    RequestContext.bindIds({ runId: run.id });
    return run;
  }

  private build(start: NewRun): IntegrationRun {
    const now = new Date();
    const run = Object.assign(new IntegrationRun(), {
      id: newId('run'),
      tenantId: start.tenantId,
      connectionId: start.connectionId,
      providerId: start.providerId,
      operation: start.operation.slice(0, 256),
      state: start.state,
      mode: start.mode,
      purpose: start.purpose,
      request: start.request ?? null,
      attempts: 0,
      latencyMs: null,
      responseStatus: null,
      failureCategory: null,
      failureCode: null,
      externalRef: null,
      idempotencyKey: start.idempotencyKey ?? null,
      requestId: start.requestId ?? null,
      model: start.model?.slice(0, 128) ?? null,
      promptTokens: null,
      completionTokens: null,
      totalTokens: null,
      firstTokenMs: null,
      traceId: RequestContext.current()?.trace?.traceId ?? null,
      startedAt: start.state === 'Running' ? now : null,
      completedAt: null,
      createdAt: now,
      updatedAt: now,
      rowVersion: 1,
    });
    return run;
  }

  find(tenantId: string, runId: string): Promise<IntegrationRun | null> {
    return this.dataSource.getRepository(IntegrationRun).findOneBy({ tenantId, id: runId });
  }

  findByIdempotencyKey(tenantId: string, idempotencyKey: string): Promise<IntegrationRun | null> {
    return this.dataSource.getRepository(IntegrationRun).findOneBy({ tenantId, idempotencyKey });
  }

  /**
   * Moves the run to Running for its next attempt, only from one of `from` and only if nobody else did
   * meanwhile (the attempt count is the guard). False = someone else has it, or it is no longer runnable.
   */
  async claim(run: IntegrationRun, from: readonly RunState[]): Promise<boolean> {
    const startedAt = new Date();
    const result = await this.dataSource
      .createQueryBuilder()
      .update(IntegrationRun)
      .set({ state: 'Running', startedAt })
      .where({ tenantId: run.tenantId, id: run.id, attempts: run.attempts, state: In([...from]) })
      .execute();
    if (result.affected !== 1) return false;
    run.state = 'Running';
    run.startedAt = startedAt;
    return true;
  }

  /** Moves a Failed run on (Retrying, DeadLettered) if it is still Failed at `attempt`. */
  async transition(run: Pick<IntegrationRun, 'tenantId' | 'id'>, attempt: number, from: RunState, to: RunState): Promise<boolean> {
    const result = await this.dataSource
      .createQueryBuilder()
      .update(IntegrationRun)
      .set({ state: to, ...(to === 'DeadLettered' ? { completedAt: new Date() } : {}) })
      .where({ tenantId: run.tenantId, id: run.id, attempts: attempt, state: from })
      .execute();
    return result.affected === 1;
  }

  /** Records one attempt and its outcome; publishes IntegrationRunCompleted or IntegrationFailed. */
  async finishAttempt(run: IntegrationRun, outcome: AttemptOutcome, labels: { operation: string }): Promise<IntegrationRun> {
    const attemptNumber = run.attempts + 1;
    const failure = outcome.failure;
    // A journaled sync run is exactly one attempt, and its row says everything an attempt row would.
    const attempt: Partial<IntegrationRunAttempt> | undefined = this.journaled(run)
      ? undefined
      : {
          id: newId('att'),
          tenantId: run.tenantId,
          runId: run.id,
          attemptNumber,
          startedAt: outcome.startedAt,
          latencyMs: Math.round(outcome.latencyMs),
          statusCode: outcome.statusCode,
          failureCategory: failure?.category ?? null,
          error: failure ? `${failure.code}: ${failure.message}`.slice(0, 1000) : null,
        };
    const changes: Partial<IntegrationRun> = {
      state: failure ? 'Failed' : 'Completed',
      attempts: attemptNumber,
      latencyMs: Math.round(outcome.latencyMs),
      responseStatus: outcome.statusCode,
      externalRef: outcome.externalRef ?? run.externalRef,
      failureCategory: failure?.category ?? null,
      failureCode: failure?.code ?? null,
      completedAt: new Date(),
      ...(outcome.usage ? { promptTokens: outcome.usage.promptTokens, completionTokens: outcome.usage.completionTokens, totalTokens: outcome.usage.totalTokens } : {}),
      ...(outcome.firstTokenMs !== undefined ? { firstTokenMs: Math.round(outcome.firstTokenMs) } : {}),
    };
    this.metrics.integrationRunDuration.observe({ provider: run.providerId, operation: labels.operation }, outcome.latencyMs / 1000);
    return this.settle(run, changes, attempt, failure);
  }

  /** The run could not make its attempt (connection not runnable, budget spent, circuit open): Failed without an attempt. */
  async refuse(run: IntegrationRun, failure: RunFailure): Promise<IntegrationRun> {
    return this.settle(run, { state: 'Failed', failureCategory: failure.category, failureCode: failure.code, completedAt: new Date() }, undefined, failure);
  }

  private async settle(
    run: IntegrationRun,
    changes: Partial<IntegrationRun>,
    attempt: Partial<IntegrationRunAttempt> | undefined,
    failure: RunFailure | undefined,
  ): Promise<IntegrationRun> {
    const failureRow = failure ? this.failureRow(run, failure) : undefined;
    Object.assign(run, changes, { updatedAt: new Date() });
    this.count(run, failure);
    if (this.journaled(run)) {
      await this.journal.record({ run, failure: failureRow, event: this.event(run, failure) });
      return run;
    }
    // The attempt, the run's new state, its failure and its event commit together (TransactionalOutbox).
    const { type, message } = this.event(run, failure);
    await this.outbox.commit(
      {
        updates: [{ target: IntegrationRun, where: { tenantId: run.tenantId, id: run.id }, set: changes }],
        inserts: [
          { target: IntegrationRunAttempt, rows: attempt ? [attempt] : [] },
          { target: IntegrationFailure, rows: failureRow ? [failureRow] : [] },
        ],
      },
      [{ pattern: type, message }],
    );
    return run;
  }

  /** Sync runs are stored by the RunJournal when they finish, unless their idempotency key had them stored when they began. */
  private journaled(run: IntegrationRun): boolean {
    return run.mode === 'sync' && !this.storedEarly.has(run);
  }

  /** A failure that belongs to a run's story but not to an attempt (rotation verification failed, dead-lettered). */
  async recordFailure(run: Pick<IntegrationRun, 'tenantId' | 'id' | 'connectionId'> | null, failure: RunFailure, connectionId?: string): Promise<void> {
    await this.dataSource.getRepository(IntegrationFailure).insert({
      id: newId('fail'),
      tenantId: run?.tenantId ?? RequestContext.current()?.tenantId ?? '',
      runId: run?.id ?? null,
      deliveryId: null,
      connectionId: run?.connectionId ?? connectionId ?? null,
      category: failure.category,
      code: failure.code,
      message: failure.message.slice(0, 1000),
      retryable: failure.retryable,
      occurredAt: new Date(),
    });
  }

  private failureRow(run: IntegrationRun, failure: RunFailure): Partial<IntegrationFailure> {
    return {
      id: newId('fail'),
      tenantId: run.tenantId,
      runId: run.id,
      deliveryId: null,
      connectionId: run.connectionId,
      category: failure.category,
      code: failure.code,
      message: failure.message.slice(0, 1000),
      retryable: failure.retryable,
      occurredAt: new Date(),
    };
  }

  private count(run: IntegrationRun, failure: RunFailure | undefined): void {
    this.metrics.integrationRuns.inc({ provider: run.providerId, outcome: failure ? 'Failed' : 'Completed' });
    if (failure) this.metrics.integrationFailures.inc({ provider: run.providerId, category: failure.category });
  }

  private event(run: IntegrationRun, failure: RunFailure | undefined): { type: 'IntegrationFailed' | 'IntegrationRunCompleted'; message: OutgoingMessage } {
    // One event per attempt outcome, published once after its row is stored: the id is unique by construction.
    const options = { tenantId: run.tenantId, subject: run.id, id: `${run.id}.${run.attempts}.${failure ? 'failed' : 'completed'}`, detectDuplicates: false };
    if (failure) {
      const data: IntegrationFailedData = {
        runId: run.id,
        connectionId: run.connectionId,
        providerId: run.providerId,
        operation: run.operation,
        mode: run.mode,
        purpose: run.purpose,
        attempt: run.attempts,
        category: failure.category,
        code: failure.code,
        retryable: failure.retryable,
        ...(failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {}),
        ...(failure.status !== undefined ? { status: failure.status } : {}),
      };
      return { type: EVENTS.IntegrationFailed, message: this.events.prepare(EVENTS.IntegrationFailed, data, options) };
    }
    const data: IntegrationRunCompletedData = {
      runId: run.id,
      connectionId: run.connectionId,
      providerId: run.providerId,
      operation: run.operation,
      purpose: run.purpose,
      attempts: run.attempts,
      latencyMs: run.latencyMs ?? 0,
      status: run.responseStatus,
      externalRef: run.externalRef,
    };
    return { type: EVENTS.IntegrationRunCompleted, message: this.events.prepare(EVENTS.IntegrationRunCompleted, data, options) };
  }
}
