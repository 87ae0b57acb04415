import { randomBytes } from 'node:crypto';
import { Delivery, EventContext, Sender } from 'rhea';
import { deliveryTagToLockToken, ErrorCondition, lockTokenToDeliveryTag, outcomes, PeerError, toWireMessage } from './encoding';
import { ApplicationProperties, MessageEntity } from './entity';
import { creditLimit, echoDrainEvenWithoutCredit } from './rhea-link';

export type ReceiveMode = 'peekLock' | 'receiveAndDelete';

/** One receiver link on an entity. */
class Consumer {
  /** Deliveries sent plus credit given back by draining: compared with the receiver's credit limit. */
  private used = 0;

  constructor(
    readonly link: Sender,
    readonly ownerId: string,
    readonly mode: ReceiveMode,
  ) {}

  /** Credit the receiver granted that no delivery has used yet (rhea counts a delivery only once its transfer is written). */
  hasCredit(): boolean {
    return this.link.is_open() && creditLimit(this.link) - this.used > 0 && this.link.sendable();
  }

  deliverNext(entity: MessageEntity): boolean {
    const entry = this.mode === 'peekLock' ? entity.lockNext(this.ownerId) : entity.removeNext();
    if (!entry) return false;
    // The lock token travels as the delivery tag; receive-and-delete messages have none.
    const tag = entry.lock ? lockTokenToDeliveryTag(entry.lock.token) : randomBytes(16);
    this.link.send(toWireMessage(entry), tag);
    this.used += 1;
    return true;
  }

  /** Answers a drain request: the unused credit is given back and the receiver told so. */
  completeDrain(): void {
    this.used = creditLimit(this.link);
    this.link.set_drained(true);
  }
}

/** The receivers on one entity, served round-robin so competing consumers get distinct messages. */
export class EntityConsumers {
  private consumers: Consumer[] = [];
  private nextIndex = 0;
  private pumping = false;
  private readonly stopListening: () => void;

  constructor(private readonly entity: MessageEntity) {
    this.stopListening = entity.onAvailable(() => this.pump());
  }

  attach(link: Sender, ownerId: string, mode: ReceiveMode): void {
    const consumer = new Consumer(link, ownerId, mode);
    this.consumers.push(consumer);
    echoDrainEvenWithoutCredit(link);
    link.on('sendable', () => this.pump());
    // rhea raises this during the flow frame's handling, so the drain answer goes out with that pass.
    link.on('sender_draining', () => {
      this.pump();
      consumer.completeDrain();
    });
    link.on('sender_close', () => this.detach(link));
    if (mode === 'peekLock') this.settleOnDisposition(link);
  }

  detach(link: Sender): void {
    this.consumers = this.consumers.filter((consumer) => consumer.link !== link);
  }

  detachOwner(ownerId: string): void {
    this.consumers = this.consumers.filter((consumer) => consumer.ownerId !== ownerId);
  }

  dispose(): void {
    this.stopListening();
    this.consumers = [];
  }

  /** Hands out available messages while any receiver has unused credit. */
  pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.entity.hasAvailable()) {
        const consumer = this.nextConsumerWithCredit();
        if (!consumer || !consumer.deliverNext(this.entity)) break;
      }
    } finally {
      this.pumping = false;
    }
  }

  private nextConsumerWithCredit(): Consumer | undefined {
    for (let offset = 0; offset < this.consumers.length; offset += 1) {
      const index = (this.nextIndex + offset) % this.consumers.length;
      if (this.consumers[index].hasCredit()) {
        this.nextIndex = index + 1;
        return this.consumers[index];
      }
    }
    return undefined;
  }

  /**
   * Peek-lock receivers attach with receiver-settle-mode "second": the client states an outcome and the
   * peer settles, echoing the outcome or rejecting with the error the SDK maps (e.g. MessageLockLost).
   */
  private settleOnDisposition(link: Sender): void {
    const settle = (apply: (lockToken: string, delivery: Delivery) => unknown) => (context: EventContext) => {
      const delivery = context.delivery;
      if (!delivery) return;
      try {
        const reply = apply(deliveryTagToLockToken(delivery.tag), delivery);
        delivery.update(true, reply);
      } catch (error) {
        const peerError = error instanceof PeerError ? error : new PeerError(ErrorCondition.internalError, String(error), 500);
        delivery.update(true, outcomes.rejected({ error: peerError.toAmqpError() }).described());
      }
    };
    link.on(
      'accepted',
      settle((token) => {
        this.entity.complete(token);
        return outcomes.accepted().described();
      }),
    );
    link.on(
      'modified',
      settle((token, delivery) => {
        const state = (delivery.remote_state ?? {}) as { undeliverable_here?: boolean; message_annotations?: ApplicationProperties };
        if (state.undeliverable_here) this.entity.defer(token, state.message_annotations);
        else this.entity.abandon(token, state.message_annotations);
        return outcomes.modified({ delivery_failed: !state.undeliverable_here, undeliverable_here: state.undeliverable_here }).described();
      }),
    );
    link.on(
      'released',
      settle((token) => {
        this.entity.release(token);
        return outcomes.released().described();
      }),
    );
    // Dead-lettering arrives as `rejected` (condition com.microsoft:dead-letter, reason and description in its info);
    // any rejected message is dead-lettered. The answer is `accepted`: the SDK fails on an echoed error.
    link.on(
      'rejected',
      settle((token, delivery) => {
        const info = { ...deadLetterInfo(delivery) };
        const reason = optionalString(info.DeadLetterReason);
        const description = optionalString(info.DeadLetterErrorDescription);
        delete info.DeadLetterReason;
        delete info.DeadLetterErrorDescription;
        this.entity.deadLetter(token, reason, description, info);
        return outcomes.accepted().described();
      }),
    );
  }
}

function deadLetterInfo(delivery: Delivery): ApplicationProperties {
  const state = delivery.remote_state as { error?: { info?: unknown } } | undefined;
  const info = state?.error?.info;
  return info && typeof info === 'object' ? (info as ApplicationProperties) : {};
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
