import type { IdempotencyState } from './cache.ports';

/**
 * How an idempotency key is stored, by both backends: a claim marker while in progress, then the result
 * as JSON. Redis compares the marker verbatim to release only a claim, never a result.
 */
export const IN_PROGRESS_RECORD = 'in-progress';

const COMPLETED = 'completed:';

export function completedRecord(result: unknown): string {
  // JSON has no `undefined`: an empty body stands for it.
  return COMPLETED + (result === undefined ? '' : JSON.stringify(result));
}

export function readRecord<T>(record: string): Exclude<IdempotencyState<T>, { state: 'new' }> {
  if (!record.startsWith(COMPLETED)) return { state: 'in-progress' };
  const body = record.slice(COMPLETED.length);
  return { state: 'completed', result: (body === '' ? undefined : JSON.parse(body)) as T };
}
