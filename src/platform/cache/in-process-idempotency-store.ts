import { wholeTtlMs } from './cache-arguments';
import { IdempotencyState, IdempotencyStore } from './cache.ports';
import { ExpiringMap } from './expiring-map';
import { completedRecord, IN_PROGRESS_RECORD, readRecord } from './idempotency-record';

/** Idempotency keys in this process's memory, stored as the same records Redis holds (results as JSON). */
export class InProcessIdempotencyStore extends IdempotencyStore {
  private readonly records = new ExpiringMap<string>();

  async begin<T = unknown>(key: string, ttlMs: number): Promise<IdempotencyState<T>> {
    const ttl = wholeTtlMs(ttlMs);
    const record = this.records.get(key);
    if (record !== undefined) return readRecord<T>(record);
    this.records.set(key, IN_PROGRESS_RECORD, ttl);
    return { state: 'new' };
  }

  async complete<T>(key: string, result: T, ttlMs: number): Promise<void> {
    this.records.set(key, completedRecord(result), wholeTtlMs(ttlMs));
  }

  async release(key: string): Promise<void> {
    if (this.records.get(key) === IN_PROGRESS_RECORD) this.records.delete(key);
  }
}
