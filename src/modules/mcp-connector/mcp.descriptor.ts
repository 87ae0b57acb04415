import type { VendorDescriptor } from '../../platform/vendors/vendor-descriptor';

/** Any MCP tool server: the URL is the connection's. */
export const MCP: VendorDescriptor = {
  provider: {
    id: 'mcp',
    displayName: 'MCP tool server',
    category: 'model',
    capabilities: ['list-tools', 'invoke-tool'],
    authModes: ['bearer', 'api-key', 'oauth2-client-credentials', 'none'],
    docsUrl: 'https://modelcontextprotocol.io/specification',
  },
};
