import { Module } from '@nestjs/common';
import { provideOptions } from '../../platform/config/options.provider';
import { McpConnectorOptions } from './mcp-connector.options';

/** The McpConnectorService role. Its capability lands with its own issue; until then it mounts nothing but its options. */
@Module({
  providers: [provideOptions(McpConnectorOptions)],
  exports: [McpConnectorOptions],
})
export class McpConnectorModule {
  static readonly options = [McpConnectorOptions];
}
