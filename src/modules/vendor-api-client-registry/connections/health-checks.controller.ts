import { Controller, Get, Param, Query } from '@nestjs/common';
import { RequireScopes } from '../../../platform/auth/decorators';
import { decodePageCursor, PageQuery } from '../../../platform/http/page-cursor';
import { HealthChecksService, HealthCheckView } from './health-checks.service';

@Controller('integrations/connections/:id/health-checks')
export class HealthChecksController {
  constructor(private readonly checks: HealthChecksService) {}

  /** The connection's probes, newest first (the console's health chart). */
  @Get()
  @RequireScopes('integration.connections.read')
  list(@Param('id') id: string, @Query() query: PageQuery): Promise<{ items: HealthCheckView[]; nextCursor: string | null }> {
    return this.checks.list(id, query.limit ?? 100, query.cursor === undefined ? undefined : decodePageCursor(query.cursor));
  }
}
