import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { HEALTH_STATUS_VALUE, PlatformMetrics } from '../../observability/platform-metrics';
import { newId } from '../../persistence/ids';
import { RowWriter } from '../../persistence/row-writer';
import { CircuitBreakerRegistry } from '../../resilience/breaker-registry';
import type { FailureClassification } from '../../resilience/failure-classifier';
import { ConnectionHealthCheck } from '../entities/connection-health-check.entity';
import { ConnectionHealth, ConnectionStatus, IntegrationConnection } from '../entities/integration-connection.entity';
import { IntegrationEvents } from '../integration-events';
import { IntegrationsOptions } from '../integrations.options';
import type { ConnectionProfile } from './connection-profile';
import { ConnectionResolver } from './connection-resolver';
import { EVENTS } from '../../messaging/contracts';

export interface ProbeVerdict {
  passed: boolean;
  latencyMs: number;
  status: number | null;
  failure?: FailureClassification;
}

export interface ExternalApiHealthChangedData {
  connectionId: string;
  providerId: string;
  endpoint: string;
  previous: { status: ConnectionStatus; health: ConnectionHealth };
  current: { status: ConnectionStatus; health: ConnectionHealth };
  reason: string;
  checkedAt: string;
}

/**
 * A connection's health and what follows from it: history rows, the `external_health_status` gauge,
 * `ExternalApiHealthChanged` on every change, and the provider endpoint's breaker held open while the
 * connection is Unhealthy (other replicas read the same verdict from the store). Vendor health never
 * touches pod readiness.
 */
@Injectable()
export class ConnectionHealthService {
  private readonly logger = new Logger(ConnectionHealthService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly resolver: ConnectionResolver,
    private readonly breakers: CircuitBreakerRegistry,
    private readonly events: IntegrationEvents,
    private readonly metrics: PlatformMetrics,
    private readonly options: IntegrationsOptions,
    private readonly writer: RowWriter,
  ) {}

  /** Records one probe and moves the connection's health; `holdOpenMs` is how long an Unhealthy verdict holds the breaker open (until the next probe). */
  async recordProbe(profile: ConnectionProfile, verdict: ProbeVerdict, holdOpenMs: number): Promise<ConnectionHealth> {
    const { connection } = profile;
    const checkedAt = new Date();
    const counts = !verdict.passed && (verdict.failure?.category === 'Transient' || verdict.failure?.category === 'Poison');
    const failures = verdict.passed ? 0 : counts ? connection.consecutiveProbeFailures + 1 : connection.consecutiveProbeFailures;
    const health = this.healthAfter(verdict, failures);
    // A passing probe proves the credential again: a connection Degraded by a credential failure is Active again.
    let status: ConnectionStatus = connection.status;
    if (verdict.passed && status === 'Degraded') status = 'Active';
    if (!verdict.passed && verdict.failure?.category === 'Auth' && status === 'Active') status = 'Degraded';

    const check = Object.assign(new ConnectionHealthCheck(), {
      id: newId('hc'),
      tenantId: connection.tenantId,
      connectionId: connection.id,
      providerId: profile.provider.id,
      checkedAt,
      passed: verdict.passed,
      health,
      latencyMs: verdict.latencyMs,
      statusCode: verdict.status,
      failureCategory: verdict.failure?.category ?? null,
      failureCode: verdict.failure?.code ?? null,
    });
    await this.writer.write({
      inserts: [{ target: ConnectionHealthCheck, rows: [check] }],
      updates: [
        {
          target: IntegrationConnection,
          where: { tenantId: connection.tenantId, id: connection.id, status: In(['Active', 'Degraded']) },
          set: { health, status, lastCheckedAt: checkedAt, consecutiveProbeFailures: failures },
        },
      ],
    });

    this.metrics.externalHealthStatus.set({ provider: profile.provider.id, target: connection.id }, HEALTH_STATUS_VALUE[health]);
    if (health === 'Unhealthy') this.breakers.forceOpen(profile.breakerKey, Date.now() + holdOpenMs);
    else if (this.breakers.isForcedOpen(profile.breakerKey)) this.breakers.forceClose(profile.breakerKey);

    if (health !== connection.health || status !== connection.status) {
      await this.announce(profile, { status, health }, verdict.passed ? 'probe_passed' : (verdict.failure?.code ?? 'probe_failed'), checkedAt);
    }
    this.resolver.invalidate(connection.tenantId, connection.id);
    return health;
  }

  /** The credential stopped working (an OAuth refresh was refused): the connection is Degraded until a test or probe passes. */
  async markCredentialFailure(profile: ConnectionProfile, reason: string): Promise<void> {
    const { connection } = profile;
    const result = await this.dataSource
      .getRepository(IntegrationConnection)
      .update({ tenantId: connection.tenantId, id: connection.id, status: 'Active' }, { status: 'Degraded', health: 'Degraded' });
    this.resolver.invalidate(connection.tenantId, connection.id);
    if (result.affected !== 1) return;
    this.logger.warn({ msg: 'Connection degraded: its credential failed', connectionId: connection.id, reason });
    this.metrics.externalHealthStatus.set({ provider: profile.provider.id, target: connection.id }, HEALTH_STATUS_VALUE.Degraded);
    await this.announce(profile, { status: 'Degraded', health: 'Degraded' }, reason, new Date());
  }

  /**
   * An inbound-only connection has no API to probe: a verified webhook is its proof of health. Only a
   * change is written (the caller calls this at most once per cached connection), with history and event.
   */
  async recordVerifiedTraffic(profile: ConnectionProfile): Promise<void> {
    const { connection } = profile;
    if (connection.health === 'Healthy') return;
    const checkedAt = new Date();
    const result = await this.dataSource
      .getRepository(IntegrationConnection)
      .update(
        { tenantId: connection.tenantId, id: connection.id, status: In(['Active', 'Degraded', 'Pending']), health: connection.health },
        { health: 'Healthy', lastCheckedAt: checkedAt },
      );
    this.resolver.invalidate(connection.tenantId, connection.id);
    if (result.affected !== 1) return;
    this.metrics.externalHealthStatus.set({ provider: profile.provider.id, target: connection.id }, HEALTH_STATUS_VALUE.Healthy);
    await this.announce(profile, { status: connection.status, health: 'Healthy' }, 'verified_webhook', checkedAt);
  }

  private healthAfter(verdict: ProbeVerdict, consecutiveFailures: number): ConnectionHealth {
    if (verdict.passed) return verdict.latencyMs > this.options.degradedLatencyMs ? 'Degraded' : 'Healthy';
    return consecutiveFailures >= this.options.unhealthyAfterFailures ? 'Unhealthy' : 'Degraded';
  }

  private async announce(profile: ConnectionProfile, current: { status: ConnectionStatus; health: ConnectionHealth }, reason: string, checkedAt: Date): Promise<void> {
    const { connection } = profile;
    const data: ExternalApiHealthChangedData = {
      connectionId: connection.id,
      providerId: profile.provider.id,
      endpoint: profile.breakerKey,
      previous: { status: connection.status, health: connection.health },
      current,
      reason,
      checkedAt: checkedAt.toISOString(),
    };
    this.logger.log({ msg: 'Connection health changed', connectionId: connection.id, from: connection.health, to: current.health, status: current.status, reason });
    await this.events.publishAfterCommit(EVENTS.ExternalApiHealthChanged, data, { tenantId: connection.tenantId, subject: connection.id });
  }
}
