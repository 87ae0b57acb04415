import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { IntegrationError } from '../../../platform/resilience/failure-classifier';
import { isSessionGone, mcpFailure } from './mcp-failures';

describe('mcpFailure', () => {
  it('keeps the governed pipeline’s own error, wherever the SDK wrapped it', () => {
    const refused = IntegrationError.validation('egress_refused', 'Egress to 10.0.0.1 is refused');
    expect(mcpFailure(new Error('fetch failed', { cause: refused }), 'conn-1')).toBe(refused);
  });

  it('reads the SDK’s HTTP errors by status: a refused credential is Auth, naming the connection', () => {
    expect(mcpFailure(new StreamableHTTPError(401, 'Error POSTing to endpoint: {"error":"secret-echo"}'), 'conn-1')).toMatchObject({
      category: 'Auth',
      code: 'upstream_auth_failed',
      message: 'The MCP server of connection conn-1 refused its credential (HTTP 401)',
    });
    expect(mcpFailure(new StreamableHTTPError(429, 'slow down'), 'conn-1')).toMatchObject({ category: 'RateLimited' });
    expect(mcpFailure(new StreamableHTTPError(503, 'down'), 'conn-1')).toMatchObject({ category: 'Transient', code: 'upstream_unavailable' });
    expect(mcpFailure(new StreamableHTTPError(400, 'bad'), 'conn-1')).toMatchObject({ category: 'Validation', code: 'upstream_refused' });
  });

  it('reads JSON-RPC errors by code', () => {
    expect(mcpFailure(new McpError(ErrorCode.InvalidParams, 'no such argument'), 'conn-1')).toMatchObject({ category: 'Validation', code: 'invalid_arguments' });
    expect(mcpFailure(new McpError(ErrorCode.RequestTimeout, 'timed out'), 'conn-1')).toMatchObject({ category: 'Transient', code: 'timeout' });
  });

  it('tells a dropped session (404) from other failures', () => {
    expect(isSessionGone(new StreamableHTTPError(404, 'Session not found'))).toBe(true);
    expect(isSessionGone(new StreamableHTTPError(401, 'no'))).toBe(false);
    expect(isSessionGone(new Error('404'))).toBe(false);
  });
});
