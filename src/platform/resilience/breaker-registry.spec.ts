import { Logger } from '@nestjs/common';
import type { Gauge } from 'prom-client';
import { loadOptions } from '../config/options';
import { PlatformMetrics } from '../observability/platform-metrics';
import { CircuitBreakerRegistry, CircuitOpenError } from './breaker-registry';
import { classifyError, HttpStatusError, IntegrationError } from './failure-classifier';
import { ResilienceOptions } from './resilience.options';

const RESET_MS = 150;
const KEY = 'source-control:api.vendor.example';

const transient = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
const fail = (error: unknown) => () => Promise.reject(error);
const succeed = () => Promise.resolve('ok');

async function waitFor(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('CircuitBreakerRegistry', () => {
  let metrics: PlatformMetrics;
  let registry: CircuitBreakerRegistry;
  let warn: jest.SpyInstance;
  let info: jest.SpyInstance;

  const gaugeValues = async (): Promise<Record<string, number>> => {
    const gauge = metrics.registry.getSingleMetric('circuit_breaker_state') as Gauge;
    const { values } = await gauge.get();
    return Object.fromEntries(values.map(({ labels, value }) => [String(labels.breaker), value]));
  };
  const logged = (spy: jest.SpyInstance, msg: string) => spy.mock.calls.filter(([entry]) => (entry as { msg?: string }).msg === msg);
  const trip = async (key = KEY, count = 4) => {
    for (let i = 0; i < count; i += 1) await registry.execute(key, fail(transient())).catch(() => undefined);
  };

  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    info = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
    metrics = new PlatformMetrics('test', false);
    const options = loadOptions(ResilienceOptions, {
      BREAKER_ERROR_THRESHOLD: '50',
      BREAKER_VOLUME_THRESHOLD: '4',
      BREAKER_RESET_TIMEOUT: `${RESET_MS}ms`,
      BREAKER_ROLLING_WINDOW: '10s',
      BREAKER_IDLE_EVICTION: '1m',
    });
    registry = new CircuitBreakerRegistry(options, metrics);
  });

  afterEach(() => {
    registry.onModuleDestroy();
    jest.restoreAllMocks();
  });

  it('passes results and errors through while closed', async () => {
    await expect(registry.execute(KEY, succeed)).resolves.toBe('ok');
    const error = transient();
    await expect(registry.execute(KEY, fail(error))).rejects.toBe(error);
    expect(registry.state(KEY)).toBe('closed');
    expect(await gaugeValues()).toEqual({ [KEY]: 0 });
  });

  it('stays closed below the volume threshold, then opens when failures pass the percentage', async () => {
    await trip(KEY, 3);
    expect(registry.state(KEY)).toBe('closed');
    await trip(KEY, 1);
    expect(registry.state(KEY)).toBe('open');
    expect(await gaugeValues()).toEqual({ [KEY]: 2 });
    expect(logged(warn, 'Circuit opened')).toHaveLength(1);
    expect(logged(warn, 'Circuit opened')[0][0]).toMatchObject({ breaker: KEY, forced: false, failures: 4, calls: 4 });
  });

  it('rejects fast while open, without calling the work, with a Transient CircuitOpenError', async () => {
    await trip();
    const work = jest.fn(succeed);
    const error = await registry.execute(KEY, work).catch((caught: unknown) => caught);
    expect(work).not.toHaveBeenCalled();
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(error).toMatchObject({ category: 'Transient', code: 'circuit_open', breaker: KEY, state: 'open', retryable: true });
    expect((error as CircuitOpenError).retryAfterMs).toBeGreaterThan(0);
    expect((error as CircuitOpenError).retryAfterMs).toBeLessThanOrEqual(RESET_MS);
    expect(classifyError(error)).toMatchObject({ category: 'Transient', code: 'circuit_open' });
    // Rejections are not state changes: still one log line.
    await registry.execute(KEY, work).catch(() => undefined);
    expect(logged(warn, 'Circuit opened')).toHaveLength(1);
  });

  it('half-opens after the reset timeout and closes on a successful trial, forgetting old failures', async () => {
    await trip();
    await waitFor(() => registry.state(KEY) === 'halfOpen');
    expect(await gaugeValues()).toEqual({ [KEY]: 1 });

    await expect(registry.execute(KEY, succeed)).resolves.toBe('ok');
    expect(registry.state(KEY)).toBe('closed');
    expect(await gaugeValues()).toEqual({ [KEY]: 0 });
    expect(registry.snapshot()[0].window).toEqual({ calls: 0, successes: 0, failures: 0, rejected: 0 });
    // One fresh failure does not reopen it: the window was reset on close.
    await trip(KEY, 1);
    expect(registry.state(KEY)).toBe('closed');
    expect(logged(info, 'Circuit half-open: the next call is a trial')).toHaveLength(1);
    expect(logged(info, 'Circuit closed')).toHaveLength(1);
  });

  it('lets one trial through while half-open and reopens when it fails', async () => {
    await trip();
    await waitFor(() => registry.state(KEY) === 'halfOpen');
    let releaseTrial!: (value: unknown) => void;
    const trial = registry.execute(KEY, () => new Promise((_, reject) => (releaseTrial = () => reject(transient()))));
    const concurrent = await registry.execute(KEY, succeed).catch((caught: unknown) => caught);
    expect(concurrent).toMatchObject({ code: 'circuit_open', state: 'halfOpen' });
    releaseTrial(undefined);
    await expect(trial).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(registry.state(KEY)).toBe('open');
    expect(logged(warn, 'Circuit opened')).toHaveLength(2);
  });

  it('does not trip on failures the caller caused (Validation, Auth, Poison), but does on RateLimited', async () => {
    const callerErrors = [
      HttpStatusError.fromResponse({ status: 404 }),
      HttpStatusError.fromResponse({ status: 422 }),
      HttpStatusError.fromResponse({ status: 401 }),
      IntegrationError.poison('undecodable_payload', 'bad message'),
      new SyntaxError('Unexpected token'),
    ];
    for (let round = 0; round < 3; round += 1) {
      for (const error of callerErrors) await expect(registry.execute(KEY, fail(error))).rejects.toBe(error);
    }
    expect(registry.state(KEY)).toBe('closed');
    expect(registry.snapshot()[0].window).toMatchObject({ failures: 0, calls: 15 });

    for (let i = 0; i < 4; i += 1) {
      await registry.execute('payments:api.payments.example', fail(HttpStatusError.fromResponse({ status: 429 }))).catch(() => undefined);
    }
    expect(registry.state('payments:api.payments.example')).toBe('open');
  });

  it('keeps one breaker per key: one failing endpoint never blocks another', async () => {
    await trip('webhook:sub_slow');
    expect(registry.state('webhook:sub_slow')).toBe('open');
    await expect(registry.execute('webhook:sub_fast', succeed)).resolves.toBe('ok');
    expect(await gaugeValues()).toEqual({ 'webhook:sub_slow': 2, 'webhook:sub_fast': 0 });
  });

  it('forceOpen with no end holds the breaker open (creating it) until forceClose', async () => {
    registry.forceOpen(KEY);
    expect(registry.state(KEY)).toBe('open');
    await expect(registry.execute(KEY, succeed)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(registry.snapshot()[0]).toMatchObject({ key: KEY, state: 'open', forcedOpen: true, forcedOpenUntil: null, halfOpenAt: null });

    await new Promise((resolve) => setTimeout(resolve, RESET_MS * 2));
    expect(registry.state(KEY)).toBe('open');
    expect(logged(info, 'Circuit half-open: the next call is a trial')).toHaveLength(0);
    expect(logged(warn, 'Circuit opened')).toHaveLength(1);
    expect(logged(warn, 'Circuit opened')[0][0]).toMatchObject({ forced: true, halfOpenAt: null });

    registry.forceClose(KEY);
    expect(registry.state(KEY)).toBe('closed');
    expect(await gaugeValues()).toEqual({ [KEY]: 0 });
    await expect(registry.execute(KEY, succeed)).resolves.toBe('ok');
  });

  it('forceOpen until a time half-opens then, not at the reset timeout', async () => {
    const until = Date.now() + RESET_MS * 3;
    registry.forceOpen(KEY, until);
    expect(registry.snapshot()[0]).toMatchObject({ forcedOpen: true, forcedOpenUntil: new Date(until).toISOString(), halfOpenAt: new Date(until).toISOString() });

    await new Promise((resolve) => setTimeout(resolve, RESET_MS * 1.5));
    expect(registry.state(KEY)).toBe('open');
    const rejected = await registry.execute(KEY, succeed).catch((caught: unknown) => caught);
    expect((rejected as CircuitOpenError).retryAfterMs).toBeGreaterThan(0);

    await waitFor(() => registry.state(KEY) === 'halfOpen');
    expect(Date.now()).toBeGreaterThanOrEqual(until);
    expect(registry.snapshot()[0]).toMatchObject({ forcedOpen: false, halfOpenAt: null });
    await expect(registry.execute(KEY, succeed)).resolves.toBe('ok');
    expect(registry.state(KEY)).toBe('closed');
  });

  it('forceOpen holds a breaker that tripped by itself past its own reset timeout, silently', async () => {
    await trip();
    registry.forceOpen(KEY, Date.now() + RESET_MS * 3);
    await new Promise((resolve) => setTimeout(resolve, RESET_MS * 1.5));
    expect(registry.state(KEY)).toBe('open');
    expect(await gaugeValues()).toEqual({ [KEY]: 2 });
    expect(logged(info, 'Circuit half-open: the next call is a trial')).toHaveLength(0);
    expect(logged(warn, 'Circuit opened')).toHaveLength(1);
  });

  it('forceClose ignores unknown keys; forceOpen refuses a non-finite end', () => {
    expect(() => registry.forceClose('nobody:nowhere')).not.toThrow();
    expect(registry.snapshot()).toEqual([]);
    expect(() => registry.forceOpen(KEY, Number.NaN)).toThrow(RangeError);
  });

  it('snapshots every breaker, sorted, with counts and the half-open time', async () => {
    await registry.execute('support:acme.support.example', succeed);
    await trip(KEY);
    const before = Date.now();
    const [sourceControl, support] = registry.snapshot();
    expect(support).toMatchObject({ key: 'support:acme.support.example', state: 'closed', forcedOpen: false, openedAt: null, halfOpenAt: null });
    expect(support.window).toEqual({ calls: 1, successes: 1, failures: 0, rejected: 0 });
    expect(sourceControl).toMatchObject({ key: KEY, state: 'open', forcedOpen: false });
    expect(sourceControl.window).toEqual({ calls: 4, successes: 0, failures: 4, rejected: 0 });
    const halfOpenAt = Date.parse(sourceControl.halfOpenAt as string);
    expect(halfOpenAt - Date.parse(sourceControl.openedAt as string)).toBe(RESET_MS);
    expect(halfOpenAt).toBeGreaterThanOrEqual(before);
  });

  it('evicts idle closed breakers (and their gauge series), never open or busy ones', async () => {
    await registry.execute('idle:one', succeed);
    await trip('broken:two');
    let release!: () => void;
    const busy = registry.execute('busy:three', () => new Promise<void>((resolve) => (release = resolve)));

    const later = Date.now() + 61_000;
    expect(registry.evictIdle(Date.now())).toEqual([]);
    expect(registry.evictIdle(later)).toEqual(['idle:one']);
    expect(registry.snapshot().map(({ key }) => key)).toEqual(['broken:two', 'busy:three']);
    expect(Object.keys(await gaugeValues()).sort()).toEqual(['broken:two', 'busy:three']);

    release();
    await busy;
    // A breaker recreated after eviction starts closed and fresh.
    await expect(registry.execute('idle:one', succeed)).resolves.toBe('ok');
    expect(registry.state('idle:one')).toBe('closed');
  });

  it('refuses keys that could leak secrets or tenant data into public output', async () => {
    await expect(registry.execute('webhook:https://user:pass@example.com/hook', succeed)).rejects.toBeInstanceOf(TypeError);
    await expect(registry.execute('vendor:api.example.com/v1?api_key=abc', succeed)).rejects.toBeInstanceOf(TypeError);
    await expect(registry.execute('', succeed)).rejects.toBeInstanceOf(TypeError);
  });
});
