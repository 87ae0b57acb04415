import { Inject, Injectable, Logger } from '@nestjs/common';
import { RequestContext } from '../context/request-context';
import { ProcessLifecycle } from '../lifecycle/process-lifecycle';
import { PlatformMetrics } from '../observability/platform-metrics';
import { SecretRedactor } from '../observability/redaction';
import { continueTrace } from '../observability/tracing';
import { BusOptions } from './bus.options';
import { MessageHandler, PoisonMessageError, ReceivedMessage } from './bus-message';

/** Errors that say "retrying cannot help" without depending on the messaging layer (e.g. classified vendor failures). */
interface NonRetryableError {
  retryable: false;
  code?: string;
}

function isNonRetryable(error: unknown): error is NonRetryableError & Error {
  return error instanceof Error && (error as Partial<NonRetryableError>).retryable === false;
}

/**
 * The one settlement policy of every consumer, whatever the adapter: the handler runs inside a
 * context carrying the message's tenant, trace and ids, counted as in-flight work; success completes;
 * a poison or non-retryable error dead-letters with a reason; any other error abandons with exponential
 * backoff until the delivery count reaches the entity's maximum, then dead-letters.
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
              await this.settleFailure(entity, maxDeliveryCount, message, error, settlement);
            } finally {
              stopTimer();
            }
          },
        ),
      );
  }

  /** Exponential backoff with ±20 % jitter: base · 2^(deliveries − 1), capped. */
  backoffFor(deliveryCount: number): number {
    const exponential = this.options.retryBaseDelayMs * 2 ** Math.max(0, deliveryCount - 1);
    const capped = Math.min(this.options.retryMaxDelayMs, exponential);
    return Math.round(capped * (0.8 + Math.random() * 0.4));
  }

  private async settleFailure(
    entity: string,
    maxDeliveryCount: number,
    message: ReceivedMessage,
    error: unknown,
    settlement: Parameters<MessageHandler>[1],
  ): Promise<void> {
    const description = SecretRedactor.scrub(error instanceof Error ? error.message : String(error)).slice(0, 1000);
    if (error instanceof PoisonMessageError || isNonRetryable(error)) {
      const reason = error instanceof PoisonMessageError ? error.reason : (error.code ?? error.name);
      this.logger.warn({ msg: 'Message dead-lettered: not retryable', entity, subject: message.subject, reason, err: error });
      await settlement.deadLetter(reason, description);
      this.count(entity, 'deadlettered');
      return;
    }
    if (message.deliveryCount >= maxDeliveryCount) {
      this.logger.warn({ msg: 'Message dead-lettered: delivery count exhausted', entity, subject: message.subject, deliveries: message.deliveryCount, err: error });
      await settlement.deadLetter('MaxDeliveryCountExceeded', description);
      this.count(entity, 'deadlettered');
      return;
    }
    const delayMs = this.backoffFor(message.deliveryCount);
    this.logger.warn({ msg: 'Handler failed; message will be redelivered', entity, subject: message.subject, deliveries: message.deliveryCount, delayMs, err: error });
    await settlement.abandon({ delayMs });
    this.count(entity, 'abandoned');
  }

  private count(entity: string, outcome: 'completed' | 'abandoned' | 'deadlettered'): void {
    this.metrics.busMessages.inc({ entity, outcome });
  }
}
