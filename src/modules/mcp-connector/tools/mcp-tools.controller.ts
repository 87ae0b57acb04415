import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { RequireScopes } from '../../../platform/auth/decorators';
import { ApiExtraModels, ApiOkResponse, ApiQuery, getSchemaPath } from '@nestjs/swagger';
import { ApiItemsResponse } from '../../../platform/openapi/api-responses';
import { McpToolSchema, ToolResultSchema } from './mcp-tool.schema';
import { classifyError, IntegrationError } from '../../../platform/resilience/failure-classifier';
import { integrationErrorStatus } from '../../../platform/http/integration-error-status';
import { SseWriter } from '../../../platform/http/sse-writer';
import { McpConnectorService } from '../connector/mcp-connector.service';
import type { McpTool, ToolResult } from '../connector/mcp-tools';
import { InvokeToolDto } from './invoke-tool.dto';

/**
 * The tools of a tenant's MCP connections:
 *   GET  /mcp/connections/{id}/tools                  the tools the connection offers (`?fresh=true` lists again)
 *   POST /mcp/connections/{id}/tools/{name}/invoke    `{arguments}` → the tool's result; with `Accept:
 *        text/event-stream`, server-sent `progress` events while it runs, then one `result` (or `error`)
 */
@Controller('mcp/connections/:id/tools')
export class McpToolsController {
  constructor(private readonly connector: McpConnectorService) {}

  @Get()
  @RequireScopes('integration.runs.read')
  @ApiQuery({ name: 'fresh', required: false, enum: ['true', 'false'], description: 'List again instead of the cached list' })
  @ApiItemsResponse(McpToolSchema)
  async list(@Param('id') connectionId: string, @Query('fresh') fresh?: string): Promise<{ items: McpTool[] }> {
    return { items: await this.connector.listTools(connectionId, { fresh: fresh === 'true' }) };
  }

  @Post(':name/invoke')
  @HttpCode(200)
  @RequireScopes('integration.runs.execute')
  @ApiOkResponse({
    description: 'The tool result; with `Accept: text/event-stream`, `progress` events while it runs, then one `result` (or `error`)',
    content: { 'application/json': { schema: { $ref: getSchemaPath(ToolResultSchema) } }, 'text/event-stream': { schema: { type: 'string' } } },
  })
  @ApiExtraModels(ToolResultSchema)
  async invoke(
    @Param('id') connectionId: string,
    @Param('name') toolName: string,
    @Body() request: InvokeToolDto,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ToolResult | undefined> {
    const abort = new AbortController();
    const onClose = () => {
      if (!reply.raw.writableEnded) abort.abort();
    };
    reply.raw.once('close', onClose);
    try {
      if (!accept?.includes('text/event-stream')) {
        const result = await this.connector.invokeTool(connectionId, toolName, { arguments: request.arguments, signal: abort.signal });
        if (result.runId) reply.header('x-integration-run-id', result.runId);
        return result;
      }
      await this.invokeWithProgress(reply, connectionId, toolName, request, abort.signal);
      return undefined;
    } finally {
      reply.raw.off('close', onClose);
    }
  }

  /** Progress as server-sent events; the outcome as the last event, since the status line is long gone by then. */
  private async invokeWithProgress(reply: FastifyReply, connectionId: string, toolName: string, request: InvokeToolDto, signal: AbortSignal): Promise<void> {
    reply.hijack();
    const writer = new SseWriter(reply.raw);
    writer.start({});
    try {
      const result = await this.connector.invokeTool(connectionId, toolName, {
        arguments: request.arguments,
        signal,
        onProgress: (progress) => void writer.event('progress', progress),
      });
      await writer.event('result', result);
    } catch (error) {
      const { category, code } = classifyError(error);
      const statusCode = error instanceof IntegrationError ? integrationErrorStatus(error) : 500;
      await writer.event('error', { statusCode, category, code, message: error instanceof IntegrationError ? error.message : 'Internal server error' });
    } finally {
      writer.end();
    }
  }
}
