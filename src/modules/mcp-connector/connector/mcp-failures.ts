import { SseError } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { IntegrationError, integrationErrorIn } from '../../../platform/resilience/failure-classifier';

/**
 * An MCP client failure in the platform's terms. The governed pipeline's own errors (egress refused,
 * budget spent, open circuit, timeout) come through as they are; the SDK's HTTP errors are classified by
 * status, a refused credential an Auth failure naming the connection; JSON-RPC errors by their code.
 */
export function mcpFailure(error: unknown, connectionId?: string): IntegrationError {
  const who = connectionId ? `connection ${connectionId}` : 'the connection';
  const governed = integrationErrorIn(error);
  if (governed) return governed;
  const status = httpStatusOf(error);
  if (status === 401 || status === 403) {
    return IntegrationError.auth('upstream_auth_failed', `The MCP server of ${who} refused its credential (HTTP ${status})`);
  }
  if (status === 429) return IntegrationError.rateLimited('upstream_rate_limited', `The MCP server of ${who} is rate limiting it (HTTP 429)`);
  if (status !== undefined && status >= 500) return IntegrationError.transient('upstream_unavailable', `The MCP server of ${who} failed (HTTP ${status})`);
  if (status !== undefined) return IntegrationError.validation('upstream_refused', `The MCP server of ${who} refused the request (HTTP ${status})`);
  const rpcCode = (error as { code?: unknown })?.code;
  if (error instanceof McpError && typeof rpcCode === 'number') {
    if (rpcCode === -32001) return IntegrationError.transient('timeout', `The MCP server of ${who} did not answer in time`);
    if (rpcCode === -32602) return IntegrationError.validation('invalid_arguments', `The MCP server of ${who} refused the arguments: ${clip(error.message)}`);
    if (rpcCode === -32601) return IntegrationError.validation('tool_not_found', `The MCP server of ${who} does not know the method`);
    return IntegrationError.validation('mcp_error', `The MCP server of ${who} answered an error (${rpcCode}): ${clip(error.message)}`);
  }
  return IntegrationError.transient('mcp_failed', `The MCP exchange with ${who} failed`, { cause: error });
}

/** The server no longer knows the session: a new one is initialized and the request sent again. */
export function isSessionGone(error: unknown): boolean {
  return httpStatusOf(error) === 404;
}

function httpStatusOf(error: unknown): number | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  if (error instanceof StreamableHTTPError || error instanceof SseError) return typeof code === 'number' && code >= 100 ? code : undefined;
  return error.name === 'UnauthorizedError' ? 401 : undefined;
}

/** A JSON-RPC error message is the server's own words about the request: kept, but short. */
function clip(message: string): string {
  return message.length > 300 ? `${message.slice(0, 300)}…` : message;
}
