import { Logger } from '@nestjs/common';
import type { ConsumeOptions, MessageConsumer, MessageHandler, MessageSettlement, ReceivedMessage } from './bus-message';

/** One received, locked message: either decoded, or undecodable (and then dead-lettered). */
export interface Delivery {
  readonly message: ReceivedMessage | { readonly malformed: Error };
  readonly settlement: MessageSettlement;
  readonly receivedAt: number;
}

/** Where a PullConsumer gets its deliveries: one queue or subscription of one adapter. */
export interface DeliverySource {
  readonly entity: string;
  /** Up to `max` deliveries; may wait (until `signal` aborts) and return none. */
  receive(max: number, signal: AbortSignal): Promise<Delivery[]>;
  /** Keeps the locks of what the consumer holds (called periodically). */
  renew(held: readonly Delivery[]): Promise<void>;
  /** Gives back deliveries that were never handed to the handler. */
  release(unstarted: readonly Delivery[]): Promise<void>;
}

const ERROR_BACKOFF_MS = [250, 500, 1_000, 2_000, 5_000];

/**
 * The consume loop shared by every adapter: keeps at most `concurrency` handlers running and
 * `prefetch` more messages locked and waiting, renews locks of what it holds, and survives backend
 * errors (logged, retried with backoff; an unsettled message reappears when its lock expires).
 * `stopReceiving()` stops the loop and releases what was prefetched; `close()` also waits for running handlers.
 */
export class PullConsumer implements MessageConsumer {
  private readonly logger = new Logger(PullConsumer.name);
  /** Received and not yet settled: their locks are renewed. */
  private readonly unsettled = new Set<Delivery>();
  private readonly waiting: Delivery[] = [];
  private readonly running = new Set<Promise<void>>();
  private readonly stop = new AbortController();
  private slotFreed?: () => void;
  private readonly loopDone: Promise<void>;
  private readonly renewTimer: NodeJS.Timeout;
  private failures = 0;

  constructor(
    private readonly source: DeliverySource,
    private readonly handler: MessageHandler,
    private readonly options: ConsumeOptions,
  ) {
    this.renewTimer = setInterval(() => void this.renew(), Math.max(250, Math.floor(options.lockDurationMs / 3)));
    this.renewTimer.unref();
    this.loopDone = this.loop();
  }

  async stopReceiving(): Promise<void> {
    if (!this.stop.signal.aborted) {
      this.stop.abort();
      this.slotFreed?.();
    }
    await this.loopDone;
    const unstarted = this.waiting.splice(0);
    unstarted.forEach((delivery) => this.unsettled.delete(delivery));
    await this.source.release(unstarted).catch((error: unknown) => {
      this.logger.warn({ msg: 'Releasing prefetched messages failed; their locks will expire', entity: this.source.entity, err: error });
    });
  }

  async close(): Promise<void> {
    await this.stopReceiving();
    // Locks of running handlers stay renewed until they settle.
    await Promise.allSettled([...this.running]);
    clearInterval(this.renewTimer);
  }

  private async loop(): Promise<void> {
    const capacity = this.options.concurrency + this.options.prefetch;
    // While prefetched messages keep the handlers busy, free slots are claimed in batches, not one receive each.
    const refill = Math.max(1, Math.ceil(this.options.prefetch / 2));
    while (!this.stop.signal.aborted) {
      const free = capacity - this.running.size - this.waiting.length;
      if (free <= 0 || (this.waiting.length > 0 && free < refill)) {
        await new Promise<void>((resolve) => (this.slotFreed = resolve));
        continue;
      }
      try {
        const deliveries = await this.source.receive(free, this.stop.signal);
        this.failures = 0;
        for (const delivery of deliveries) {
          this.unsettled.add(delivery);
          this.waiting.push(delivery);
        }
        this.startHandlers();
      } catch (error) {
        if (this.stop.signal.aborted) break;
        this.failures += 1;
        if (this.failures === 1 || this.failures % 20 === 0) {
          this.logger.warn({ msg: 'Receiving from the bus failed; retrying', entity: this.source.entity, attempt: this.failures, err: error });
        }
        await sleep(ERROR_BACKOFF_MS[Math.min(this.failures, ERROR_BACKOFF_MS.length) - 1], this.stop.signal);
      }
    }
  }

  private startHandlers(): void {
    while (!this.stop.signal.aborted && this.waiting.length > 0 && this.running.size < this.options.concurrency) {
      const delivery = this.waiting.shift()!;
      const run = this.handle(delivery).finally(() => {
        this.running.delete(run);
        this.startHandlers();
        this.slotFreed?.();
        this.slotFreed = undefined;
      });
      this.running.add(run);
    }
  }

  private async handle(delivery: Delivery): Promise<void> {
    const { message } = delivery;
    const settlement = this.releasingOnSettle(delivery);
    try {
      if ('malformed' in message) await settlement.deadLetter('MalformedMessage', message.malformed.message);
      else await this.handler(message, settlement);
    } catch (error) {
      // The dispatcher settles every handler outcome; getting here means settling itself failed.
      this.logger.warn({ msg: 'Settling a message failed; it will be redelivered when its lock expires', entity: this.source.entity, err: error });
    }
  }

  /** A delivery's lock is renewed until it is settled, even when its handler returned before settling. */
  private releasingOnSettle(delivery: Delivery): MessageSettlement {
    const settled = () => this.unsettled.delete(delivery);
    return {
      complete: () => delivery.settlement.complete().finally(settled),
      abandon: (options) => delivery.settlement.abandon(options).finally(settled),
      deadLetter: (reason, description) => delivery.settlement.deadLetter(reason, description).finally(settled),
    };
  }

  private async renew(): Promise<void> {
    const now = Date.now();
    const renewable = [...this.unsettled].filter((delivery) => now - delivery.receivedAt < this.options.maxLockRenewalMs);
    if (renewable.length === 0) return;
    try {
      await this.source.renew(renewable);
    } catch (error) {
      this.logger.warn({ msg: 'Renewing message locks failed', entity: this.source.entity, err: error });
    }
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
