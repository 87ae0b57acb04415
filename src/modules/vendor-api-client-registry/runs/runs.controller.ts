import { BadRequestException, Controller, Get, Param, Query } from '@nestjs/common';
import { IsIn, IsInt, IsISO8601, IsOptional, Matches, Max, Min } from 'class-validator';
import { Type } from 'class-transformer';
import { RequireScopes } from '../../../platform/auth/decorators';
import type { RunState } from '../../../platform/runs/entities/integration-run.entity';
import { RunsService, RunView } from './runs.service';

const RUN_STATES = ['Pending', 'Running', 'Completed', 'Failed', 'Retrying', 'DeadLettered'] as const;

export class ListRunsQuery {
  @IsOptional()
  @Matches(/^conn-[0-9a-f]{32}$/, { message: 'connectionId must be a connection id' })
  connectionId?: string;

  @IsOptional()
  @IsIn(RUN_STATES, { message: `status must be one of: ${RUN_STATES.join(', ')}` })
  status?: RunState;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'before must be an ISO 8601 timestamp (nextBefore of the previous page)' })
  before?: string;
}

@Controller('integrations/runs')
export class RunsController {
  constructor(private readonly runs: RunsService) {}

  @Get()
  @RequireScopes('integration.runs.read')
  list(@Query() query: ListRunsQuery): Promise<{ items: RunView[]; nextBefore: string | null }> {
    if (query.before && Number.isNaN(Date.parse(query.before))) throw new BadRequestException('before must be a timestamp');
    return this.runs.list({ connectionId: query.connectionId, status: query.status, before: query.before, limit: query.limit ?? 50 });
  }

  @Get(':runId')
  @RequireScopes('integration.runs.read')
  get(@Param('runId') runId: string): Promise<RunView> {
    return this.runs.get(runId);
  }
}
