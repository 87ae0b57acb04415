import { ApiAnswer, REGISTRY_SCOPES, TenantApi, waitFor, WEBHOOK_SCOPES } from './support/governed-api';
import { AzureDevOpsPeer, Repository, startAzureDevOpsPeer } from './support/azure-devops-peer';
import { EventRecorderModule, RecordedEvents } from './support/event-recorder';
import { KeyVaultPeer } from './support/key-vault-peer/key-vault-peer';
import { InProcessPlatform, startInProcess } from './support/platform-app';
import { newJwtSecret } from './support/tokens';

/**
 * The AzureDevOpsIntegrationService end to end, against the Azure DevOps peer (a real HTTP server
 * speaking the documented REST format): connections with a PAT, the operations under /azure-devops,
 * throttling, and service hooks through the public ingest URL. Embedded store (SQLite).
 */

const PAT = 'ado-pat-5kq9x2m7w4v8c1z6';
const HOOK_CREDENTIALS = 'service-hook:hook-password-3f81';
const PROJECT = 'Fabrikam Fiber';
/** The application id of Azure DevOps in Microsoft Entra ID: the audience of the tokens it accepts. */
const AZURE_DEVOPS_RESOURCE = '499b84ac-1321-427f-aa17-267ca6975798';
const ALL_SCOPES = `${REGISTRY_SCOPES} ${WEBHOOK_SCOPES}`;

describe('Azure DevOps integration (operations, throttling, service hooks)', () => {
  const jwtSecret = newJwtSecret();
  const transcript: string[] = [];
  let peer: AzureDevOpsPeer;
  /** Stands in for Microsoft Entra ID: the platform's Azure credential gets its tokens there. */
  let entra: KeyVaultPeer;
  let platform: InProcessPlatform;
  let tenantA: TenantApi;
  let tenantB: TenantApi;
  let connectionId: string;
  let repository: Repository;

  const patConnection = async (api: TenantApi, name: string, configuration: Record<string, unknown> = {}): Promise<ApiAnswer> => {
    const credentialId = await api.createCredential(name, PAT);
    return api.post('/integrations/connections', {
      providerId: 'azure-devops',
      displayName: name,
      credentialId,
      configuration: { baseUrl: peer.organizationUrl, ...configuration },
    });
  };

  const operation = (name: string, input: unknown, api = tenantA, connection = connectionId, extra: Record<string, unknown> = {}) =>
    api.post(`/azure-devops/connections/${connection}/operations/${name}`, { input, ...extra });

  beforeAll(async () => {
    entra = await KeyVaultPeer.start();
    peer = await startAzureDevOpsPeer({ pats: [PAT], projects: [PROJECT], acceptsBearer: (token) => entra.acceptsToken(token, AZURE_DEVOPS_RESOURCE) });
    // The Azure credential's environment, without KEYVAULT_URL: secrets stay in the embedded store.
    const { KEYVAULT_URL: _vault, ...azureIdentity } = entra.environment();
    platform = await startInProcess(
      {
        ...azureIdentity,
        AUTH_JWT_SECRET: jwtSecret,
        EGRESS_ALLOW_LIST: '127.0.0.1',
        BUS_POLL_INTERVAL: '20ms',
        APP_ROLE: 'VendorApiClientRegistryService,AzureDevOpsIntegrationService,WebhookGatewayService',
      },
      [EventRecorderModule],
    );
    tenantA = await TenantApi.create(platform.url, jwtSecret, 'tenant-ado-a', transcript, ALL_SCOPES);
    tenantB = await TenantApi.create(platform.url, jwtSecret, 'tenant-ado-b', transcript, ALL_SCOPES);
    const created = await patConnection(tenantA, 'ado-main');
    expect(created.status).toBe(201);
    connectionId = created.body.id;
  });

  beforeEach(() => {
    peer.reset();
    repository = peer.addRepository('web');
  });

  afterAll(async () => {
    await platform?.close();
    await peer?.close();
    await entra?.close();
  });

  describe('connections', () => {
    it('activates a PAT connection by its test call, sending the PAT as Basic with an empty user and api-version 7.1', async () => {
      peer.reset();
      const created = await patConnection(tenantA, 'ado-activation');
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ providerId: 'azure-devops', authMode: 'azure-devops-pat', status: 'Active', lastTest: { passed: true, status: 200 } });
      const [test] = peer.requestsTo('/_apis/connectionData');
      expect(test.headers.authorization).toBe(`Basic ${Buffer.from(`:${PAT}`).toString('base64')}`);
      expect(test.query).toMatchObject({ 'api-version': '7.1' });
      expect(test.headers['x-tfs-fedauthredirect']).toBe('Suppress');
    });

    it('authenticates with the platform’s workload identity: an Entra ID token for Azure DevOps as Bearer, no stored credential', async () => {
      await entra.assertTrusted();
      peer.reset();
      const created = await tenantA.post('/integrations/connections', {
        providerId: 'azure-devops',
        displayName: 'ado entra',
        configuration: { baseUrl: peer.organizationUrl, auth: 'azure-devops-entra' },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ authMode: 'azure-devops-entra', credentialId: null, status: 'Active' });
      repository = peer.addRepository('web');
      const listed = await operation('azure-devops.git.repositories.list', { project: PROJECT }, tenantA, created.body.id);
      expect(listed.status).toBe(200);
      expect(listed.body.output.items).toEqual([expect.objectContaining({ name: 'web' })]);
      const sent = peer.requests.map((request) => request.headers.authorization);
      expect(sent).toHaveLength(2);
      for (const authorization of sent) expect(entra.acceptsToken(authorization!.replace(/^Bearer /, ''), AZURE_DEVOPS_RESOURCE)).toBe(true);
      const tokenRequests = entra.requests.filter((request) => request.path.endsWith('/oauth2/v2.0/token'));
      // The Azure credential caches its token: one exchange for both calls.
      expect(tokenRequests).toHaveLength(1);
    });

    it('refuses a dev.azure.com base URL without the organization', async () => {
      const credentialId = await tenantA.createCredential('ado-no-org', PAT);
      const refused = await tenantA.post('/integrations/connections', {
        providerId: 'azure-devops',
        displayName: 'no org',
        credentialId,
        configuration: { baseUrl: 'https://dev.azure.com' },
      });
      expect(refused.status).toBe(400);
      expect(refused.body.message).toContain('configuration.baseUrl must name the organization');
    });

    it('sends the configured api-version instead of 7.1', async () => {
      const created = await patConnection(tenantA, 'ado-api-version', { apiVersion: '7.2-preview.1' });
      expect(created.body.status).toBe('Active');
      peer.reset();
      repository = peer.addRepository('web');
      expect((await operation('azure-devops.git.repositories.list', { project: PROJECT }, tenantA, created.body.id)).status).toBe(200);
      expect(peer.requestsTo(`/${PROJECT}/_apis/git/repositories`)[0].query).toMatchObject({ 'api-version': '7.2-preview.1' });
    });
  });

  describe('operations', () => {
    it('lists the Azure DevOps operations with their schemas, and no other vendor’s', async () => {
      const listed = await tenantA.get('/azure-devops/operations');
      expect(listed.status).toBe(200);
      const names = (listed.body.items as Array<{ name: string; providerId: string }>).map((item) => item.name);
      expect(names).toEqual(
        expect.arrayContaining(['azure-devops.git.pullrequests.create', 'azure-devops.workitems.update', 'azure-devops.workitems.query', 'azure-devops.pipelines.run']),
      );
      expect(names.every((name) => name.startsWith('azure-devops.'))).toBe(true);
      const create = listed.body.items.find((item: { name: string }) => item.name === 'azure-devops.workitems.create');
      expect(create).toMatchObject({ providerId: 'azure-devops', effect: 'write', input: { type: 'object', required: ['project', 'type', 'operations'] } });
    });

    it('creates a pull request, then lists and gets it, in a project whose name needs encoding', async () => {
      const created = await operation('azure-devops.git.pullrequests.create', {
        project: PROJECT,
        repositoryId: 'web',
        sourceRefName: 'feature/login',
        targetRefName: 'main',
        title: 'Login page',
        description: 'Adds it',
      });
      expect(created.status).toBe(200);
      expect(created.body).toMatchObject({
        runId: expect.stringMatching(/^run-/),
        output: {
          id: 1,
          title: 'Login page',
          status: 'active',
          sourceRefName: 'refs/heads/feature/login',
          targetRefName: 'refs/heads/main',
          repository: { id: repository.id, name: 'web' },
          url: expect.stringContaining('/pullRequests/1'),
        },
      });
      const [sent] = peer.requestsTo(`/${PROJECT}/_apis/git/repositories/web/pullrequests`, 'POST');
      expect(sent.rawPath).toBe('/fabrikam/Fabrikam%20Fiber/_apis/git/repositories/web/pullrequests');
      expect(sent.query).toEqual({ 'api-version': '7.1' });
      expect(JSON.parse(sent.body)).toEqual({ sourceRefName: 'refs/heads/feature/login', targetRefName: 'refs/heads/main', title: 'Login page', description: 'Adds it' });

      const listed = await operation('azure-devops.git.pullrequests.list', { project: PROJECT, repositoryId: 'web' });
      expect(listed.status).toBe(200);
      expect(listed.body.output).toEqual({ items: [expect.objectContaining({ id: 1, title: 'Login page' })], continuationToken: null });
      const got = await operation('azure-devops.git.pullrequests.get', { project: PROJECT, repositoryId: repository.id, pullRequestId: 1 });
      expect(got.body.output).toMatchObject({ id: 1, description: 'Adds it' });

      const run = await tenantA.get(`/integrations/runs/${created.body.runId}`);
      expect(run.body).toMatchObject({ connectionId, providerId: 'azure-devops', operation: 'azure-devops.git.pullrequests.create', state: 'Completed' });
    });

    it('comments on a pull request', async () => {
      peer.addPullRequests(repository, 1);
      const comment = await operation('azure-devops.git.pullrequests.comment', { project: PROJECT, repositoryId: 'web', pullRequestId: 1, content: 'Ship it' });
      expect(comment.status).toBe(200);
      expect(comment.body.output).toMatchObject({ id: 1, status: 'active', comments: [{ id: 1, content: 'Ship it' }] });
      expect(peer.git.pullRequests[0].threads).toHaveLength(1);
    });

    it('pages pull requests by $top/$skip behind the continuation token', async () => {
      peer.addPullRequests(repository, 5);
      const ids: number[] = [];
      let continuationToken: string | undefined;
      let pages = 0;
      do {
        const page = await operation('azure-devops.git.pullrequests.list', { project: PROJECT, repositoryId: 'web', top: 2, ...(continuationToken ? { continuationToken } : {}) });
        expect(page.status).toBe(200);
        ids.push(...page.body.output.items.map((item: { id: number }) => item.id));
        continuationToken = page.body.output.continuationToken ?? undefined;
        pages++;
      } while (continuationToken);
      expect(ids).toEqual([5, 4, 3, 2, 1]);
      expect(pages).toBe(3);
      expect(peer.requestsTo(`/${PROJECT}/_apis/git/repositories/web/pullrequests`).map((request) => request.query.$skip ?? '0')).toEqual(['0', '2', '4']);
    });

    it('pages pipelines across pages by x-ms-continuationtoken', async () => {
      for (const name of ['ci', 'nightly', 'release', 'docs', 'perf']) peer.addPipeline(name);
      const names: string[] = [];
      const tokens: Array<string | null> = [];
      let continuationToken: string | null = null;
      do {
        const page = await operation('azure-devops.pipelines.list', { project: PROJECT, top: 2, ...(continuationToken ? { continuationToken } : {}) });
        expect(page.status).toBe(200);
        names.push(...page.body.output.items.map((item: { name: string }) => item.name));
        continuationToken = page.body.output.continuationToken;
        tokens.push(continuationToken);
      } while (continuationToken);
      expect(names).toEqual(['ci', 'nightly', 'release', 'docs', 'perf']);
      expect(tokens).toHaveLength(3);
      expect(tokens[2]).toBeNull();
      // Each token went back to Azure DevOps as it came.
      expect(
        peer
          .requestsTo(`/${PROJECT}/_apis/pipelines`)
          .slice(1)
          .map((request) => request.query.continuationToken),
      ).toEqual(tokens.slice(0, 2));
    });

    it('runs a pipeline on a branch and reads its build', async () => {
      const pipeline = peer.addPipeline('ci');
      const run = await operation(
        'azure-devops.pipelines.run',
        { project: PROJECT, pipelineId: pipeline.id, refName: 'release/2.0', templateParameters: { environment: 'staging' } },
        tenantA,
        connectionId,
        { idempotencyKey: 'ado-run-1' },
      );
      expect(run.status).toBe(200);
      expect(run.body.output).toMatchObject({
        id: 1,
        state: 'inProgress',
        pipeline: { id: pipeline.id, name: 'ci' },
        url: expect.stringContaining(`/_apis/pipelines/${pipeline.id}/runs/1`),
      });
      expect(peer.pipelines.runs[0]).toMatchObject({ refName: 'refs/heads/release/2.0', templateParameters: { environment: 'staging' } });

      const build = await operation('azure-devops.builds.get', { project: PROJECT, buildId: run.body.output.id });
      expect(build.status).toBe(200);
      expect(build.body.output).toMatchObject({ id: 1, status: 'inProgress', sourceBranch: 'refs/heads/release/2.0', definition: { id: pipeline.id, name: 'ci' } });
    });

    it('queues a pipeline run asynchronously: 202 with the Pending run, executed from the bus with api-version and the PAT', async () => {
      const pipeline = peer.addPipeline('nightly');
      const submitted = await operation('azure-devops.pipelines.run', { project: PROJECT, pipelineId: pipeline.id }, tenantA, connectionId, {
        async: true,
        idempotencyKey: 'ado-async-1',
      });
      expect(submitted.status).toBe(202);
      expect(submitted.body.run).toMatchObject({ operation: 'azure-devops.pipelines.run', mode: 'async', idempotencyKey: 'ado-async-1' });

      const run = await tenantA.runIn(submitted.body.runId, ['Completed', 'Failed']);
      expect(run).toMatchObject({ state: 'Completed', responseStatus: 200 });
      const [sent] = peer.requestsTo(`/${PROJECT}/_apis/pipelines/${pipeline.id}/runs`, 'POST');
      expect(sent.query).toEqual({ 'api-version': '7.1' });
      expect(sent.headers.authorization).toBe(`Basic ${Buffer.from(`:${PAT}`).toString('base64')}`);
      expect(peer.pipelines.runs).toHaveLength(1);
    });

    it('creates a work item and updates it by JSON Patch, conditional on its revision', async () => {
      const created = await operation('azure-devops.workitems.create', {
        project: PROJECT,
        type: 'User Story',
        operations: [
          { op: 'add', path: '/fields/System.Title', value: 'Checkout in one step' },
          { op: 'add', path: '/fields/Microsoft.VSTS.Common.Priority', value: 2 },
        ],
      });
      expect(created.status).toBe(200);
      expect(created.body.output).toMatchObject({
        id: 1,
        rev: 1,
        type: 'User Story',
        title: 'Checkout in one step',
        state: 'New',
        fields: { 'Microsoft.VSTS.Common.Priority': 2 },
      });
      const [post] = peer.requestsTo(`/${PROJECT}/_apis/wit/workitems/$User Story`, 'POST');
      expect(post.rawPath).toBe('/fabrikam/Fabrikam%20Fiber/_apis/wit/workitems/$User%20Story');
      expect(post.headers['content-type']).toBe('application/json-patch+json');

      const updated = await operation('azure-devops.workitems.update', {
        project: PROJECT,
        id: 1,
        operations: [
          { op: 'test', path: '/rev', value: 1 },
          { op: 'replace', path: '/fields/System.State', value: 'Active' },
        ],
      });
      expect(updated.status).toBe(200);
      expect(updated.body.output).toMatchObject({ id: 1, rev: 2, state: 'Active', title: 'Checkout in one step' });
      const [patch] = peer.requestsTo(`/${PROJECT}/_apis/wit/workitems/1`, 'PATCH');
      expect(patch.headers['content-type']).toBe('application/json-patch+json');

      const got = await operation('azure-devops.workitems.get', { project: PROJECT, id: 1, fields: ['System.Title', 'System.State'] });
      expect(got.body.output).toMatchObject({
        id: 1,
        title: 'Checkout in one step',
        state: 'Active',
        fields: { 'System.Title': 'Checkout in one step', 'System.State': 'Active' },
      });
    });

    it('runs a WIQL query and reads the items it names in a batch', async () => {
      peer.addWorkItem('Bug', { 'System.Title': 'Crash on save', 'System.State': 'Active' });
      peer.addWorkItem('Bug', { 'System.Title': 'Typo', 'System.State': 'Closed' });
      peer.addWorkItem('Task', { 'System.Title': 'Write docs', 'System.State': 'Active' });
      const query = "SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @project AND [System.State] = 'Active' ORDER BY [System.Id] DESC";

      const idsOnly = await operation('azure-devops.workitems.query', { project: PROJECT, query });
      expect(idsOnly.status).toBe(200);
      expect(idsOnly.body.output).toEqual({ ids: [3, 1] });

      const withItems = await operation('azure-devops.workitems.query', { project: PROJECT, query, includeItems: true, fields: ['System.Title', 'System.State'] });
      expect(withItems.status).toBe(200);
      expect(withItems.body.output.items.map((item: { title: string }) => item.title)).toEqual(['Write docs', 'Crash on save']);
      expect(withItems.body.runIds).toHaveLength(2);
      const [batch] = peer.requestsTo(`/${PROJECT}/_apis/wit/workitemsbatch`, 'POST');
      expect(JSON.parse(batch.body)).toEqual({ ids: [3, 1], errorPolicy: 'omit', fields: ['System.Title', 'System.State'] });
    });

    it('answers 400 naming the field for input that fails the schema, calling nothing', async () => {
      const missing = await operation('azure-devops.git.pullrequests.create', { project: PROJECT, repositoryId: 'web', sourceRefName: 'a', targetRefName: 'main' });
      expect(missing.status).toBe(400);
      expect(missing.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.stringContaining("input must have required property 'title'") });

      const badPatch = await operation('azure-devops.workitems.update', { project: PROJECT, id: 1, operations: [{ op: 'add', path: '/fields/System.Title' }] });
      expect(badPatch.status).toBe(400);
      expect(badPatch.body.message).toContain("input/operations/0 must have required property 'value'");

      const unknown = await operation('azure-devops.builds.get', { project: PROJECT, buildId: 1, expand: 'all' });
      expect(unknown.status).toBe(400);
      expect(unknown.body.message).toContain("input has unknown property 'expand'");
      expect(peer.requests).toHaveLength(0);
    });

    it("keeps tenants apart: another tenant's connection is not found", async () => {
      const answer = await operation('azure-devops.git.repositories.list', { project: PROJECT }, tenantB, connectionId);
      expect(answer.status).toBe(404);
      expect(peer.requests).toHaveLength(0);
    });

    it("passes Azure DevOps' own refusals through: 404 for what does not exist, 400 with its rule error", async () => {
      const missing = await operation('azure-devops.git.pullrequests.get', { project: PROJECT, repositoryId: 'web', pullRequestId: 99 });
      expect(missing.status).toBe(404);
      expect(missing.body.message).toContain('Azure DevOps answered HTTP 404: TF401180');

      const untitled = await operation('azure-devops.workitems.create', { project: PROJECT, type: 'Bug', operations: [{ op: 'add', path: '/fields/System.State', value: 'New' }] });
      expect(untitled.status).toBe(400);
      expect(untitled.body.message).toContain('TF401320: Rule Error for field Title');
    });

    it('reads the 203 sign-in page Azure DevOps answers for a revoked PAT as a refused credential', async () => {
      peer.setUnauthenticatedAnswer('sign-in-page');
      peer.revokePat(PAT);
      try {
        const answer = await operation('azure-devops.git.repositories.list', { project: PROJECT });
        expect(answer.status).toBe(502);
        expect(answer.body.message).toContain("Azure DevOps refused the connection's credential");
        expect(peer.requests.at(-1)).toMatchObject({ method: 'GET' });
        const run = await tenantA.get(`/integrations/runs/${answer.headers.get('x-integration-run-id')}`);
        expect(run.body).toMatchObject({ state: 'Failed', responseStatus: 203, failure: { category: 'Auth' } });
        // The kernel reads the answer by the vendor's rules: the connection's test does not pass on a 2xx sign-in page either.
        const tested = await tenantA.post(`/integrations/connections/${connectionId}/test`);
        expect(tested.body.lastTest).toMatchObject({ passed: false, status: 203, category: 'Auth' });
      } finally {
        peer.acceptPat(PAT);
        peer.setUnauthenticatedAnswer('401');
      }
    });
  });

  describe('throttling', () => {
    it('fails a throttled call as RateLimited, answers 429 with its Retry-After, and holds the connection’s budget until then', async () => {
      const created = await patConnection(tenantA, 'ado-throttled');
      const throttled = created.body.id as string;
      peer.reset();
      peer.throttleNext(1, { retryAfterSeconds: 30 });

      const answer = await operation('azure-devops.git.repositories.list', { project: PROJECT }, tenantA, throttled);
      expect(answer.status).toBe(429);
      expect(answer.headers.get('retry-after')).toBe('30');
      expect(answer.body.message).toContain('Azure DevOps rate limit reached');
      const runId = answer.headers.get('x-integration-run-id')!;
      const run = await tenantA.get(`/integrations/runs/${runId}`);
      expect(run.body).toMatchObject({ state: 'Failed', responseStatus: 429, failure: { category: 'RateLimited' } });

      // Azure DevOps said when to come back: the next call waits without reaching it.
      const next = await operation('azure-devops.git.repositories.list', { project: PROJECT }, tenantA, throttled);
      expect(next.status).toBe(429);
      expect(Number(next.headers.get('retry-after'))).toBeGreaterThan(20);
      expect(peer.requests).toHaveLength(1);
    });
  });

  describe('service hooks', () => {
    const pullRequestCreated = (id: string) =>
      JSON.stringify({
        subscriptionId: '00000000-0000-0000-0000-000000000000',
        notificationId: 3,
        id,
        eventType: 'git.pullrequest.created',
        publisherId: 'tfs',
        resource: {
          repository: { id: '4bc14d40-c903-45e2-872e-0462c7748079', name: 'web', project: { id: '6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c', name: 'Fabrikam' } },
          pullRequestId: 7,
          status: 'active',
          title: 'my first pull request',
        },
        resourceVersion: '1.0',
        resourceContainers: { project: { id: '6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c' } },
        createdDate: '2025-05-01T10:00:00Z',
      });

    it('ingests a service hook sent with the configured Basic credentials and publishes it normalised, with its subject', async () => {
      const secret = await tenantA.post('/integrations/credentials', { name: 'ado-hook', kind: 'webhook-secret', value: HOOK_CREDENTIALS });
      const connection = await tenantA.post('/integrations/connections', { providerId: 'azure-devops', displayName: 'ado hooks', webhook: { secretCredentialId: secret.body.id } });
      expect(connection.status).toBe(201);
      expect(connection.body.status).toBe('Active');
      const hooks = connection.body.id as string;
      const events = platform.app.get(RecordedEvents);

      const body = pullRequestCreated('2ab4e3d3-b7a6-425e-92b1-5a9982c1269e');
      const ingest = (authorization: string) =>
        fetch(`${platform.url}/webhooks/ingest/${hooks}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body });
      expect((await ingest(`Basic ${Buffer.from('service-hook:wrong').toString('base64')}`)).status).toBe(401);

      const accepted = await ingest(`Basic ${Buffer.from(HOOK_CREDENTIALS).toString('base64')}`);
      expect(accepted.status).toBe(202);
      const { deliveryId } = (await accepted.json()) as { deliveryId: string };
      const delivery = await tenantA.get(`/webhooks/deliveries/${deliveryId}`);
      expect(delivery.body).toMatchObject({
        direction: 'in',
        connectionId: hooks,
        vendorDeliveryId: '2ab4e3d3-b7a6-425e-92b1-5a9982c1269e',
        eventType: 'com.azure-devops.git.pullrequest.created',
      });

      await waitFor(() => events.ofType('com.azure-devops.git.pullrequest.created').length > 0, 5_000, 'the normalised WebhookReceived');
      expect(events.ofType('com.azure-devops.git.pullrequest.created')[0]).toMatchObject({
        tenantid: 'tenant-ado-a',
        subject: 'projects/Fabrikam/repos/web/pullrequests/7',
        data: { eventType: 'git.pullrequest.created', resource: { pullRequestId: 7 } },
      });

      // The hook's own connection calls nothing: it has no API credential.
      const refused = await operation('azure-devops.git.repositories.list', { project: PROJECT }, tenantA, hooks);
      expect(refused.status).toBe(409);
    });
  });

  // Last: it reads what every test above left behind.
  it('never answered or logged the PAT or the hook password', () => {
    const everything = transcript.join('\n');
    for (const secret of [PAT, Buffer.from(`:${PAT}`).toString('base64'), HOOK_CREDENTIALS, Buffer.from(HOOK_CREDENTIALS).toString('base64')]) {
      expect(everything).not.toContain(secret);
      expect(platform.logs.text()).not.toContain(secret);
    }
  });
});
