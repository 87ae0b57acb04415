import type { ExchangeTestContext } from '../../platform/vendors/vendor-descriptor';
import { IntegrationError } from '../../platform/resilience/failure-classifier';
import { mcpClient } from './connector/mcp-client';
import { mcpFailure } from './connector/mcp-failures';
import { mcpConfigurationOf } from './mcp.configuration';

/** An MCP connection works when its server initializes a session and lists its tools. */
export async function mcpConnectionTest({ fetch, configuration, timeoutMs }: ExchangeTestContext): Promise<void> {
  const mcp = mcpConfigurationOf(configuration);
  if (!mcp) throw IntegrationError.validation('mcp_url_missing', 'The connection has no MCP server URL (configuration.url)');
  const { client, transport } = mcpClient(mcp, fetch);
  try {
    await client.connect(transport, { timeout: timeoutMs });
    await client.listTools(undefined, { timeout: timeoutMs });
  } catch (error) {
    throw mcpFailure(error);
  } finally {
    await client.close().catch(() => undefined);
  }
}
