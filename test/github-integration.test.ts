import { sign as signGithub } from '@octokit/webhooks-methods';
import { REGISTRY_SCOPES, TenantApi, waitFor, WEBHOOK_SCOPES } from './support/governed-api';
import { GitHubPeer, SECONDARY_LIMIT_MESSAGE, startGitHubPeer } from './support/github-peer';
import { InProcessPlatform, startInProcess } from './support/platform-app';
import { newJwtSecret } from './support/tokens';
import { Receiver } from './support/webhook-receiver';

/**
 * The GitHub module end to end against the GitHub peer (GitHub's REST wire format, every request checked
 * against GitHub's OpenAPI description): operations under /github through the governed pipeline, GitHub
 * Enterprise Server base URLs, rate limits, and GitHub webhooks on an inbound-only connection reaching a
 * `com.github.*` subscription. One instance on the embedded store.
 */

const PAT = 'ghp_peerPersonalAccessToken0001';
const WEBHOOK_SECRET = 'gh-webhook-secret-2b7c1e';
const ALL_SCOPES = `${REGISTRY_SCOPES} ${WEBHOOK_SCOPES}`;

describe('GitHub integration (one instance, SQLite)', () => {
  const jwtSecret = newJwtSecret();
  const transcript: string[] = [];
  let peer: GitHubPeer;
  let enterprise: GitHubPeer;
  let platform: InProcessPlatform;
  let tenantA: TenantApi;
  let tenantB: TenantApi;
  let connectionId: string;

  const run = (api: TenantApi, connection: string, name: string, input: unknown, extra: Record<string, unknown> = {}) =>
    api.post(`/github/connections/${connection}/operations/${name}`, { input, ...extra });

  const patConnection = async (api: TenantApi, name: string, configuration: Record<string, unknown>) => {
    const credentialId = await api.createCredential(name, PAT);
    const created = await api.post('/integrations/connections', { providerId: 'github', displayName: name, credentialId, configuration });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'Active', authMode: 'bearer', lastTest: { passed: true } });
    return created.body.id as string;
  };

  beforeAll(async () => {
    peer = await startGitHubPeer({ tokens: [PAT] });
    enterprise = await startGitHubPeer({ tokens: [PAT], basePath: '/api/v3' });
    for (const github of [peer, enterprise]) {
      github.seedRepository({
        owner: 'octo',
        name: 'hello',
        branches: ['feature', 'fix'],
        files: { 'README.md': '# Hello\n', 'src/main.ts': 'export {};\n', 'src/lib/util.ts': '' },
        workflows: ['ci.yml'],
      });
    }
    platform = await startInProcess({
      AUTH_JWT_SECRET: jwtSecret,
      APP_ROLE: 'VendorApiClientRegistryService,GitHubIntegrationService,WebhookGatewayService,WebhookDeliveryWorker',
      EGRESS_ALLOW_LIST: '127.0.0.1',
      BUS_POLL_INTERVAL: '20ms',
    });
    tenantA = await TenantApi.create(platform.url, jwtSecret, 'tenant-gh-a', transcript, ALL_SCOPES);
    tenantB = await TenantApi.create(platform.url, jwtSecret, 'tenant-gh-b', transcript, ALL_SCOPES);
    connectionId = await patConnection(tenantA, 'github-pat', { baseUrl: peer.apiUrl });
  });

  afterAll(async () => {
    await platform?.close();
    await peer?.close();
    await enterprise?.close();
  });

  afterEach(() => {
    // Every request the module sent, in every test, is one GitHub's OpenAPI description allows; every answer the peer gave, one it documents.
    expect(peer.openApiProblems()).toEqual([]);
    expect(enterprise.openApiProblems()).toEqual([]);
    expect([...peer.answerProblems, ...enterprise.answerProblems]).toEqual([]);
    peer.clearRequests();
    enterprise.clearRequests();
  });

  describe('GET /github/operations', () => {
    it('lists every GitHub operation with its description, effect and JSON Schemas', async () => {
      const answer = await tenantA.get('/github/operations');
      expect(answer.status).toBe(200);
      const names = answer.body.items.map((item: { name: string }) => item.name);
      expect(names).toEqual(
        expect.arrayContaining([
          'github.repos.list',
          'github.pulls.create',
          'github.pulls.merge',
          'github.issues.comments.create',
          'github.checks.runs.update',
          'github.actions.workflows.dispatch',
          'github.contents.get',
        ]),
      );
      expect(names.every((name: string) => name.startsWith('github.'))).toBe(true);
      const create = answer.body.items.find((item: { name: string }) => item.name === 'github.pulls.create');
      expect(create).toMatchObject({
        providerId: 'github',
        effect: 'write',
        description: expect.any(String),
        input: { type: 'object', required: ['owner', 'repo', 'title', 'head', 'base'], additionalProperties: false },
        output: { type: 'object', properties: { number: { type: 'integer' }, url: { type: 'string' } } },
      });
    });

    it('needs a token with integration.runs.read', async () => {
      const unscoped = await TenantApi.create(platform.url, jwtSecret, 'tenant-gh-a', [], 'integration.connections.read');
      expect((await unscoped.get('/github/operations')).status).toBe(403);
      expect((await fetch(`${platform.url}/github/operations`)).status).toBe(401);
    });
  });

  describe('POST /github/connections/{id}/operations/{name}', () => {
    it('opens and merges a pull request with GitHub’s headers, one recorded run per call', async () => {
      const created = await run(tenantA, connectionId, 'github.pulls.create', {
        owner: 'octo',
        repo: 'hello',
        title: 'Add feature',
        head: 'feature',
        base: 'main',
        body: 'Please review',
      });
      expect(created.status).toBe(200);
      expect(created.body.output).toMatchObject({
        number: 1,
        title: 'Add feature',
        state: 'open',
        head: { ref: 'feature' },
        base: { ref: 'main' },
        merged: false,
        url: 'https://github.com/octo/hello/pull/1',
      });
      expect(created.body.runIds).toEqual([created.body.runId]);
      expect(created.headers.get('x-integration-run-id')).toBe(created.body.runId);

      const [sent] = peer.requestsTo('/repos/octo/hello/pulls', 'POST');
      expect(sent.headers).toMatchObject({
        authorization: `Bearer ${PAT}`,
        'x-github-api-version': '2022-11-28',
        accept: 'application/vnd.github+json',
        'content-type': 'application/json',
      });
      expect(JSON.parse(sent.body)).toEqual({ title: 'Add feature', head: 'feature', base: 'main', body: 'Please review' });

      const runRow = await tenantA.get(`/integrations/runs/${created.body.runId}`);
      expect(runRow.body).toMatchObject({ operation: 'github.pulls.create', state: 'Completed', responseStatus: 201, providerId: 'github', connectionId });

      const merged = await run(tenantA, connectionId, 'github.pulls.merge', { owner: 'octo', repo: 'hello', number: 1, mergeMethod: 'squash' });
      expect(merged.status).toBe(200);
      expect(merged.body.output).toEqual({ merged: true, sha: expect.stringMatching(/^[0-9a-f]{40}$/), message: 'Pull Request successfully merged' });
      expect((await run(tenantA, connectionId, 'github.pulls.get', { owner: 'octo', repo: 'hello', number: 1 })).body.output).toMatchObject({ state: 'closed', merged: true });

      // Merging again: GitHub's 405 (not mergeable) is the caller's conflict.
      const again = await run(tenantA, connectionId, 'github.pulls.merge', { owner: 'octo', repo: 'hello', number: 1 });
      expect(again.status).toBe(409);
      expect(again.body.message).toContain('Pull Request is not mergeable');
    });

    it('opens an issue, comments on it, reads it back and lists issues page by page', async () => {
      const issue = await run(tenantA, connectionId, 'github.issues.create', { owner: 'octo', repo: 'hello', title: 'Broken build', labels: ['bug'], assignees: ['octocat'] });
      expect(issue.status).toBe(200);
      const number = issue.body.output.number as number;
      expect(issue.body.output).toMatchObject({ title: 'Broken build', state: 'open', labels: ['bug'], assignees: ['octocat'], isPullRequest: false });

      const comment = await run(tenantA, connectionId, 'github.issues.comments.create', { owner: 'octo', repo: 'hello', number, body: 'Looking into it' });
      expect(comment.body.output).toMatchObject({ body: 'Looking into it', user: 'octo-bot', url: expect.stringContaining(`/issues/${number}#issuecomment-`) });
      expect((await run(tenantA, connectionId, 'github.issues.get', { owner: 'octo', repo: 'hello', number })).body.output).toMatchObject({ number, title: 'Broken build' });

      for (const title of ['Second', 'Third']) expect((await run(tenantA, connectionId, 'github.issues.create', { owner: 'octo', repo: 'hello', title })).status).toBe(200);
      const first = await run(tenantA, connectionId, 'github.issues.list', { owner: 'octo', repo: 'hello', state: 'all', perPage: 2 });
      expect(first.body.output.items).toHaveLength(2);
      expect(first.body.output.nextPage).toBe(2);
      const second = await run(tenantA, connectionId, 'github.issues.list', { owner: 'octo', repo: 'hello', state: 'all', perPage: 2, page: 2 });
      expect(second.body.output.nextPage).toBeNull();
      const seen = [...first.body.output.items, ...second.body.output.items].map((item: { title: string }) => item.title);
      expect(seen).toEqual(expect.arrayContaining(['Broken build', 'Second', 'Third', 'Add feature']));
    });

    it('reviews and comments on a pull request, runs checks and statuses on its head', async () => {
      const pull = (await run(tenantA, connectionId, 'github.pulls.create', { owner: 'octo', repo: 'hello', title: 'Fix', head: 'fix', base: 'main' })).body.output;
      const review = await run(tenantA, connectionId, 'github.pulls.reviews.create', { owner: 'octo', repo: 'hello', number: pull.number, event: 'APPROVE', body: 'LGTM' });
      expect(review.body.output).toMatchObject({ state: 'APPROVED', body: 'LGTM', user: 'octo-bot' });
      const lineComment = await run(tenantA, connectionId, 'github.pulls.comments.create', {
        owner: 'octo',
        repo: 'hello',
        number: pull.number,
        body: 'Nit',
        commitId: pull.head.sha,
        path: 'src/main.ts',
        line: 1,
      });
      expect(lineComment.body.output).toMatchObject({ body: 'Nit', path: 'src/main.ts', line: 1 });

      const check = await run(tenantA, connectionId, 'github.checks.runs.create', { owner: 'octo', repo: 'hello', name: 'lint', headSha: pull.head.sha, status: 'in_progress' });
      expect(check.body.output).toMatchObject({ name: 'lint', headSha: pull.head.sha, status: 'in_progress', conclusion: null });
      const done = await run(tenantA, connectionId, 'github.checks.runs.update', {
        owner: 'octo',
        repo: 'hello',
        checkRunId: check.body.output.id,
        status: 'completed',
        conclusion: 'success',
        output: { title: 'Lint', summary: 'Clean' },
      });
      expect(done.body.output).toMatchObject({ id: check.body.output.id, status: 'completed', conclusion: 'success' });
      const status = await run(tenantA, connectionId, 'github.statuses.create', {
        owner: 'octo',
        repo: 'hello',
        sha: pull.head.sha,
        state: 'success',
        context: 'ci/platform',
        targetUrl: 'https://ci.example.com/1',
      });
      expect(status.body.output).toMatchObject({ state: 'success', context: 'ci/platform', targetUrl: 'https://ci.example.com/1' });
    });

    it('dispatches a workflow and reads its runs; gets files and directories', async () => {
      const dispatched = await run(tenantA, connectionId, 'github.actions.workflows.dispatch', {
        owner: 'octo',
        repo: 'hello',
        workflow: 'ci.yml',
        ref: 'main',
        inputs: { reason: 'test' },
      });
      expect(dispatched.status).toBe(200);
      expect(dispatched.body.output).toEqual({ dispatched: true });
      const runs = await run(tenantA, connectionId, 'github.actions.runs.list', { owner: 'octo', repo: 'hello', workflow: 'ci.yml' });
      expect(runs.body.output).toMatchObject({ totalCount: 1, nextPage: null, items: [{ event: 'workflow_dispatch', headBranch: 'main', status: 'queued' }] });
      const one = await run(tenantA, connectionId, 'github.actions.runs.get', { owner: 'octo', repo: 'hello', runId: runs.body.output.items[0].id });
      expect(one.body.output).toMatchObject({ id: runs.body.output.items[0].id, event: 'workflow_dispatch' });

      const file = await run(tenantA, connectionId, 'github.contents.get', { owner: 'octo', repo: 'hello', path: 'README.md' });
      expect(file.body.output).toMatchObject({ type: 'file', path: 'README.md', encoding: 'base64' });
      expect(Buffer.from(file.body.output.content, 'base64').toString()).toBe('# Hello\n');
      const dir = await run(tenantA, connectionId, 'github.contents.get', { owner: 'octo', repo: 'hello', path: 'src', ref: 'main' });
      expect(dir.body.output).toMatchObject({
        type: 'dir',
        entries: expect.arrayContaining([expect.objectContaining({ type: 'file', path: 'src/main.ts' }), expect.objectContaining({ type: 'dir', path: 'src/lib' })]),
      });
      expect((await run(tenantA, connectionId, 'github.repos.list', {})).body.output.items).toEqual([expect.objectContaining({ fullName: 'octo/hello', defaultBranch: 'main' })]);
    });

    it('answers 400 naming the field for input that fails the schema, before any call', async () => {
      const answer = await run(tenantA, connectionId, 'github.pulls.create', { owner: 'octo', repo: 'hello', title: 42, head: 'feature', base: 'main' });
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.stringContaining('input/title must be string') });
      expect((await run(tenantA, connectionId, 'github.repos.get', { owner: 'octo' })).body.message).toContain("input must have required property 'repo'");
      expect((await tenantA.post(`/github/connections/${connectionId}/operations/github.repos.get`, {})).status).toBe(400);
      for (const field of ['input', 'idempotencyKey', 'async']) {
        const nulled = await tenantA.post(`/github/connections/${connectionId}/operations/github.repos.get`, { input: { owner: 'octo', repo: 'hello' }, [field]: null });
        expect(nulled.status).toBe(400);
        expect(nulled.body.message).toContain(field);
      }
      expect(peer.requests).toEqual([]);
    });

    it('passes GitHub’s 422 and 404 through with GitHub’s message', async () => {
      const invalid = await run(tenantA, connectionId, 'github.pulls.create', { owner: 'octo', repo: 'hello', title: 'x', head: 'no-such-branch', base: 'main' });
      expect(invalid.status).toBe(422);
      expect(invalid.body.message).toBe('GitHub answered HTTP 422: Validation Failed (head invalid)');
      expect(invalid.headers.get('x-integration-run-id')).toMatch(/^run-/);
      const missing = await run(tenantA, connectionId, 'github.repos.get', { owner: 'octo', repo: 'nowhere' });
      expect(missing.status).toBe(404);
      expect(missing.body.message).toBe('GitHub answered HTTP 404: Not Found');
      expect((await run(tenantA, connectionId, 'github.nothing.get', {})).status).toBe(404);
    });

    it('answers 502 naming auth when GitHub refuses the credential, and 502 when GitHub fails', async () => {
      const revoked = 'ghp_peerTokenRevokedLater000002';
      peer.acceptToken(revoked);
      const credentialId = await tenantA.createCredential('github-revoked', revoked);
      const created = await tenantA.post('/integrations/connections', { providerId: 'github', displayName: 'revoked', credentialId, configuration: { baseUrl: peer.apiUrl } });
      expect(created.body.status).toBe('Active');
      peer.revokeToken(revoked);
      const refused = await run(tenantA, created.body.id, 'github.repos.get', { owner: 'octo', repo: 'hello' });
      expect(refused.status).toBe(502);
      expect(refused.body.message).toBe("GitHub refused the connection's credential (auth; HTTP 401: Bad credentials)");
      expect(refused.text).not.toContain(revoked);

      peer.failNext('/repos/octo/hello', 503, 'Service Unavailable');
      const failed = await run(tenantA, connectionId, 'github.repos.get', { owner: 'octo', repo: 'hello' });
      expect(failed.status).toBe(502);
      expect(failed.body.message).toBe('GitHub failed (HTTP 503: Service Unavailable)');
      expect((await tenantA.get(`/integrations/runs/${failed.headers.get('x-integration-run-id')}`)).body).toMatchObject({ state: 'Failed', failure: { category: 'Transient' } });
    });

    it('keeps tenants apart: another tenant’s connection is not found, and runs nothing', async () => {
      const answer = await run(tenantB, connectionId, 'github.repos.get', { owner: 'octo', repo: 'hello' });
      expect(answer.status).toBe(404);
      expect(answer.body.message).toContain(connectionId);
      expect(
        (await tenantB.post(`/github/connections/${connectionId}/operations/github.issues.create`, { input: { owner: 'octo', repo: 'hello', title: 'x' }, async: true })).status,
      ).toBe(404);
      expect(peer.requests).toEqual([]);
      expect((await tenantB.get('/github/operations')).status).toBe(200);
    });

    it('reads a secondary rate limit (403 with retry-after) as RateLimited: 429 with GitHub’s wait', async () => {
      // A connection of its own: the wait GitHub names holds the connection's budget.
      const limited = await patConnection(tenantA, 'github-limited', { baseUrl: peer.apiUrl });
      peer.rateLimits.secondaryLimitNext(1, 30);
      const answer = await run(tenantA, limited, 'github.issues.create', { owner: 'octo', repo: 'hello', title: 'Too fast' });
      expect(answer.status).toBe(429);
      expect(answer.headers.get('retry-after')).toBe('30');
      expect(answer.body.message).toContain(SECONDARY_LIMIT_MESSAGE.slice(0, 40));
      const runId = answer.headers.get('x-integration-run-id')!;
      expect((await tenantA.get(`/integrations/runs/${runId}`)).body).toMatchObject({
        state: 'Failed',
        responseStatus: 403,
        failure: { category: 'RateLimited', code: 'secondary_rate_limit' },
      });
      // The shared budget now holds the connection back until GitHub's wait is over, without calling GitHub.
      peer.clearRequests();
      const held = await run(tenantA, limited, 'github.repos.get', { owner: 'octo', repo: 'hello' });
      expect(held.status).toBe(429);
      expect(Number(held.headers.get('retry-after'))).toBeGreaterThan(20);
      expect(peer.requests).toEqual([]);
    });

    it('runs a single-call operation asynchronously: 202 with the run, executed from the bus', async () => {
      const submitted = await run(tenantA, connectionId, 'github.repos.get', { owner: 'octo', repo: 'hello' }, { async: true, idempotencyKey: 'gh-async-1' });
      expect(submitted.status).toBe(202);
      expect(submitted.body.run).toMatchObject({ state: 'Pending', mode: 'async', operation: 'github.repos.get', idempotencyKey: 'gh-async-1' });
      const again = await run(tenantA, connectionId, 'github.repos.get', { owner: 'octo', repo: 'hello' }, { async: true, idempotencyKey: 'gh-async-1' });
      expect(again.body.runId).toBe(submitted.body.runId);
      expect(await tenantA.runIn(submitted.body.runId, ['Completed', 'Failed', 'Retrying'])).toMatchObject({ state: 'Completed', responseStatus: 200 });
      expect((await run(tenantA, connectionId, 'github.pulls.merge', { owner: 'octo', repo: 'hello', number: 1 }, { async: true })).body.message).toContain('cannot run async');
    }, 20_000);
  });

  describe('GitHub Enterprise Server', () => {
    it('calls under the configured /api/v3 base URL with the configured API version', async () => {
      const ghes = await patConnection(tenantA, 'github-enterprise', { baseUrl: enterprise.apiUrl, apiVersion: '2026-03-10' });
      expect(enterprise.requestsTo('/rate_limit').map((request) => request.path)).toEqual(['/api/v3/rate_limit']);
      const repo = await run(tenantA, ghes, 'github.repos.get', { owner: 'octo', repo: 'hello' });
      expect(repo.status).toBe(200);
      expect(repo.body.output).toMatchObject({ fullName: 'octo/hello' });
      const [sent] = enterprise.requestsTo('/repos/octo/hello');
      expect(sent.path).toBe('/api/v3/repos/octo/hello');
      expect(sent.headers['x-github-api-version']).toBe('2026-03-10');

      for (let index = 0; index < 3; index++) await run(tenantA, ghes, 'github.issues.create', { owner: 'octo', repo: 'hello', title: `GHES ${index}` });
      const page = await run(tenantA, ghes, 'github.issues.list', { owner: 'octo', repo: 'hello', perPage: 2 });
      expect(page.body.output.nextPage).toBe(2);
    });
  });

  describe('webhooks on an inbound-only connection', () => {
    let receiver: Receiver;

    beforeAll(async () => {
      receiver = await Receiver.start();
    });
    afterAll(async () => {
      await receiver?.close();
    });

    it('is Active with only a webhook secret, refuses governed calls with 409, and delivers com.github.* events', async () => {
      const secret = await tenantA.post('/integrations/credentials', { name: 'github-hook-secret', kind: 'webhook-secret', value: WEBHOOK_SECRET });
      const connection = await tenantA.post('/integrations/connections', { providerId: 'github', displayName: 'GitHub webhooks', webhook: { secretCredentialId: secret.body.id } });
      expect(connection.status).toBe(201);
      expect(connection.body).toMatchObject({ status: 'Active', credentialId: null });
      const inbound = connection.body.id as string;

      const refused = await run(tenantA, inbound, 'github.repos.get', { owner: 'octo', repo: 'hello' });
      expect(refused.status).toBe(409);
      expect(refused.body.message).toMatch(/inbound-only/);
      const refusedAsync = await run(tenantA, inbound, 'github.repos.get', { owner: 'octo', repo: 'hello' }, { async: true });
      expect(refusedAsync.status).toBe(409);
      expect(peer.requests).toEqual([]);

      const subscription = await tenantA.post('/webhooks/subscriptions', { url: receiver.url('/github-events'), eventTypes: ['com.github.*'] });
      expect(subscription.status).toBe(201);
      receiver.secrets = [subscription.body.secret];

      const body = JSON.stringify({ action: 'opened', number: 7, pull_request: { number: 7, title: 'Hello' }, repository: { full_name: 'octo/hello' } });
      const ingested = await fetch(`${platform.url}/webhooks/ingest/${inbound}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-github-event': 'pull_request',
          'x-github-delivery': 'gh-delivery-7',
          'x-hub-signature-256': await signGithub(WEBHOOK_SECRET, body),
        },
        body,
      });
      expect(ingested.status).toBe(202);

      await waitFor(() => receiver.requests.length > 0, 10_000, 'the delivery to the com.github.* subscription');
      const [delivered] = receiver.requests;
      expect(delivered.verified).toBe(true);
      const event = JSON.parse(delivered.body);
      expect(event).toMatchObject({
        type: 'com.github.pull_request.opened',
        subject: 'repos/octo/hello/pulls/7',
        tenantid: 'tenant-gh-a',
        data: { number: 7, pull_request: { title: 'Hello' } },
      });
      expect(JSON.stringify(event)).not.toContain(WEBHOOK_SECRET);
    });
  });

  it('never answers a credential', () => {
    expect(transcript.join('\n')).not.toContain(PAT);
    expect(transcript.join('\n')).not.toContain(WEBHOOK_SECRET);
    expect(platform.logs.text()).not.toContain(PAT);
  });
});
