import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { FindOptionsWhere, Repository } from 'typeorm';
import { TenantContext } from '../../../platform/context/tenant-context';
import { afterCursor, PageCursor, toPage } from '../../../platform/http/page-cursor';
import { IntegrationFailure } from '../../../platform/runs/entities/integration-failure.entity';
import { IntegrationRunAttempt } from '../../../platform/runs/entities/integration-run-attempt.entity';
import { IntegrationRun, RunState } from '../../../platform/runs/entities/integration-run.entity';
import { isoOrNull } from '../../../platform/http/iso-date';
import type { FailureCategory } from '../../../platform/runs/entities/integration-failure.entity';

export interface RunView {
  id: string;
  connectionId: string;
  providerId: string;
  operation: string;
  state: RunState;
  mode: string;
  purpose: string;
  attempts: number;
  latencyMs: number | null;
  responseStatus: number | null;
  externalRef: string | null;
  idempotencyKey: string | null;
  failure: { category: string; code: string } | null;
  traceId: string | null;
  /** A model call: the gateway request its attempts share, the model, the vendor's token counts, and a stream's time to first token. */
  model?: { requestId: string | null; name: string | null; promptTokens: number | null; completionTokens: number | null; totalTokens: number | null; firstTokenMs: number | null };
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  attemptHistory?: Array<{ attempt: number; startedAt: string; latencyMs: number; statusCode: number | null; failureCategory: string | null; error: string | null }>;
  failures?: Array<{ category: string; code: string; message: string; retryable: boolean; occurredAt: string }>;
}

export interface RunFilter {
  connectionId?: string;
  requestId?: string;
  status?: RunState;
  failureCategory?: FailureCategory;
  limit: number;
  /** Where the previous page ended (its `nextCursor`). */
  cursor?: PageCursor;
}

@Injectable()
export class RunsService {
  constructor(
    @InjectRepository(IntegrationRun) private readonly runs: Repository<IntegrationRun>,
    @InjectRepository(IntegrationRunAttempt) private readonly attempts: Repository<IntegrationRunAttempt>,
    @InjectRepository(IntegrationFailure) private readonly failures: Repository<IntegrationFailure>,
    private readonly tenant: TenantContext,
  ) {}

  async get(runId: string): Promise<RunView> {
    const tenantId = this.tenant.tenantId;
    const run = await this.runs.findOneBy({ tenantId, id: runId });
    if (!run) throw new NotFoundException(`Run ${runId} not found`);
    const [attempts, failures] = await Promise.all([
      this.attempts.find({ where: { tenantId, runId }, order: { attemptNumber: 'ASC' } }),
      this.failures.find({ where: { tenantId, runId }, order: { occurredAt: 'ASC' } }),
    ]);
    const failureViews = failures.map((failure) => ({
      category: failure.category,
      code: failure.code,
      message: failure.message,
      retryable: failure.retryable,
      occurredAt: failure.occurredAt.toISOString(),
    }));
    return {
      ...toView(run),
      attemptHistory:
        attempts.length === 0 && run.mode === 'sync' && run.attempts === 1
          ? [syncAttempt(run, failureViews[0]?.message)]
          : attempts.map((attempt) => ({
              attempt: attempt.attemptNumber,
              startedAt: attempt.startedAt.toISOString(),
              latencyMs: attempt.latencyMs,
              statusCode: attempt.statusCode,
              failureCategory: attempt.failureCategory,
              error: attempt.error,
            })),
      failures: failureViews,
    };
  }

  async list(filter: RunFilter): Promise<{ items: RunView[]; nextCursor: string | null }> {
    const scope: FindOptionsWhere<IntegrationRun> = {
      tenantId: this.tenant.tenantId,
      ...(filter.connectionId ? { connectionId: filter.connectionId } : {}),
      ...(filter.requestId ? { requestId: filter.requestId } : {}),
      ...(filter.status ? { state: filter.status } : {}),
      ...(filter.failureCategory ? { failureCategory: filter.failureCategory } : {}),
    };
    const rows = await this.runs.find({ where: afterCursor(scope, filter.cursor), order: { createdAt: 'DESC', id: 'DESC' }, take: filter.limit + 1 });
    return toPage(rows, filter.limit, toView);
  }

  async findByIdempotencyKey(idempotencyKey: string): Promise<RunView | undefined> {
    const run = await this.runs.findOneBy({ tenantId: this.tenant.tenantId, idempotencyKey });
    return run ? toView(run) : undefined;
  }

  async view(run: IntegrationRun): Promise<RunView> {
    return toView(run);
  }
}

/** A sync run is its one attempt: the run row holds its start, latency, status and failure. */
function syncAttempt(run: IntegrationRun, failureMessage: string | undefined): NonNullable<RunView['attemptHistory']>[number] {
  return {
    attempt: 1,
    startedAt: (run.startedAt ?? run.createdAt).toISOString(),
    latencyMs: run.latencyMs ?? 0,
    statusCode: run.responseStatus,
    failureCategory: run.failureCategory,
    error: run.failureCode ? `${run.failureCode}: ${failureMessage ?? ''}`.trim() : null,
  };
}

function toView(run: IntegrationRun): RunView {
  return {
    id: run.id,
    connectionId: run.connectionId,
    providerId: run.providerId,
    operation: run.operation,
    state: run.state,
    mode: run.mode,
    purpose: run.purpose,
    attempts: run.attempts,
    latencyMs: run.latencyMs,
    responseStatus: run.responseStatus,
    externalRef: run.externalRef,
    idempotencyKey: run.idempotencyKey,
    failure: run.failureCategory ? { category: run.failureCategory, code: run.failureCode ?? 'unknown' } : null,
    traceId: run.traceId,
    ...(run.model || run.requestId || run.totalTokens !== null
      ? {
          model: {
            requestId: run.requestId,
            name: run.model,
            promptTokens: run.promptTokens,
            completionTokens: run.completionTokens,
            totalTokens: run.totalTokens,
            firstTokenMs: run.firstTokenMs,
          },
        }
      : {}),
    createdAt: run.createdAt.toISOString(),
    startedAt: isoOrNull(run.startedAt),
    completedAt: isoOrNull(run.completedAt),
  };
}
