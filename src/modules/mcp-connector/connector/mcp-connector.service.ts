import { Injectable } from '@nestjs/common';
import type { McpTool, ToolInvocation, ToolResult } from './mcp-tools';

/**
 * Governed MCP tool servers: a connection's tools (cached per connection, refreshed when the server says
 * its list changed; filtered by the connection's allow- and deny-lists) and tool invocations (arguments
 * checked against the tool's input schema first, results size-capped, each one an IntegrationRun). The
 * tenant is the one in scope.
 */
@Injectable()
export abstract class McpConnectorService {
  abstract listTools(connectionId: string, options?: { fresh?: boolean }): Promise<McpTool[]>;
  abstract invokeTool(connectionId: string, toolName: string, invocation: ToolInvocation): Promise<ToolResult>;
}
