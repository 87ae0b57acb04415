import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, MoreThan, Repository } from 'typeorm';
import { TenantContext } from '../../../platform/context/tenant-context';
import { baseUrlOf, breakerKeyFor } from '../../../platform/integrations/connections/connection-profile';
import { ConnectionHealthCheck } from '../../../platform/integrations/entities/connection-health-check.entity';
import { IntegrationConnection } from '../../../platform/integrations/entities/integration-connection.entity';
import { MessageBus } from '../../../platform/messaging/message-bus';
import { allSources, sourcePath } from '../../../platform/messaging/topology';
import { CircuitBreakerRegistry } from '../../../platform/resilience/breaker-registry';
import { IntegrationRun } from '../../../platform/runs/entities/integration-run.entity';
import { VendorCatalogue } from '../../../platform/vendors/vendor-catalogue';
import { WebhookDelivery } from '../../../platform/webhooks/entities/webhook-delivery.entity';

const HOUR_MS = 60 * 60 * 1000;
/** The overview names at most this many unwell connections; the connections page lists the rest. */
const MAX_DEGRADED = 25;

export interface DegradedConnection {
  id: string;
  displayName: string;
  providerId: string;
  status: string;
  health: string;
  lastCheckedAt: string | null;
  lastFailure: { category: string | null; code: string | null; statusCode: number | null; checkedAt: string } | null;
}

export interface OperationsOverview {
  connections: { total: number; byStatus: Record<string, number>; byHealth: Record<string, number>; degraded: DegradedConnection[] };
  /** Breakers of this process that are not closed, for the tenant's connections (breakers are per process). */
  circuits: Array<{ name: string; connectionIds: string[]; state: 'open' | 'halfOpen'; openedAt: string | null; halfOpenAt: string | null }>;
  /** Messages waiting in each queue and subscription of the bus (shared by every tenant); null where the bus cannot tell. */
  queues: Array<{ name: string; depth: number | null }>;
  failuresLastHour: { runs: number; deliveries: number; byCategory: Record<string, number> };
}

/**
 * What an operator looks at first: which of the tenant's connections are unwell and why, which
 * breakers are open, how much work waits on the bus, and what failed in the last hour.
 */
@Injectable()
export class OperationsOverviewService {
  constructor(
    @InjectRepository(IntegrationConnection) private readonly connections: Repository<IntegrationConnection>,
    @InjectRepository(ConnectionHealthCheck) private readonly healthChecks: Repository<ConnectionHealthCheck>,
    @InjectRepository(IntegrationRun) private readonly runs: Repository<IntegrationRun>,
    @InjectRepository(WebhookDelivery) private readonly deliveries: Repository<WebhookDelivery>,
    private readonly breakers: CircuitBreakerRegistry,
    private readonly bus: MessageBus,
    private readonly catalogue: VendorCatalogue,
    private readonly tenant: TenantContext,
  ) {}

  async overview(): Promise<OperationsOverview> {
    const tenantId = this.tenant.tenantId;
    const since = new Date(Date.now() - HOUR_MS);
    const [connections, queues, failedRuns, deadLettered] = await Promise.all([
      this.connections.find({
        select: { id: true, displayName: true, providerId: true, status: true, health: true, lastCheckedAt: true, configuration: true },
        where: { tenantId },
      }),
      this.queueDepths(),
      this.runs
        .createQueryBuilder('run')
        .select('run.failureCategory', 'category')
        .addSelect('COUNT(*)', 'count')
        .where('run.tenantId = :tenantId', { tenantId })
        .andWhere('run.state IN (:...states)', { states: ['Failed', 'DeadLettered'] })
        .andWhere('run.createdAt > :since', { since })
        .groupBy('run.failureCategory')
        .getRawMany<{ category: string | null; count: string | number }>(),
      this.deliveries.countBy({ tenantId, status: 'DeadLettered', completedAt: MoreThan(since) }),
    ]);

    const byStatus: Record<string, number> = {};
    const byHealth: Record<string, number> = {};
    for (const connection of connections) {
      byStatus[connection.status] = (byStatus[connection.status] ?? 0) + 1;
      if (connection.status !== 'Retired') byHealth[connection.health] = (byHealth[connection.health] ?? 0) + 1;
    }
    const byCategory: Record<string, number> = {};
    for (const row of failedRuns) byCategory[row.category ?? 'Unknown'] = Number(row.count);

    return {
      connections: { total: connections.length, byStatus, byHealth, degraded: await this.degraded(tenantId, connections) },
      circuits: this.circuitsOf(connections.filter((connection) => connection.status !== 'Retired')),
      queues,
      failuresLastHour: { runs: Object.values(byCategory).reduce((sum, count) => sum + count, 0), deliveries: deadLettered, byCategory },
    };
  }

  private async degraded(tenantId: string, connections: readonly IntegrationConnection[]): Promise<DegradedConnection[]> {
    const unwell = connections
      .filter((connection) => connection.status !== 'Retired' && (connection.health === 'Unhealthy' || connection.health === 'Degraded'))
      .sort((a, b) => (a.health === b.health ? a.displayName.localeCompare(b.displayName) : a.health === 'Unhealthy' ? -1 : 1))
      .slice(0, MAX_DEGRADED);
    if (unwell.length === 0) return [];
    const failures = await this.healthChecks.find({
      where: { tenantId, connectionId: In(unwell.map((connection) => connection.id)), passed: false, checkedAt: MoreThan(new Date(Date.now() - 24 * HOUR_MS)) },
      order: { checkedAt: 'DESC' },
      take: unwell.length * 5,
    });
    const lastFailure = new Map<string, ConnectionHealthCheck>();
    for (const check of failures) if (!lastFailure.has(check.connectionId)) lastFailure.set(check.connectionId, check);
    return unwell.map((connection) => {
      const failure = lastFailure.get(connection.id);
      return {
        id: connection.id,
        displayName: connection.displayName,
        providerId: connection.providerId,
        status: connection.status,
        health: connection.health,
        lastCheckedAt: connection.lastCheckedAt?.toISOString() ?? null,
        lastFailure: failure ? { category: failure.failureCategory, code: failure.failureCode, statusCode: failure.statusCode, checkedAt: failure.checkedAt.toISOString() } : null,
      };
    });
  }

  /**
   * A breaker is shared by every connection to one vendor endpoint (`provider:host`). A connection whose
   * own configuration names no endpoint calls its provider's, so it is counted under any of its provider's breakers.
   */
  private circuitsOf(connections: readonly IntegrationConnection[]): OperationsOverview['circuits'] {
    const unwell = this.breakers.snapshot().filter((breaker) => breaker.state !== 'closed');
    if (unwell.length === 0) return [];
    const keysOf = new Map<string, string | null>();
    for (const connection of connections) {
      const configured = baseUrlOf({ connection, client: null, provider: { defaultBaseUrl: null } }, this.catalogue.http(connection.providerId));
      keysOf.set(connection.id, configured ? breakerKeyFor(connection.providerId, hostOf(configured)) : null);
    }
    return unwell.flatMap((breaker) => {
      const connectionIds = connections
        .filter((connection) => {
          const key = keysOf.get(connection.id);
          return key === breaker.key || (key === null && breaker.key.startsWith(`${connection.providerId}:`));
        })
        .map((connection) => connection.id);
      if (connectionIds.length === 0) return [];
      return [{ name: breaker.key, connectionIds, state: breaker.state as 'open' | 'halfOpen', openedAt: breaker.openedAt, halfOpenAt: breaker.halfOpenAt }];
    });
  }

  private async queueDepths(): Promise<OperationsOverview['queues']> {
    return Promise.all(allSources().map(async (source) => ({ name: sourcePath(source), depth: (await this.bus.depth(source).catch(() => undefined)) ?? null })));
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'unconfigured';
  }
}
