import { DistributedLock, IdempotencyStore, RateLimitDecision, RateLimiter, TokenBucketRule } from '../../src/platform/cache/cache.ports';

/** Fresh adapters for one test, isolated from every other test (their own key prefix on a shared Redis). */
export interface CacheAdapters {
  rateLimiter: RateLimiter;
  lock: DistributedLock;
  idempotency: IdempotencyStore;
  /** Deletes what the test wrote and closes connections. */
  dispose?(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const count = <T>(values: readonly T[], predicate: (value: T) => boolean) => values.filter(predicate).length;

/**
 * The behaviour every cache adapter owes the port, registered as jest tests. Timings use short
 * intervals: a test never sleeps more than a few hundred milliseconds.
 */
export function describeCacheContract(name: string, createAdapters: () => Promise<CacheAdapters>): void {
  describe(`cache port contract: ${name}`, () => {
    let adapters: CacheAdapters;

    beforeEach(async () => {
      adapters = await createAdapters();
    });
    afterEach(async () => {
      await adapters.dispose?.();
    });

    describe('RateLimiter (token bucket)', () => {
      it('allows `capacity` calls, then refuses with the wait until the next token', async () => {
        const rule: TokenBucketRule = { capacity: 3, refillPerSecond: 1 };
        const decisions: RateLimitDecision[] = [];
        for (let call = 0; call < 4; call++) decisions.push(await adapters.rateLimiter.consume('burst', rule));

        expect(decisions.slice(0, 3)).toEqual([
          { allowed: true, remaining: 2, retryAfterMs: 0 },
          { allowed: true, remaining: 1, retryAfterMs: 0 },
          { allowed: true, remaining: 0, retryAfterMs: 0 },
        ]);
        expect(decisions[3]).toMatchObject({ allowed: false, remaining: 0 });
        expect(decisions[3].retryAfterMs).toBeGreaterThan(0);
        expect(decisions[3].retryAfterMs).toBeLessThanOrEqual(1_000);
      });

      it('refills at the rule rate, up to the capacity', async () => {
        const rule: TokenBucketRule = { capacity: 2, refillPerSecond: 10 };
        await adapters.rateLimiter.consume('refill', rule);
        await adapters.rateLimiter.consume('refill', rule);
        const refused = await adapters.rateLimiter.consume('refill', rule);
        expect(refused.allowed).toBe(false);

        await sleep(refused.retryAfterMs + 5);
        expect((await adapters.rateLimiter.consume('refill', rule)).allowed).toBe(true);

        // Quiet for far longer than the bucket takes to fill: it holds `capacity` tokens, no more.
        await sleep(300);
        expect(await adapters.rateLimiter.consume('refill', rule)).toEqual({ allowed: true, remaining: 1, retryAfterMs: 0 });
      });

      it('charges a cost above 1, and a refusal spends nothing', async () => {
        const rule: TokenBucketRule = { capacity: 5, refillPerSecond: 1 };
        expect(await adapters.rateLimiter.consume('cost', rule, { cost: 3 })).toEqual({ allowed: true, remaining: 2, retryAfterMs: 0 });

        const refused = await adapters.rateLimiter.consume('cost', rule, { cost: 3 });
        expect(refused).toMatchObject({ allowed: false, remaining: 2 });
        expect(refused.retryAfterMs).toBeGreaterThan(900);
        expect(refused.retryAfterMs).toBeLessThanOrEqual(1000);

        expect(await adapters.rateLimiter.consume('cost', rule, { cost: 2 })).toEqual({ allowed: true, remaining: 0, retryAfterMs: 0 });
      });

      it('rejects a cost above the capacity, invalid rules and times as caller mistakes', async () => {
        await expect(adapters.rateLimiter.consume('invalid', { capacity: 2, refillPerSecond: 1 }, { cost: 3 })).rejects.toThrow(RangeError);
        await expect(adapters.rateLimiter.consume('invalid', { capacity: 0, refillPerSecond: 1 })).rejects.toThrow(RangeError);
        await expect(adapters.rateLimiter.consume('invalid', { capacity: 2, refillPerSecond: 0 })).rejects.toThrow(RangeError);
        await expect(adapters.rateLimiter.block('invalid', { capacity: 2, refillPerSecond: 1 }, Number.NaN)).rejects.toThrow(RangeError);
      });

      it('never over-spends under concurrency: 200 parallel calls against capacity 50 allow exactly 50', async () => {
        const rule: TokenBucketRule = { capacity: 50, refillPerSecond: 0.01 };
        // Closed: a call the backend failed to answer can only lower the count, never pass for a grant.
        const decisions = await Promise.all(Array.from({ length: 200 }, () => adapters.rateLimiter.consume('parallel', rule, { onUnavailable: 'closed' })));

        expect(count(decisions, (decision) => decision.allowed)).toBe(50);
        expect(count(decisions, (decision) => !decision.allowed && decision.retryAfterMs > 0)).toBe(150);
      });

      it('keeps buckets apart by key', async () => {
        const rule: TokenBucketRule = { capacity: 1, refillPerSecond: 0.01 };
        expect((await adapters.rateLimiter.consume('tenant-a', rule)).allowed).toBe(true);
        expect((await adapters.rateLimiter.consume('tenant-a', rule)).allowed).toBe(false);
        expect((await adapters.rateLimiter.consume('tenant-b', rule)).allowed).toBe(true);
      });

      it('with a reserve, allows only while `reserve` tokens remain afterwards, and a refusal says when they will', async () => {
        const rule: TokenBucketRule = { capacity: 10, refillPerSecond: 1 };
        const decisions: RateLimitDecision[] = [];
        for (let call = 0; call < 8; call++) decisions.push(await adapters.rateLimiter.consume('reserved', rule, { reserve: 3 }));

        expect(count(decisions, (decision) => decision.allowed)).toBe(7);
        expect(decisions[6]).toEqual({ allowed: true, remaining: 3, retryAfterMs: 0 });
        expect(decisions[7]).toMatchObject({ allowed: false, remaining: 3 });
        // One more token on top of the reserve: about a second.
        expect(decisions[7].retryAfterMs).toBeGreaterThan(900);
        expect(decisions[7].retryAfterMs).toBeLessThanOrEqual(1_000);
        // The reserve is there for a caller without one.
        expect(await adapters.rateLimiter.consume('reserved', rule)).toEqual({ allowed: true, remaining: 2, retryAfterMs: 0 });
      });

      it('rejects a reserve that leaves no room for the cost as a caller mistake', async () => {
        const rule: TokenBucketRule = { capacity: 4, refillPerSecond: 1 };
        await expect(adapters.rateLimiter.consume('invalid', rule, { cost: 2, reserve: 3 })).rejects.toThrow(RangeError);
        await expect(adapters.rateLimiter.consume('invalid', rule, { reserve: -1 })).rejects.toThrow(RangeError);
        await expect(adapters.rateLimiter.refund('invalid', rule, 0)).rejects.toThrow(RangeError);
        await expect(adapters.rateLimiter.refund('invalid', rule, 5)).rejects.toThrow(RangeError);
      });

      it('refund gives tokens back, never past the capacity', async () => {
        const rule: TokenBucketRule = { capacity: 3, refillPerSecond: 0.01 };
        for (let call = 0; call < 3; call++) await adapters.rateLimiter.consume('refund', rule);
        expect((await adapters.rateLimiter.consume('refund', rule)).allowed).toBe(false);

        await adapters.rateLimiter.refund('refund', rule);
        expect(await adapters.rateLimiter.consume('refund', rule)).toEqual({ allowed: true, remaining: 0, retryAfterMs: 0 });

        await adapters.rateLimiter.refund('refund', rule, 3);
        await adapters.rateLimiter.refund('refund', rule, 3);
        expect(await adapters.rateLimiter.consume('refund', rule, { cost: 3 })).toEqual({ allowed: true, remaining: 0, retryAfterMs: 0 });
        expect((await adapters.rateLimiter.consume('refund', rule)).allowed).toBe(false);
      });

      it('a refund does not lift a block', async () => {
        const rule: TokenBucketRule = { capacity: 5, refillPerSecond: 100 };
        await adapters.rateLimiter.block('blocked-refund', rule, Date.now() + 300);
        await adapters.rateLimiter.refund('blocked-refund', rule, 5);
        expect((await adapters.rateLimiter.consume('blocked-refund', rule)).allowed).toBe(false);
      });

      it('block empties the bucket until the given time, then it refills from zero', async () => {
        const rule: TokenBucketRule = { capacity: 5, refillPerSecond: 20 };
        const untilMs = Date.now() + 300;
        await adapters.rateLimiter.block('vendor', rule, untilMs);

        const held = await adapters.rateLimiter.consume('vendor', rule);
        expect(held).toMatchObject({ allowed: false, remaining: 0 });
        // Until the block ends, plus one token's refill (50 ms).
        expect(held.retryAfterMs).toBeGreaterThan(250);
        expect(held.retryAfterMs).toBeLessThanOrEqual(355);

        await sleep(untilMs - Date.now() + 60);
        const after = await adapters.rateLimiter.consume('vendor', rule);
        expect(after.allowed).toBe(true);
        expect(after.remaining).toBeLessThanOrEqual(2);
      });

      it('a shorter block never shortens a longer one', async () => {
        const rule: TokenBucketRule = { capacity: 5, refillPerSecond: 100 };
        await adapters.rateLimiter.block('vendor', rule, Date.now() + 400);
        await adapters.rateLimiter.block('vendor', rule, Date.now() + 50);

        await sleep(120);
        const decision = await adapters.rateLimiter.consume('vendor', rule);
        expect(decision.allowed).toBe(false);
        expect(decision.retryAfterMs).toBeGreaterThan(200);
      });
    });

    describe('DistributedLock', () => {
      it('is exclusive until released', async () => {
        const first = await adapters.lock.acquire('job', 5_000);
        expect(first).not.toBeNull();
        expect(await adapters.lock.acquire('job', 5_000)).toBeNull();

        expect(await first!.release()).toBe(true);
        const second = await adapters.lock.acquire('job', 5_000);
        expect(second).not.toBeNull();
        expect(second!.token).not.toBe(first!.token);
        expect(second!.key).toBe('job');
        expect(await second!.release()).toBe(true);
      });

      it('grants exactly one of many parallel acquirers', async () => {
        const handles = await Promise.all(Array.from({ length: 20 }, () => adapters.lock.acquire('contended', 5_000)));
        expect(count(handles, (handle) => handle !== null)).toBe(1);
      });

      it('lapses after its TTL; the stale handle can then neither release nor extend the new holder', async () => {
        const stale = await adapters.lock.acquire('job', 80);
        await sleep(130);

        const current = await adapters.lock.acquire('job', 5_000);
        expect(current).not.toBeNull();
        expect(await stale!.release()).toBe(false);
        expect(await stale!.extend(5_000)).toBe(false);
        expect(await adapters.lock.acquire('job', 5_000)).toBeNull();
        expect(await current!.release()).toBe(true);
      });

      it('extend keeps the lock past its first TTL', async () => {
        const handle = await adapters.lock.acquire('job', 100);
        expect(await handle!.extend(2_000)).toBe(true);
        await sleep(150);

        expect(await adapters.lock.acquire('job', 5_000)).toBeNull();
        expect(await handle!.release()).toBe(true);
      });

      it('a second release answers false', async () => {
        const handle = await adapters.lock.acquire('job', 5_000);
        expect(await handle!.release()).toBe(true);
        expect(await handle!.release()).toBe(false);
        expect(await handle!.extend(5_000)).toBe(false);
      });

      it('rejects a TTL that is not positive as a caller mistake', async () => {
        await expect(adapters.lock.acquire('invalid', 0)).rejects.toThrow(RangeError);
      });

      it('keeps locks apart by key', async () => {
        expect(await adapters.lock.acquire('a', 5_000)).not.toBeNull();
        expect(await adapters.lock.acquire('b', 5_000)).not.toBeNull();
      });
    });

    describe('IdempotencyStore', () => {
      it('claims a new key once: a second caller sees it in progress', async () => {
        expect(await adapters.idempotency.begin('command-1', 5_000)).toEqual({ state: 'new' });
        expect(await adapters.idempotency.begin('command-1', 5_000)).toEqual({ state: 'in-progress' });
        expect(await adapters.idempotency.begin('command-2', 5_000)).toEqual({ state: 'new' });
      });

      it('claims a key for exactly one of many parallel callers', async () => {
        const states = await Promise.all(Array.from({ length: 20 }, () => adapters.idempotency.begin('replayed', 5_000)));
        expect(count(states, (state) => state.state === 'new')).toBe(1);
        expect(count(states, (state) => state.state === 'in-progress')).toBe(19);
      });

      it('answers completed with the result (as JSON) once complete', async () => {
        await adapters.idempotency.begin('command', 5_000);
        await adapters.idempotency.complete('command', { runId: 'r-1', attempts: [1, 2], at: new Date(0) }, 5_000);

        expect(await adapters.idempotency.begin('command', 5_000)).toEqual({
          state: 'completed',
          result: { runId: 'r-1', attempts: [1, 2], at: '1970-01-01T00:00:00.000Z' },
        });
      });

      it('round-trips results that are not objects', async () => {
        for (const [key, result] of [
          ['none', undefined],
          ['null', null],
          ['zero', 0],
          ['text', 'done'],
          ['false', false],
        ] as const) {
          await adapters.idempotency.complete(key, result, 5_000);
          expect(await adapters.idempotency.begin(key, 5_000)).toEqual({ state: 'completed', result });
        }
      });

      it('release makes an in-progress key new again but keeps a completed result', async () => {
        await adapters.idempotency.begin('failed', 5_000);
        await adapters.idempotency.release('failed');
        expect(await adapters.idempotency.begin('failed', 5_000)).toEqual({ state: 'new' });

        await adapters.idempotency.complete('done', 'result', 5_000);
        await adapters.idempotency.release('done');
        expect(await adapters.idempotency.begin('done', 5_000)).toEqual({ state: 'completed', result: 'result' });
      });

      it('rejects a TTL that is not positive as a caller mistake', async () => {
        await expect(adapters.idempotency.begin('invalid', -1)).rejects.toThrow(RangeError);
        await expect(adapters.idempotency.complete('invalid', 'result', Number.NaN)).rejects.toThrow(RangeError);
      });

      it('forgets a claim and a result after their TTLs', async () => {
        await adapters.idempotency.begin('claimed', 80);
        await adapters.idempotency.complete('completed', 'result', 80);
        await sleep(130);

        expect(await adapters.idempotency.begin('claimed', 5_000)).toEqual({ state: 'new' });
        expect(await adapters.idempotency.begin('completed', 5_000)).toEqual({ state: 'new' });
      });
    });
  });
}
