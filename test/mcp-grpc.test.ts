import { Metadata, status } from '@grpc/grpc-js';
import type { ClientReadableStream } from '@grpc/grpc-js';
import { Module } from '@nestjs/common';
import { RequestContext } from '../src/platform/context/request-context';
import { GrpcServerHost } from '../src/platform/grpc/grpc-server.host';
import { IntegrationError } from '../src/platform/resilience/failure-classifier';
import { McpConnectorGrpcService } from '../src/modules/mcp-connector/grpc/mcp-connector.grpc-service';
import { McpConnectorService } from '../src/modules/mcp-connector/connector/mcp-connector.service';
import type { McpTool, ToolInvocation, ToolResult } from '../src/modules/mcp-connector/connector/mcp-tools';
import { loadClients, loadMcpClient, readStream, unaryCall, UntypedClient } from './support/grpc-clients';
import { InProcessPlatform, startInProcess } from './support/platform-app';
import { newJwtSecret, signHs256 } from './support/tokens';

interface RecordedInvocation {
  readonly method: 'listTools' | 'invokeTool';
  readonly connectionId: string;
  readonly toolName?: string;
  readonly fresh?: boolean;
  readonly invocation?: ToolInvocation;
  readonly tenantId?: string;
}

const FAILURES: Readonly<Record<string, () => IntegrationError>> = {
  missing: () => IntegrationError.validation('tool_not_found', 'No tool missing on connection conn-1'),
  retired: () => IntegrationError.validation('connection_retired', 'Connection conn-1 is retired'),
  refused: () => IntegrationError.auth('upstream_auth_failed', 'The tool server answered HTTP 401'),
  throttled: () => IntegrationError.rateLimited('rate_limited', 'The tool server is rate limiting', { retryAfterMs: 7_000 }),
  breaker: () => IntegrationError.transient('circuit_open', 'The circuit of connection conn-1 is open'),
  slow: () => IntegrationError.transient('timeout', 'The tool call timed out'),
  broken: () => IntegrationError.poison('malformed_payload', 'secret=hunter2 in the payload'),
};

/** Answers by tool name: a structured result, a tool error, progress, a hanging call, and each kind of failure. */
class RecordingConnector extends McpConnectorService {
  readonly calls: RecordedInvocation[] = [];

  async listTools(connectionId: string, options?: { fresh?: boolean }): Promise<McpTool[]> {
    this.calls.push({ method: 'listTools', connectionId, fresh: options?.fresh, tenantId: RequestContext.current()?.tenantId });
    if (connectionId === 'conn-unknown') throw IntegrationError.validation('connection_not_found', 'No connection conn-unknown');
    return [
      {
        name: 'weather',
        title: 'Weather',
        description: 'Forecasts for a city',
        inputSchema: { type: 'object', properties: { zeta: { type: 'string' }, alpha: { type: 'integer' } }, required: ['zeta'] },
        outputSchema: { type: 'object', properties: { tempC: { type: 'number' } } },
      },
      { name: 'echo', inputSchema: { type: 'object' } },
    ];
  }

  async invokeTool(connectionId: string, toolName: string, invocation: ToolInvocation): Promise<ToolResult> {
    this.calls.push({ method: 'invokeTool', connectionId, toolName, invocation, tenantId: RequestContext.current()?.tenantId });
    const failure = FAILURES[toolName];
    if (failure) throw failure();
    if (toolName === 'hangs') {
      await new Promise<void>((resolve) => invocation.signal?.addEventListener('abort', () => resolve(), { once: true }));
      throw IntegrationError.transient('aborted', 'The tool call was cancelled');
    }
    if (toolName === 'progress') {
      for (let step = 1; step <= 3; step++) {
        invocation.onProgress?.({ progress: step, total: 3, message: `step ${step}` });
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
    if (toolName === 'fails') return { content: [{ type: 'text', text: 'City not known' }], isError: true, runId: 'run-err' };
    return {
      content: [
        { type: 'text', text: 'Sunny' },
        { type: 'image', data: 'aGVsbG8=', mimeType: 'image/png' },
        { type: 'resource', resource: { uri: 'file:///forecast.txt', mimeType: 'text/plain', text: 'Sunny all week' } },
      ],
      structuredContent: { tempC: 21.5, city: invocation.arguments.zeta },
      isError: false,
      runId: 'run-1',
    };
  }
}

const recordingConnector = new RecordingConnector();

/** The gRPC service on a recording connector, mounted beside a gRPC role that does not run the real one. */
@Module({ providers: [McpConnectorGrpcService, { provide: McpConnectorService, useValue: recordingConnector }] })
class RecordingConnectorModule {}

/** The answer without the loader's synthetic oneof names of `optional` fields (`_title: 'title'`). */
const plain = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !key.startsWith('_'))
      .map(([key, inner]) => [key, plain(inner)]),
  );
};

const until = async (condition: () => boolean, timeoutMs = 5_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('gRPC integration.mcp.v1.McpConnector', () => {
  const secret = newJwtSecret();
  let platform: InProcessPlatform;
  let mcp: UntypedClient;

  const bearer = async (scope: string, tenantId = 'tenant-mcp') => {
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${await signHs256(secret, { tenantId, scope, sub: 'mcp-user' })}`);
    return metadata;
  };
  const execute = () => bearer('integration.runs.execute');
  const invoke = async (toolName: string, argumentsJson = '{"zeta":"Paris"}', options: { deadline?: number } = {}) =>
    unaryCall<Record<string, unknown>>(mcp, 'InvokeTool', { connection_id: 'conn-1', tool_name: toolName, arguments_json: argumentsJson }, await execute(), options);

  beforeAll(async () => {
    platform = await startInProcess({ APP_ROLE: 'OllamaIntegrationService', AUTH_JWT_SECRET: secret, GRPC_PORT: '0', GRPC_HOST: '127.0.0.1' }, [RecordingConnectorModule]);
    mcp = loadMcpClient(platform.app.get(GrpcServerHost).port);
  });
  afterAll(async () => {
    mcp?.close();
    await platform?.close();
  });

  it('serves the service beside the role’s own, both SERVING in grpc.health.v1.Health', async () => {
    const { health, models } = loadClients(platform.app.get(GrpcServerHost).port);
    try {
      expect((await unaryCall(health, 'Check', { service: 'integration.mcp.v1.McpConnector' })).response).toEqual({ status: 'SERVING' });
      expect((await unaryCall(health, 'Check', { service: 'integration.models.v1.Models' })).response).toEqual({ status: 'SERVING' });
      expect((await unaryCall(health, 'Check', { service: 'integration.nothing.v1.Nothing' })).error?.code).toBe(status.NOT_FOUND);
    } finally {
      health.close();
      models.close();
    }
  });

  it('checks the method scopes: ListTools needs runs.read, InvokeTool and InvokeToolStream runs.execute', async () => {
    const before = recordingConnector.calls.length;
    expect((await unaryCall(mcp, 'ListTools', { connection_id: 'conn-1' })).error?.code).toBe(status.UNAUTHENTICATED);
    const list = await unaryCall(mcp, 'ListTools', { connection_id: 'conn-1' }, await execute());
    expect(list.error?.code).toBe(status.PERMISSION_DENIED);
    expect(list.error?.details).toBe('Missing scope: integration.runs.read');
    const call = await unaryCall(mcp, 'InvokeTool', { connection_id: 'conn-1', tool_name: 'echo' }, await bearer('integration.runs.read'));
    expect(call.error?.code).toBe(status.PERMISSION_DENIED);
    expect(call.error?.details).toBe('Missing scope: integration.runs.execute');
    const stream = await readStream(mcp.InvokeToolStream({ connection_id: 'conn-1', tool_name: 'echo' }, await bearer('integration.runs.read')));
    expect(stream.error?.code).toBe(status.PERMISSION_DENIED);
    expect(recordingConnector.calls).toHaveLength(before);
  });

  it('translates ListTools, in the token tenant, with fresh passed on and schemas as JSON text in key order', async () => {
    const { response, error } = await unaryCall<{ tools: Array<Record<string, unknown>> }>(
      mcp,
      'ListTools',
      { connection_id: 'conn-1', fresh: true },
      await bearer('integration.runs.read'),
    );
    expect(error).toBeUndefined();
    expect(recordingConnector.calls.at(-1)).toMatchObject({ method: 'listTools', connectionId: 'conn-1', fresh: true, tenantId: 'tenant-mcp' });
    expect(plain(response?.tools)).toEqual([
      {
        name: 'weather',
        title: 'Weather',
        description: 'Forecasts for a city',
        input_schema_json: '{"type":"object","properties":{"zeta":{"type":"string"},"alpha":{"type":"integer"}},"required":["zeta"]}',
        output_schema_json: '{"type":"object","properties":{"tempC":{"type":"number"}}}',
      },
      { name: 'echo', input_schema_json: '{"type":"object"}' },
    ]);
    const unknown = await unaryCall(mcp, 'ListTools', { connection_id: 'conn-unknown' }, await bearer('integration.runs.read'));
    expect(unknown.error?.code).toBe(status.NOT_FOUND);
  });

  it('translates InvokeTool: arguments, content blocks, structured content, the run, and a deadline passed on', async () => {
    const deadline = Date.now() + 10_000;
    const { response, error } = await invoke('weather', '{"zeta":"Paris","alpha":2}', { deadline });
    expect(error).toBeUndefined();
    const recorded = recordingConnector.calls.at(-1)!;
    expect(recorded).toMatchObject({
      method: 'invokeTool',
      connectionId: 'conn-1',
      toolName: 'weather',
      tenantId: 'tenant-mcp',
      invocation: { arguments: { zeta: 'Paris', alpha: 2 } },
    });
    expect(Math.abs((recorded.invocation?.deadline ?? 0) - deadline)).toBeLessThan(1_000);
    expect(recorded.invocation?.signal?.aborted).toBe(false);
    expect(plain(response)).toEqual({
      content: [
        { type: 'text', text: 'Sunny', json: '{"type":"text","text":"Sunny"}' },
        { type: 'image', data: 'aGVsbG8=', mime_type: 'image/png', json: '{"type":"image","data":"aGVsbG8=","mimeType":"image/png"}' },
        { type: 'resource', json: '{"type":"resource","resource":{"uri":"file:///forecast.txt","mimeType":"text/plain","text":"Sunny all week"}}' },
      ],
      structured_content_json: '{"tempC":21.5,"city":"Paris"}',
      is_error: false,
      run_id: 'run-1',
    });

    const noDeadline = await invoke('weather');
    expect(noDeadline.error).toBeUndefined();
    expect(recordingConnector.calls.at(-1)?.invocation?.deadline).toBeUndefined();
  });

  it('answers a tool error OK with is_error set', async () => {
    const { response, error } = await invoke('fails');
    expect(error).toBeUndefined();
    expect(plain(response)).toEqual({ content: [{ type: 'text', text: 'City not known', json: '{"type":"text","text":"City not known"}' }], is_error: true, run_id: 'run-err' });
  });

  it.each([
    ['not json', '{zeta: Paris}', /^arguments_json is not valid JSON/],
    ['an array', '["Paris"]', /^arguments_json must be a JSON object, not an array$/],
    ['a string', '"Paris"', /^arguments_json must be a JSON object, not a string$/],
  ])('refuses arguments_json that is %s INVALID_ARGUMENT naming the field, before any call', async (_kind, argumentsJson, message) => {
    const before = recordingConnector.calls.length;
    const { error } = await invoke('weather', argumentsJson);
    expect(error?.code).toBe(status.INVALID_ARGUMENT);
    expect(error?.details).toMatch(message);
    expect(recordingConnector.calls).toHaveLength(before);
  });

  it('streams progress events in order, then the result, then OK', async () => {
    const stream = mcp.InvokeToolStream({ connection_id: 'conn-1', tool_name: 'progress', arguments_json: '{"zeta":"Oslo"}' }, await execute()) as ClientReadableStream<
      Record<string, unknown>
    >;
    const { events, error } = await readStream(stream);
    expect(error).toBeUndefined();
    expect(events.map((event) => event.event)).toEqual(['progress', 'progress', 'progress', 'result']);
    expect(plain(events.slice(0, 3).map((event) => event.progress))).toEqual([1, 2, 3].map((step) => ({ progress: step, total: 3, message: `step ${step}` })));
    expect(events[3].result).toMatchObject({ structured_content_json: '{"tempC":21.5,"city":"Oslo"}', is_error: false, run_id: 'run-1' });
  });

  it('carries a client cancellation to the invocation signal', async () => {
    const stream = mcp.InvokeToolStream({ connection_id: 'conn-1', tool_name: 'hangs', arguments_json: '{}' }, await execute()) as ClientReadableStream<unknown>;
    const ended = new Promise<number>((resolve) => stream.on('error', (error: { code: number }) => resolve(error.code)));
    await until(() => recordingConnector.calls.at(-1)?.toolName === 'hangs');
    const recorded = recordingConnector.calls.at(-1)!;
    expect(recorded.invocation?.signal?.aborted).toBe(false);
    stream.cancel();
    await until(() => recorded.invocation?.signal?.aborted === true);
    expect(await ended).toBe(status.CANCELLED);
  });

  it('ends a unary call whose deadline passes DEADLINE_EXCEEDED, the invocation aborted', async () => {
    const { error } = await invoke('hangs', '{}', { deadline: Date.now() + 300 });
    expect(error?.code).toBe(status.DEADLINE_EXCEEDED);
    const recorded = recordingConnector.calls.at(-1)!;
    await until(() => recorded.invocation?.signal?.aborted === true);
  });

  it.each([
    ['missing', status.NOT_FOUND, 'No tool missing on connection conn-1'],
    ['retired', status.FAILED_PRECONDITION, 'Connection conn-1 is retired'],
    ['refused', status.FAILED_PRECONDITION, 'The MCP server of connection conn-1 refused its credential (upstream_auth_failed): The tool server answered HTTP 401'],
    ['breaker', status.UNAVAILABLE, 'The circuit of connection conn-1 is open'],
    ['slow', status.DEADLINE_EXCEEDED, 'The tool call timed out'],
    ['broken', status.INTERNAL, 'Internal error'],
  ])('maps the connector failure of tool %s to %s', async (toolName, code, message) => {
    const { error } = await invoke(toolName);
    expect(error?.code).toBe(code);
    expect(error?.details).toBe(message);
  });

  it('answers a rate-limited call RESOURCE_EXHAUSTED with a retry-after trailer, on unary calls and streams', async () => {
    const { error, trailers } = await invoke('throttled');
    expect(error?.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(error?.details).toBe('The tool server is rate limiting');
    expect(trailers?.get('retry-after')).toEqual(['7']);
    expect(trailers?.get('x-error-code')).toEqual(['rate_limited']);

    const stream = await readStream(mcp.InvokeToolStream({ connection_id: 'conn-1', tool_name: 'throttled', arguments_json: '{}' }, await execute()));
    expect(stream.error?.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(stream.trailers?.get('retry-after')).toEqual(['7']);
  });
});
