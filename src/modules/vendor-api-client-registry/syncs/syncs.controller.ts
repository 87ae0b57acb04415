import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Put, Query } from '@nestjs/common';
import { RequireScopes } from '../../../platform/auth/decorators';
import { ApiAcceptedResponse, ApiOkResponse } from '@nestjs/swagger';
import { ApiItemsResponse } from '../../../platform/openapi/api-responses';
import { RecordViewSchema, SyncViewSchema } from './sync-view.schema';
import { ConfigureSyncDto, ListRecordsQuery } from './sync.dto';
import { RecordView, SyncsService, SyncView } from './syncs.service';

const SYNC_NAME = 'name';

@Controller('integrations/connections/:id/syncs')
export class SyncsController {
  constructor(private readonly syncs: SyncsService) {}

  /** Every sync source of the connection's provider, with its configuration and state (unconfigured ones disabled). */
  @Get()
  @RequireScopes('integration.connections.read')
  @ApiItemsResponse(SyncViewSchema)
  async list(@Param('id') id: string): Promise<{ items: SyncView[] }> {
    return { items: await this.syncs.list(id) };
  }

  @Get(`:${SYNC_NAME}`)
  @RequireScopes('integration.connections.read')
  @ApiOkResponse({ type: SyncViewSchema })
  get(@Param('id') id: string, @Param(SYNC_NAME) name: string): Promise<SyncView> {
    return this.syncs.get(id, name);
  }

  @Put(`:${SYNC_NAME}`)
  @RequireScopes('integration.connections.write')
  @ApiOkResponse({ type: SyncViewSchema })
  configure(@Param('id') id: string, @Param(SYNC_NAME) name: string, @Body() request: ConfigureSyncDto): Promise<SyncView> {
    return this.syncs.configure(id, name, request);
  }

  /** 202: the run is asked for (RunSync); progress shows in the sync's state. A governed action: `integration.runs.execute`. */
  @Post(`:${SYNC_NAME}/run`)
  @HttpCode(HttpStatus.ACCEPTED)
  @RequireScopes('integration.runs.execute')
  @ApiAcceptedResponse({ type: SyncViewSchema, description: 'RunSync requested: a pass starts on the IntegrationSyncWorker' })
  run(@Param('id') id: string, @Param(SYNC_NAME) name: string): Promise<SyncView> {
    return this.syncs.requestRun(id, name);
  }

  /** The records the sync keeps, oldest change first; deleted ones included with `deletedAt`. */
  @Get(`:${SYNC_NAME}/records`)
  @RequireScopes('integration.runs.read')
  @ApiItemsResponse(RecordViewSchema, { paged: true })
  records(@Param('id') id: string, @Param(SYNC_NAME) name: string, @Query() query: ListRecordsQuery): Promise<{ items: RecordView[]; nextCursor: string | null }> {
    return this.syncs.listRecords(id, name, query);
  }
}
