import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { RequireScopes } from '../../../platform/auth/decorators';
import { RunView } from '../runs/runs.service';
import { CreateConnectionDto, GovernedRequestDto, ListConnectionsQuery } from './connection.dto';
import { ConnectionsService, ConnectionView } from './connections.service';
import { GovernedAnswer, GovernedRequestsService } from './governed-requests.service';
import { ApiAcceptedResponse, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { ApiItemsResponse } from '../../../platform/openapi/api-responses';
import { RunViewSchema } from '../runs/run-view.schema';
import { ConnectionViewSchema } from './connection-view.schema';

@Controller('integrations/connections')
export class ConnectionsController {
  constructor(
    private readonly connections: ConnectionsService,
    private readonly requests: GovernedRequestsService,
  ) {}

  /** 201 with the connection: Active when its first test passed, else Pending with the failed test in `lastTest`. */
  @Post()
  @RequireScopes('integration.connections.write')
  @ApiOperation({ summary: 'EstablishIntegrationConnection: Active when its first test passes, else Pending with the failed test in lastTest' })
  @ApiBody({
    type: CreateConnectionDto,
    examples: {
      apiConnection: {
        summary: 'A vendor API with a stored credential',
        value: { providerId: 'github', displayName: 'Factory org', credentialId: 'cred-0123456789abcdef0123456789abcdef' },
      },
      inboundOnly: {
        summary: 'Webhooks only, no API credential',
        value: { providerId: 'stripe', displayName: 'Payments events', webhook: { secretCredentialId: 'cred-89abcdef0123456789abcdef01234567' } },
      },
    },
  })
  @ApiCreatedResponse({ type: ConnectionViewSchema })
  create(@Body() request: CreateConnectionDto): Promise<ConnectionView> {
    return this.connections.create(request);
  }

  @Get()
  @RequireScopes('integration.connections.read')
  @ApiItemsResponse(ConnectionViewSchema)
  async list(@Query() query: ListConnectionsQuery): Promise<{ items: ConnectionView[] }> {
    return { items: await this.connections.list(query) };
  }

  @Get(':id')
  @RequireScopes('integration.connections.read')
  @ApiOkResponse({ type: ConnectionViewSchema })
  get(@Param('id') id: string): Promise<ConnectionView> {
    return this.connections.get(id);
  }

  @Post(':id/test')
  @HttpCode(HttpStatus.OK)
  @RequireScopes('integration.connections.write')
  @ApiOperation({ summary: "Tests the connection (the provider's health probe with its credential)" })
  @ApiOkResponse({ type: ConnectionViewSchema })
  test(@Param('id') id: string): Promise<ConnectionView> {
    return this.connections.runTest(id);
  }

  @Post(':id/retire')
  @HttpCode(HttpStatus.OK)
  @RequireScopes('integration.connections.write')
  @ApiOperation({ summary: 'Retires the connection: no runs afterwards' })
  @ApiOkResponse({ type: ConnectionViewSchema })
  retire(@Param('id') id: string): Promise<ConnectionView> {
    return this.connections.retire(id);
  }

  /**
   * A governed call. Synchronous: 200 with the vendor's status, headers and body (whatever the vendor
   * answered) and the run. `async: true`: 202 with the Pending run, executed from the bus.
   */
  @Post(':id/requests')
  @RequireScopes('integration.runs.execute')
  @ApiOperation({ summary: 'A governed call through the pipeline (credentials, egress, rate budget, breaker, retries, audit)' })
  @ApiOkResponse({
    description: "The vendor's answer, whatever its status; `x-integration-run-id` names the run",
    schema: {
      type: 'object',
      required: ['status', 'headers', 'body', 'runId'],
      properties: { status: { type: 'integer' }, headers: { type: 'object', additionalProperties: { type: 'string' } }, body: {}, runId: { type: 'string' } },
    },
  })
  @ApiBody({ type: GovernedRequestDto, examples: { listRepositories: { value: { method: 'GET', path: '/user/repos', query: { per_page: '50' } } } } })
  @ApiAcceptedResponse({ description: '`async: true`: the Pending run, executed from the bus', type: RunViewSchema })
  async request(@Param('id') id: string, @Body() request: GovernedRequestDto, @Res({ passthrough: true }) response: FastifyReply): Promise<GovernedAnswer | RunView> {
    if (request.async) {
      const run = await this.requests.submit(id, request);
      response.code(HttpStatus.ACCEPTED).header('x-integration-run-id', run.id);
      return run;
    }
    const answer = await this.requests.call(id, request);
    response.code(HttpStatus.OK).header('x-integration-run-id', answer.runId);
    return answer;
  }
}
