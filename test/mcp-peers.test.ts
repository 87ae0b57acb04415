import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { EMBEDDED_RESOURCE_URI, FAILED_ON_PURPOSE, McpPeer, PNG_BASE64, THROWN_MESSAGE } from './support/mcp-peers';

/** The MCP peer checked with the official SDK client over Streamable HTTP. */

const TOKEN = 'mcp-test-token';

async function connect(peer: McpPeer, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: 'mcp-peers-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(peer.url), { requestInit: { headers } }));
  return client;
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function textOf(result: Awaited<ReturnType<Client['callTool']>>): string {
  return (result.content as Array<{ type: string; text?: string }>).map((block) => block.text ?? '').join('');
}

describe('McpPeer with the MCP SDK client', () => {
  let peer: McpPeer;
  let client: Client;

  beforeAll(async () => {
    peer = await McpPeer.start({ bearerToken: TOKEN });
  });
  beforeEach(async () => {
    client = await connect(peer, { authorization: `Bearer ${TOKEN}` });
  });
  afterEach(async () => {
    await client?.close();
    peer.reset();
  });
  afterAll(() => peer?.close());

  it('lists the tools with their JSON Schemas', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(['add', 'big', 'echo', 'fails', 'image', 'slow', 'throws']);
    const echo = tools.find((tool) => tool.name === 'echo');
    expect(echo?.inputSchema).toMatchObject({ type: 'object', properties: { text: { type: 'string' }, times: { type: 'integer', minimum: 1, maximum: 5 } }, required: ['text'] });
    expect(tools.find((tool) => tool.name === 'add')?.outputSchema).toMatchObject({ type: 'object', properties: { sum: { type: 'number' } } });
    expect(peer.initializations).toBe(1);
  });

  it('calls echo, add, fails, throws, image and big', async () => {
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'ab', times: 3 } }))).toBe('ababab');
    const added = await client.callTool({ name: 'add', arguments: { a: 2, b: 3.5 } });
    expect(added.structuredContent).toEqual({ sum: 5.5 });
    expect(textOf(added)).toBe('5.5');
    const failed = await client.callTool({ name: 'fails', arguments: {} });
    expect(failed).toMatchObject({ isError: true, content: [{ type: 'text', text: FAILED_ON_PURPOSE }] });
    // The SDK turns a thrown handler error into a tool error result, not a JSON-RPC error.
    const thrown = await client.callTool({ name: 'throws', arguments: {} });
    expect(thrown.isError).toBe(true);
    expect(textOf(thrown)).toContain(THROWN_MESSAGE);
    const image = await client.callTool({ name: 'image', arguments: {} });
    expect(image.content).toEqual([
      { type: 'image', data: PNG_BASE64, mimeType: 'image/png' },
      { type: 'resource', resource: { uri: EMBEDDED_RESOURCE_URI, mimeType: 'text/plain', text: 'an embedded resource' } },
    ]);
    expect(textOf(await client.callTool({ name: 'big', arguments: { kb: 64 } }))).toHaveLength(64 * 1024);
    expect(peer.toolCalls.map((call) => call.name)).toEqual(['echo', 'add', 'fails', 'throws', 'image', 'big']);
    expect(peer.toolCalls[0]).toMatchObject({ arguments: { text: 'ab', times: 3 }, sessionId: client.transport?.sessionId });
  });

  it('answers invalid arguments with an error result naming the input', async () => {
    const result = await client.callTool({ name: 'echo', arguments: { text: 'x', times: 9 } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/Input validation error/);
  });

  it('reports progress when the caller asks for it', async () => {
    const progress: Array<{ progress: number; total?: number; message?: string }> = [];
    const result = await client.callTool({ name: 'slow', arguments: { steps: 3, delayMs: 5 } }, undefined, { onprogress: (update) => progress.push(update) });
    expect(textOf(result)).toBe('done');
    expect(progress).toEqual([1, 2, 3].map((step) => ({ progress: step, total: 3, message: `step ${step}` })));
  });

  it('stops a call the caller cancels', async () => {
    const controller = new AbortController();
    const call = client.callTool({ name: 'slow', arguments: { steps: 20, delayMs: 100 } }, undefined, { signal: controller.signal });
    await until(() => peer.toolCalls.length === 1);
    controller.abort();
    await expect(call).rejects.toThrow();
    await until(() => peer.cancelledCalls.length === 1);
    expect(peer.cancelledCalls[0]).toMatchObject({ name: 'slow', sessionId: client.transport?.sessionId });
    expect(peer.cancelledCalls[0].completedSteps).toBeLessThan(20);
    expect(peer.requests.some((request) => request.jsonrpcMethod === 'notifications/cancelled')).toBe(true);
  });

  it('sends tools/list_changed over the standalone GET stream when a tool is added or removed', async () => {
    await until(() => peer.openStreams >= 1);
    let changes = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      changes++;
    });
    peer.addTool('extra');
    await until(() => changes === 1);
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('extra');
    expect(textOf(await client.callTool({ name: 'extra', arguments: {} }))).toBe('extra');
    peer.removeTool('extra');
    await until(() => changes === 2);
    expect((await client.listTools()).tools.map((tool) => tool.name)).not.toContain('extra');
  });

  it('answers 401 with the SDK StreamableHTTPError for a wrong or missing token', async () => {
    for (const headers of [{ authorization: 'Bearer wrong' }, {}] as Record<string, string>[]) {
      const error: unknown = await connect(peer, headers).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(StreamableHTTPError);
      expect(error).toMatchObject({ code: 401 });
      expect((error as Error).message).toMatch(/^Streamable HTTP error: Error POSTing to endpoint: /);
    }
    const response = await fetch(peer.url, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });

  it('answers 404 Session not found once sessions expire, and a new client initializes again', async () => {
    await peer.expireSessions();
    const error: unknown = await client.listTools().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(StreamableHTTPError);
    expect(error).toMatchObject({ code: 404 });
    expect((error as Error).message).toContain('Session not found');
    expect(error).not.toBeInstanceOf(McpError);
    const again = await connect(peer, { authorization: `Bearer ${TOKEN}` });
    // beforeEach's client, then this one: the SDK client does not re-initialize by itself.
    expect(peer.initializations).toBe(2);
    await again.close();
  });

  it('refuses a request without session id that is not initialize', async () => {
    const response = await fetch(peer.url, {
      method: 'POST',
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${TOKEN}` },
    });
    expect(response.status).toBe(400);
    const unknown = await fetch(peer.url, {
      method: 'POST',
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${TOKEN}`, 'mcp-session-id': 'nope' },
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null });
  });
});

describe('McpPeer options', () => {
  it('expires idle sessions after sessionTtlMs', async () => {
    const peer = await McpPeer.start({ sessionTtlMs: 200 });
    const client = await connect(peer);
    await client.listTools();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await expect(client.listTools()).rejects.toMatchObject({ code: 404 });
    await client.close();
    await peer.close();
  });

  it('requires the API key header, and refuses everything with requireAuth401', async () => {
    const keyed = await McpPeer.start({ apiKeyHeader: 'x-api-key', apiKey: 'k1' });
    await expect(connect(keyed)).rejects.toMatchObject({ code: 401 });
    const client = await connect(keyed, { 'x-api-key': 'k1' });
    expect((await client.listTools()).tools.length).toBe(7);
    await client.close();
    await keyed.close();
    const refusing = await McpPeer.start({ requireAuth401: true });
    await expect(connect(refusing)).rejects.toMatchObject({ code: 401 });
    expect(refusing.requests[0]).toMatchObject({ method: 'POST', jsonrpcMethod: 'initialize' });
    await refusing.close();
  });

  it('records the requests of a session: initialize, initialized, GET stream, DELETE on terminate', async () => {
    const peer = await McpPeer.start();
    const client = await connect(peer);
    await until(() => peer.openStreams === 1);
    const transport = client.transport as StreamableHTTPClientTransport;
    await transport.terminateSession();
    await client.close();
    expect(peer.requests.map((request) => request.jsonrpcMethod)).toEqual(['initialize', 'notifications/initialized', 'GET-stream', 'DELETE']);
    expect(peer.initializations).toBe(1);
    await until(() => peer.openStreams === 0);
    await peer.close();
  });

  it('drops tools/list_changed for a session without the standalone GET stream (no event store, no replay)', async () => {
    const peer = await McpPeer.start();
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };
    const initialized = await fetch(peer.url, { method: 'POST', headers, body: JSON.stringify(initialize) });
    const sessionId = initialized.headers.get('mcp-session-id') ?? '';
    await initialized.text();
    const session = { ...headers, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' };
    const notified = await fetch(peer.url, { method: 'POST', headers: session, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
    expect(notified.status).toBe(202);
    peer.addTool('unseen');
    const listed = await fetch(peer.url, { method: 'POST', headers: session, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) });
    const listText = await listed.text();
    expect(listText).toContain('unseen');
    expect(listText).not.toContain('list_changed');
    const controller = new AbortController();
    const stream = await fetch(peer.url, { method: 'GET', headers: { ...session, accept: 'text/event-stream' }, signal: controller.signal });
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    // One read stays pending across both looks, so no chunk is lost to a read that lost a race.
    const chunk = reader.read().then(({ value }) => new TextDecoder().decode(value));
    const within = async (ms: number) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('nothing'), ms)));
      try {
        return await Promise.race([chunk, timeout]);
      } finally {
        clearTimeout(timer);
      }
    };
    expect(await within(300)).toBe('nothing');
    peer.removeTool('unseen');
    expect(await within(2_000)).toContain('notifications/tools/list_changed');
    controller.abort();
    await peer.close();
  });
});
