import { Message } from 'rhea';
import { Annotation, ErrorCondition, messageIdKey, newLockToken, PeerError } from './encoding';

export interface EntitySettings {
  lockDurationMs: number;
  /** Deliveries after which a message is dead-lettered; `Infinity` for a dead-letter queue itself. */
  maxDeliveryCount: number;
  /** Set when the entity drops a second message with the same message-id inside this window. */
  duplicateDetectionWindowMs?: number;
}

export type MessageState = 'active' | 'locked' | 'scheduled' | 'deferred';

export interface MessageLock {
  readonly token: string;
  readonly ownerId: string;
  lockedUntil: Date;
  timer: NodeJS.Timeout;
}

export interface StoredMessage {
  readonly sequenceNumber: number;
  message: Message;
  enqueuedTime: Date;
  state: MessageState;
  /** Failed delivery attempts so far: the AMQP header `delivery-count` (0 on the first delivery). */
  deliveryCount: number;
  /** Deferred messages keep this while locked through receive-by-sequence-number, and return to it. */
  deferred: boolean;
  scheduledEnqueueTime?: Date;
  lock?: MessageLock;
}

export interface EntityState {
  active: number;
  locked: number;
  scheduled: number;
  deferred: number;
  deadLettered: number;
}

export type ApplicationProperties = Record<string, unknown>;

const MAX_DELIVERY_COUNT_REASON = 'MaxDeliveryCountExceeded';

/** Remembers message-ids for the duplicate-detection window (a Map iterates in insertion order, so oldest first). */
export class DuplicateDetector {
  private readonly seen = new Map<string, number>();

  constructor(private readonly windowMs: number) {}

  isDuplicate(messageId: string | undefined, now = Date.now()): boolean {
    if (messageId === undefined) return false;
    for (const [id, seenAt] of this.seen) {
      if (seenAt > now - this.windowMs) break;
      this.seen.delete(id);
    }
    if (this.seen.has(messageId)) return true;
    this.seen.set(messageId, now);
    return false;
  }
}

/** One queue, subscription or dead-letter queue: the message state machine behind peek-lock. */
export class MessageEntity {
  private readonly stored = new Map<number, StoredMessage>();
  /** Sequence numbers of active messages, ascending: the delivery order. */
  private readonly activeOrder: number[] = [];
  private readonly locks = new Map<string, StoredMessage>();
  /** One timer for the earliest scheduled message, so messages due together are enqueued in sequence order. */
  private scheduleTimer?: NodeJS.Timeout;
  private readonly availabilityListeners = new Set<() => void>();
  private readonly duplicates?: DuplicateDetector;
  private nextSequenceNumber = 1;

  constructor(
    readonly path: string,
    readonly settings: EntitySettings,
    readonly deadLetterQueue?: MessageEntity,
  ) {
    if (settings.duplicateDetectionWindowMs !== undefined) {
      this.duplicates = new DuplicateDetector(settings.duplicateDetectionWindowMs);
    }
  }

  /** Accepts a message sent to this entity: drops duplicates, holds back messages scheduled for later. */
  send(message: Message): void {
    if (this.duplicates?.isDuplicate(messageIdKey(message.message_id))) return;
    const scheduledTime = scheduledEnqueueTime(message);
    if (scheduledTime && scheduledTime.getTime() > Date.now()) this.schedule(message, scheduledTime);
    else this.enqueue(message);
  }

  enqueue(message: Message, sequenceNumber = this.takeSequenceNumber()): number {
    const entry = this.store(message, sequenceNumber, 'active');
    entry.scheduledEnqueueTime = scheduledEnqueueTime(message);
    this.makeAvailable(entry);
    return sequenceNumber;
  }

  schedule(message: Message, at: Date, sequenceNumber = this.takeSequenceNumber()): number {
    const scheduled: Message = { ...message, message_annotations: { ...message.message_annotations, [Annotation.scheduledEnqueueTime]: at } };
    const entry = this.store(scheduled, sequenceNumber, 'scheduled');
    entry.scheduledEnqueueTime = at;
    this.planNextActivation();
    return sequenceNumber;
  }

  /** Unknown or already enqueued sequence numbers are ignored, as Service Bus does. */
  cancelScheduled(sequenceNumbers: number[]): void {
    for (const sequenceNumber of sequenceNumbers) {
      const entry = this.stored.get(sequenceNumber);
      if (entry?.state === 'scheduled') this.stored.delete(sequenceNumber);
    }
    this.planNextActivation();
  }

  hasAvailable(): boolean {
    this.dropExpiredAtHead();
    return this.activeOrder.length > 0;
  }

  /** Peek-lock: locks the next active message for `ownerId`. */
  lockNext(ownerId: string): StoredMessage | undefined {
    const entry = this.takeNextActive();
    if (entry) this.lock(entry, ownerId);
    return entry;
  }

  /** Receive-and-delete: removes the next active message. */
  removeNext(): StoredMessage | undefined {
    const entry = this.takeNextActive();
    if (entry) this.stored.delete(entry.sequenceNumber);
    return entry;
  }

  receiveDeferred(sequenceNumbers: number[], ownerId: string, deleteOnReceive: boolean): StoredMessage[] {
    const entries = sequenceNumbers.map((sequenceNumber) => {
      const entry = this.stored.get(sequenceNumber);
      if (entry?.state !== 'deferred') {
        throw PeerError.messageNotFound(`Failed to lock one or more specified messages. Message ${sequenceNumber} is not found or not deferred.`);
      }
      return entry;
    });
    for (const entry of entries) {
      if (deleteOnReceive) this.stored.delete(entry.sequenceNumber);
      else this.lock(entry, ownerId);
    }
    return entries;
  }

  complete(lockToken: string): void {
    const entry = this.unlock(lockToken);
    this.stored.delete(entry.sequenceNumber);
  }

  abandon(lockToken: string, propertiesToModify?: ApplicationProperties): void {
    const entry = this.unlock(lockToken);
    mergeApplicationProperties(entry, propertiesToModify);
    this.afterFailedDelivery(entry);
  }

  /** The `released` outcome: the message was not processed, so the attempt does not count. */
  release(lockToken: string): void {
    this.returnToEntity(this.unlock(lockToken));
  }

  defer(lockToken: string, propertiesToModify?: ApplicationProperties): void {
    const entry = this.unlock(lockToken);
    mergeApplicationProperties(entry, propertiesToModify);
    entry.deferred = true;
    entry.state = 'deferred';
  }

  deadLetter(lockToken: string, reason?: string, description?: string, propertiesToModify?: ApplicationProperties): void {
    if (!this.deadLetterQueue) {
      throw new PeerError(ErrorCondition.notAllowed, `Messages in ${this.path} cannot be dead-lettered again`, 400);
    }
    const entry = this.unlock(lockToken);
    mergeApplicationProperties(entry, propertiesToModify);
    this.moveToDeadLetterQueue(entry, reason, description);
  }

  renewLock(lockToken: string): Date {
    const entry = this.lockedEntry(lockToken);
    const lock = entry.lock as MessageLock;
    clearTimeout(lock.timer);
    lock.lockedUntil = new Date(Date.now() + this.settings.lockDurationMs);
    lock.timer = this.lockTimer(lockToken);
    return lock.lockedUntil;
  }

  /** A client that goes away loses its locks; each counts as a failed delivery, as an expired lock would. */
  releaseLocksOf(ownerId: string): void {
    for (const [token, entry] of [...this.locks]) {
      if (entry.lock?.ownerId === ownerId) this.expireLock(token);
    }
  }

  /** Test hook: expires every lock now instead of waiting for the lock duration. */
  expireLocks(): number {
    const tokens = [...this.locks.keys()];
    tokens.forEach((token) => this.expireLock(token));
    return tokens.length;
  }

  /** Messages from `fromSequenceNumber` on, in any state; peeking locks nothing. */
  peek(fromSequenceNumber: number, maxCount: number): StoredMessage[] {
    this.dropExpired();
    return [...this.stored.values()]
      .filter((entry) => entry.sequenceNumber >= fromSequenceNumber)
      .sort((a, b) => a.sequenceNumber - b.sequenceNumber)
      .slice(0, maxCount);
  }

  state(): EntityState {
    this.dropExpired();
    const counts: EntityState = { active: 0, locked: 0, scheduled: 0, deferred: 0, deadLettered: this.deadLetterQueue?.size() ?? 0 };
    for (const entry of this.stored.values()) counts[entry.state] += 1;
    return counts;
  }

  size(): number {
    return this.stored.size;
  }

  snapshot(): StoredMessage[] {
    return [...this.stored.values()].sort((a, b) => a.sequenceNumber - b.sequenceNumber);
  }

  onAvailable(listener: () => void): () => void {
    this.availabilityListeners.add(listener);
    return () => this.availabilityListeners.delete(listener);
  }

  dispose(): void {
    clearTimeout(this.scheduleTimer);
    this.locks.forEach((entry) => clearTimeout(entry.lock?.timer));
    this.locks.clear();
    this.availabilityListeners.clear();
  }

  /** Dead-lettered messages keep their sequence number and delivery count. */
  private acceptDeadLettered(entry: StoredMessage): void {
    const copy: StoredMessage = { ...entry, state: 'active', deferred: false, lock: undefined };
    this.stored.set(copy.sequenceNumber, copy);
    this.makeAvailable(copy);
  }

  private store(message: Message, sequenceNumber: number, state: MessageState): StoredMessage {
    const entry: StoredMessage = { sequenceNumber, message, enqueuedTime: new Date(), state, deliveryCount: 0, deferred: false };
    this.stored.set(sequenceNumber, entry);
    this.nextSequenceNumber = Math.max(this.nextSequenceNumber, sequenceNumber + 1);
    return entry;
  }

  private takeSequenceNumber(): number {
    return this.nextSequenceNumber++;
  }

  private scheduledEntries(): StoredMessage[] {
    return [...this.stored.values()].filter((entry) => entry.state === 'scheduled');
  }

  private planNextActivation(): void {
    clearTimeout(this.scheduleTimer);
    const times = this.scheduledEntries().map((entry) => (entry.scheduledEnqueueTime as Date).getTime());
    if (times.length === 0) return;
    this.scheduleTimer = setTimeout(() => this.activateDueMessages(), Math.max(0, Math.min(...times) - Date.now()));
    this.scheduleTimer.unref();
  }

  private activateDueMessages(): void {
    const now = Date.now();
    const due = this.scheduledEntries()
      .filter((entry) => (entry.scheduledEnqueueTime as Date).getTime() <= now)
      .sort((a, b) => a.sequenceNumber - b.sequenceNumber);
    for (const entry of due) {
      entry.enqueuedTime = new Date(now);
      this.makeAvailable(entry);
    }
    this.planNextActivation();
  }

  private takeNextActive(): StoredMessage | undefined {
    this.dropExpiredAtHead();
    const sequenceNumber = this.activeOrder.shift();
    return sequenceNumber === undefined ? undefined : this.stored.get(sequenceNumber);
  }

  private lock(entry: StoredMessage, ownerId: string): void {
    const token = newLockToken();
    entry.state = 'locked';
    entry.lock = { token, ownerId, lockedUntil: new Date(Date.now() + this.settings.lockDurationMs), timer: this.lockTimer(token) };
    this.locks.set(token, entry);
  }

  private lockTimer(lockToken: string): NodeJS.Timeout {
    const timer = setTimeout(() => this.expireLock(lockToken), this.settings.lockDurationMs);
    timer.unref();
    return timer;
  }

  private lockedEntry(lockToken: string): StoredMessage {
    const entry = this.locks.get(lockToken);
    if (!entry || !entry.lock || entry.lock.lockedUntil.getTime() <= Date.now()) throw PeerError.lockLost();
    return entry;
  }

  private unlock(lockToken: string): StoredMessage {
    const entry = this.lockedEntry(lockToken);
    clearTimeout(entry.lock?.timer);
    entry.lock = undefined;
    this.locks.delete(lockToken);
    return entry;
  }

  private expireLock(lockToken: string): void {
    const entry = this.locks.get(lockToken);
    if (!entry) return;
    clearTimeout(entry.lock?.timer);
    entry.lock = undefined;
    this.locks.delete(lockToken);
    this.afterFailedDelivery(entry);
  }

  private afterFailedDelivery(entry: StoredMessage): void {
    entry.deliveryCount += 1;
    if (entry.deliveryCount >= this.settings.maxDeliveryCount && this.deadLetterQueue) {
      const attempts = this.settings.maxDeliveryCount;
      this.moveToDeadLetterQueue(entry, MAX_DELIVERY_COUNT_REASON, `Message could not be consumed after ${attempts} delivery attempts.`);
    } else {
      this.returnToEntity(entry);
    }
  }

  private returnToEntity(entry: StoredMessage): void {
    if (entry.deferred) entry.state = 'deferred';
    else this.makeAvailable(entry);
  }

  private moveToDeadLetterQueue(entry: StoredMessage, reason?: string, description?: string): void {
    if (!this.deadLetterQueue) return;
    this.stored.delete(entry.sequenceNumber);
    mergeApplicationProperties(entry, { DeadLetterReason: reason, DeadLetterErrorDescription: description });
    this.deadLetterQueue.acceptDeadLettered(entry);
  }

  private makeAvailable(entry: StoredMessage): void {
    entry.state = 'active';
    insertSorted(this.activeOrder, entry.sequenceNumber);
    this.availabilityListeners.forEach((listener) => listener());
  }

  /** Delivery only looks at the head of the active order, so expiry is checked there (cheaply) rather than everywhere. */
  private dropExpiredAtHead(now = Date.now()): void {
    while (this.activeOrder.length > 0) {
      const entry = this.stored.get(this.activeOrder[0]);
      if (entry && !isExpired(entry, now)) return;
      this.activeOrder.shift();
      if (entry) this.stored.delete(entry.sequenceNumber);
    }
  }

  /** Messages past their time-to-live are discarded (dead-lettering on expiry is not modelled). */
  private dropExpired(now = Date.now()): void {
    for (const entry of this.stored.values()) {
      if (entry.state !== 'active' || !isExpired(entry, now)) continue;
      this.stored.delete(entry.sequenceNumber);
      this.activeOrder.splice(this.activeOrder.indexOf(entry.sequenceNumber), 1);
    }
  }
}

function scheduledEnqueueTime(message: Message): Date | undefined {
  const value: unknown = message.message_annotations?.[Annotation.scheduledEnqueueTime];
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value);
  return undefined;
}

function isExpired(entry: StoredMessage, now: number): boolean {
  const ttl: unknown = entry.message.ttl;
  return typeof ttl === 'number' && ttl > 0 && entry.enqueuedTime.getTime() + ttl <= now;
}

/** Properties a receiver modifies on abandon, defer or dead-letter land in the application properties. */
function mergeApplicationProperties(entry: StoredMessage, properties?: ApplicationProperties): void {
  if (!properties) return;
  const defined = Object.entries(properties).filter(([, value]) => value !== undefined && value !== null);
  if (defined.length === 0) return;
  entry.message = { ...entry.message, application_properties: { ...entry.message.application_properties, ...Object.fromEntries(defined) } };
}

function insertSorted(values: number[], value: number): void {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (values[middle] < value) low = middle + 1;
    else high = middle;
  }
  values.splice(low, 0, value);
}
