import type { AfterCommit, StoreTransaction } from '../../persistence/store-transaction';
/** The envelope and body of a message as the bus tables store them (JSON text for properties and body). */
export interface SerializedMessage {
  messageId: string;
  correlationId: string | null;
  subject: string;
  tenantId: string;
  traceparent: string | null;
  contentType: string | null;
  properties: string | null;
  body: string;
}

/** One row of `bus_messages` as the consumer needs it. */
export interface StoredMessage extends SerializedMessage {
  id: number;
  entity: string;
  enqueuedAt: number;
  deliveryCount: number;
}

export interface LockedMessage {
  id: number;
  lockToken: string;
}

/** A message ready to be written, not yet bound to an entity. */
export interface MessageRow extends SerializedMessage {
  /** Epoch ms before which the message is invisible (scheduled delivery); null = now. */
  visibleAt: number | null;
  /** Record the id in the duplicate-detection window (and drop the message if it is already there). */
  detectDuplicates: boolean;
}

export interface DeadLetterRow {
  entity: string;
  messageId: string;
  subject: string;
  body: string;
  reason: string;
  description: string | null;
  deliveryCount: number;
}

/**
 * The SQL of the store-backed bus, one implementation per dialect. Every mutation of a received message
 * names its lock token, so a consumer whose lease expired (and whose message went to someone else)
 * can no longer settle it: the update matches nothing and the caller learns the lock was lost.
 */
export interface BusTableStore {
  /** Inserts each message into every target entity; messages whose id was seen on `dedupeKey` inside the window are dropped. */
  insert(dedupeKey: string, targets: readonly string[], rows: readonly MessageRow[], duplicateWindowMs: number): Promise<void>;
  /**
   * The same insert inside a store transaction someone else opened (synchronously on SQLite); the returned
   * callback runs after that transaction committed (PostgreSQL: the NOTIFY that wakes consumers).
   */
  insertWithin(
    transaction: StoreTransaction,
    dedupeKey: string,
    targets: readonly string[],
    rows: readonly MessageRow[],
    duplicateWindowMs: number,
  ): AfterCommit | Promise<AfterCommit>;
  /** Locks up to `limit` visible messages of an entity for `leaseMs` under `lockToken`, incrementing their delivery count. */
  claim(entity: string, limit: number, leaseMs: number, lockToken: string): Promise<StoredMessage[]>;
  /** Deletes settled messages; returns the ids that were still locked by their token. */
  complete(locked: readonly LockedMessage[]): Promise<number[]>;
  abandon(id: number, lockToken: string, delayMs: number): Promise<boolean>;
  deadLetter(id: number, lockToken: string, reason: string, description: string | null): Promise<boolean>;
  /** Extends leases; returns the ids still held. */
  renew(ids: readonly number[], lockToken: string, leaseMs: number): Promise<number[]>;
  /** Gives back messages that were claimed but never handed to a handler (their delivery does not count). */
  release(ids: readonly number[], lockToken: string): Promise<void>;
  /** Milliseconds until the entity's next message becomes visible (0 = now), or null when it is empty. */
  nextVisibleIn(entity: string): Promise<number | null>;
  depth(entity: string): Promise<number>;
  deadLetters(entity: string, limit: number): Promise<DeadLetterRow[]>;
  purgeExpiredDuplicates(): Promise<number>;
  ping(): Promise<void>;
}
