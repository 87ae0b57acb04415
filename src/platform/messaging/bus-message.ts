/** Properties every message carries besides its body. */
export interface MessageEnvelope {
  /** Unique per logical message; Service Bus (and the store bus) drop a repeat inside the duplicate-detection window. */
  readonly messageId: string;
  readonly correlationId?: string;
  /** The command or event name (the handler pattern). */
  readonly subject: string;
  readonly tenantId: string;
  /** W3C trace context of the producer. */
  readonly traceparent?: string;
  readonly contentType?: string;
  readonly applicationProperties?: Readonly<Record<string, string | number | boolean>>;
}

export interface OutgoingMessage<T = unknown> extends MessageEnvelope {
  readonly body: T;
  /**
   * False when the id was generated for this message (a fresh UUID cannot repeat), so the store bus can
   * skip recording it for duplicate detection. Absent or true: checked like any caller-chosen id.
   */
  readonly detectDuplicates?: boolean;
  /** Not delivered before this time (delayed work, retries). */
  readonly scheduledEnqueueTime?: Date;
}

export interface ReceivedMessage<T = unknown> extends MessageEnvelope {
  readonly body: T;
  /** 1 on the first delivery; grows with every abandon or lock expiry. */
  readonly deliveryCount: number;
  readonly enqueuedAt: Date;
}

export interface DeadLetteredMessage {
  readonly messageId: string;
  readonly subject: string;
  readonly body: unknown;
  readonly reason: string;
  readonly description?: string;
}

/** How a peek-locked message ends. Exactly one settlement per delivery; later calls are ignored. */
export interface MessageSettlement {
  complete(): Promise<void>;
  /** Makes the message available again, after `delayMs` when given (backoff on transient failures). */
  abandon(options?: { delayMs?: number }): Promise<void>;
  deadLetter(reason: string, description?: string): Promise<void>;
}

export type MessageHandler = (message: ReceivedMessage, settlement: MessageSettlement) => Promise<void>;

export interface ConsumeOptions {
  /** Handlers running at once for this consumer. */
  readonly concurrency: number;
  /** Messages locked ahead of the handlers, beyond those being handled. */
  readonly prefetch: number;
  readonly maxDeliveryCount: number;
  readonly lockDurationMs: number;
  /** How long locks are renewed for one long-running handler. */
  readonly maxLockRenewalMs: number;
}

export interface MessageConsumer {
  /** Stops receiving and releases prefetched messages; handlers already running go on (shutdown waits for them, up to its grace period). */
  stopReceiving(): Promise<void>;
  /** Stops receiving; in-flight handlers finish, prefetched messages are released. */
  close(): Promise<void>;
}

/** A handler error that must not be retried: the message is dead-lettered with this reason. */
export class PoisonMessageError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'PoisonMessageError';
  }
}
