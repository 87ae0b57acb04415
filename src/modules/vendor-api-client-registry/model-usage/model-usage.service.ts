import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { TenantContext } from '../../../platform/context/tenant-context';
import { IntegrationRun } from '../../../platform/runs/entities/integration-run.entity';

export interface ModelUsageDay {
  day: string;
  connectionId: string;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  requests: number;
}

export interface ModelUsageFilter {
  /** Inclusive UTC days, `YYYY-MM-DD`. */
  from: string;
  to: string;
  connectionId?: string;
}

/** Tokens per UTC day per connection, summed from the model calls' runs (the vendors' own counts). */
@Injectable()
export class ModelUsageService {
  constructor(
    @InjectRepository(IntegrationRun) private readonly runs: Repository<IntegrationRun>,
    private readonly tenant: TenantContext,
  ) {}

  async usage(filter: ModelUsageFilter): Promise<ModelUsageDay[]> {
    const day = this.runs.manager.connection.options.type === 'postgres' ? `to_char(run."createdAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD')` : `strftime('%Y-%m-%d', run."createdAt")`;
    const query = this.runs
      .createQueryBuilder('run')
      .select(day, 'day')
      .addSelect('run.connectionId', 'connectionId')
      .addSelect('COALESCE(SUM(run.promptTokens), 0)', 'promptTokens')
      .addSelect('COALESCE(SUM(run.completionTokens), 0)', 'completionTokens')
      .addSelect('COALESCE(SUM(run.totalTokens), 0)', 'totalTokens')
      .addSelect('COUNT(*)', 'requests')
      .where('run.tenantId = :tenantId', { tenantId: this.tenant.tenantId })
      .andWhere('run.totalTokens IS NOT NULL')
      .andWhere('run.createdAt >= :from AND run.createdAt < :until', {
        from: new Date(`${filter.from}T00:00:00Z`),
        until: new Date(Date.parse(`${filter.to}T00:00:00Z`) + 86_400_000),
      });
    if (filter.connectionId) query.andWhere('run.connectionId = :connectionId', { connectionId: filter.connectionId });
    const rows = await query
      .groupBy('day')
      .addGroupBy('run.connectionId')
      .orderBy('day', 'ASC')
      .addOrderBy('run.connectionId', 'ASC')
      .getRawMany<Record<keyof ModelUsageDay, string | number>>();
    return rows.map((row) => ({
      day: String(row.day),
      connectionId: String(row.connectionId),
      promptTokens: Number(row.promptTokens),
      completionTokens: Number(row.completionTokens),
      totalTokens: Number(row.totalTokens),
      requests: Number(row.requests),
    }));
  }
}
