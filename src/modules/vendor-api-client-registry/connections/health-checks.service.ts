import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { TenantContext } from '../../../platform/context/tenant-context';
import { afterCursor, PageCursor, toPage } from '../../../platform/http/page-cursor';
import { ConnectionHealthCheck } from '../../../platform/integrations/entities/connection-health-check.entity';
import { IntegrationConnection } from '../../../platform/integrations/entities/integration-connection.entity';

export interface HealthCheckView {
  checkedAt: string;
  passed: boolean;
  health: string;
  latencyMs: number;
  statusCode: number | null;
  failureCategory: string | null;
  failureCode: string | null;
}

/** A connection's health history: the ExternalApiHealthWorker's probes, newest first. */
@Injectable()
export class HealthChecksService {
  constructor(
    @InjectRepository(ConnectionHealthCheck) private readonly checks: Repository<ConnectionHealthCheck>,
    @InjectRepository(IntegrationConnection) private readonly connections: Repository<IntegrationConnection>,
    private readonly tenant: TenantContext,
  ) {}

  async list(connectionId: string, limit: number, cursor?: PageCursor): Promise<{ items: HealthCheckView[]; nextCursor: string | null }> {
    const tenantId = this.tenant.tenantId;
    if (!(await this.connections.existsBy({ tenantId, id: connectionId }))) throw new NotFoundException(`Connection ${connectionId} not found`);
    const rows = await this.checks.find({
      where: afterCursor<ConnectionHealthCheck>({ tenantId, connectionId }, cursor, 'checkedAt'),
      order: { checkedAt: 'DESC', id: 'DESC' },
      take: limit + 1,
    });
    return toPage(rows, limit, toView, (check) => check.checkedAt);
  }
}

function toView(check: ConnectionHealthCheck): HealthCheckView {
  return {
    checkedAt: check.checkedAt.toISOString(),
    passed: check.passed,
    health: check.health,
    latencyMs: check.latencyMs,
    statusCode: check.statusCode,
    failureCategory: check.failureCategory,
    failureCode: check.failureCode,
  };
}
