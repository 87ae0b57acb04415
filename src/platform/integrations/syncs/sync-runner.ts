import { createHash, randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DistributedLock, LockHandle } from '../../cache/cache.ports';
import { RequestContext } from '../../context/request-context';
import { classifyError, classifyStatus, IntegrationError } from '../../resilience/failure-classifier';
import type { OperationContext, SyncPosition, SyncSource, VendorAnswer } from '../../vendors/vendor-descriptor';
import { VendorCatalogue } from '../../vendors/vendor-catalogue';
import { ConnectionNotFoundError, ConnectionResolver } from '../connections/connection-resolver';
import type { ConnectionProfile } from '../connections/connection-profile';
import { GovernedHttpClient, GovernedResponse } from '../governed/governed-http-client';
import { EMPTY_COUNTS, IntegrationSync, PassKind, SyncError } from './integration-sync.entity';
import { CheckpointedPage, SyncCheckpoints, SyncLeaseLostError } from './sync-checkpoints';
import { SyncPageCache } from './sync-page-cache';
import { SyncRows } from './sync-rows';

export interface SyncRunSettings {
  /** The share of the rate budgets (0–1) a sync leaves to interactive calls. */
  reserveShare: number;
  /** The lock's TTL; it is extended every third of it while the run goes on. */
  lockTtlMs: number;
  /** Asked before every page: true stops the run after its last checkpoint (shutdown). */
  shouldStop?: () => boolean;
  /** How long a failed run waits before the schedule tries again (capped by the sync's interval). */
  failureBackoffMs?: number;
}

/**
 * How a run ended. `completed`: a pass finished. `yielded`: the budget was low, or the run was asked to
 * stop; the pass stays in progress at its last checkpoint and the sync stays due (an on-demand run stays
 * asked for). `failed`: the pass stays in progress at its
 * last checkpoint with the error recorded. `busy`: another run holds the sync. `skipped`: nothing to run.
 */
export type SyncRunOutcome = 'completed' | 'yielded' | 'failed' | 'busy' | 'skipped';

const DEFAULT_FAILURE_BACKOFF_MS = 30_000;

type FetchOutcome = { kind: 'page'; page: CheckpointedPage } | { kind: 'budget'; retryAfterMs: number } | { kind: 'failed'; error: unknown };

/**
 * Runs one pass of a connection's sync source, or resumes the pass in progress: page after page, each
 * fetched through the governed client (with the ETag the page last answered, and a reserve of the rate
 * budget left to interactive calls) and checkpointed before the next is asked for. Only one run holds a
 * sync at a time: a distributed lock, extended while the run goes on, and a lease in the row that every
 * checkpoint checks.
 */
@Injectable()
export class SyncRunner {
  private readonly logger = new Logger(SyncRunner.name);

  constructor(
    private readonly rows: SyncRows,
    private readonly checkpoints: SyncCheckpoints,
    private readonly pages: SyncPageCache,
    private readonly resolver: ConnectionResolver,
    private readonly governed: GovernedHttpClient,
    private readonly catalogue: VendorCatalogue,
    private readonly lock: DistributedLock,
  ) {}

  async run(tenantId: string, syncId: string, settings: SyncRunSettings): Promise<SyncRunOutcome> {
    const lock = await this.lock.acquire(`sync:${tenantId}:${syncId}`, settings.lockTtlMs);
    if (!lock) return 'busy';
    const keeper = new LockKeeper(lock, settings.lockTtlMs);
    try {
      return await RequestContext.run({ tenantId, ids: { syncId } }, () => this.runLocked(tenantId, syncId, settings, keeper));
    } finally {
      await keeper.release();
    }
  }

  private async runLocked(tenantId: string, syncId: string, settings: SyncRunSettings, keeper: LockKeeper): Promise<SyncRunOutcome> {
    const current = await this.rows.find(tenantId, syncId);
    if (!current) return 'skipped';
    const wanted = (current.enabled || current.runRequestedAt !== null) && current.nextRunAt !== null && current.nextRunAt.getTime() <= Date.now();
    if (!wanted) return 'skipped';
    const now = new Date();
    const owner = `run-${randomUUID()}`;
    const sync = await this.rows.takeLease(tenantId, syncId, owner, { state: 'Running', lastRunAt: now });
    if (!sync) return 'busy';
    RequestContext.bindIds({ connectionId: sync.connectionId });

    let profile: ConnectionProfile;
    let source: SyncSource;
    try {
      profile = await this.resolver.resolve(tenantId, sync.connectionId);
      const found = this.catalogue.syncSource(profile.provider.id, sync.name);
      if (!found) throw IntegrationError.validation('sync_source_unknown', `Provider ${profile.provider.id} has no sync source ${sync.name}`);
      source = found;
    } catch (error) {
      return this.fail(sync, error, settings);
    }
    if (!sync.passId && !(await this.startPass(sync, source))) return 'busy';

    const context: OperationContext = { connectionId: sync.connectionId, configuration: profile.connection.configuration ?? {} };
    const fetchAt = (page: string | null) => this.fetch(sync, source, context, { page, since: sync.passSince }, settings);
    if (settings.shouldStop?.() || keeper.lost) return this.pause(sync, new Date(), keeper.lost);
    let fetching = fetchAt(sync.pageCursor);
    for (;;) {
      const fetched = await fetching;
      if (fetched.kind === 'budget') return this.yieldToBudget(sync, fetched.retryAfterMs);
      if (fetched.kind === 'failed') return this.fail(sync, fetched.error, settings);
      const { page } = fetched;
      // The next page is asked for while this one is stored: its cursor advances only once this checkpoint commits.
      const next = page.kind === 'read' ? page.next : page.cached.next;
      const prefetch = next !== null && next !== sync.pageCursor && !settings.shouldStop?.() && !keeper.lost ? fetchAt(next) : undefined;
      try {
        const result = await this.checkpoints.commit(sync, profile.provider.id, page);
        if (result.completed) return 'completed';
      } catch (error) {
        await prefetch;
        if (error instanceof SyncLeaseLostError) {
          this.logger.warn({ msg: 'Sync taken over by another run; stopping', syncId: sync.id });
          return 'busy';
        }
        return this.fail(sync, error, settings);
      }
      if (!prefetch) return this.pause(sync, new Date(), keeper.lost);
      fetching = prefetch;
    }
  }

  /** One page, fetched through the governed client with the ETag it last answered, and read by the source. Never rejects. */
  private async fetch(sync: IntegrationSync, source: SyncSource, context: OperationContext, position: SyncPosition, settings: SyncRunSettings): Promise<FetchOutcome> {
    const pageKey = pageKeyOf(position);
    try {
      const cached = await this.pages.find(sync, pageKey);
      const request = source.request(position, context);
      const headers = { ...(request.headers ?? {}), ...(cached ? { 'if-none-match': cached.etag } : {}) };
      const response = await this.governed.request(
        sync.connectionId,
        { ...request, headers },
        {
          tenantId: sync.tenantId,
          purpose: 'sync',
          operation: `sync ${sync.name}`,
          metricOperation: 'sync',
          budgetReserve: settings.reserveShare,
        },
      );
      if (response.status === 304 && cached) return { kind: 'page', page: { kind: 'not-modified', pageKey, cached } };
      if (response.failure === undefined && response.status >= 200 && response.status < 300) {
        const read = source.read(answerOf(response), position, context);
        return { kind: 'page', page: { kind: 'read', pageKey, records: read.records, next: read.next, etag: etagOf(response) } };
      }
      // The vendor's own reading (its descriptor's rules), as the run recorded it.
      const failure = response.failure ?? classifyStatus(response.status, response.headers);
      // A vendor rate limit is a budget to wait for, like our own: the pass stays at its checkpoint.
      if (failure.category === 'RateLimited') return { kind: 'budget', retryAfterMs: failure.retryAfterMs ?? 60_000 };
      throw new IntegrationError(failure.category, failure.code, `The vendor answered HTTP ${response.status} to a page of sync ${sync.name}`);
    } catch (error) {
      if (error instanceof IntegrationError && error.code === 'rate_budget_exhausted') return { kind: 'budget', retryAfterMs: error.retryAfterMs ?? 1_000 };
      return { kind: 'failed', error };
    }
  }

  /** A new pass: full when the source cannot narrow by `since`, when none completed yet, or every `fullPassEvery` passes. */
  private async startPass(sync: IntegrationSync, source: SyncSource): Promise<boolean> {
    const number = sync.passNumber + 1;
    const full = !source.incremental || !sync.watermark || (number - 1) % Math.max(1, sync.fullPassEvery) === 0;
    const kind: PassKind = full ? 'full' : 'incremental';
    return this.rows.updateLeased(sync, {
      passNumber: number,
      passId: `pass-${randomUUID()}`,
      passKind: kind,
      passSince: full ? null : sync.watermark,
      pageCursor: null,
      passWatermark: null,
      passCounts: { ...EMPTY_COUNTS },
    });
  }

  /** The budget is low: the pass stays at its checkpoint and the sync is due again once the budget has refilled. */
  private async yieldToBudget(sync: IntegrationSync, retryAfterMs: number): Promise<SyncRunOutcome> {
    await this.rows.updateLeased(sync, { state: 'Idle', leaseOwner: null, nextRunAt: new Date(Date.now() + Math.max(50, retryAfterMs)) });
    return 'yielded';
  }

  private async pause(sync: IntegrationSync, now: Date, lost: boolean): Promise<SyncRunOutcome> {
    // Due again at once (an on-demand run stays asked for): whoever runs it next resumes from the checkpoint.
    if (!lost) await this.rows.updateLeased(sync, { state: 'Idle', leaseOwner: null, nextRunAt: now });
    return 'yielded';
  }

  private async fail(sync: IntegrationSync, error: unknown, settings: SyncRunSettings): Promise<SyncRunOutcome> {
    const classification = classifyError(error);
    const lastError: SyncError = {
      category: classification.category,
      code: classification.code,
      // Our own words (IntegrationError messages carry no secrets and no vendor bodies), else the code.
      message: error instanceof IntegrationError ? error.message.slice(0, 500) : `The sync run failed: ${classification.code}`,
      at: new Date().toISOString(),
    };
    if (error instanceof IntegrationError && !(error instanceof ConnectionNotFoundError)) {
      this.logger.warn({ msg: 'Sync run stopped at its checkpoint', syncId: sync.id, category: classification.category, code: classification.code });
    } else {
      this.logger.error({ msg: 'Sync run failed', syncId: sync.id, code: classification.code, err: error });
    }
    // A retired or deleted connection runs nothing again; anything else is retried from the checkpoint.
    const final = error instanceof ConnectionNotFoundError || (error instanceof IntegrationError && error.code === 'connection_retired');
    const backoff = Math.min(sync.intervalMs, settings.failureBackoffMs ?? DEFAULT_FAILURE_BACKOFF_MS);
    // The run asked for has ended; the schedule (if enabled) tries again from the checkpoint.
    await this.rows.updateLeased(sync, {
      state: 'Failed',
      lastError,
      leaseOwner: null,
      runRequestedAt: null,
      nextRunAt: sync.enabled && !final ? new Date(Date.now() + backoff) : null,
    });
    return 'failed';
  }
}

/** A digest of where a page starts: the key of its ETag cache entry and of the records it held. */
export function pageKeyOf(position: SyncPosition): string {
  return createHash('sha256')
    .update(JSON.stringify([position.since, position.page]))
    .digest('hex')
    .slice(0, 40);
}

function answerOf(response: GovernedResponse): VendorAnswer {
  const text = response.body.toString('utf8');
  const contentType = String(response.headers['content-type'] ?? '');
  let body: unknown = text.length === 0 ? null : text;
  if (text.length > 0 && (contentType.includes('json') || contentType === '')) {
    try {
      body = JSON.parse(text);
    } catch {
      throw IntegrationError.validation('sync_page_unparsable', 'The vendor answered a sync page that is not valid JSON');
    }
  }
  return { status: response.status, headers: response.headers, body, runId: response.run.id };
}

function etagOf(response: GovernedResponse): string | null {
  const value = response.headers.etag;
  const etag = Array.isArray(value) ? value[0] : value;
  return typeof etag === 'string' && etag.length > 0 && etag.length <= 512 ? etag : null;
}

/** Extends the lock every third of its TTL; `lost` once an extension fails (the run then stops at its next page). */
class LockKeeper {
  lost = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly handle: LockHandle,
    ttlMs: number,
  ) {
    this.timer = setInterval(
      () => {
        void handle.extend(ttlMs).then((held) => {
          if (!held) this.lost = true;
        });
      },
      Math.max(50, Math.floor(ttlMs / 3)),
    );
    this.timer.unref();
  }

  async release(): Promise<void> {
    clearInterval(this.timer);
    await this.handle.release();
  }
}
