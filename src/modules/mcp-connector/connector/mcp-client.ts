import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { FetchLike } from '../../../platform/integrations/governed/governed-fetch';
import type { McpConfiguration } from '../mcp.configuration';

/** An SDK client for a connection's MCP server, not yet connected, whose every exchange goes through `fetch`. */
export function mcpClient(configuration: McpConfiguration, fetch: FetchLike): { client: Client; transport: Transport } {
  const transport =
    configuration.transport === 'sse'
      ? new SSEClientTransport(configuration.url, { fetch })
      : new StreamableHTTPClientTransport(configuration.url, {
          fetch,
          reconnectionOptions: { maxReconnectionDelay: 30_000, initialReconnectionDelay: 1_000, reconnectionDelayGrowFactor: 2, maxRetries: 2 },
        });
  return { client: new Client({ name: 'integration-platform', version: '1.0.0' }, { capabilities: {} }), transport };
}
