import { performance } from 'node:perf_hooks';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { LiveEvents } from '../../platform/live/live-events';
import { BlobStore, InvalidBlobInputError } from '../../platform/blob/blob-store';
import { RequestContext } from '../../platform/context/request-context';
import { EgressClient, EgressResponse } from '../../platform/egress/egress-client';
import { EgressRefusedError, InvalidEgressUrlError } from '../../platform/egress/egress-policy';
import { IntegrationEvents } from '../../platform/integrations/integration-events';
import { BusPublisher } from '../../platform/messaging/bus-publisher';
import { GroupedOutboxCommits } from '../../platform/messaging/outbox/grouped-outbox-commits';
import { OutboxItem, TransactionalOutbox } from '../../platform/messaging/outbox/transactional-outbox';
import { PlatformMetrics } from '../../platform/observability/platform-metrics';
import { SecretRedactor } from '../../platform/observability/redaction';
import { newId } from '../../platform/persistence/ids';
import { RowReader } from '../../platform/persistence/row-reader';
import { RowBatch, RowConflictError, RowUpdate } from '../../platform/persistence/row-writer';
import { CircuitBreakerRegistry, CircuitOpenError } from '../../platform/resilience/breaker-registry';
import { classifyError, classifyStatus, FailureClassification, HttpStatusError } from '../../platform/resilience/failure-classifier';
import { RetryPolicy } from '../../platform/resilience/retry-policy';
import { FAILURE_CATEGORIES, IntegrationFailure } from '../../platform/runs/entities/integration-failure.entity';
import { DeliveryAttempt } from '../../platform/webhooks/entities/delivery-attempt.entity';
import { WebhookDelivery } from '../../platform/webhooks/entities/webhook-delivery.entity';
import { WebhookSubscription } from '../../platform/webhooks/entities/webhook-subscription.entity';
import { signStandardWebhook } from '../../platform/webhooks/standard-webhooks';
import { SubscriptionSecrets } from '../../platform/webhooks/subscription-secrets';
import { DeliverWebhookCommand, deliverMessageId, WebhookDeliveredData, WebhookDeliveryFailedData } from '../../platform/webhooks/deliver-webhook.command';
import { EndpointSlots } from './endpoint-slots';
import { WebhookDeliveryOptions } from './webhook-delivery.options';
import { COMMANDS, EVENTS } from '../../platform/messaging/contracts';

export const WEBHOOK_USER_AGENT = 'integration-platform-webhooks/1.0';
const EXCERPT_BYTES = 1024;
/** A full endpoint frees a slot within milliseconds when healthy: come back soon, then less and less often. */
const BUSY_RETRY_FIRST_MS = 100;
const BUSY_RETRY_MAX_MS = 5_000;
const MIN_DEFER_MS = 50;
/** Rounds of recording an outcome when the subscription row changed under us. */
const RECORD_ROUNDS = 5;
const BREAKER_KEY_CHARS = /[^A-Za-z0-9._:/-]/g;
const MAX_BREAKER_KEY = 200;

/** A receiver answer that counts against the endpoint's breaker (5xx, 429, 408): thrown inside the breaker, unwrapped outside. */
class BreakerCountedAnswer extends HttpStatusError {
  constructor(readonly response: EgressResponse) {
    super(response.status, classifyStatus(response.status, response.headers));
  }
}

interface Endpoint {
  /** URL origin: the unit of per-endpoint concurrency. */
  readonly origin: string;
  readonly breakerKey: string;
}

/** A classified failure with our own description: never the receiver's words, never a secret. */
interface Failure extends FailureClassification {
  readonly message: string;
}

interface AttemptRecord {
  readonly startedAt: Date;
  readonly latencyMs: number;
  readonly statusCode: number | null;
  readonly failure?: Failure;
  readonly excerpt: string | null;
}

type Outcome =
  | { readonly kind: 'delivered'; readonly attempt: AttemptRecord; readonly statusCode: number }
  | { readonly kind: 'gone'; readonly attempt: AttemptRecord; readonly failure: Failure }
  | { readonly kind: 'retry'; readonly attempt: AttemptRecord; readonly failure: Failure; readonly retryAt: Date; readonly delayMs: number }
  | { readonly kind: 'exhausted'; readonly attempt: AttemptRecord; readonly failure: Failure }
  /** Nothing could be sent and nothing ever will be (no payload): dead-lettered with a failure, no attempt. */
  | { readonly kind: 'unsendable'; readonly failure: Failure }
  /** The subscription is disabled or gone: dead-lettered, no attempt, no failure. */
  | { readonly kind: 'unsent'; readonly reason: string };

interface Scope {
  readonly tenantId: string;
  readonly delivery: WebhookDelivery;
  readonly command: DeliverWebhookCommand;
}

type PostResult =
  | { readonly kind: 'answered'; readonly startedAt: Date; readonly response: EgressResponse; readonly signatures: string }
  | { readonly kind: 'failed'; readonly startedAt: Date; readonly latencyMs: number; readonly error: unknown }
  | { readonly kind: 'circuit-open'; readonly retryAfterMs?: number; readonly halfOpen: boolean }
  | { readonly kind: 'no-payload'; readonly failure: Failure };

/**
 * One attempt of an outbound webhook delivery (DeliverWebhook): idempotent on (delivery, series,
 * attempt); Standard Webhooks signature over the stored body; POST through the egress client inside the
 * endpoint's circuit breaker; the attempt, the delivery's new state and the next scheduled attempt (or
 * the dead-letter, its failure and events) written in one store transaction. A full endpoint or an open
 * breaker never makes the handler wait: the attempt is re-sent for later and the message completes.
 */
@Injectable()
export class WebhookDeliverer {
  private readonly logger = new Logger(WebhookDeliverer.name);
  private readonly policy: RetryPolicy;
  private readonly deliveriesTable: string;
  /** Outcomes of concurrent deliveries share one transaction; each settle still sees its own RowConflictError. */
  private readonly outcomes: GroupedOutboxCommits;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly rows: RowReader,
    private readonly options: WebhookDeliveryOptions,
    private readonly blobs: BlobStore,
    private readonly secrets: SubscriptionSecrets,
    private readonly egress: EgressClient,
    private readonly breakers: CircuitBreakerRegistry,
    private readonly slots: EndpointSlots,
    outbox: TransactionalOutbox,
    private readonly publisher: BusPublisher,
    private readonly events: IntegrationEvents,
    private readonly metrics: PlatformMetrics,
    private readonly live: LiveEvents,
  ) {
    this.deliveriesTable = dataSource.getMetadata(WebhookDelivery).tableName;
    this.outcomes = new GroupedOutboxCommits(outbox);
    this.policy = RetryPolicy.schedule(options.retryScheduleMs, { retryAfterCapMs: options.retryAfterCapMs, retryOn: FAILURE_CATEGORIES });
  }

  /** Handles one DeliverWebhook; `messageId` is the bus message's own id (deferrals number their re-sends from it). */
  async deliver(tenantId: string, command: DeliverWebhookCommand, messageId: string): Promise<void> {
    const delivery = await this.rows.findOneBy(WebhookDelivery, { tenantId, id: command.deliveryId });
    if (!delivery || !awaitsAttempt(delivery, command)) {
      this.logger.debug({
        msg: 'DeliverWebhook for an attempt the delivery does not await; ignored',
        deliveryId: command.deliveryId,
        series: command.series,
        attempt: command.attempt,
        status: delivery?.status,
      });
      return;
    }
    RequestContext.bindIds({ deliveryId: delivery.id, subscriptionId: delivery.subscriptionId });
    const scope: Scope = { tenantId, delivery, command };

    const subscription = delivery.subscriptionId ? await this.findSubscription(tenantId, delivery.subscriptionId) : null;
    if (!subscription || subscription.status !== 'Active') {
      const reason = !subscription
        ? 'The subscription no longer exists; nothing was sent'
        : `The subscription is disabled${subscription.disabledReason ? ` (${subscription.disabledReason})` : ''}; nothing was sent`;
      await this.settle(scope, { kind: 'unsent', reason: reason.slice(0, 1000) }, subscription);
      return;
    }

    const endpoint = endpointOf(subscription.url);
    if (this.breakers.state(endpoint.breakerKey) === 'open') {
      await this.defer(scope, messageId, this.halfOpenDelay(endpoint), 'circuit_open');
      return;
    }
    if (!this.slots.tryAcquire(endpoint.origin)) {
      await this.defer(scope, messageId, jittered(busyDelay(messageId)), 'endpoint_busy');
      return;
    }
    let result: PostResult;
    try {
      result = await this.attempt(delivery, subscription, endpoint);
    } finally {
      this.slots.release(endpoint.origin);
    }

    switch (result.kind) {
      case 'circuit-open': {
        // Half-open with its one trial call in flight: that call decides soon, so look again shortly.
        const delayMs = result.retryAfterMs ?? (result.halfOpen ? jittered(busyDelay(messageId)) : this.breakers.settings.resetTimeoutMs);
        await this.defer(scope, messageId, Math.max(MIN_DEFER_MS, delayMs), 'circuit_open');
        return;
      }
      case 'no-payload':
        await this.settle(scope, { kind: 'unsendable', failure: result.failure }, subscription);
        return;
      default:
        await this.settle(scope, this.outcomeOf(command, result), subscription);
    }
  }

  /** Reads what to send and sends it; the caller holds the endpoint's slot. */
  private async attempt(delivery: WebhookDelivery, subscription: WebhookSubscription, endpoint: Endpoint): Promise<PostResult> {
    const payload = await this.payloadOf(delivery);
    if (!payload) {
      return {
        kind: 'no-payload',
        failure: { category: 'Poison', retryable: false, code: 'payload_missing', message: 'The stored payload of the delivery is missing; nothing was sent' },
      };
    }
    const secrets = await this.secrets.signingSecrets(subscription);
    const startedAt = new Date();
    const started = performance.now();
    const signed = signStandardWebhook(delivery.eventId, startedAt.getTime() / 1000, payload, secrets);
    const headers = { 'content-type': 'application/json', 'user-agent': WEBHOOK_USER_AGENT, ...signed };
    try {
      const response = await this.breakers.execute(endpoint.breakerKey, async () => {
        const answer = await this.egress.request({ url: subscription.url, method: 'POST', headers, body: payload, timeoutMs: this.options.timeoutMs });
        const category = answer.status >= 300 ? classifyStatus(answer.status, answer.headers).category : undefined;
        if (category === 'Transient' || category === 'RateLimited') throw new BreakerCountedAnswer(answer);
        return answer;
      });
      return { kind: 'answered', startedAt, response, signatures: signed['webhook-signature'] };
    } catch (error) {
      if (error instanceof BreakerCountedAnswer) return { kind: 'answered', startedAt, response: error.response, signatures: signed['webhook-signature'] };
      if (error instanceof CircuitOpenError) return { kind: 'circuit-open', retryAfterMs: error.retryAfterMs, halfOpen: error.state === 'halfOpen' };
      return { kind: 'failed', startedAt, latencyMs: performance.now() - started, error };
    }
  }

  private outcomeOf(command: DeliverWebhookCommand, result: Extract<PostResult, { kind: 'answered' | 'failed' }>): Outcome {
    let attempt: AttemptRecord;
    if (result.kind === 'answered') {
      const { response } = result;
      const excerpt = excerptOf(response.body, result.signatures);
      this.metrics.webhookDeliveryAttemptDuration.observe({ result: `${Math.floor(response.status / 100)}xx` }, response.latencyMs / 1000);
      if (response.status >= 200 && response.status < 300) {
        attempt = { startedAt: result.startedAt, latencyMs: response.latencyMs, statusCode: response.status, excerpt };
        return { kind: 'delivered', attempt, statusCode: response.status };
      }
      const failure: Failure = { ...classifyStatus(response.status, response.headers), message: statusMessage(response.status) };
      attempt = { startedAt: result.startedAt, latencyMs: response.latencyMs, statusCode: response.status, failure, excerpt };
      if (response.status === 410) return { kind: 'gone', attempt, failure };
    } else {
      const classification = classifyError(result.error);
      const failure: Failure = { ...classification, message: errorMessage(result.error, classification, this.options.timeoutMs) };
      const resultClass = result.error instanceof EgressRefusedError ? 'refused' : classification.code === 'timeout' ? 'timeout' : 'error';
      this.metrics.webhookDeliveryAttemptDuration.observe({ result: resultClass }, result.latencyMs / 1000);
      attempt = { startedAt: result.startedAt, latencyMs: result.latencyMs, statusCode: null, failure, excerpt: null };
    }
    const failure = attempt.failure!;
    const decision = this.policy.nextDelay({ attempt: command.attempt, category: failure.category, retryAfterMs: failure.retryAfterMs });
    if (decision.retry) return { kind: 'retry', attempt, failure, retryAt: decision.retryAt, delayMs: decision.delayMs };
    return { kind: 'exhausted', attempt, failure };
  }

  /** Writes the outcome; re-plans when the subscription changed meanwhile. */
  private async settle(scope: Scope, outcome: Outcome, subscription: WebhookSubscription | null): Promise<void> {
    let current = subscription;
    for (let round = 1; ; round += 1) {
      const plan = this.plan(scope, outcome, current);
      try {
        await this.outcomes.commit({ updates: plan.updates, inserts: plan.inserts }, plan.items);
      } catch (error) {
        if (!(error instanceof RowConflictError)) throw error;
        // The delivery is no longer at this attempt: a duplicate recorded it, or a replay started a new series.
        if (error.table === this.deliveriesTable) {
          this.logger.warn({ msg: 'The delivery moved on while its attempt ran; the outcome was not recorded', deliveryId: scope.delivery.id, outcome: outcome.kind });
          return;
        }
        // The subscription row changed between reading it and writing the outcome: read it again and re-plan.
        if (round >= RECORD_ROUNDS) throw error;
        current = await this.findSubscription(scope.tenantId, scope.delivery.subscriptionId!);
        continue;
      }
      this.report(scope, outcome, plan.disabled);
      return;
    }
  }

  private plan(scope: Scope, outcome: Outcome, subscription: WebhookSubscription | null): { updates: RowUpdate[]; inserts: RowBatch[]; items: OutboxItem[]; disabled?: string } {
    const { tenantId, delivery, command } = scope;
    const now = new Date();
    // RowWriter runs the updates (first the delivery's, conditional on the attempt) before the inserts.
    const updates: RowUpdate[] = [];
    const inserts: RowBatch[] = [];
    const items: OutboxItem[] = [];
    const attemptNumber = delivery.attemptCount + 1;
    const made = 'attempt' in outcome;

    const changes: Partial<WebhookDelivery> = made ? { attemptCount: attemptNumber, seriesAttempt: command.attempt } : {};
    switch (outcome.kind) {
      case 'delivered':
        Object.assign(changes, { status: 'Delivered', completedAt: now, nextAttemptAt: null, lastError: null });
        break;
      case 'retry':
        Object.assign(changes, { status: 'Pending', nextAttemptAt: outcome.retryAt, lastError: outcome.failure.message });
        break;
      case 'gone':
        Object.assign(changes, { status: 'DeadLettered', completedAt: now, nextAttemptAt: null, lastError: 'The endpoint answered HTTP 410 Gone; the subscription was disabled' });
        break;
      case 'exhausted':
      case 'unsendable':
        Object.assign(changes, { status: 'DeadLettered', completedAt: now, nextAttemptAt: null, lastError: outcome.failure.message });
        break;
      case 'unsent':
        Object.assign(changes, { status: 'DeadLettered', completedAt: now, nextAttemptAt: null, lastError: outcome.reason });
        break;
    }
    updates.push({
      target: WebhookDelivery,
      set: changes,
      where: { tenantId, id: delivery.id, status: 'Pending', series: command.series, seriesAttempt: command.attempt - 1, attemptCount: delivery.attemptCount },
      expectAffected: 1,
    });

    if (made) {
      const { attempt } = outcome;
      inserts.push({
        target: DeliveryAttempt,
        rows: [
          {
            id: newId('datt'),
            tenantId,
            deliveryId: delivery.id,
            attemptNumber,
            attemptedAt: attempt.startedAt,
            statusCode: attempt.statusCode,
            latencyMs: Math.round(attempt.latencyMs),
            error: attempt.failure ? attempt.failure.message.slice(0, 1000) : null,
            responseExcerpt: attempt.excerpt,
          },
        ],
      });
    }

    const failed = (failure: Failure, status: number | undefined): void => {
      inserts.push({
        target: IntegrationFailure,
        rows: [
          {
            id: newId('fail'),
            tenantId,
            runId: null,
            deliveryId: delivery.id,
            connectionId: null,
            category: failure.category,
            code: failure.code.slice(0, 64),
            message: failure.message.slice(0, 1000),
            retryable: false,
            occurredAt: now,
          },
        ],
      });
      const data: WebhookDeliveryFailedData = {
        deliveryId: delivery.id,
        subscriptionId: delivery.subscriptionId ?? '',
        eventId: delivery.eventId,
        eventType: delivery.eventType,
        attempt: made ? attemptNumber : delivery.attemptCount,
        category: failure.category,
        code: failure.code,
        retryable: false,
        mode: 'async',
        purpose: 'delivery',
        ...(status !== undefined ? { status } : {}),
      };
      const id = `${delivery.id}.${command.series}.failed`;
      items.push({
        pattern: EVENTS.IntegrationFailed,
        message: this.events.prepare(EVENTS.IntegrationFailed, data, { tenantId, subject: delivery.id, id, detectDuplicates: false }),
      });
    };

    let disabled: string | undefined;
    switch (outcome.kind) {
      case 'delivered': {
        const data: WebhookDeliveredData = {
          deliveryId: delivery.id,
          subscriptionId: delivery.subscriptionId ?? '',
          eventId: delivery.eventId,
          eventType: delivery.eventType,
          attempts: attemptNumber,
          statusCode: outcome.statusCode,
        };
        const id = `${delivery.id}.${command.series}.delivered`;
        items.push({
          pattern: EVENTS.WebhookDelivered,
          message: this.events.prepare(EVENTS.WebhookDelivered, data, { tenantId, subject: delivery.id, id, detectDuplicates: false }),
        });
        if (subscription && subscription.consecutiveDeadLetters !== 0) {
          updates.push({ target: WebhookSubscription, set: { consecutiveDeadLetters: 0 }, where: { tenantId, id: subscription.id } });
        }
        break;
      }
      case 'retry': {
        const next: DeliverWebhookCommand = { deliveryId: delivery.id, series: command.series, attempt: command.attempt + 1 };
        items.push({
          pattern: COMMANDS.DeliverWebhook,
          message: this.publisher.prepareCommand(COMMANDS.DeliverWebhook, next, {
            tenantId,
            messageId: deliverMessageId(next),
            scheduledEnqueueTime: outcome.delayMs > 0 ? outcome.retryAt : undefined,
          }),
        });
        break;
      }
      case 'gone': {
        failed(outcome.failure, 410);
        if (subscription && subscription.status === 'Active') {
          disabled = `The endpoint answered HTTP 410 Gone to delivery ${delivery.id}`;
          updates.push({ target: WebhookSubscription, set: { status: 'Disabled', disabledReason: disabled }, where: { tenantId, id: subscription.id, status: 'Active' } });
        }
        break;
      }
      case 'exhausted': {
        failed(outcome.failure, outcome.attempt.statusCode ?? undefined);
        if (subscription) {
          const count = subscription.consecutiveDeadLetters + 1;
          const limit = this.options.autoDisableAfter;
          const set: Partial<WebhookSubscription> = { consecutiveDeadLetters: count };
          if (limit > 0 && count >= limit && subscription.status === 'Active') {
            disabled = `Disabled after ${count} consecutive dead-lettered deliveries`;
            Object.assign(set, { status: 'Disabled', disabledReason: disabled });
            const data: WebhookDeliveryFailedData = {
              deliveryId: delivery.id,
              subscriptionId: subscription.id,
              category: outcome.failure.category,
              code: 'subscription_auto_disabled',
              retryable: false,
              mode: 'async',
              purpose: 'delivery',
              consecutiveDeadLetters: count,
            };
            const id = `${subscription.id}.${subscription.rowVersion + 1}.disabled`;
            items.push({
              pattern: EVENTS.IntegrationFailed,
              message: this.events.prepare(EVENTS.IntegrationFailed, data, { tenantId, subject: subscription.id, id, detectDuplicates: false }),
            });
          }
          // Versioned: concurrent dead-letters of one subscription each count, and only one of them disables it.
          updates.push({ target: WebhookSubscription, set, where: { tenantId, id: subscription.id, rowVersion: subscription.rowVersion }, expectAffected: 1 });
        }
        break;
      }
      case 'unsendable':
        failed(outcome.failure, undefined);
        break;
      case 'unsent':
        break;
    }
    return { updates, inserts, items, disabled };
  }

  private report(scope: Scope, outcome: Outcome, disabled: string | undefined): void {
    const { delivery, command } = scope;
    const ids = { deliveryId: delivery.id, subscriptionId: delivery.subscriptionId, series: command.series, attempt: command.attempt };
    this.live.publish(scope.tenantId, {
      id: `${delivery.id}:${command.series}:${command.attempt}`,
      type: 'DeliveryAttempted',
      subject: delivery.id,
      time: new Date().toISOString(),
      data: {
        ...ids,
        status: outcome.kind === 'delivered' ? 'Delivered' : outcome.kind === 'retry' ? 'Pending' : 'DeadLettered',
        statusCode: 'attempt' in outcome ? outcome.attempt.statusCode : null,
      },
    });
    switch (outcome.kind) {
      case 'delivered':
        this.metrics.webhookDeliveries.inc({ outcome: 'Delivered' });
        this.logger.log({ msg: 'Webhook delivered', ...ids, status: outcome.statusCode });
        break;
      case 'retry':
        this.logger.log({
          msg: 'Webhook attempt failed; next attempt scheduled',
          ...ids,
          status: outcome.attempt.statusCode,
          category: outcome.failure.category,
          code: outcome.failure.code,
          delayMs: outcome.delayMs,
        });
        break;
      case 'unsent':
        this.metrics.webhookDeliveries.inc({ outcome: 'DeadLettered' });
        this.logger.warn({ msg: 'Webhook dead-lettered without an attempt: the subscription is not active', ...ids });
        break;
      default: {
        this.metrics.webhookDeliveries.inc({ outcome: 'DeadLettered' });
        this.metrics.integrationFailures.inc({ provider: 'webhook', category: outcome.failure.category });
        const status = 'attempt' in outcome ? outcome.attempt.statusCode : null;
        this.logger.warn({ msg: 'Webhook dead-lettered', ...ids, status, category: outcome.failure.category, code: outcome.failure.code });
      }
    }
    if (disabled)
      this.logger.warn({ msg: 'Webhook subscription disabled', subscriptionId: delivery.subscriptionId, code: outcome.kind === 'gone' ? 'gone' : 'subscription_auto_disabled' });
  }

  /** Re-sends the same attempt for later under a new message id (the scheduled one's id would be dropped as a duplicate). */
  private async defer(scope: Scope, messageId: string, delayMs: number, reason: 'endpoint_busy' | 'circuit_open'): Promise<void> {
    const { tenantId, command } = scope;
    const next: DeliverWebhookCommand = { deliveryId: command.deliveryId, series: command.series, attempt: command.attempt };
    const deferral = deferralOf(messageId) + 1;
    await this.publisher.send(COMMANDS.DeliverWebhook, next, {
      tenantId,
      messageId: `${deliverMessageId(next)}:deferred:${deferral}`,
      scheduledEnqueueTime: new Date(Date.now() + delayMs),
    });
    this.logger.debug({ msg: 'Webhook attempt deferred', deliveryId: command.deliveryId, series: command.series, attempt: command.attempt, reason, delayMs, deferral });
  }

  private halfOpenDelay(endpoint: Endpoint): number {
    const halfOpenAt = this.breakers.snapshot().find((breaker) => breaker.key === endpoint.breakerKey)?.halfOpenAt;
    if (!halfOpenAt) return this.breakers.settings.resetTimeoutMs;
    return Math.max(MIN_DEFER_MS, Date.parse(halfOpenAt) - Date.now());
  }

  private async payloadOf(delivery: WebhookDelivery): Promise<Buffer | null> {
    if (delivery.payloadBody) return Buffer.from(delivery.payloadBody);
    if (!delivery.payloadRef) return null;
    try {
      return (await this.blobs.get(delivery.tenantId, delivery.payloadRef))?.data ?? null;
    } catch (error) {
      if (error instanceof InvalidBlobInputError) return null;
      throw error;
    }
  }

  private findSubscription(tenantId: string, id: string): Promise<WebhookSubscription | null> {
    return this.rows.findOneBy(WebhookSubscription, { tenantId, id });
  }
}

function awaitsAttempt(delivery: WebhookDelivery, command: DeliverWebhookCommand): boolean {
  return delivery.direction === 'out' && delivery.status === 'Pending' && delivery.series === command.series && delivery.seriesAttempt === command.attempt - 1;
}

/** Per-endpoint unit (origin) and breaker key (`webhook:<host>`, in the registry's key alphabet). */
export function endpointOf(url: string): Endpoint {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  // An unparsable URL fails in the egress client (Validation); it shares one key, which such failures never trip.
  const host = parsed?.host.toLowerCase() || 'invalid';
  const breakerKey = `webhook:${host.replace(BREAKER_KEY_CHARS, '_')}`.slice(0, MAX_BREAKER_KEY);
  return { origin: parsed && parsed.origin !== 'null' ? parsed.origin : `invalid:${host}`, breakerKey };
}

/** The wait before the next try at a full endpoint: doubles with each deferral of the same attempt. */
function busyDelay(messageId: string): number {
  return Math.min(BUSY_RETRY_MAX_MS, BUSY_RETRY_FIRST_MS * 2 ** deferralOf(messageId));
}

/** Which deferral of an attempt a message is (0 for the scheduled message itself). */
function deferralOf(messageId: string): number {
  const match = /:deferred:(\d+)$/.exec(messageId);
  return match ? Number(match[1]) : 0;
}

function jittered(delayMs: number): number {
  return Math.round(delayMs * (0.8 + Math.random() * 0.4));
}

/** The first KiB of the receiver's answer as text, with our own signatures (should it echo them) and known secret shapes removed. */
// eslint-disable-next-line no-control-regex -- NUL is exactly what must not reach a text column
const NUL = /\u0000/g;

function excerptOf(body: Buffer, signatures: string): string | null {
  if (body.length === 0) return null;
  let text = body.subarray(0, EXCERPT_BYTES).toString('utf8').replace(NUL, '');
  for (const signature of signatures.split(' ')) {
    const value = signature.slice(signature.indexOf(',') + 1);
    if (value.length >= 8 && text.includes(value)) text = text.split(value).join('[REDACTED]');
  }
  return SecretRedactor.scrub(text);
}

function statusMessage(status: number): string {
  if (status >= 300 && status < 400) return `The endpoint answered HTTP ${status}, a redirect; redirects are not followed`;
  return `The endpoint answered HTTP ${status}`;
}

/** Our own words for a POST that got no answer: egress messages name the URL path, which may carry a token. */
function errorMessage(error: unknown, classification: FailureClassification, timeoutMs: number): string {
  if (error instanceof EgressRefusedError || error instanceof InvalidEgressUrlError) return error.message;
  switch (classification.code) {
    case 'timeout':
      return `The endpoint did not answer within ${timeoutMs} ms`;
    case 'response_too_large':
      return 'The endpoint answered with a body larger than the egress limit';
    case 'dns_not_found':
      return 'The endpoint host name does not resolve';
    default:
      return `The POST failed: ${classification.code.replace(/_/g, ' ')} (${classification.category})`;
  }
}
