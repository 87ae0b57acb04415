import { Module } from '@nestjs/common';
import { provideOptions } from '../../platform/config/options.provider';
import { McpGatewayCatalogue } from './gateway/mcp-gateway.catalogue';
import { McpGatewayController } from './gateway/mcp-gateway.controller';
import { McpConnectorOptions } from './mcp-connector.options';

/** The McpConnectorService role: the MCP gateway at /mcp (the platform as one MCP server for the tenant's tools). */
@Module({
  controllers: [McpGatewayController],
  providers: [provideOptions(McpConnectorOptions), McpGatewayCatalogue],
  exports: [McpConnectorOptions],
})
export class McpConnectorModule {
  static readonly options = [McpConnectorOptions];
}
