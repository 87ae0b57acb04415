import type { VendorDescriptor } from '../../platform/vendors/vendor-descriptor';
import { endpointOf, mcpConfigurationProblems } from './mcp.configuration';
import { mcpConnectionTest } from './mcp.connection-test';

/**
 * Any MCP tool server: the endpoint is the connection's `configuration.url`, its origin the base URL of
 * the governed calls the MCP client makes. The test and the health probe are an MCP exchange
 * (initialize, tools/list), run by the McpConnector module.
 */
export const MCP: VendorDescriptor = {
  provider: {
    id: 'mcp',
    displayName: 'MCP tool server',
    category: 'model',
    capabilities: ['list-tools', 'invoke-tool'],
    authModes: ['bearer', 'api-key', 'oauth2-client-credentials', 'none'],
    docsUrl: 'https://modelcontextprotocol.io/specification',
  },
  http: {
    baseUrlFrom: (configuration) => endpointOf(configuration)?.origin,
    configurationProblems: (configuration) => mcpConfigurationProblems(configuration),
    connectionTest: mcpConnectionTest,
  },
};
