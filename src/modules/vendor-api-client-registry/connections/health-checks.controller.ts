import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { RequireScopes } from '../../../platform/auth/decorators';
import { ApiItemsResponse } from '../../../platform/openapi/api-responses';
import { decodePageCursor, PageQuery } from '../../../platform/http/page-cursor';
import { HealthChecksService, HealthCheckView } from './health-checks.service';

@ApiSchema({ name: 'HealthCheck' })
class HealthCheckViewSchema implements HealthCheckView {
  @ApiProperty({ format: 'date-time' })
  checkedAt: string;

  @ApiProperty()
  passed: boolean;

  @ApiProperty({ enum: ['Healthy', 'Degraded', 'Unhealthy', 'Unknown'], description: "The connection's health after this probe" })
  health: string;

  @ApiProperty()
  latencyMs: number;

  @ApiProperty({ nullable: true, type: Number })
  statusCode: number | null;

  @ApiProperty({ nullable: true, type: String, enum: ['Transient', 'RateLimited', 'Auth', 'Validation', 'Poison'] })
  failureCategory: string | null;

  @ApiProperty({ nullable: true, type: String })
  failureCode: string | null;
}

@Controller('integrations/connections/:id/health-checks')
export class HealthChecksController {
  constructor(private readonly checks: HealthChecksService) {}

  /** The connection's probes, newest first (the console's health chart). */
  @Get()
  @RequireScopes('integration.connections.read')
  @ApiItemsResponse(HealthCheckViewSchema, { paged: true })
  list(@Param('id') id: string, @Query() query: PageQuery): Promise<{ items: HealthCheckView[]; nextCursor: string | null }> {
    return this.checks.list(id, query.limit ?? 100, query.cursor === undefined ? undefined : decodePageCursor(query.cursor));
  }
}
