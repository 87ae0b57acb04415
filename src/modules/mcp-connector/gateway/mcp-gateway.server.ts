import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { CallToolResult, ListToolsResult } from '@modelcontextprotocol/sdk/types.js';
import { ContextStore, RequestContext } from '../../../platform/context/request-context';
import { quotable } from '../../../platform/http/quotable';
import { errorResult, McpGatewayCatalogue } from './mcp-gateway.catalogue';

export const GATEWAY_SERVER_INFO = { name: 'integration-platform', title: 'Integration Platform MCP gateway', version: '1.0.0' } as const;
export const EXECUTE_SCOPE = 'integration.runs.execute';

const INSTRUCTIONS =
  'Tools of your tenant’s connections, each named <connection>__<tool>; the description starts with the connection it belongs to. ' +
  'A <connection>__unavailable tool means that connection is failing: its description says why. Failures of a call come back as error results naming the connection, the failure category and code.';

/**
 * One low-level MCP server for one HTTP request (the gateway is stateless: any replica answers any
 * request). tools/list is the tenant's catalogue; tools/call routes a name to its connection. The work
 * runs in the request's own context store, so the tenant and scopes the guard set are the ones in scope
 * however the SDK schedules its handlers.
 */
export function gatewayServer(catalogue: McpGatewayCatalogue, store: ContextStore | undefined): Server {
  const server = new Server(GATEWAY_SERVER_INFO, { capabilities: { tools: { listChanged: false } }, instructions: INSTRUCTIONS });
  const inRequest = <T>(work: () => Promise<T>): Promise<T> => (store ? RequestContext.runIn(store, work) : work());

  server.setRequestHandler(ListToolsRequestSchema, () => inRequest(async (): Promise<ListToolsResult> => ({ tools: await catalogue.list() })));

  server.setRequestHandler(CallToolRequestSchema, (request, extra) =>
    inRequest(async (): Promise<CallToolResult> => {
      const { name } = request.params;
      const target = await catalogue.resolve(name);
      // Unknown tool: a protocol error (invalid params), as the spec and the SDK's own McpServer answer it.
      if (!target) throw new McpError(ErrorCode.InvalidParams, `Tool ${quotable(name, 160)} not found`);
      if (target.kind !== 'unavailable' && !RequestContext.current()?.scopes?.has(EXECUTE_SCOPE)) {
        return errorResult(target.connection, `calling ${quotable(name, 160)} needs the scope ${EXECUTE_SCOPE}, which this token lacks`, {
          category: 'Auth',
          code: 'missing_scope',
        }) as CallToolResult;
      }
      const progressToken = request.params._meta?.progressToken;
      const idempotencyKey = request.params._meta?.idempotencyKey;
      const result = await catalogue.call(target, {
        arguments: request.params.arguments ?? {},
        signal: extra.signal,
        idempotencyKey: typeof idempotencyKey === 'string' && idempotencyKey.length > 0 ? idempotencyKey : undefined,
        onProgress:
          progressToken === undefined
            ? undefined
            : (progress) => {
                void extra
                  .sendNotification({ method: 'notifications/progress', params: { progressToken, ...progress } })
                  .catch(() => undefined /* the client went away: the call is being cancelled */);
              },
      });
      return result as CallToolResult;
    }),
  );
  return server;
}

/**
 * Whether this POST needs an SSE answer: a tools/call asking for progress (a progressToken) from a
 * client that takes text/event-stream. Everything else is answered as plain JSON.
 */
export function wantsEventStream(body: unknown, accept: string | undefined): boolean {
  if (!accept?.includes('text/event-stream')) return false;
  const messages = Array.isArray(body) ? body : [body];
  return messages.some((message) => {
    if (typeof message !== 'object' || message === null) return false;
    const { method, params } = message as { method?: unknown; params?: { _meta?: { progressToken?: unknown } } };
    return method === 'tools/call' && params?._meta?.progressToken !== undefined;
  });
}
