import { Body, Controller, Delete, Get, Logger, Post, Req, Res } from '@nestjs/common';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiBody, ApiOkResponse, ApiOperation, ApiResponse } from '@nestjs/swagger';
import { RequireScopes } from '../../../platform/auth/decorators';
import { RequestContext } from '../../../platform/context/request-context';
import { McpGatewayCatalogue } from './mcp-gateway.catalogue';
import { gatewayServer, wantsEventStream } from './mcp-gateway.server';

/** What the SDK's stateless example servers answer a GET or DELETE: no standalone stream, no session to end. */
const METHOD_NOT_ALLOWED = { jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed.' }, id: null } as const;

/**
 * The MCP gateway: the platform as one MCP server (Streamable HTTP, spec 2025-06-18) at `/mcp`, with a
 * platform JWT as bearer. Stateless: each POST gets a fresh Server and transport (no Mcp-Session-Id), so
 * any replica answers any request; answers are JSON, or SSE for a tools/call that asked for progress.
 * GET (the standalone SSE stream) and DELETE (ending a session) have nothing to serve without
 * sessions and answer 405, as the SDK's stateless servers do; the SDK client takes a 405 to mean
 * "no stream" / "nothing to end".
 */
/** GET and DELETE of a stateless server. */
const NO_SESSIONS = { status: 405, description: 'No sessions: no standalone stream to open, nothing to end' };

@Controller('mcp')
export class McpGatewayController {
  private readonly logger = new Logger(McpGatewayController.name);

  constructor(private readonly catalogue: McpGatewayCatalogue) {}

  @Post()
  @RequireScopes('integration.runs.read')
  @ApiOperation({ summary: "The MCP gateway (Streamable HTTP, stateless): the tenant's connections' tools as one MCP server" })
  @ApiBody({
    description: 'A JSON-RPC 2.0 message or batch',
    schema: { type: 'object', additionalProperties: true, properties: { jsonrpc: { type: 'string', enum: ['2.0'] }, method: { type: 'string' } } },
  })
  @ApiOkResponse({
    description: 'The JSON-RPC answer; server-sent events for a tools/call that asked for progress',
    content: { 'application/json': { schema: { type: 'object', additionalProperties: true } }, 'text/event-stream': { schema: { type: 'string' } } },
  })
  async post(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Body() body: unknown): Promise<void> {
    const server = gatewayServer(this.catalogue, RequestContext.current());
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: !wantsEventStream(body, request.headers.accept),
    });
    reply.hijack();
    // Closing the server aborts what is still running for this request (a client that went away cancels its tool call upstream).
    reply.raw.once('close', () => {
      void transport.close().catch(() => undefined);
      void server.close().catch(() => undefined);
    });
    try {
      await server.connect(transport);
      await transport.handleRequest(request.raw, reply.raw, body);
    } catch (error) {
      this.logger.error({ msg: 'MCP gateway request failed', err: error });
      if (!reply.raw.headersSent) {
        reply.raw.writeHead(500, { 'content-type': 'application/json' });
        reply.raw.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal server error' }, id: null }));
      } else {
        reply.raw.end();
      }
    }
  }

  @Get()
  @RequireScopes('integration.runs.read')
  @ApiResponse(NO_SESSIONS)
  get(@Res() reply: FastifyReply): void {
    methodNotAllowed(reply);
  }

  @Delete()
  @RequireScopes('integration.runs.read')
  @ApiResponse(NO_SESSIONS)
  delete(@Res() reply: FastifyReply): void {
    methodNotAllowed(reply);
  }
}

function methodNotAllowed(reply: FastifyReply): void {
  void reply.code(405).header('allow', 'POST').type('application/json').send(METHOD_NOT_ALLOWED);
}
