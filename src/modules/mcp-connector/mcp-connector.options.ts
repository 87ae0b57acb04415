import { bytes, duration, int } from '../../platform/config/codecs';
import { Env, OptionsSection } from '../../platform/config/options';

@OptionsSection('MCP connector', 'Options of the McpConnectorService role')
export class McpConnectorOptions {
  @Env('MCP_REQUEST_TIMEOUT', duration({ min: 1000 }), { default: 60_000, description: 'Timeout of one MCP request (a tool call; progress notifications restart it)' })
  readonly requestTimeoutMs: number;

  @Env('MCP_MAX_SESSIONS', int({ min: 1, max: 100_000 }), {
    default: 256,
    description: 'MCP sessions kept open per process (one per connection in use; the least recently used closes first)',
  })
  readonly maxSessions: number;

  @Env('MCP_SESSION_IDLE_TIMEOUT', duration({ min: 1000 }), { default: 600_000, description: 'An MCP session unused this long is closed' })
  readonly sessionIdleTimeoutMs: number;

  @Env('MCP_TOOLS_CACHE_TTL', duration({ min: 0 }), {
    default: 300_000,
    description: 'How long a connection’s tool list is reused (a tools/list_changed notification drops it at once)',
  })
  readonly toolsCacheTtlMs: number;

  @Env('MCP_MAX_RESULT_BYTES', bytes({ min: 1024 }), { default: 1024 * 1024, description: 'Largest tool result passed on; a larger one fails the call with result_too_large' })
  readonly maxResultBytes: number;
}
