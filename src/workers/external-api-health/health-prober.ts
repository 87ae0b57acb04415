import { createHash } from 'node:crypto';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, LessThanOrEqual, Repository } from 'typeorm';
import { DistributedLock } from '../../platform/cache/cache.ports';
import { RequestContext } from '../../platform/context/request-context';
import { ConnectionHealthService } from '../../platform/integrations/connections/connection-health';
import { ConnectionNotFoundError, ConnectionResolver } from '../../platform/integrations/connections/connection-resolver';
import { ConnectionHealth, IntegrationConnection } from '../../platform/integrations/entities/integration-connection.entity';
import { GovernedHttpClient } from '../../platform/integrations/governed/governed-http-client';
import { ProcessLifecycle } from '../../platform/lifecycle/process-lifecycle';
import { HEALTH_STATUS_VALUE, PlatformMetrics } from '../../platform/observability/platform-metrics';
import { ExternalApiHealthOptions } from './external-api-health.options';

const BATCH = 500;
const JITTER_RATIO = 0.1;
const HEALTH_RANK: Record<ConnectionHealth, number> = { Unknown: 0, Healthy: 1, Degraded: 2, Unhealthy: 3 };

/**
 * ExternalApiHealthWorker: probes every Active (or Degraded) connection at a fixed cadence with a stable
 * per-connection jitter, at most HEALTH_PROBE_CONCURRENCY at once, each target by one replica only (a
 * lock, plus a re-check of when it was last probed). Verdicts go through ConnectionHealthService
 * (history, gauge, event, breaker); each provider endpoint's gauge reports its worst connection.
 */
@Injectable()
export class HealthProber implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(HealthProber.name);
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<void>;
  private readonly inboundOnly = new Set<string>();

  constructor(
    @InjectRepository(IntegrationConnection) private readonly connections: Repository<IntegrationConnection>,
    private readonly resolver: ConnectionResolver,
    private readonly governed: GovernedHttpClient,
    private readonly health: ConnectionHealthService,
    private readonly lock: DistributedLock,
    private readonly lifecycle: ProcessLifecycle,
    private readonly metrics: PlatformMetrics,
    private readonly options: ExternalApiHealthOptions,
  ) {
    // A tick in progress is in-flight work (lifecycle.run): shutdown waits for it up to its grace period.
    lifecycle.onDrain(() => clearInterval(this.timer));
  }

  onApplicationBootstrap(): void {
    // Ticks a few times per interval so a connection is probed close to its due time.
    const tickMs = Math.max(50, Math.min(1_000, Math.floor(this.options.probeIntervalMs / 4)));
    this.timer = setInterval(() => void this.tick(), tickMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** Probes every connection due now; returns how many were probed by this replica. */
  async sweep(now = Date.now()): Promise<number> {
    const earliestDue = new Date(now - this.options.probeIntervalMs * (1 - JITTER_RATIO));
    const candidates = await this.connections.find({
      where: [
        { status: In(['Active', 'Degraded']), lastCheckedAt: IsNull() },
        { status: In(['Active', 'Degraded']), lastCheckedAt: LessThanOrEqual(earliestDue) },
      ],
      order: { lastCheckedAt: 'ASC' },
      take: BATCH,
    });
    const due = candidates.filter((connection) => this.isDue(connection, now));
    let probed = 0;
    const queue = [...due];
    const workers = Array.from({ length: Math.min(this.options.concurrency, queue.length) }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        if (this.lifecycle.isDraining) return;
        if (await this.probe(next)) probed += 1;
      }
    });
    await Promise.all(workers);
    if (probed > 0) await this.reportProviders();
    return probed;
  }

  private isDue(connection: IntegrationConnection, now: number): boolean {
    if (!connection.lastCheckedAt) return true;
    return connection.lastCheckedAt.getTime() + this.intervalFor(connection.id) <= now;
  }

  /** Interval ± 10 %, fixed per connection: probes spread out, yet each connection keeps a steady cadence. */
  private intervalFor(connectionId: string): number {
    const unit = createHash('sha256').update(connectionId).digest().readUInt32BE(0) / 0xffffffff;
    return Math.round(this.options.probeIntervalMs * (1 + JITTER_RATIO * (2 * unit - 1)));
  }

  private async probe(candidate: IntegrationConnection): Promise<boolean> {
    if (this.inboundOnly.has(candidate.id)) return false;
    const lock = await this.lock.acquire(`health-probe:${candidate.id}`, this.options.probeTimeoutMs + 5_000);
    if (!lock) return false;
    try {
      return await RequestContext.run({ tenantId: candidate.tenantId, ids: { connectionId: candidate.id } }, async () => {
        const profile = await this.resolver.resolve(candidate.tenantId, candidate.id, { fresh: true });
        const { connection } = profile;
        // No API to probe: its health comes from verified webhooks. A connection's settings do not change, so neither does this.
        if (profile.inboundOnly) {
          this.inboundOnly.add(connection.id);
          return false;
        }
        // Another replica probed it between our read and our lock.
        if (!['Active', 'Degraded'].includes(connection.status) || !this.isDue(connection, Date.now())) return false;
        const verdict = await this.governed.probe(profile, this.options.probeTimeoutMs);
        await this.health.recordProbe(profile, verdict, Math.round(this.options.probeIntervalMs * (1 + JITTER_RATIO)) + this.options.probeTimeoutMs);
        return true;
      });
    } catch (error) {
      if (!(error instanceof ConnectionNotFoundError)) this.logger.error({ msg: 'Probe failed to run', connectionId: candidate.id, err: error });
      return false;
    } finally {
      await lock.release();
    }
  }

  /** `external_health_status{target="provider:endpoint"}`: the worst health among the endpoint's live connections. */
  private async reportProviders(): Promise<void> {
    const rows = await this.connections.find({ select: { providerId: true, health: true }, where: { status: In(['Active', 'Degraded']) } });
    const worst = new Map<string, ConnectionHealth>();
    for (const row of rows) {
      const current = worst.get(row.providerId);
      if (!current || HEALTH_RANK[row.health] > HEALTH_RANK[current]) worst.set(row.providerId, row.health);
    }
    for (const [providerId, health] of worst) this.metrics.externalHealthStatus.set({ provider: providerId, target: `provider:${providerId}` }, HEALTH_STATUS_VALUE[health]);
  }

  private async tick(): Promise<void> {
    if (this.sweeping || this.lifecycle.isDraining) return;
    this.sweeping = this.lifecycle
      .run('schedule', async () => {
        await this.sweep();
      })
      .catch((error) => this.logger.error({ msg: 'Health sweep failed', err: error }))
      .finally(() => (this.sweeping = undefined));
  }

  private async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }
}
