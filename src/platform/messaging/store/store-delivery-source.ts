import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { MessageSettlement, ReceivedMessage } from '../bus-message';
import { Delivery, DeliverySource, sleep } from '../pull-consumer';
import type { BusTableStore, StoredMessage } from './bus-table-store';
import { CompletionBatcher } from './completion-batcher';

export interface StoreSourceSettings {
  lockDurationMs: number;
  maxDeliveryCount: number;
  pollIntervalMs: number;
}

/** A claimed row: settled, renewed and released by its id under the lock token of its claim. */
class StoreDelivery implements Delivery {
  readonly receivedAt = Date.now();
  readonly message: ReceivedMessage | { malformed: Error };
  readonly settlement: MessageSettlement;
  private settled = false;

  constructor(
    readonly id: number,
    readonly lockToken: string,
    row: StoredMessage,
    store: BusTableStore,
    completions: CompletionBatcher,
    onLockLost: (action: string, messageId: string) => void,
  ) {
    this.message = decode(row);
    const settleOnce = async (action: string, settle: () => Promise<boolean>) => {
      if (this.settled) return;
      this.settled = true;
      if (!(await settle())) onLockLost(action, row.messageId);
    };
    this.settlement = {
      complete: () => settleOnce('complete', () => completions.complete(id, lockToken)),
      abandon: (options) => settleOnce('abandon', () => store.abandon(id, lockToken, options?.delayMs ?? 0)),
      deadLetter: (reason, description) => settleOnce('dead-letter', () => store.deadLetter(id, lockToken, reason, description ?? null)),
    };
  }
}

/**
 * One queue or subscription of the store bus. A receive claims visible rows under a fresh lock token;
 * with nothing visible it sleeps until a write notification, the next scheduled message or the poll
 * interval. Rows past the maximum delivery count go to the dead letters instead of a handler.
 */
export class StoreDeliverySource implements DeliverySource {
  private readonly logger = new Logger(StoreDeliverySource.name);
  private readonly completions: CompletionBatcher;
  private wakeUp?: () => void;
  /** A notification that arrived while a claim was running: the next idle wait returns at once. */
  private notifiedWhileBusy = false;

  constructor(
    readonly entity: string,
    private readonly store: BusTableStore,
    private readonly settings: StoreSourceSettings,
  ) {
    this.completions = new CompletionBatcher(store);
  }

  /** Something was written to this entity (in this process, or NOTIFY from another). */
  notify(): void {
    if (this.wakeUp) this.wakeUp();
    else this.notifiedWhileBusy = true;
  }

  async receive(max: number, signal: AbortSignal): Promise<Delivery[]> {
    this.notifiedWhileBusy = false;
    const lockToken = randomUUID();
    const rows = await this.store.claim(this.entity, max, this.settings.lockDurationMs, lockToken);
    if (rows.length === 0) {
      await this.idle(signal);
      return [];
    }
    const deliveries: Delivery[] = [];
    for (const row of rows) {
      if (row.deliveryCount > this.settings.maxDeliveryCount) {
        await this.store.deadLetter(row.id, lockToken, 'MaxDeliveryCountExceeded', `Delivered ${row.deliveryCount - 1} times without being completed`);
        continue;
      }
      deliveries.push(new StoreDelivery(row.id, lockToken, row, this.store, this.completions, (action, messageId) => this.lockLost(action, messageId)));
    }
    return deliveries;
  }

  async renew(held: readonly Delivery[]): Promise<void> {
    for (const [lockToken, ids] of byLockToken(held as readonly StoreDelivery[])) {
      await this.store.renew(ids, lockToken, this.settings.lockDurationMs);
    }
  }

  async release(unstarted: readonly Delivery[]): Promise<void> {
    for (const [lockToken, ids] of byLockToken(unstarted as readonly StoreDelivery[])) {
      await this.store.release(ids, lockToken);
    }
  }

  private async idle(signal: AbortSignal): Promise<void> {
    if (this.notifiedWhileBusy) return;
    let wait = this.settings.pollIntervalMs;
    try {
      const next = await this.store.nextVisibleIn(this.entity);
      if (next !== null) wait = Math.min(wait, Math.max(next, 5));
    } catch {
      // The claim will report a broken store; here the poll interval is a fine fallback.
    }
    if (this.notifiedWhileBusy) return;
    const woken = new AbortController();
    this.wakeUp = () => woken.abort();
    const both = AbortSignal.any([signal, woken.signal]);
    await sleep(wait, both);
    this.wakeUp = undefined;
  }

  private lockLost(action: string, messageId: string): void {
    this.logger.warn({ msg: 'Lock lost before settlement; the message will be redelivered', entity: this.entity, action, messageId });
  }
}

function byLockToken(deliveries: readonly StoreDelivery[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (const delivery of deliveries) groups.set(delivery.lockToken, [...(groups.get(delivery.lockToken) ?? []), delivery.id]);
  return groups;
}

function decode(row: StoredMessage): ReceivedMessage | { malformed: Error } {
  try {
    return {
      messageId: row.messageId,
      correlationId: row.correlationId ?? undefined,
      subject: row.subject,
      tenantId: row.tenantId,
      traceparent: row.traceparent ?? undefined,
      contentType: row.contentType ?? undefined,
      applicationProperties: row.properties ? JSON.parse(row.properties) : undefined,
      body: JSON.parse(row.body),
      deliveryCount: row.deliveryCount,
      enqueuedAt: new Date(row.enqueuedAt),
    };
  } catch (error) {
    return { malformed: error instanceof Error ? error : new Error(String(error)) };
  }
}
