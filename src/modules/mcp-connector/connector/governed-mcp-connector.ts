import { Injectable } from '@nestjs/common';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { RequestContext } from '../../../platform/context/request-context';
import { ConnectionProfile } from '../../../platform/integrations/connections/connection-profile';
import { ConnectionResolver } from '../../../platform/integrations/connections/connection-resolver';
import { IntegrationError } from '../../../platform/resilience/failure-classifier';
import { McpConnectorOptions } from '../mcp-connector.options';
import { McpConfiguration, mcpConfigurationOf, offersTool } from '../mcp.configuration';
import { McpConnectorService } from './mcp-connector.service';
import { McpSession, McpSessions } from './mcp-sessions';
import type { McpTool, ToolContent, ToolInvocation, ToolResult } from './mcp-tools';
import { ToolArguments } from './tool-arguments';

const MCP_PROVIDER = 'mcp';
const MAX_LIST_PAGES = 50;

/** The McpConnector on governed sessions: see McpConnectorService. */
@Injectable()
export class GovernedMcpConnector extends McpConnectorService {
  private readonly toolArguments = new ToolArguments();

  constructor(
    private readonly resolver: ConnectionResolver,
    private readonly sessions: McpSessions,
    private readonly options: McpConnectorOptions,
  ) {
    super();
  }

  async listTools(connectionId: string, { fresh = false }: { fresh?: boolean } = {}): Promise<McpTool[]> {
    const { profile, configuration } = await this.connection(connectionId);
    const { result } = await this.sessions.use(profile, (session) => this.toolsOf(session, fresh));
    return result.filter((tool) => offersTool(configuration, tool.name));
  }

  async invokeTool(connectionId: string, toolName: string, invocation: ToolInvocation): Promise<ToolResult> {
    const { profile, configuration } = await this.connection(connectionId);
    if (!offersTool(configuration, toolName)) {
      throw IntegrationError.validation('tool_not_allowed', `Tool ${toolName} of connection ${connectionId} is not offered: the connection's allow- or deny-list excludes it`);
    }
    if (typeof invocation.arguments !== 'object' || invocation.arguments === null || Array.isArray(invocation.arguments)) {
      throw IntegrationError.validation('invalid_arguments', 'arguments must be an object');
    }
    const { result, exchanges } = await this.sessions.use(profile, async (session) => {
      const tool = (await this.toolsOf(session, false)).find((candidate) => candidate.name === toolName);
      if (!tool) throw IntegrationError.validation('tool_not_found', `Connection ${connectionId} has no tool ${toolName}`);
      this.toolArguments.assert(toolName, tool.inputSchema, invocation.arguments);
      return session.client.callTool({ name: toolName, arguments: { ...invocation.arguments } }, undefined, {
        signal: invocation.signal,
        timeout: timeoutOf(invocation, this.options.requestTimeoutMs),
        resetTimeoutOnProgress: true,
        onprogress: invocation.onProgress ? (progress) => invocation.onProgress!({ progress: progress.progress, total: progress.total, message: progress.message }) : undefined,
      }) as Promise<CallToolResult>;
    });
    const call = exchanges.filter((exchange) => exchange.rpcMethod === 'tools/call').at(-1);
    const size = Buffer.byteLength(JSON.stringify(result));
    if (size > this.options.maxResultBytes) {
      throw IntegrationError.validation(
        'result_too_large',
        `Tool ${toolName} of connection ${connectionId} answered ${size} bytes, over the limit of ${this.options.maxResultBytes}`,
      );
    }
    return {
      content: (result.content ?? []) as ToolContent[],
      ...(result.structuredContent ? { structuredContent: result.structuredContent } : {}),
      isError: result.isError === true,
      runId: call?.runId ?? '',
    };
  }

  /** The session's tools, listed once (every page) and kept until the server says they changed or the cache expires. */
  private async toolsOf(session: McpSession, fresh: boolean): Promise<McpTool[]> {
    const cached = session.tools;
    if (!fresh && cached && Date.now() - cached.at < this.options.toolsCacheTtlMs) return cached.list;
    const list: McpTool[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const answer = await session.client.listTools(cursor ? { cursor } : undefined, { timeout: this.options.requestTimeoutMs });
      for (const tool of answer.tools) list.push(toolOf(tool));
      cursor = answer.nextCursor;
      if (!cursor) break;
    }
    session.tools = { list, at: Date.now() };
    return list;
  }

  private async connection(connectionId: string): Promise<{ profile: ConnectionProfile; configuration: McpConfiguration }> {
    const tenantId = RequestContext.current()?.tenantId;
    if (!tenantId) throw new Error('The MCP connector needs a tenant in scope');
    const profile = await this.resolver.resolve(tenantId, connectionId);
    if (profile.provider.id !== MCP_PROVIDER) throw IntegrationError.validation('not_an_mcp_connection', `Connection ${connectionId} is not an MCP connection`);
    if (profile.connection.status === 'Retired') {
      await this.sessions.closeConnection(profile);
      throw IntegrationError.validation('connection_retired', `Connection ${connectionId} is retired and accepts no runs`);
    }
    const configuration = mcpConfigurationOf(profile.connection.configuration);
    if (!configuration) throw IntegrationError.validation('mcp_url_missing', `Connection ${connectionId} has no MCP server URL (configuration.url)`);
    return { profile, configuration };
  }
}

function toolOf(tool: { name: string; title?: string; description?: string; inputSchema: unknown; outputSchema?: unknown; annotations?: unknown }): McpTool {
  return {
    name: tool.name,
    ...(tool.title ? { title: tool.title } : {}),
    ...(tool.description ? { description: tool.description } : {}),
    inputSchema: tool.inputSchema as McpTool['inputSchema'],
    ...(tool.outputSchema ? { outputSchema: tool.outputSchema as McpTool['inputSchema'] } : {}),
    ...(tool.annotations ? { annotations: tool.annotations as Record<string, unknown> } : {}),
  };
}

function timeoutOf(invocation: ToolInvocation, defaultMs: number): number {
  if (invocation.deadline === undefined) return defaultMs;
  const left = invocation.deadline - Date.now();
  if (left <= 0) throw IntegrationError.transient('timeout', 'The call’s deadline passed before the tool was called');
  return Math.min(left, defaultMs);
}
