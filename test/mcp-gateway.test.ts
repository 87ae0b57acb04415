import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { CallToolResult, Progress, Tool } from '@modelcontextprotocol/sdk/types.js';
import { REGISTRY_SCOPES, TenantApi } from './support/governed-api';
import { GitHubPeer, startGitHubPeer } from './support/github-peer';
import { McpPeer } from './support/mcp-peers';
import { InProcessPlatform, startInProcess } from './support/platform-app';
import { newJwtSecret, signHs256 } from './support/tokens';

/**
 * The MCP gateway: the platform as one MCP server at /mcp (Streamable HTTP, stateless), driven with the
 * SDK's own client. A tenant's GitHub operations and MCP tools appear as `<connection>__<tool>`, calls
 * run through the governed pipeline as recorded runs, a failing MCP connection shows up as an
 * `…__unavailable` tool, scopes and tenants hold.
 */

const PAT = 'ghp_peerPersonalAccessToken0001';
const MCP_TOKEN = 'mcp-gateway-peer-token-7e2a';
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,128}$/;

const slug = (connectionId: string) => connectionId.replace(/-/g, '_');

async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('MCP gateway (one instance, SQLite)', () => {
  const jwtSecret = newJwtSecret();
  let github: GitHubPeer;
  let tools: McpPeer;
  let flaky: McpPeer;
  let platform: InProcessPlatform;
  let tenantA: TenantApi;
  let tenantB: TenantApi;
  let githubId: string;
  let mcpId: string;
  let flakyId: string;
  let otherGithubId: string;
  const clients: Client[] = [];

  const token = (tenantId: string, scope: string) => signHs256(jwtSecret, { tenantId, scope, expiresIn: 3600 });

  const connectAs = async (bearer: string): Promise<Client> => {
    const client = new Client({ name: 'factory-agent', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${platform.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${bearer}` } } }));
    clients.push(client);
    return client;
  };

  const githubConnection = async (api: TenantApi, name: string) => {
    const credentialId = await api.createCredential(name.replace(/[^A-Za-z0-9]+/g, '-'), PAT);
    const created = await api.post('/integrations/connections', { providerId: 'github', displayName: name, credentialId, configuration: { baseUrl: github.apiUrl } });
    expect(created.body).toMatchObject({ status: 'Active' });
    return created.body.id as string;
  };

  const mcpConnection = async (api: TenantApi, name: string, peer: McpPeer) => {
    const credentialId = await api.createCredential(name.replace(/[^A-Za-z0-9]+/g, '-'), MCP_TOKEN);
    const created = await api.post('/integrations/connections', { providerId: 'mcp', displayName: name, credentialId, configuration: { url: peer.url, denyTools: ['throws'] } });
    expect(created.body).toMatchObject({ status: 'Active' });
    return created.body.id as string;
  };

  const textOf = (result: CallToolResult) => (result.content as Array<{ type: string; text?: string }>).map((block) => block.text ?? '').join('\n');

  beforeAll(async () => {
    github = await startGitHubPeer({ tokens: [PAT] });
    github.seedRepository({ owner: 'octo', name: 'hello', branches: ['feature'], files: { 'README.md': '# Hello\n' } });
    tools = await McpPeer.start({ bearerToken: MCP_TOKEN });
    flaky = await McpPeer.start({ bearerToken: MCP_TOKEN });
    platform = await startInProcess({
      AUTH_JWT_SECRET: jwtSecret,
      APP_ROLE: 'VendorApiClientRegistryService,McpConnectorService,GitHubIntegrationService',
      EGRESS_ALLOW_LIST: '127.0.0.1',
      // Every tools/list asks the servers again, so a server that goes away shows at once.
      MCP_TOOLS_CACHE_TTL: '0ms',
    });
    tenantA = await TenantApi.create(platform.url, jwtSecret, 'tenant-gw-a', [], REGISTRY_SCOPES);
    tenantB = await TenantApi.create(platform.url, jwtSecret, 'tenant-gw-b', [], REGISTRY_SCOPES);
    githubId = await githubConnection(tenantA, 'octo GitHub');
    mcpId = await mcpConnection(tenantA, 'peer tools', tools);
    flakyId = await mcpConnection(tenantA, 'flaky tools', flaky);
    // Established while it answered; gone now.
    await flaky.close();
    otherGithubId = await githubConnection(tenantB, 'b GitHub');
  });

  afterAll(async () => {
    for (const client of clients) await client.close().catch(() => undefined);
    await platform?.close();
    await github?.close();
    await tools?.close();
  });

  describe('the endpoint', () => {
    it('initializes statelessly: the platform’s server info, tools capability, no session id', async () => {
      const client = new Client({ name: 'factory-agent', version: '1.0.0' });
      const transport = new StreamableHTTPClientTransport(new URL(`${platform.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${await token('tenant-gw-a', 'integration.runs.read')}` } },
      });
      await client.connect(transport);
      clients.push(client);
      expect(client.getServerVersion()).toMatchObject({ name: 'integration-platform' });
      expect(client.getServerCapabilities()).toMatchObject({ tools: {} });
      expect(transport.sessionId).toBeUndefined();
    });

    it('answers GET and DELETE 405 (no standalone stream, no session), as the SDK’s stateless servers do', async () => {
      const authorization = `Bearer ${await token('tenant-gw-a', 'integration.runs.read')}`;
      for (const method of ['GET', 'DELETE']) {
        const answer = await fetch(`${platform.url}/mcp`, { method, headers: { authorization, accept: 'text/event-stream' } });
        expect(answer.status).toBe(405);
        expect(await answer.json()).toEqual({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed.' }, id: null });
      }
    });

    it('needs a bearer token (401) with integration.runs.read (403)', async () => {
      const initialize = JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
      });
      const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
      expect((await fetch(`${platform.url}/mcp`, { method: 'POST', headers, body: initialize })).status).toBe(401);
      const unscoped = await token('tenant-gw-a', 'integration.connections.read');
      const refused = await fetch(`${platform.url}/mcp`, { method: 'POST', headers: { ...headers, authorization: `Bearer ${unscoped}` }, body: initialize });
      expect(refused.status).toBe(403);
      await expect(connectAs(unscoped)).rejects.toThrow();
    });
  });

  describe('tools/list', () => {
    let listed: Tool[];

    beforeAll(async () => {
      const client = await connectAs(await token('tenant-gw-a', 'integration.runs.read'));
      listed = (await client.listTools()).tools;
    });

    it('names every tool <connection-slug>__<tool> within the MCP tool-name alphabet', () => {
      expect(listed.length).toBeGreaterThan(10);
      for (const tool of listed) expect(tool.name).toMatch(TOOL_NAME);
      const slugs = new Set(listed.map((tool) => tool.name.split('__')[0]));
      expect(slugs).toEqual(new Set([slug(githubId), slug(mcpId), slug(flakyId)]));
    });

    it('lists the GitHub connection’s operations with their input schemas and descriptions', () => {
      const create = listed.find((tool) => tool.name === `${slug(githubId)}__github_pulls_create`);
      expect(create).toBeDefined();
      expect(create!.inputSchema).toMatchObject({ type: 'object', required: ['owner', 'repo', 'title', 'head', 'base'], properties: { owner: { type: 'string' } } });
      expect(create!.description).toMatch(new RegExp(`^\\[connection ${githubId} · octo GitHub\\] \\S`));
      expect(create!.annotations).toMatchObject({ readOnlyHint: false });
      expect(listed.find((tool) => tool.name === `${slug(githubId)}__github_contents_get`)?.annotations).toMatchObject({ readOnlyHint: true });
    });

    it('lists the MCP connection’s tools (its deny-list applied) with their schemas', () => {
      const names = listed.filter((tool) => tool.name.startsWith(`${slug(mcpId)}__`)).map((tool) => tool.name.slice(slug(mcpId).length + 2));
      expect(names).toEqual(expect.arrayContaining(['echo', 'add', 'slow', 'fails', 'image']));
      expect(names).not.toContain('throws');
      const add = listed.find((tool) => tool.name === `${slug(mcpId)}__add`)!;
      expect(add.description).toBe(`[connection ${mcpId} · peer tools] Adds two numbers`);
      expect(add.inputSchema).toMatchObject({ type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } } });
      expect(add.outputSchema).toMatchObject({ type: 'object', properties: { sum: { type: 'number' } } });
    });

    it('shows a connection whose tools cannot be listed as one …__unavailable tool naming the failure', () => {
      const flakyTools = listed.filter((tool) => tool.name.startsWith(`${slug(flakyId)}__`));
      expect(flakyTools.map((tool) => tool.name)).toEqual([`${slug(flakyId)}__unavailable`]);
      expect(flakyTools[0].description).toContain(`MCP connection ${flakyId} (flaky tools) could not be listed: Transient`);
      expect(flakyTools[0]._meta).toMatchObject({ connectionId: flakyId, unavailable: { category: 'Transient', code: expect.any(String) } });
    });

    it('shows another tenant none of these tools', async () => {
      const client = await connectAs(await token('tenant-gw-b', 'integration.runs.read integration.runs.execute'));
      const names = (await client.listTools()).tools.map((tool) => tool.name);
      expect(names.length).toBeGreaterThan(0);
      expect(names.every((name) => name.startsWith(`${slug(otherGithubId)}__`))).toBe(true);
      const stolen = await client.callTool({ name: `${slug(mcpId)}__echo`, arguments: { text: 'hi' } }).catch((error: unknown) => error);
      expect(stolen).toBeInstanceOf(McpError);
      expect((stolen as McpError).code).toBe(ErrorCode.InvalidParams);
      expect(tools.toolCalls.filter((call) => call.name === 'echo')).toHaveLength(0);
    });
  });

  describe('tools/call', () => {
    let agent: Client;

    beforeAll(async () => {
      agent = await connectAs(await token('tenant-gw-a', 'integration.runs.read integration.runs.execute'));
    });

    it('runs a GitHub read operation against the peer: output as structured content and JSON text, the run recorded', async () => {
      const result = (await agent.callTool({ name: `${slug(githubId)}__github_contents_get`, arguments: { owner: 'octo', repo: 'hello', path: 'README.md' } })) as CallToolResult;
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toMatchObject({ type: 'file', path: 'README.md', encoding: 'base64' });
      expect(JSON.parse(textOf(result))).toEqual(result.structuredContent);
      expect(Buffer.from(String(result.structuredContent!.content), 'base64').toString()).toBe('# Hello\n');
      expect(github.requestsTo('/repos/octo/hello/contents/README.md', 'GET')).toHaveLength(1);
      const runId = result._meta?.runId as string;
      const run = await tenantA.get(`/integrations/runs/${runId}`);
      expect(run.body).toMatchObject({ operation: 'github.contents.get', state: 'Completed', connectionId: githubId, providerId: 'github' });
    });

    it('opens a pull request through the gateway', async () => {
      const result = (await agent.callTool({
        name: `${slug(githubId)}__github_pulls_create`,
        arguments: { owner: 'octo', repo: 'hello', title: 'From an agent', head: 'feature', base: 'main' },
      })) as CallToolResult;
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toMatchObject({ number: expect.any(Number), title: 'From an agent', state: 'open' });
      expect(github.requestsTo('/repos/octo/hello/pulls', 'POST')).toHaveLength(1);
      const run = await tenantA.get(`/integrations/runs/${result._meta?.runId as string}`);
      expect(run.body).toMatchObject({ operation: 'github.pulls.create', state: 'Completed', responseStatus: 201 });
    });

    it('answers an operation’s failure as an error result naming the connection, category and code', async () => {
      const invalid = (await agent.callTool({ name: `${slug(githubId)}__github_pulls_create`, arguments: { owner: 'octo', repo: 'hello', title: 42 } })) as CallToolResult;
      expect(invalid.isError).toBe(true);
      expect(textOf(invalid)).toContain(`Connection ${githubId} (octo GitHub): operation github.pulls.create failed (Validation operation_input_invalid)`);
      const missing = (await agent.callTool({ name: `${slug(githubId)}__github_pulls_get`, arguments: { owner: 'octo', repo: 'hello', number: 999 } })) as CallToolResult;
      expect(missing.isError).toBe(true);
      expect(textOf(missing)).toContain(`Connection ${githubId} (octo GitHub): operation github.pulls.get failed (Validation vendor_not_found)`);
      expect(textOf(missing)).not.toContain(PAT);
    });

    it('invokes an MCP connection’s tool on its server, the run recorded', async () => {
      const result = (await agent.callTool({ name: `${slug(mcpId)}__add`, arguments: { a: 2, b: 3 } })) as CallToolResult;
      expect(result).toMatchObject({ structuredContent: { sum: 5 }, content: [{ type: 'text', text: '5' }] });
      expect(tools.toolCalls.at(-1)).toMatchObject({ name: 'add', arguments: { a: 2, b: 3 } });
      // The run ends with the server's stream, which may close just after the SDK has read the result.
      const run = await tenantA.runIn(result._meta?.runId as string, ['Completed', 'Failed']);
      expect(run).toMatchObject({ operation: 'mcp tools/call', state: 'Completed', connectionId: mcpId });
    });

    it('keeps an MCP tool’s own error result, and passes images and resources through', async () => {
      const failed = (await agent.callTool({ name: `${slug(mcpId)}__fails`, arguments: {} })) as CallToolResult;
      expect(failed).toMatchObject({ isError: true, content: [{ type: 'text', text: 'the tool failed on purpose' }] });
      const image = (await agent.callTool({ name: `${slug(mcpId)}__image`, arguments: {} })) as CallToolResult;
      expect(image.content.map((block) => block.type)).toEqual(['image', 'resource']);
    });

    it('relays the server’s progress as the gateway’s own notifications/progress', async () => {
      const seen: Progress[] = [];
      const result = (await agent.callTool({ name: `${slug(mcpId)}__slow`, arguments: { steps: 3, delayMs: 10 } }, undefined, {
        onprogress: (progress) => seen.push(progress),
      })) as CallToolResult;
      expect(textOf(result)).toBe('done');
      expect(seen.map((progress) => progress.progress)).toEqual([1, 2, 3]);
      expect(seen[2]).toMatchObject({ total: 3, message: 'step 3' });
    });

    it('cancels the upstream call when the agent’s HTTP request goes away', async () => {
      const leaving = await connectAs(await token('tenant-gw-a', 'integration.runs.read integration.runs.execute'));
      const cancelled = tools.cancelledCalls.length;
      const pending = leaving.callTool({ name: `${slug(mcpId)}__slow`, arguments: { steps: 20, delayMs: 100 } }).catch((error: unknown) => error);
      await waitUntil(() => tools.toolCalls.some((call) => call.name === 'slow' && (call.arguments as { steps?: number }).steps === 20));
      await leaving.close();
      await pending;
      await waitUntil(() => tools.cancelledCalls.length > cancelled);
      expect(tools.cancelledCalls.at(-1)).toMatchObject({ name: 'slow' });
      expect(tools.cancelledCalls.at(-1)!.completedSteps).toBeLessThan(20);
    });

    it('answers a failing MCP connection’s tools with an error result naming it', async () => {
      const result = (await agent.callTool({ name: `${slug(flakyId)}__unavailable`, arguments: {} })) as CallToolResult;
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain(`Connection ${flakyId} (flaky tools): its tools cannot be listed (Transient`);
      const named = (await agent.callTool({ name: `${slug(flakyId)}__echo`, arguments: { text: 'x' } })) as CallToolResult;
      expect(named.isError).toBe(true);
      expect(textOf(named)).toContain(`Connection ${flakyId} (flaky tools)`);
    });

    it('answers an unknown tool with JSON-RPC invalid params', async () => {
      for (const name of [`${slug(mcpId)}__nope`, `${slug(githubId)}__github_nope`, 'conn_00000000000000000000000000000000__echo', 'no-separator']) {
        const error = await agent.callTool({ name, arguments: {} }).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(McpError);
        expect((error as McpError).code).toBe(ErrorCode.InvalidParams);
      }
    });

    it('lets a token with only integration.runs.read list but not call: an error result naming the scope', async () => {
      const reader = await connectAs(await token('tenant-gw-a', 'integration.runs.read'));
      const calls = tools.toolCalls.length;
      const pulls = github.requestsTo('/repos/octo/hello/pulls', 'POST').length;
      for (const name of [`${slug(mcpId)}__echo`, `${slug(githubId)}__github_pulls_create`]) {
        const result = (await reader.callTool({ name, arguments: { text: 'hi', owner: 'octo', repo: 'hello', title: 't', head: 'feature', base: 'main' } })) as CallToolResult;
        expect(result.isError).toBe(true);
        expect(textOf(result)).toContain('needs the scope integration.runs.execute');
      }
      expect(tools.toolCalls.length).toBe(calls);
      expect(github.requestsTo('/repos/octo/hello/pulls', 'POST').length).toBe(pulls);
    });
  });
});
