import { Module } from '@nestjs/common';
import { provideOptions } from '../../platform/config/options.provider';
import { GovernedMcpConnector } from './connector/governed-mcp-connector';
import { McpConnectorService } from './connector/mcp-connector.service';
import { McpSessions } from './connector/mcp-sessions';
import { McpGatewayCatalogue } from './gateway/mcp-gateway.catalogue';
import { McpGatewayController } from './gateway/mcp-gateway.controller';
import { McpConnectorGrpcService } from './grpc/mcp-connector.grpc-service';
import { McpConnectorOptions } from './mcp-connector.options';
import { McpToolsController } from './tools/mcp-tools.controller';

/**
 * The McpConnectorService role: governed MCP tool servers (sessions per connection, tool lists,
 * invocations as runs) under /mcp/connections/{id}/tools and as the gRPC McpConnector service, and the
 * MCP gateway at /mcp (the platform as one MCP server over the tenant's MCP tools and vendor
 * operations). The MCP descriptor (in every role) makes an MCP connection's test and probe an
 * initialize + tools/list exchange.
 */
@Module({
  controllers: [McpToolsController, McpGatewayController],
  providers: [
    provideOptions(McpConnectorOptions),
    McpSessions,
    GovernedMcpConnector,
    { provide: McpConnectorService, useExisting: GovernedMcpConnector },
    McpConnectorGrpcService,
    McpGatewayCatalogue,
  ],
  exports: [McpConnectorOptions, McpConnectorService],
})
export class McpConnectorModule {
  static readonly options = [McpConnectorOptions];
}
