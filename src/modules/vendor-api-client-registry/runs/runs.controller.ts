import { Controller, Get, Param, Query } from '@nestjs/common';
import { IsIn, Matches } from 'class-validator';
import { RequireScopes } from '../../../platform/auth/decorators';
import { OptionalField } from '../../../platform/http/optional-field';
import { decodePageCursor, PageQuery } from '../../../platform/http/page-cursor';
import type { RunState } from '../../../platform/runs/entities/integration-run.entity';
import { FAILURE_CATEGORIES, FailureCategory } from '../../../platform/runs/entities/integration-failure.entity';
import { RunsService, RunView } from './runs.service';
import { ApiOkResponse } from '@nestjs/swagger';
import { ApiItemsResponse } from '../../../platform/openapi/api-responses';
import { RunViewSchema } from './run-view.schema';

const RUN_STATES = ['Pending', 'Running', 'Completed', 'Failed', 'Retrying', 'DeadLettered'] as const;

export class ListRunsQuery extends PageQuery {
  @OptionalField()
  @Matches(/^conn-[0-9a-f]{32}$/, { message: 'connectionId must be a connection id' })
  connectionId?: string;

  /** The runs of one model gateway request (the attempts of a fallback). */
  @OptionalField()
  @Matches(/^mreq-[0-9a-f]{32}$/, { message: 'requestId must be a model request id (mreq-…)' })
  requestId?: string;

  @OptionalField()
  @IsIn(RUN_STATES, { message: `status must be one of: ${RUN_STATES.join(', ')}` })
  status?: RunState;

  @OptionalField()
  @IsIn(FAILURE_CATEGORIES, { message: `failureCategory must be one of: ${FAILURE_CATEGORIES.join(', ')}` })
  failureCategory?: FailureCategory;
}

@Controller('integrations/runs')
export class RunsController {
  constructor(private readonly runs: RunsService) {}

  @Get()
  @RequireScopes('integration.runs.read')
  @ApiItemsResponse(RunViewSchema, { paged: true })
  list(@Query() query: ListRunsQuery): Promise<{ items: RunView[]; nextCursor: string | null }> {
    const cursor = query.cursor === undefined ? undefined : decodePageCursor(query.cursor);
    const { connectionId, requestId, status, failureCategory } = query;
    return this.runs.list({ connectionId, requestId, status, failureCategory, cursor, limit: query.limit ?? 50 });
  }

  @Get(':runId')
  @RequireScopes('integration.runs.read')
  @ApiOkResponse({ type: RunViewSchema, description: 'The run with its attempts and failures' })
  get(@Param('runId') runId: string): Promise<RunView> {
    return this.runs.get(runId);
  }
}
