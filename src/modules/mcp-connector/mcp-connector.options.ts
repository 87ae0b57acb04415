import { duration, str } from '../../platform/config/codecs';
import { Env, OptionsSection } from '../../platform/config/options';

@OptionsSection('MCP connector', 'Options of the McpConnectorService role')
export class McpConnectorOptions {
  @Env('MCP_PROTOCOL_VERSION', str({ minLength: 1 }), { default: '2025-06-18', description: 'MCP protocol version offered in initialize' })
  readonly protocolVersion: string;

  @Env('MCP_REQUEST_TIMEOUT', duration({ min: 1000 }), { default: 60_000, description: 'Timeout of one tool invocation' })
  readonly requestTimeoutMs: number;
}
