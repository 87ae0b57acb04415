import { status } from '@grpc/grpc-js';
import { DataSource } from 'typeorm';
import { GrpcServerHost } from '../src/platform/grpc/grpc-server.host';
import { bearerMetadata, loadMcpClient, readStream, unaryCall } from './support/grpc-clients';
import { dumpStore, REGISTRY_SCOPES, TenantApi, waitFor } from './support/governed-api';
import { McpPeer } from './support/mcp-peers';
import { InProcessPlatform, startInProcess } from './support/platform-app';
import { newJwtSecret, signHs256 } from './support/tokens';

/**
 * Governed MCP tool servers: MCP connections (tested with initialize + tools/list), their tools listed
 * and invoked over REST through sessions the platform keeps per connection, against tool servers built
 * with the official SDK. Allow- and deny-lists, schema refusals, size caps, progress, session expiry,
 * tools/list_changed, an upstream 401, the SSRF guard, tenant isolation and secrets.
 */

const TOKEN = 'mcp-peer-bearer-4b1f9c';

describe('MCP connector (REST, one instance)', () => {
  const jwtSecret = newJwtSecret();
  const transcript: string[] = [];
  let peer: McpPeer;
  let refusing: McpPeer;
  let platform: InProcessPlatform;
  let tenant: TenantApi;
  let other: TenantApi;
  let connectionId: string;

  const connect = async (api: TenantApi, name: string, configuration: Record<string, unknown>, credential = TOKEN) =>
    api.post('/integrations/connections', { providerId: 'mcp', displayName: name, credentialId: await api.createCredential(name, credential), configuration });
  const invoke = (api: TenantApi, connection: string, tool: string, args: unknown) => api.post(`/mcp/connections/${connection}/tools/${tool}/invoke`, { arguments: args });

  beforeAll(async () => {
    peer = await McpPeer.start({ bearerToken: TOKEN });
    refusing = await McpPeer.start({ bearerToken: 'another-token' });
    platform = await startInProcess({
      AUTH_JWT_SECRET: jwtSecret,
      APP_ROLE: 'VendorApiClientRegistryService,McpConnectorService',
      EGRESS_ALLOW_LIST: '127.0.0.1',
      MCP_MAX_RESULT_BYTES: '64KiB',
    });
    tenant = await TenantApi.create(platform.url, jwtSecret, 'tenant-mcp-a', transcript, REGISTRY_SCOPES);
    other = await TenantApi.create(platform.url, jwtSecret, 'tenant-mcp-b', transcript, REGISTRY_SCOPES);
    const created = await connect(tenant, 'tools', { url: peer.url, denyTools: ['throws'] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'Active', lastTest: { passed: true } });
    connectionId = created.body.id;
  });

  afterAll(async () => {
    await platform?.close();
    await peer?.close();
    await refusing?.close();
  });

  it('tests a new connection with initialize and tools/list, as recorded runs', async () => {
    const methods = peer.requests.map((request) => request.jsonrpcMethod);
    expect(methods).toEqual(expect.arrayContaining(['initialize', 'tools/list']));
    const runs = (await tenant.get(`/integrations/runs?connectionId=${connectionId}`)).body.items;
    expect(runs.map((run: { operation: string }) => run.operation)).toEqual(expect.arrayContaining(['test initialize', 'test tools/list']));
  });

  it('lists the tools the connection offers, with their schemas, without the denied one', async () => {
    const answer = await tenant.get(`/mcp/connections/${connectionId}/tools`);
    expect(answer.status).toBe(200);
    const names = answer.body.items.map((tool: { name: string }) => tool.name);
    expect(names).toEqual(expect.arrayContaining(['echo', 'add', 'slow', 'fails', 'image', 'big']));
    expect(names).not.toContain('throws');
    expect(answer.body.items.find((tool: { name: string }) => tool.name === 'add').inputSchema).toMatchObject({ type: 'object', properties: { a: { type: 'number' } } });
  });

  it('invokes a tool on the connection’s session: one initialize for many calls, each call a run', async () => {
    const before = peer.initializations;
    const sum = await invoke(tenant, connectionId, 'add', { a: 2, b: 3 });
    expect(sum.status).toBe(200);
    expect(sum.body).toMatchObject({ isError: false, structuredContent: { sum: 5 }, content: [{ type: 'text' }] });
    expect((await invoke(tenant, connectionId, 'echo', { text: 'hi', times: 2 })).body.content[0].text).toContain('hi');
    expect(peer.initializations - before).toBeLessThanOrEqual(1);
    const run = (await tenant.get(`/integrations/runs/${sum.body.runId}`)).body;
    expect(run).toMatchObject({ state: 'Completed', operation: 'mcp tools/call', connectionId });
  });

  it('keeps a tool’s own error as isError, and passes images and resources through', async () => {
    const failed = await invoke(tenant, connectionId, 'fails', {});
    expect(failed.status).toBe(200);
    expect(failed.body).toMatchObject({ isError: true, content: [{ type: 'text', text: 'the tool failed on purpose' }] });
    const image = await invoke(tenant, connectionId, 'image', {});
    expect(image.body.content.map((block: { type: string }) => block.type)).toEqual(expect.arrayContaining(['image', 'resource']));
  });

  it('refuses arguments that fail the tool’s input schema before calling, naming the path', async () => {
    const calls = peer.toolCalls.length;
    const refused = await invoke(tenant, connectionId, 'add', { a: 'two', b: 3 });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/arguments\/a must be number/);
    expect(peer.toolCalls).toHaveLength(calls);
    expect((await tenant.post(`/mcp/connections/${connectionId}/tools/add/invoke`, { arguments: 'nope' })).status).toBe(400);
  });

  it('refuses a denied tool and an unknown one', async () => {
    expect((await invoke(tenant, connectionId, 'throws', {})).status).toBe(403);
    expect((await invoke(tenant, connectionId, 'nothing-like-it', {})).status).toBe(404);
  });

  it('caps results: a larger one is a clear error, not a truncation', async () => {
    const refused = await invoke(tenant, connectionId, 'big', { kb: 200 });
    expect(refused.status).toBe(502);
    expect(refused.body.message).toMatch(/over the limit/);
  });

  it('streams the progress of a long tool as server-sent events when asked, then its result', async () => {
    const response = await fetch(`${platform.url}/mcp/connections/${connectionId}/tools/slow/invoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await tenantToken()}`, 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ arguments: { steps: 3, delayMs: 10 } }),
    });
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const text = await response.text();
    const events = [...text.matchAll(/event: (\w+)\ndata: (.*)\n\n/g)].map(([, event, data]) => ({ event, data: JSON.parse(data) }));
    expect(events.filter((event) => event.event === 'progress').map((event) => event.data.progress)).toEqual([1, 2, 3]);
    expect(events.at(-1)).toMatchObject({ event: 'result', data: { content: [{ text: 'done' }] } });
  });

  it('initializes a new session when the server has dropped the old one', async () => {
    await invoke(tenant, connectionId, 'echo', { text: 'before' });
    const before = peer.initializations;
    await peer.expireSessions();
    const after = await invoke(tenant, connectionId, 'echo', { text: 'after' });
    expect(after.status).toBe(200);
    expect(peer.initializations).toBe(before + 1);
  });

  it('sees a tool added on the server once it says its list changed', async () => {
    await tenant.get(`/mcp/connections/${connectionId}/tools`);
    peer.addTool('late_tool');
    await waitFor(
      async () => (await tenant.get(`/mcp/connections/${connectionId}/tools`)).body.items.some((tool: { name: string }) => tool.name === 'late_tool'),
      5000,
      'the new tool to be listed',
    );
  });

  it('surfaces an upstream 401 as the connection’s refused credential, never as an empty list', async () => {
    const created = await connect(tenant, 'refusing', { url: refusing.url });
    expect(created.body).toMatchObject({ status: 'Pending', lastTest: { passed: false, category: 'Auth', code: 'upstream_auth_failed' } });
  });

  it('refuses an MCP URL that resolves to a private address (SSRF guard) when the allow-list does not name it', async () => {
    const guarded = await startInProcess({ AUTH_JWT_SECRET: jwtSecret, APP_ROLE: 'VendorApiClientRegistryService,McpConnectorService', EGRESS_ALLOW_LIST: undefined });
    try {
      const api = await TenantApi.create(guarded.url, jwtSecret, 'tenant-mcp-ssrf', transcript, REGISTRY_SCOPES);
      const created = await connect(api, 'private', { url: 'http://localhost:9/mcp' });
      expect({ status: created.status, lastTest: created.body?.lastTest }).toMatchObject({ status: 201, lastTest: { passed: false, code: 'egress_refused' } });
    } finally {
      await guarded.close();
    }
  });

  it('serves the same over gRPC: ListTools, InvokeTool with progress, and tenants apart', async () => {
    const client = loadMcpClient(platform.app.get(GrpcServerHost).port);
    try {
      const own = await bearerMetadata(await tenantToken());
      const listed = await unaryCall<{ tools: { name: string }[] }>(client, 'ListTools', { connection_id: connectionId }, own);
      expect(listed.response!.tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['echo', 'add']));
      const sum = await unaryCall<{ structured_content_json: string; is_error: boolean; run_id: string }>(
        client,
        'InvokeTool',
        { connection_id: connectionId, tool_name: 'add', arguments_json: '{"a":1,"b":2}' },
        own,
      );
      expect(JSON.parse(sum.response!.structured_content_json)).toEqual({ sum: 3 });
      expect(sum.response!.run_id).toMatch(/^run-/);
      const { events, error } = await readStream<{ progress?: { progress: number }; result?: { is_error: boolean } }>(
        client.InvokeToolStream({ connection_id: connectionId, tool_name: 'slow', arguments_json: '{"steps":2,"delayMs":5}' }, own),
      );
      expect(error).toBeUndefined();
      expect(events.map((event) => (event.progress ? `progress ${event.progress.progress}` : 'result'))).toEqual(['progress 1', 'progress 2', 'result']);
      const stranger = await bearerMetadata(await signHs256(jwtSecret, { tenantId: 'tenant-mcp-b', scope: REGISTRY_SCOPES, expiresIn: 600 }));
      expect((await unaryCall(client, 'ListTools', { connection_id: connectionId }, stranger)).error?.code).toBe(status.NOT_FOUND);
    } finally {
      client.close();
    }
  });

  it('keeps tenants apart', async () => {
    expect((await other.get(`/mcp/connections/${connectionId}/tools`)).status).toBe(404);
    expect((await invoke(other, connectionId, 'echo', { text: 'x' })).status).toBe(404);
  });

  it('never shows the credential in answers, logs or rows', async () => {
    const rows = JSON.stringify(await dumpStore(platform.app.get(DataSource)));
    expect(transcript.join('\n')).not.toContain(TOKEN);
    expect(platform.logs.text()).not.toContain(TOKEN);
    expect(rows).not.toContain(TOKEN);
  });

  async function tenantToken(): Promise<string> {
    return signHs256(jwtSecret, { tenantId: 'tenant-mcp-a', scope: REGISTRY_SCOPES, expiresIn: 600 });
  }
});
