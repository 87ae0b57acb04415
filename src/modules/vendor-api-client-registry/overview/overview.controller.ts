import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { RequireScopes } from '../../../platform/auth/decorators';
import { OperationsOverview, OperationsOverviewService } from './operations-overview.service';

const COUNTS = { type: 'object', additionalProperties: { type: 'integer' } } as const;
const OVERVIEW_SCHEMA = {
  type: 'object',
  required: ['connections', 'circuits', 'queues', 'failuresLastHour'],
  properties: {
    connections: {
      type: 'object',
      properties: {
        total: { type: 'integer' },
        byStatus: COUNTS,
        byHealth: { ...COUNTS, description: 'Connections that are not retired, by health' },
        degraded: {
          type: 'array',
          description: 'Unhealthy, then Degraded connections (at most 25), with their last failed probe of the last day',
          items: {
            type: 'object',
            properties: {
              id: { type: 'string' },
              displayName: { type: 'string' },
              providerId: { type: 'string' },
              status: { type: 'string' },
              health: { type: 'string' },
              lastCheckedAt: { type: 'string', format: 'date-time', nullable: true },
              lastFailure: {
                type: 'object',
                nullable: true,
                properties: {
                  category: { type: 'string', nullable: true },
                  code: { type: 'string', nullable: true },
                  statusCode: { type: 'integer', nullable: true },
                  checkedAt: { type: 'string', format: 'date-time' },
                },
              },
            },
          },
        },
      },
    },
    circuits: {
      type: 'array',
      description: "This process's breakers that are not closed, with the tenant's connections behind each",
      items: {
        type: 'object',
        properties: {
          name: { type: 'string', example: 'generic-rest:api.vendor.example' },
          connectionIds: { type: 'array', items: { type: 'string' } },
          state: { type: 'string', enum: ['open', 'halfOpen'] },
          openedAt: { type: 'string', format: 'date-time', nullable: true },
          halfOpenAt: { type: 'string', format: 'date-time', nullable: true },
        },
      },
    },
    queues: {
      type: 'array',
      description: 'Messages waiting in each queue and subscription of the bus (null where the bus cannot tell)',
      items: { type: 'object', properties: { name: { type: 'string' }, depth: { type: 'integer', nullable: true } } },
    },
    failuresLastHour: { type: 'object', properties: { runs: { type: 'integer' }, deliveries: { type: 'integer' }, byCategory: COUNTS } },
  },
};

@Controller('integrations/overview')
export class OverviewController {
  constructor(private readonly overview: OperationsOverviewService) {}

  /** The console's first page: unwell connections, open breakers, bus depths, the last hour's failures. */
  @Get()
  @Header('Cache-Control', 'no-store')
  @RequireScopes('integration.connections.read')
  @ApiOkResponse({ description: 'The tenant at a glance', schema: OVERVIEW_SCHEMA })
  get(): Promise<OperationsOverview> {
    return this.overview.overview();
  }
}
