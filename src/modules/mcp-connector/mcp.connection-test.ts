import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { ExchangeTestContext } from '../../platform/vendors/vendor-descriptor';
import { IntegrationError } from '../../platform/resilience/failure-classifier';
import { mcpFailure } from './connector/mcp-failures';
import { mcpConfigurationOf } from './mcp.configuration';

/** An MCP connection works when its server initializes a session and lists its tools. */
export async function mcpConnectionTest({ fetch, configuration, timeoutMs }: ExchangeTestContext): Promise<void> {
  const mcp = mcpConfigurationOf(configuration);
  if (!mcp) throw IntegrationError.validation('mcp_url_missing', 'The connection has no MCP server URL (configuration.url)');
  const transport = mcp.transport === 'sse' ? new SSEClientTransport(mcp.url, { fetch }) : new StreamableHTTPClientTransport(mcp.url, { fetch });
  const client = new Client({ name: 'integration-platform', version: '1.0.0' }, { capabilities: {} });
  try {
    await client.connect(transport, { timeout: timeoutMs });
    await client.listTools(undefined, { timeout: timeoutMs });
  } catch (error) {
    throw mcpFailure(error);
  } finally {
    await client.close().catch(() => undefined);
  }
}
