import type { BusTableStore, LockedMessage } from './bus-table-store';

interface Pending extends LockedMessage {
  resolve(completed: boolean): void;
  reject(error: unknown): void;
}

const MAX_BATCH = 500;

/**
 * Completions are the store bus's most frequent write. Handlers finishing in the same turn of the event
 * loop are deleted with one statement (one transaction) instead of one each; every caller still learns
 * whether its own message was completed or its lock had been lost.
 */
export class CompletionBatcher {
  private pending: Pending[] = [];
  private scheduled = false;

  constructor(private readonly store: BusTableStore) {}

  complete(id: number, lockToken: string): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.pending.push({ id, lockToken, resolve, reject });
      if (this.pending.length >= MAX_BATCH) void this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    try {
      const completed = new Set(await this.store.complete(batch));
      for (const entry of batch) entry.resolve(completed.has(entry.id));
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    }
  }
}
