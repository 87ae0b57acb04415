import { EventEmitter } from 'node:events';
import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import CircuitBreaker from 'opossum';
import { BREAKER_STATE_VALUE, PlatformMetrics } from '../observability/platform-metrics';
import { classifyError, IntegrationError } from './failure-classifier';
import { ResilienceOptions } from './resilience.options';

export type BreakerState = keyof typeof BREAKER_STATE_VALUE;

/** Rejected without calling the endpoint: its breaker is open (or half-open with its one trial call in flight). */
export class CircuitOpenError extends IntegrationError {
  constructor(
    readonly breaker: string,
    readonly state: Exclude<BreakerState, 'closed'>,
    retryAfterMs?: number,
  ) {
    super(
      'Transient',
      'circuit_open',
      state === 'open' ? `Circuit ${breaker} is open; the call was not attempted` : `Circuit ${breaker} is half-open and its trial call is in flight; the call was not attempted`,
      { retryAfterMs },
    );
  }
}

export interface BreakerSnapshot {
  readonly key: string;
  readonly state: BreakerState;
  /** Held open by `forceOpen` (the health worker) rather than by its own failure rate. */
  readonly forcedOpen: boolean;
  /** When a forced hold ends; null while forced with no end, or when not forced. */
  readonly forcedOpenUntil: string | null;
  readonly openedAt: string | null;
  /** When the breaker will let a trial call through; null unless open (or when forced with no end). */
  readonly halfOpenAt: string | null;
  readonly lastUsedAt: string;
  /** Counts in the rolling window. 4xx the caller caused count as successes: the endpoint answered. */
  readonly window: { readonly calls: number; readonly successes: number; readonly failures: number; readonly rejected: number };
}

export interface BreakerSettings {
  readonly errorThresholdPercentage: number;
  readonly volumeThreshold: number;
  readonly resetTimeoutMs: number;
  readonly rollingWindowMs: number;
  readonly idleEvictionMs: number;
}

type Work = () => Promise<unknown>;

interface BreakerEntry {
  readonly key: string;
  readonly breaker: CircuitBreaker<[Work], unknown>;
  reportedState: BreakerState;
  openedAt?: number;
  halfOpenAt?: number;
  /** Epoch ms; Infinity = until forceClose. */
  forcedOpenUntil?: number;
  lastUsedAt: number;
  inFlight: number;
}

const ROLLING_BUCKETS = 10;
const MAX_TIMER_MS = 2_147_483_647;
const MAX_EVICTION_SWEEP_MS = 60_000;
/** Keys are public (`/health/circuits`, metric labels): no user-info, query strings or spaces. */
const BREAKER_KEY = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$/;
const TRIPPING_CATEGORIES = new Set(['Transient', 'RateLimited']);

/**
 * One opossum breaker per key (`provider:endpoint`), created on first use and dropped after idling.
 * Breakers live in the process: a role running several replicas has one breaker per replica.
 */
@Injectable()
export class CircuitBreakerRegistry implements OnModuleDestroy {
  private readonly logger = new Logger(CircuitBreakerRegistry.name);
  private readonly entries = new Map<string, BreakerEntry>();
  // One timer rotates every breaker's rolling window, instead of opossum's two timers per breaker.
  private readonly bucketRotation = new EventEmitter().setMaxListeners(0);
  private readonly rotationTimer: NodeJS.Timeout;
  private readonly evictionTimer: NodeJS.Timeout;

  constructor(
    private readonly options: ResilienceOptions,
    private readonly metrics: PlatformMetrics,
  ) {
    const bucketMs = Math.max(1, Math.floor(options.rollingWindowMs / ROLLING_BUCKETS));
    this.rotationTimer = setInterval(() => this.bucketRotation.emit('rotate'), bucketMs).unref();
    this.evictionTimer = setInterval(() => this.evictIdle(), Math.min(options.idleEvictionMs, MAX_EVICTION_SWEEP_MS)).unref();
  }

  get settings(): BreakerSettings {
    const { errorThresholdPercentage, volumeThreshold, resetTimeoutMs, rollingWindowMs, idleEvictionMs } = this.options;
    return { errorThresholdPercentage, volumeThreshold, resetTimeoutMs, rollingWindowMs, idleEvictionMs };
  }

  /**
   * Runs `work` through the key's breaker. Rejects with CircuitOpenError, without calling `work`, while
   * the breaker is open. Only Transient and RateLimited failures count against the endpoint.
   */
  async execute<T>(key: string, work: () => Promise<T>): Promise<T> {
    const entry = this.entryFor(key);
    entry.lastUsedAt = Date.now();
    entry.inFlight += 1;
    try {
      return (await entry.breaker.fire(work)) as T;
    } catch (error) {
      if (isOpenCircuitRejection(error)) throw new CircuitOpenError(key, entry.breaker.halfOpen ? 'halfOpen' : 'open', this.retryAfterOf(entry));
      throw error;
    } finally {
      entry.inFlight -= 1;
      entry.lastUsedAt = Date.now();
    }
  }

  /**
   * Opens the breaker whatever its failure rate (the health worker, for an Unhealthy provider) until
   * `untilMs` (epoch milliseconds), then half-opens it as usual; without `untilMs` it stays open until
   * `forceClose`. Prefer an end: a forced hold with none outlives a health worker that stopped probing.
   */
  forceOpen(key: string, untilMs?: number): void {
    if (untilMs !== undefined && !Number.isFinite(untilMs)) throw new RangeError('untilMs must be a finite epoch time in milliseconds');
    const entry = this.entryFor(key);
    entry.lastUsedAt = Date.now();
    entry.forcedOpenUntil = untilMs ?? Number.POSITIVE_INFINITY;
    this.holdOpen(entry);
  }

  /** Closes the breaker now and forgets its failures (the provider is healthy again). Unknown keys are ignored. */
  forceClose(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    entry.lastUsedAt = Date.now();
    entry.forcedOpenUntil = undefined;
    entry.breaker.close();
  }

  /** Held open by `forceOpen` right now (cheap: no snapshot). */
  isForcedOpen(key: string, now = Date.now()): boolean {
    const until = this.entries.get(key)?.forcedOpenUntil;
    return until !== undefined && until > now;
  }

  state(key: string): BreakerState | undefined {
    const entry = this.entries.get(key);
    return entry && stateOf(entry.breaker);
  }

  snapshot(now = Date.now()): BreakerSnapshot[] {
    return [...this.entries.values()].sort((a, b) => a.key.localeCompare(b.key)).map((entry) => this.describe(entry, now));
  }

  /** Drops closed, unforced breakers unused for BREAKER_IDLE_EVICTION. Runs on a timer; returns the keys dropped. */
  evictIdle(now = Date.now()): string[] {
    const evicted: string[] = [];
    for (const entry of this.entries.values()) {
      const idle = now - entry.lastUsedAt >= this.options.idleEvictionMs;
      if (!idle || entry.inFlight > 0 || entry.forcedOpenUntil !== undefined || !entry.breaker.closed) continue;
      this.remove(entry);
      evicted.push(entry.key);
    }
    if (evicted.length > 0) this.logger.debug({ msg: 'Idle circuit breakers evicted', count: evicted.length });
    return evicted;
  }

  onModuleDestroy(): void {
    clearInterval(this.rotationTimer);
    clearInterval(this.evictionTimer);
    for (const entry of [...this.entries.values()]) this.remove(entry);
  }

  private entryFor(key: string): BreakerEntry {
    const existing = this.entries.get(key);
    if (existing) return existing;
    if (!BREAKER_KEY.test(key)) throw new TypeError('Circuit breaker keys are provider:endpoint names (letters, digits, . _ : / -), at most 200 characters');

    const breaker = new CircuitBreaker<[Work], unknown>((work) => work(), {
      name: key,
      // Callers set their own timeouts (AbortSignal on the request): opossum's would reject while the
      // request kept running.
      timeout: false,
      errorThresholdPercentage: this.options.errorThresholdPercentage,
      volumeThreshold: this.options.volumeThreshold,
      resetTimeout: this.options.resetTimeoutMs,
      rollingCountTimeout: this.options.rollingWindowMs,
      rollingCountBuckets: ROLLING_BUCKETS,
      rotateBucketController: this.bucketRotation,
      enableSnapshots: false,
      rollingPercentilesEnabled: false,
      allowWarmUp: false,
      // No `capacity`: callers bound their own concurrency, and opossum would count its semaphore
      // rejections as endpoint failures.
      errorFilter: (error: unknown) => !TRIPPING_CATEGORIES.has(classifyError(error).category),
    });
    const entry: BreakerEntry = { key, breaker, reportedState: 'closed', lastUsedAt: Date.now(), inFlight: 0 };
    breaker.on('open', () => this.onOpen(entry));
    breaker.on('halfOpen', () => this.onHalfOpen(entry));
    breaker.on('close', () => this.onClose(entry));
    this.entries.set(key, entry);
    this.metrics.circuitBreakerState.set({ breaker: key }, BREAKER_STATE_VALUE.closed);
    return entry;
  }

  private onOpen(entry: BreakerEntry): void {
    const now = Date.now();
    if (entry.reportedState !== 'open') entry.openedAt = now;
    entry.halfOpenAt = now + mutableOptions(entry.breaker).resetTimeout;
    this.report(entry, 'open');
  }

  private onHalfOpen(entry: BreakerEntry): void {
    if (entry.forcedOpenUntil !== undefined && entry.forcedOpenUntil > Date.now()) {
      // opossum's reset timer ran out before the forced hold did: reopen without reporting a flap.
      this.holdOpen(entry);
      return;
    }
    entry.forcedOpenUntil = undefined;
    entry.halfOpenAt = undefined;
    this.report(entry, 'halfOpen');
  }

  private onClose(entry: BreakerEntry): void {
    entry.forcedOpenUntil = undefined;
    entry.openedAt = undefined;
    entry.halfOpenAt = undefined;
    // A closed breaker judges the endpoint afresh: the failures that opened it are not held against
    // it for the rest of the window (opossum keeps them; Hystrix-style breakers reset).
    clearRollingWindow(entry.breaker);
    this.report(entry, 'closed');
  }

  private holdOpen(entry: BreakerEntry): void {
    // Already open: its own reset timer fires first, and onHalfOpen holds it again.
    if (entry.breaker.opened || entry.forcedOpenUntil === undefined) return;
    const now = Date.now();
    const holdMs = Math.min(Math.max(entry.forcedOpenUntil - now, 1), MAX_TIMER_MS);
    const options = mutableOptions(entry.breaker);
    const configured = options.resetTimeout;
    // opossum arms its half-open timer from options.resetTimeout inside open(): point it at the hold's end.
    options.resetTimeout = holdMs;
    try {
      entry.breaker.open();
    } finally {
      options.resetTimeout = configured;
    }
    entry.halfOpenAt = now + holdMs;
  }

  private report(entry: BreakerEntry, state: BreakerState): void {
    if (entry.reportedState === state) return;
    const previous = entry.reportedState;
    entry.reportedState = state;
    this.metrics.circuitBreakerState.set({ breaker: entry.key }, BREAKER_STATE_VALUE[state]);
    if (state === 'open') {
      const { failures, fires } = entry.breaker.stats;
      const halfOpenAt = this.halfOpenAtOf(entry);
      this.logger.warn({
        msg: 'Circuit opened',
        breaker: entry.key,
        forced: entry.forcedOpenUntil !== undefined,
        failures,
        calls: fires,
        halfOpenAt: halfOpenAt === undefined ? null : new Date(halfOpenAt).toISOString(),
      });
    } else if (state === 'halfOpen') {
      this.logger.log({ msg: 'Circuit half-open: the next call is a trial', breaker: entry.key });
    } else {
      this.logger.log({ msg: 'Circuit closed', breaker: entry.key, from: previous });
    }
  }

  private halfOpenAtOf(entry: BreakerEntry): number | undefined {
    if (!entry.breaker.opened) return undefined;
    const forcedUntil = entry.forcedOpenUntil;
    if (forcedUntil === Number.POSITIVE_INFINITY) return undefined;
    return forcedUntil === undefined ? entry.halfOpenAt : Math.max(entry.halfOpenAt ?? 0, forcedUntil);
  }

  private retryAfterOf(entry: BreakerEntry): number | undefined {
    const halfOpenAt = this.halfOpenAtOf(entry);
    return halfOpenAt === undefined ? undefined : Math.max(0, halfOpenAt - Date.now());
  }

  private describe(entry: BreakerEntry, now: number): BreakerSnapshot {
    const { fires, successes, failures, rejects } = entry.breaker.stats;
    const forcedUntil = entry.forcedOpenUntil;
    const halfOpenAt = this.halfOpenAtOf(entry);
    return {
      key: entry.key,
      state: stateOf(entry.breaker),
      forcedOpen: forcedUntil !== undefined && forcedUntil > now,
      forcedOpenUntil: forcedUntil !== undefined && Number.isFinite(forcedUntil) ? new Date(forcedUntil).toISOString() : null,
      openedAt: entry.openedAt === undefined ? null : new Date(entry.openedAt).toISOString(),
      halfOpenAt: halfOpenAt === undefined ? null : new Date(halfOpenAt).toISOString(),
      lastUsedAt: new Date(entry.lastUsedAt).toISOString(),
      window: { calls: fires, successes, failures, rejected: rejects },
    };
  }

  private remove(entry: BreakerEntry): void {
    this.entries.delete(entry.key);
    entry.breaker.shutdown();
    this.metrics.circuitBreakerState.remove({ breaker: entry.key });
  }
}

function stateOf(breaker: CircuitBreaker<[Work], unknown>): BreakerState {
  if (breaker.opened) return 'open';
  return breaker.halfOpen ? 'halfOpen' : 'closed';
}

function isOpenCircuitRejection(error: unknown): boolean {
  return error instanceof Error && CircuitBreaker.isOurError(error) && (error as { code?: unknown }).code === 'EOPENBREAKER';
}

/** opossum 9 reads `options.resetTimeout` each time it arms the half-open timer (not in @types/opossum). */
function mutableOptions(breaker: CircuitBreaker<[Work], unknown>): { resetTimeout: number } {
  return (breaker as unknown as { options: { resetTimeout: number } }).options;
}

/** opossum 9's Status rotates its window through `rotateBucket` (not in @types/opossum); a full turn empties it. */
function clearRollingWindow(breaker: CircuitBreaker<[Work], unknown>): void {
  const status = breaker.status as unknown as { rotateBucket?: () => void };
  for (let bucket = 0; bucket < ROLLING_BUCKETS; bucket += 1) status.rotateBucket?.();
}
