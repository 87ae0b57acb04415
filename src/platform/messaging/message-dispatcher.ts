import { Inject, Injectable, Logger } from '@nestjs/common';
import { RequestContext } from '../context/request-context';
import { ProcessLifecycle } from '../lifecycle/process-lifecycle';
import { PlatformMetrics } from '../observability/platform-metrics';
import { SecretRedactor } from '../observability/redaction';
import { continueTrace } from '../observability/tracing';
import { classifyFailure, FailureClassification } from '../resilience/failure-classifier';
import { RetryPolicy } from '../resilience/retry-policy';
import { BusOptions } from './bus.options';
import { MessageHandler, PoisonMessageError, ReceivedMessage } from './bus-message';

/**
 * The one settlement policy of every consumer, whatever the adapter: the handler runs inside a
 * context carrying the message's tenant, trace and ids, counted as in-flight work; success completes;
 * the failure classifier decides the rest: a non-retryable failure (Poison, Validation, Auth) dead-letters
 * with its code as reason, a retryable one abandons with the retry policy's backoff (honouring a
 * vendor's Retry-After) until the delivery count reaches the entity's maximum, then dead-letters.
 */
@Injectable()
export class MessageDispatcher {
  private readonly logger = new Logger(MessageDispatcher.name);

  constructor(
    @Inject(BusOptions) private readonly options: BusOptions,
    private readonly lifecycle: ProcessLifecycle,
    private readonly metrics: PlatformMetrics,
  ) {}

  wrap(entity: string, maxDeliveryCount: number, handle: (message: ReceivedMessage) => Promise<void>): MessageHandler {
    // Delivery n waits base · 2^(n−2) after a failure (±20 %), so the first retry waits BUS_RETRY_BASE_DELAY.
    const retryPolicy = RetryPolicy.exponential({
      maxAttempts: maxDeliveryCount,
      baseDelayMs: this.options.retryBaseDelayMs,
      maxDelayMs: Math.max(this.options.retryMaxDelayMs, this.options.retryBaseDelayMs),
      jitter: { ratio: 0.2 },
    });
    return (message, settlement) =>
      this.lifecycle.run('message', () =>
        RequestContext.run(
          {
            tenantId: message.tenantId,
            trace: continueTrace({ traceparent: message.traceparent }),
            correlationId: message.correlationId ?? message.messageId,
            ids: { messageId: message.messageId },
          },
          async () => {
            const stopTimer = this.metrics.busHandlerDuration.startTimer({ entity });
            try {
              await handle(message);
              await settlement.complete();
              this.count(entity, 'completed');
            } catch (error) {
              await this.settleFailure(entity, retryPolicy, message, error, settlement);
            } finally {
              stopTimer();
            }
          },
        ),
      );
  }

  private async settleFailure(entity: string, retryPolicy: RetryPolicy, message: ReceivedMessage, error: unknown, settlement: Parameters<MessageHandler>[1]): Promise<void> {
    const failure: FailureClassification = error instanceof PoisonMessageError ? { category: 'Poison', retryable: false, code: error.reason } : classifyFailure({ error });
    const description = SecretRedactor.scrub(error instanceof Error ? error.message : String(error)).slice(0, 1000);
    const decision = retryPolicy.nextDelay({ attempt: message.deliveryCount, category: failure.category, retryAfterMs: failure.retryAfterMs });
    const context = { entity, subject: message.subject, deliveries: message.deliveryCount, category: failure.category, code: failure.code, err: error };
    if (decision.retry) {
      this.logger.warn({ msg: 'Handler failed; message will be redelivered', ...context, delayMs: decision.delayMs });
      await settlement.abandon({ delayMs: decision.delayMs });
      this.count(entity, 'abandoned');
      return;
    }
    const reason = decision.reason === 'attempts_exhausted' ? 'MaxDeliveryCountExceeded' : failure.code;
    this.logger.warn({ msg: 'Message dead-lettered', ...context, reason });
    await settlement.deadLetter(reason, description);
    this.count(entity, 'deadlettered');
  }

  private count(entity: string, outcome: 'completed' | 'abandoned' | 'deadlettered'): void {
    this.metrics.busMessages.inc({ entity, outcome });
  }
}
