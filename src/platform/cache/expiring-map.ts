import { performance } from 'node:perf_hooks';

/** Milliseconds on a clock that never jumps (wall-clock changes must not expire or revive entries). */
export const monotonicNow = (): number => performance.now();

const SWEEP_INTERVAL_MS = 60_000;

/**
 * A Map whose entries expire after a TTL. Expired entries read as absent at once and are swept from
 * memory while writing, at most once a minute: no timers, so nothing keeps the process alive.
 */
export class ExpiringMap<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();
  private nextSweepAt = 0;

  constructor(private readonly now: () => number = monotonicNow) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V, ttlMs: number): void {
    const now = this.now();
    if (now >= this.nextSweepAt) this.sweep(now);
    this.entries.set(key, { value, expiresAt: now + ttlMs });
  }

  delete(key: string): boolean {
    return this.entries.delete(key);
  }

  private sweep(now: number): void {
    this.nextSweepAt = now + SWEEP_INTERVAL_MS;
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= now) this.entries.delete(key);
    }
  }
}
