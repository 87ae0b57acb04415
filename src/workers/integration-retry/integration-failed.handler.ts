import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { CloudEvent } from '../../platform/events/cloud-event';
import { ConnectionNotFoundError, ConnectionResolver } from '../../platform/integrations/connections/connection-resolver';
import { PoisonMessageError } from '../../platform/messaging/bus-message';
import { BusPublisher } from '../../platform/messaging/bus-publisher';
import { RetryPolicy } from '../../platform/resilience/retry-policy';
import type { IntegrationRun } from '../../platform/runs/entities/integration-run.entity';
import { IntegrationFailedData, RunRecorder } from '../../platform/runs/run-recorder';
import { IntegrationRetryOptions } from './integration-retry.options';
import { COMMANDS, EVENTS } from '../../platform/messaging/contracts';

const DEFAULT_BASE_DELAY_MS = 1_000;
const DEFAULT_MAX_DELAY_MS = 300_000;

/**
 * IntegrationRetryWorker: decides what happens to a failed async run, by its connection's RetryPolicy.
 * Transient and RateLimited failures retry with backoff (a vendor's Retry-After is a floor) through
 * RetryIntegrationRun, scheduled for the moment of the retry; Auth and Validation stay Failed; Poison and
 * exhausted runs are DeadLettered (a Poison event goes to the subscription's dead-letter queue too).
 * Idempotent on (run id, attempt): an event about an attempt the run has moved past changes nothing.
 */
@Controller()
export class IntegrationFailedHandler {
  private readonly logger = new Logger(IntegrationFailedHandler.name);

  constructor(
    private readonly runs: RunRecorder,
    private readonly resolver: ConnectionResolver,
    private readonly publisher: BusPublisher,
    private readonly options: IntegrationRetryOptions,
  ) {}

  @EventPattern(EVENTS.IntegrationFailed, { role: 'IntegrationRetryWorker' })
  async onIntegrationFailed(@Payload() event: CloudEvent<IntegrationFailedData>): Promise<void> {
    const failure = event?.data;
    if (!failure || typeof failure !== 'object') throw new PoisonMessageError('invalid_event', 'IntegrationFailed carries no data');
    // Sync calls were answered already (their caller owns any retry); tests and verifications are one-shot;
    // webhook deliveries (purpose 'delivery', no run) retry on their own schedule in the delivery worker.
    if (failure.mode !== 'async' || failure.purpose !== 'call') return;
    if (typeof failure.runId !== 'string' || !Number.isInteger(failure.attempt)) {
      throw new PoisonMessageError('invalid_event', 'IntegrationFailed carries no run id and attempt');
    }

    const run = await this.runs.find(event.tenantid, failure.runId);
    if (!run || run.state !== 'Failed' || run.attempts !== failure.attempt) {
      this.logger.debug({ msg: 'IntegrationFailed for an attempt the run has moved past; ignored', runId: failure.runId, attempt: failure.attempt, state: run?.state });
      return;
    }

    if (failure.category === 'Poison') {
      await this.deadLetter(run, failure.attempt, 'poison', 'The run failed with a poison failure and will not be retried');
      throw new PoisonMessageError('poison_run', `Run ${run.id} failed with a poison failure (${failure.code})`);
    }
    const policy = await this.policyFor(run);
    const decision = policy.nextDelay({ attempt: run.attempts, category: failure.category, retryAfterMs: failure.retryAfterMs });
    if (!decision.retry) {
      if (decision.reason === 'attempts_exhausted') {
        await this.deadLetter(run, failure.attempt, 'retries_exhausted', `The run failed ${run.attempts} times; no attempts are left`);
      } else {
        this.logger.log({ msg: 'Run failed with a failure that retrying cannot fix', runId: run.id, category: failure.category, code: failure.code });
      }
      return;
    }
    const attempt = run.attempts + 1;
    // Sent before the state change, with a deterministic id: a crash in between re-sends the same command, which the bus drops as a duplicate.
    await this.publisher.send(
      COMMANDS.RetryIntegrationRun,
      { runId: run.id, attempt },
      { tenantId: run.tenantId, messageId: `retry:${run.id}:${attempt}`, scheduledEnqueueTime: decision.delayMs > 0 ? decision.retryAt : undefined },
    );
    await this.runs.transition(run, failure.attempt, 'Failed', 'Retrying');
    this.logger.log({ msg: 'Run retry scheduled', runId: run.id, attempt, delayMs: decision.delayMs, category: failure.category });
  }

  private async deadLetter(run: IntegrationRun, attempt: number, code: string, message: string): Promise<void> {
    if (!(await this.runs.transition(run, attempt, 'Failed', 'DeadLettered'))) return;
    await this.runs.recordFailure(run, { category: 'Poison', retryable: false, code, message });
    this.logger.warn({ msg: 'Run dead-lettered', runId: run.id, code });
  }

  private async policyFor(run: IntegrationRun): Promise<RetryPolicy> {
    let settings: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number; retryOn?: Array<'Transient' | 'RateLimited'> } | null = null;
    try {
      const profile = await this.resolver.resolve(run.tenantId, run.connectionId);
      settings = profile.connection.retryPolicy ?? profile.client?.retryPolicy ?? null;
    } catch (error) {
      if (!(error instanceof ConnectionNotFoundError)) throw error;
    }
    const maxAttempts = settings?.maxAttempts ?? this.options.maxAttempts;
    const baseDelayMs = settings?.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
    return RetryPolicy.exponential({
      maxAttempts,
      baseDelayMs,
      maxDelayMs: Math.max(settings?.maxDelayMs ?? DEFAULT_MAX_DELAY_MS, baseDelayMs),
      retryOn: settings?.retryOn ?? ['Transient', 'RateLimited'],
      jitter: { ratio: 0.2 },
    });
  }
}
