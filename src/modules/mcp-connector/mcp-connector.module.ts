import { Module } from '@nestjs/common';
import { provideOptions } from '../../platform/config/options.provider';
import { McpConnectorGrpcService } from './grpc/mcp-connector.grpc-service';
import { McpConnectorOptions } from './mcp-connector.options';

/**
 * The McpConnectorService role: the integration.mcp.v1.McpConnector gRPC service over the
 * McpConnectorService (the abstract class is the injection token; its implementation is provided
 * with the connector itself).
 */
@Module({
  providers: [provideOptions(McpConnectorOptions), McpConnectorGrpcService],
  exports: [McpConnectorOptions],
})
export class McpConnectorModule {
  static readonly options = [McpConnectorOptions];
}
