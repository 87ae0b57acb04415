import { BadRequestException, Controller, Get, Param, Query } from '@nestjs/common';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { Type } from 'class-transformer';
import { RequireScopes } from '../../../platform/auth/decorators';
import type { RunState } from '../../../platform/runs/entities/integration-run.entity';
import { decodeCursor, RunsService, RunView } from './runs.service';

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

  /** `nextCursor` of the previous page. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,400}$/, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;
}

@Controller('integrations/runs')
export class RunsController {
  constructor(private readonly runs: RunsService) {}

  @Get()
  @RequireScopes('integration.runs.read')
  list(@Query() query: ListRunsQuery): Promise<{ items: RunView[]; nextCursor: string | null }> {
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    if (query.cursor !== undefined && !cursor) throw new BadRequestException('cursor must be the nextCursor of a previous page');
    return this.runs.list({ connectionId: query.connectionId, status: query.status, cursor, limit: query.limit ?? 50 });
  }

  @Get(':runId')
  @RequireScopes('integration.runs.read')
  get(@Param('runId') runId: string): Promise<RunView> {
    return this.runs.get(runId);
  }
}
