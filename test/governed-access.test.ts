import { DataSource } from 'typeorm';
import { dumpStore, filesUnder, storedEvents, TenantApi, waitFor } from './support/governed-api';
import { InProcessPlatform, startInProcess } from './support/platform-app';
import { newJwtSecret } from './support/tokens';
import { startVendorPeer, VendorPeer } from './support/vendor-peer';

/**
 * Governed vendor access end to end, against the vendor peer (a real HTTP server): the registry API,
 * the pipeline (credentials, budgets, egress, runs) and the bus, on the embedded store (SQLite). Only
 * the registry role runs, so no worker (health probes, retries) acts on the connections behind the
 * tests' backs.
 */

const BEARER = 'vendor-bearer-4f1c9a7e2b';
const API_KEY = 'vendor-apikey-8d2e6b0c3a';
const OAUTH_CLIENT = { clientId: 'platform-client', clientSecret: 'oauth-client-secret-71be04d9' };

describe('governed vendor access (one instance, SQLite)', () => {
  const jwtSecret = newJwtSecret();
  /** Every answer of the API in this file: the secret scan reads it. */
  const transcript: string[] = [];
  /** Every credential value (and vendor-issued token) used in this file: none may leak. */
  const secretValues = new Set<string>([BEARER, API_KEY, OAUTH_CLIENT.clientSecret]);
  let peer: VendorPeer;
  let platform: InProcessPlatform;
  let dataDir: string;
  let tenantA: TenantApi;
  let tenantB: TenantApi;

  const store = () => platform.app.get(DataSource);
  const bearerConnection = async (api: TenantApi, name: string, extra: Record<string, unknown> = {}) => {
    const credentialId = await api.createCredential(name, BEARER);
    const created = await api.createConnection({ credentialId, configuration: { baseUrl: `${peer.url}/api`, healthPath: '/echo' }, ...extra });
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('Active');
    // What the peer sees from here on is the test's own doing.
    peer.reset();
    return created.body.id as string;
  };

  beforeAll(async () => {
    peer = await startVendorPeer({
      auth: { bearer: [BEARER], apiKey: { header: 'X-API-Key', keys: [API_KEY] }, oauth: true },
      oauthClients: [OAUTH_CLIENT],
    });
    platform = await startInProcess({
      AUTH_JWT_SECRET: jwtSecret,
      APP_ROLE: 'VendorApiClientRegistryService',
      EGRESS_ALLOW_LIST: '127.0.0.1',
      BUS_POLL_INTERVAL: '50ms',
    });
    dataDir = process.env.DATA_DIR!;
    tenantA = await TenantApi.create(platform.url, jwtSecret, 'tenant-a', transcript);
    tenantB = await TenantApi.create(platform.url, jwtSecret, 'tenant-b', transcript);
  });
  afterAll(async () => {
    await platform?.close();
    await peer?.close();
  });
  afterEach(() => peer.reset());

  describe('credentials', () => {
    it('stores a value and answers its reference, version and fingerprint, never the value', async () => {
      const created = await tenantA.post('/integrations/credentials', { name: 'reference-only', value: BEARER });

      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        id: expect.stringMatching(/^cred-[0-9a-f]{32}$/),
        name: 'reference-only',
        kind: 'secret',
        origin: 'stored',
        secretRef: expect.stringMatching(/^t-[0-9a-f]{16}-cred-/),
        version: expect.any(String),
        fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
        status: 'Active',
      });
      expect(created.text).not.toContain(BEARER);
      const read = await tenantA.get(`/integrations/credentials/${created.body.id}`);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ id: created.body.id, version: created.body.version, fingerprint: created.body.fingerprint });
      expect(read.text).not.toContain(BEARER);

      // The same value fingerprints alike (the fingerprint identifies a value); another value does not.
      const same = await tenantA.post('/integrations/credentials', { name: 'reference-only-twin', value: BEARER });
      const other = await tenantA.post('/integrations/credentials', { name: 'reference-only-other', value: `${BEARER}-other` });
      expect(same.body.fingerprint).toBe(created.body.fingerprint);
      expect(other.body.fingerprint).not.toBe(created.body.fingerprint);
    });

    it.each([
      ['both value and secretRef', { name: 'bad-both', value: 'x', secretRef: 't-0000000000000000-x' }],
      ['neither value nor secretRef', { name: 'bad-neither' }],
      ['an oauth2-client value that is not JSON', { name: 'bad-oauth', kind: 'oauth2-client', value: 'not json at all' }],
      ['an oauth2-client value without clientSecret', { name: 'bad-oauth-shape', kind: 'oauth2-client', value: '{"clientId":"c"}' }],
      ['an unknown kind', { name: 'bad-kind', kind: 'password', value: 'x' }],
      ['an invalid name', { name: '../etc', value: 'x' }],
    ])('answers 400 for %s', async (_case, body) => {
      const answer = await tenantA.post('/integrations/credentials', body);
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.any(String) });
      expect(answer.text).not.toContain('not json at all');
    });

    it('answers 409 for a name the tenant already uses, and lets another tenant use it', async () => {
      expect((await tenantA.post('/integrations/credentials', { name: 'taken-name', value: 'first-value' })).status).toBe(201);
      const again = await tenantA.post('/integrations/credentials', { name: 'taken-name', value: 'second-value' });
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ statusCode: 409, message: expect.stringContaining('taken-name') });
      expect((await tenantB.post('/integrations/credentials', { name: 'taken-name', value: 'first-value' })).status).toBe(201);
      secretValues.add('first-value').add('second-value');
    });
  });

  describe('connection activation', () => {
    it('activates a connection whose first test passes, and announces it', async () => {
      const credentialId = await tenantA.createCredential('activation-ok', BEARER);
      const created = await tenantA.createConnection({ credentialId, configuration: { baseUrl: peer.url, healthPath: '/health' } });

      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ status: 'Active', health: 'Healthy', authMode: 'bearer', credentialId, lastTest: { passed: true, status: 200 } });
      expect(Date.parse(created.body.establishedAt)).not.toBeNaN();
      expect(peer.requests.filter((request) => request.path === '/health').map((request) => request.headers.authorization)).toEqual([`Bearer ${BEARER}`]);

      const connectionId = created.body.id as string;
      expect((await tenantA.get(`/integrations/connections/${connectionId}`)).body).toMatchObject({
        status: 'Active',
        health: 'Healthy',
        establishedAt: created.body.establishedAt,
      });
      const established = (await storedEvents(store(), 'integration-connection-established')).filter(({ event }) => event.subject === connectionId);
      expect(established.length).toBeGreaterThan(0);
      expect(established[0].event).toMatchObject({
        type: 'IntegrationConnectionEstablished',
        tenantid: 'tenant-a',
        data: { connectionId, providerId: 'generic-rest', testRunId: created.body.lastTest.runId },
      });
    });

    it('leaves a connection whose test fails Pending, and activates it once a test passes', async () => {
      const credentialId = await tenantA.createCredential('activation-late', 'a-key-the-vendor-does-not-know-yet');
      secretValues.add('a-key-the-vendor-does-not-know-yet');
      const created = await tenantA.createConnection({ credentialId, configuration: { baseUrl: peer.url, healthPath: '/health' } });

      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ status: 'Pending', establishedAt: null, lastTest: { passed: false, status: 401, category: 'Auth' } });
      const connectionId = created.body.id as string;
      expect((await storedEvents(store(), 'integration-connection-established')).filter(({ event }) => event.subject === connectionId)).toEqual([]);
      // A Pending connection runs nothing but its tests.
      const refused = await tenantA.call(connectionId, { method: 'GET', path: '/api/items' });
      expect(refused.status).toBe(409);
      expect(peer.count('/api')).toBe(0);

      peer.setAuth({ ...peer.authConfig, bearer: [BEARER, 'a-key-the-vendor-does-not-know-yet'] });
      try {
        const tested = await tenantA.post(`/integrations/connections/${connectionId}/test`);
        expect(tested.status).toBe(200);
        expect(tested.body).toMatchObject({ status: 'Active', health: 'Healthy', lastTest: { passed: true, status: 200 } });
        expect(Date.parse(tested.body.establishedAt)).not.toBeNaN();
        const established = (await storedEvents(store(), 'integration-connection-established')).filter(({ event }) => event.subject === connectionId);
        expect(established.length).toBeGreaterThan(0);
      } finally {
        peer.setAuth({ ...peer.authConfig, bearer: [BEARER] });
      }
    });
  });

  describe('governed requests', () => {
    let connectionId: string;
    beforeAll(async () => {
      connectionId = await bearerConnection(tenantA, 'requests-bearer');
    });

    it("answers the vendor's status, headers and body with the run, and injects the credential", async () => {
      const answer = await tenantA.call(connectionId, {
        method: 'POST',
        path: '/echo/things',
        query: { page: '2', tag: ['a', 'b'] },
        headers: { 'X-Request-Tag': 'governed' },
        body: { hello: 'vendor' },
      });

      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        runId: expect.stringMatching(/^run-/),
        status: 200,
        bodyEncoding: 'json',
        headers: expect.objectContaining({ 'content-type': expect.stringContaining('application/json') }),
        body: { method: 'POST', path: '/api/echo/things', query: { page: '2', tag: ['a', 'b'] }, body: '{"hello":"vendor"}' },
        run: { id: answer.body.runId, state: 'Completed', mode: 'sync', purpose: 'call', attempts: 1, responseStatus: 200 },
      });
      expect(answer.body.body.headers).toMatchObject({ 'x-request-tag': 'governed', 'content-type': 'application/json' });
      expect(answer.headers.get('x-integration-run-id')).toBe(answer.body.runId);
      const seen = peer.requests.filter((request) => request.path === '/api/echo/things');
      expect(seen).toHaveLength(1);
      expect(seen[0].headers.authorization).toBe(`Bearer ${BEARER}`);

      const run = await tenantA.get(`/integrations/runs/${answer.body.runId}`);
      expect(run.status).toBe(200);
      expect(run.body).toMatchObject({
        id: answer.body.runId,
        connectionId,
        providerId: 'generic-rest',
        operation: 'POST /echo/things',
        state: 'Completed',
        attempts: 1,
        failure: null,
      });
      expect(run.body.attemptHistory).toEqual([expect.objectContaining({ attempt: 1, statusCode: 200, latencyMs: expect.any(Number), failureCategory: null, error: null })]);
      expect(run.body.attemptHistory[0].latencyMs).toBeGreaterThanOrEqual(0);
      expect(run.text).not.toContain(BEARER);
    });

    it('injects an API key in its header', async () => {
      const credentialId = await tenantA.createCredential('requests-api-key', API_KEY);
      const created = await tenantA.createConnection({ credentialId, configuration: { baseUrl: peer.url, healthPath: '/health', auth: 'api-key', apiKeyHeader: 'X-API-Key' } });
      expect(created.body).toMatchObject({ status: 'Active', authMode: 'api-key' });

      const answer = await tenantA.call(created.body.id, { method: 'GET', path: '/api/items' });
      expect(answer.body).toMatchObject({ status: 200, body: [] });
      const seen = peer.requests.filter((request) => request.path === '/api/items');
      expect(seen.map((request) => request.headers['x-api-key'])).toEqual([API_KEY]);
      expect(seen[0].headers.authorization).toBeUndefined();
      // The connection's key header is the platform's, like Authorization.
      expect((await tenantA.call(created.body.id, { method: 'GET', path: '/api/items', headers: { 'x-api-key': 'mine' } })).status).toBe(400);
    });

    it.each([
      ['an Authorization header', { method: 'GET', path: '/echo', headers: { Authorization: 'Bearer caller-token' } }, /authorization/i],
      ['a path escaping the base URL', { method: 'GET', path: '/../health' }, /base URL/],
      ['an encoded path escaping the base URL', { method: 'GET', path: '/%2e%2e/health' }, /base URL/],
      ['a path carrying a query', { method: 'GET', path: '/echo?x=1' }, /query/],
      ['a body on a GET', { method: 'GET', path: '/echo', body: 'text' }, /no body/],
      ['an unknown method', { method: 'TRACE', path: '/echo' }, /method/],
    ])('answers 400 for %s, and sends nothing', async (_case, request, message) => {
      const answer = await tenantA.call(connectionId, request);
      expect(answer.status).toBe(400);
      expect(answer.body.message).toMatch(message);
      expect(peer.requests).toEqual([]);
    });

    it.each([
      ['an encoded slash after a dot segment', '/echo/..%2f..%2fhealth'],
      ['an encoded dot segment', '/echo/%2e%2e/things'],
      ['an encoded backslash', '/echo/..%5C..%5Chealth'],
      ['an encoded NUL', '/echo/report%00.json'],
      ['a double-encoded slash', '/echo/..%252f..%252fhealth'],
    ])('answers 400 naming a path with %s, and sends nothing', async (_case, path) => {
      const answer = await tenantA.call(connectionId, { method: 'GET', path });

      expect(answer.status).toBe(400);
      expect(answer.body.message).toContain(JSON.stringify(path));
      expect(answer.body.message).toMatch(/base URL/);
      expect(peer.requests).toEqual([]);
    });

    it('passes a vendor 503 through, and records the run as Failed (Transient)', async () => {
      peer.failNext('/api/echo', 1, 503);
      const answer = await tenantA.call(connectionId, { method: 'GET', path: '/echo' });

      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        status: 503,
        body: { message: 'Service Unavailable' },
        run: { state: 'Failed', failure: { category: 'Transient', code: 'service_unavailable' } },
      });
      const run = await tenantA.get(`/integrations/runs/${answer.body.runId}`);
      expect(run.body).toMatchObject({ state: 'Failed', responseStatus: 503, failure: { category: 'Transient' } });
      expect(run.body.attemptHistory).toEqual([expect.objectContaining({ attempt: 1, statusCode: 503, failureCategory: 'Transient' })]);
      expect(run.body.failures).toEqual([expect.objectContaining({ category: 'Transient', code: 'service_unavailable', retryable: true })]);
    });

    it('lists runs by connection and by state', async () => {
      const other = await bearerConnection(tenantA, 'requests-list-other');
      await tenantA.call(other, { method: 'GET', path: '/echo' });
      peer.failNext('/api/echo', 1, 503);
      const failed = await tenantA.call(other, { method: 'GET', path: '/echo' });
      const completed = await tenantA.call(other, { method: 'GET', path: '/echo' });

      const all = await tenantA.get(`/integrations/runs?connectionId=${other}`);
      expect(all.status).toBe(200);
      // The connection's test run, then three calls; newest first.
      expect(all.body.items.map((run: { connectionId: string }) => run.connectionId)).toEqual([other, other, other, other]);
      expect(all.body.items[0].id).toBe(completed.body.runId);
      expect(all.body.items.map((run: { purpose: string }) => run.purpose).sort()).toEqual(['call', 'call', 'call', 'test']);

      const onlyFailed = await tenantA.get(`/integrations/runs?connectionId=${other}&status=Failed`);
      expect(onlyFailed.body.items.map((run: { id: string }) => run.id)).toEqual([failed.body.runId]);
      const page = await tenantA.get(`/integrations/runs?connectionId=${other}&limit=2`);
      expect(page.body.items).toHaveLength(2);
      const next = await tenantA.get(`/integrations/runs?connectionId=${other}&limit=2&cursor=${page.body.nextCursor}`);
      expect([...page.body.items, ...next.body.items].map((run: { id: string }) => run.id)).toEqual(all.body.items.map((run: { id: string }) => run.id));
      expect(next.body.nextCursor).toBeNull();
      expect((await tenantA.get('/integrations/runs?cursor=not-a-cursor')).status).toBe(400);

      expect((await tenantA.get('/integrations/runs?status=Sideways')).status).toBe(400);
    });

    it('calls the vendor once for an idempotency key, and refuses the key again', async () => {
      const first = await tenantA.call(connectionId, { method: 'POST', path: '/items', body: {}, idempotencyKey: 'sync-once' });
      expect(first.body).toMatchObject({ status: 201, run: { idempotencyKey: 'sync-once' } });

      const again = await tenantA.call(connectionId, { method: 'POST', path: '/items', body: {}, idempotencyKey: 'sync-once' });
      expect(again.status).toBe(409);
      expect(again.body.message).toContain(first.body.runId);
      expect(peer.count('/api/items')).toBe(1);
    });

    it('claims an idempotency key before calling: of two simultaneous calls, one reaches the vendor', async () => {
      peer.reset();
      const answers = await Promise.all([1, 2].map(() => tenantA.call(connectionId, { method: 'POST', path: '/items', body: {}, idempotencyKey: 'sync-race' })));
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
      expect(peer.count('/api/items')).toBe(1);
    });

    it('refuses calls on a retired connection without reaching the vendor', async () => {
      const retiring = await bearerConnection(tenantA, 'requests-retired');
      const retired = await tenantA.post(`/integrations/connections/${retiring}/retire`);
      expect(retired.status).toBe(200);
      expect(retired.body).toMatchObject({ status: 'Retired', retiredAt: expect.any(String) });
      peer.reset();

      const answer = await tenantA.call(retiring, { method: 'GET', path: '/echo' });
      expect(answer.status).toBe(409);
      expect(answer.body.message).toMatch(/retired/);
      expect((await tenantA.call(retiring, { method: 'GET', path: '/echo', async: true })).status).toBe(409);
      expect((await tenantA.post(`/integrations/connections/${retiring}/test`)).status).toBe(409);
      expect(peer.requests).toEqual([]);
    });
  });

  describe('OAuth2 client credentials', () => {
    const oauthConfiguration = () => ({
      baseUrl: peer.url,
      healthPath: '/health',
      auth: 'oauth2-client-credentials',
      tokenUrl: `${peer.url}/oauth/token`,
      scopes: ['items:read', 'items:write'],
    });
    const accessTokensSeen = () => {
      const tokens = peer.requests.flatMap((request) =>
        request.path !== '/oauth/token' && request.headers.authorization ? [request.headers.authorization.replace(/^Bearer /, '')] : [],
      );
      tokens.forEach((token) => secretValues.add(token));
      return tokens;
    };
    const oauthConnection = async (name: string, clientSecret = OAUTH_CLIENT.clientSecret) => {
      const credentialId = await tenantA.createCredential(name, JSON.stringify({ clientId: OAUTH_CLIENT.clientId, clientSecret }), 'oauth2-client');
      return tenantA.createConnection({ credentialId, configuration: oauthConfiguration() });
    };

    it('activates with a token from the grant, reuses it for many calls, and renews it when the vendor drops it', async () => {
      const created = await oauthConnection('oauth-good');
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ status: 'Active', health: 'Healthy', authMode: 'oauth2-client-credentials' });
      const connectionId = created.body.id as string;
      const grant = peer.requests.find((request) => request.path === '/oauth/token')!;
      expect(grant.body).toContain('grant_type=client_credentials');
      expect(grant.body).toContain('scope=items%3Aread+items%3Awrite');

      for (let call = 0; call < 5; call++) expect((await tenantA.call(connectionId, { method: 'GET', path: '/api/items' })).body.status).toBe(200);
      expect(peer.tokenGrants.client_credentials).toBe(1);
      expect(new Set(accessTokensSeen()).size).toBe(1);

      // The vendor ends the token before its stated expiry: 401 inside the pipeline, one new grant, the call succeeds.
      peer.expireAccessTokens();
      const renewed = await tenantA.call(connectionId, { method: 'GET', path: '/api/items' });
      expect(renewed.body).toMatchObject({ status: 200, run: { state: 'Completed', attempts: 1 } });
      expect(peer.tokenGrants.client_credentials).toBe(2);
      const sent = peer.requests.filter((request) => request.path === '/api/items').map((request) => request.headers.authorization);
      // The rejected token was sent once more, then the renewed one.
      expect(sent.at(-2)).toBe(sent[0]);
      expect(sent.at(-1)).not.toBe(sent[0]);
      for (let call = 0; call < 3; call++) expect((await tenantA.call(connectionId, { method: 'GET', path: '/api/items' })).body.status).toBe(200);
      expect(peer.tokenGrants.client_credentials).toBe(2);
      expect(new Set(accessTokensSeen()).size).toBe(2);
    });

    it('leaves a connection whose client secret the token endpoint refuses Pending', async () => {
      secretValues.add('a-wrong-client-secret');
      const created = await oauthConnection('oauth-wrong-secret', 'a-wrong-client-secret');

      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ status: 'Pending', lastTest: { passed: false, category: 'Auth', code: 'oauth_refresh_failed' } });
      expect(created.body.lastTest.message).toMatch(/token endpoint refused/);
      expect(peer.tokenGrants.client_credentials).toBe(0);
      expect(peer.count('/health')).toBe(0);
    });

    it('degrades an Active connection whose client the token endpoint stops accepting', async () => {
      const created = await oauthConnection('oauth-revoked');
      expect(created.body.status).toBe('Active');
      const connectionId = created.body.id as string;

      // The client's secret is revoked at the vendor: its token ends, and the token endpoint refuses the client.
      peer.expireAccessTokens();
      peer.enqueue('/oauth/token', {
        status: 401,
        headers: { 'www-authenticate': 'Basic realm="vendor"' },
        body: { error: 'invalid_client', error_description: 'Client authentication failed' },
      });
      const failed = await tenantA.call(connectionId, { method: 'GET', path: '/api/items' });

      expect(failed.status).toBe(502);
      expect(failed.body.message).toMatch(/token endpoint refused/);
      const runId = failed.headers.get('x-integration-run-id');
      expect(runId).toMatch(/^run-/);
      expect((await tenantA.get(`/integrations/runs/${runId}`)).body).toMatchObject({ state: 'Failed', failure: { category: 'Auth', code: 'oauth_refresh_failed' } });
      expect((await tenantA.get(`/integrations/connections/${connectionId}`)).body).toMatchObject({ status: 'Degraded', health: 'Degraded' });
      const healthChanged = (await storedEvents(store(), 'external-api-health-changed')).filter(({ event }) => event.subject === connectionId);
      expect(healthChanged[0]?.event.data).toMatchObject({ previous: { status: 'Active' }, current: { status: 'Degraded' }, reason: 'oauth_refresh_failed' });

      // Degraded runs nothing until a test passes again.
      peer.reset();
      expect((await tenantA.call(connectionId, { method: 'GET', path: '/api/items' })).status).toBe(409);
      expect(peer.count('/api')).toBe(0);
      expect((await tenantA.post(`/integrations/connections/${connectionId}/test`)).body).toMatchObject({ status: 'Active', lastTest: { passed: true } });
      expect((await tenantA.call(connectionId, { method: 'GET', path: '/api/items' })).body.status).toBe(200);
      accessTokensSeen();
    });
  });

  describe("the vendor's rate limits", () => {
    it('refuses calls locally, with Retry-After, while a vendor 429 says to wait', async () => {
      const connectionId = await bearerConnection(tenantA, 'limits-429');
      peer.failNext('/api/echo', 1, 429, { 'Retry-After': '30' });
      const limited = await tenantA.call(connectionId, { method: 'GET', path: '/echo' });
      expect(limited.body).toMatchObject({ status: 429, run: { state: 'Failed', failure: { category: 'RateLimited' } } });

      for (let call = 0; call < 3; call++) {
        const refused = await tenantA.call(connectionId, { method: 'GET', path: '/echo' });
        expect(refused.status).toBe(429);
        // The vendor's 30 s, then the time the emptied bucket takes to refill one call, rounded up.
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(28);
        expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(31);
        expect(refused.body.message).toMatch(/rate budget/);
        const runId = refused.headers.get('x-integration-run-id')!;
        expect((await tenantA.get(`/integrations/runs/${runId}`)).body).toMatchObject({
          state: 'Failed',
          attempts: 0,
          failure: { category: 'RateLimited', code: 'rate_budget_exhausted' },
        });
      }
      expect(peer.count('/api')).toBe(1);
      // Another connection to the same vendor has its own budget.
      const other = await bearerConnection(tenantA, 'limits-429-other');
      expect((await tenantA.call(other, { method: 'GET', path: '/echo' })).body.status).toBe(200);
    });

    it('lets calls through again once the wait is over', async () => {
      const connectionId = await bearerConnection(tenantA, 'limits-429-short');
      peer.failNext('/api/echo', 1, 429, { 'Retry-After': '1' });
      expect((await tenantA.call(connectionId, { method: 'GET', path: '/echo' })).body.status).toBe(429);
      const limitedAt = Date.now();

      let answer = await tenantA.call(connectionId, { method: 'GET', path: '/echo' });
      expect(answer.status).toBe(429);
      await waitFor(async () => (answer = await tenantA.call(connectionId, { method: 'GET', path: '/echo' })).status !== 429, 5_000, 'the block to end');
      expect(answer.body.status).toBe(200);
      expect(Date.now() - limitedAt).toBeGreaterThanOrEqual(900);
      expect(peer.count('/api')).toBe(2);
    });

    it("honours GitHub's remaining count and reset time", async () => {
      const connectionId = await bearerConnection(tenantA, 'limits-github');
      peer.rateLimit({ limit: 2, windowMs: 60_000 });
      expect((await tenantA.call(connectionId, { method: 'GET', path: '/items' })).body).toMatchObject({ status: 200, headers: { 'x-ratelimit-remaining': '1' } });
      expect((await tenantA.call(connectionId, { method: 'GET', path: '/items' })).body).toMatchObject({ status: 200, headers: { 'x-ratelimit-remaining': '0' } });

      const refused = await tenantA.call(connectionId, { method: 'GET', path: '/items' });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(50);
      expect(peer.count('/api')).toBe(2);
    });
  });

  describe('asynchronous runs', () => {
    let connectionId: string;
    beforeAll(async () => {
      connectionId = await bearerConnection(tenantA, 'async-runs', { retryPolicy: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 } });
    });

    it('accepts the call with a Pending run and executes it from the bus', async () => {
      const accepted = await tenantA.call(connectionId, { method: 'POST', path: '/items', body: { name: 'created later' }, async: true });

      expect(accepted.status).toBe(202);
      expect(accepted.body).toMatchObject({ id: expect.stringMatching(/^run-/), connectionId, state: 'Pending', mode: 'async', attempts: 0 });
      expect(accepted.headers.get('x-integration-run-id')).toBe(accepted.body.id);
      const run = await tenantA.runIn(accepted.body.id, ['Completed', 'Failed']);
      expect(run).toMatchObject({ state: 'Completed', attempts: 1, responseStatus: 201, externalRef: 'item_1', failure: null });
      expect(run.attemptHistory).toEqual([expect.objectContaining({ attempt: 1, statusCode: 201 })]);
      const created = peer.requests.filter((request) => request.path === '/api/items');
      expect(created).toHaveLength(1);
      expect(created[0]).toMatchObject({ method: 'POST', body: '{"name":"created later"}', headers: { authorization: `Bearer ${BEARER}`, 'content-type': 'application/json' } });
      const completed = (await storedEvents(store(), 'integration-run-completed')).filter(({ event }) => event.subject === run.id);
      expect(completed[0]?.event.data).toMatchObject({ runId: run.id, connectionId, status: 201, externalRef: 'item_1' });
    });

    it('answers the same run for the same idempotency key, and runs it once', async () => {
      const first = await tenantA.call(connectionId, { method: 'POST', path: '/items', body: {}, async: true, idempotencyKey: 'order-42' });
      const second = await tenantA.call(connectionId, { method: 'POST', path: '/items', body: {}, async: true, idempotencyKey: 'order-42' });
      expect(second.body.id).toBe(first.body.id);
      await tenantA.runIn(first.body.id, ['Completed']);
      expect(peer.count('/api/items')).toBe(1);
    });

    it('ends Failed (Transient, retryable) when the vendor fails, and announces IntegrationFailed for the retry worker', async () => {
      peer.failNext('/api/items', 1, 503);
      const accepted = await tenantA.call(connectionId, { method: 'POST', path: '/items', body: {}, async: true });
      expect(accepted.status).toBe(202);

      const run = await tenantA.runIn(accepted.body.id, ['Failed', 'Completed']);
      expect(run).toMatchObject({ state: 'Failed', mode: 'async', attempts: 1, responseStatus: 503, failure: { category: 'Transient', code: 'service_unavailable' } });
      expect(run.failures).toEqual([expect.objectContaining({ category: 'Transient', retryable: true })]);
      const failed = (await storedEvents(store(), 'integration-failed')).filter(({ event }) => event.subject === run.id);
      expect(failed.map(({ entity }) => entity)).toContain('integration-failed/Subscriptions/IntegrationRetryWorker');
      expect(failed[0].event).toMatchObject({
        type: 'IntegrationFailed',
        tenantid: 'tenant-a',
        data: { runId: run.id, connectionId, mode: 'async', purpose: 'call', attempt: 1, category: 'Transient', retryable: true, status: 503 },
      });
      // One attempt per run: retrying is the retry worker's job, not the pipeline's.
      expect(peer.count('/api/items')).toBe(1);
    });
  });

  describe('tenant isolation', () => {
    it("answers 404 to another tenant on every endpoint, and lists none of the owner's items", async () => {
      const connectionId = await bearerConnection(tenantA, 'isolation-owned');
      const credentialId = (await tenantA.get(`/integrations/connections/${connectionId}`)).body.credentialId as string;
      const runId = (await tenantA.call(connectionId, { method: 'GET', path: '/echo' })).body.runId as string;
      peer.reset();

      const attempts = [
        await tenantB.get(`/integrations/connections/${connectionId}`),
        await tenantB.post(`/integrations/connections/${connectionId}/test`),
        await tenantB.post(`/integrations/connections/${connectionId}/retire`),
        await tenantB.call(connectionId, { method: 'GET', path: '/echo' }),
        await tenantB.call(connectionId, { method: 'GET', path: '/echo', async: true }),
        await tenantB.get(`/integrations/credentials/${credentialId}`),
        await tenantB.post('/integrations/credentials/rotate', { credentialId, value: 'tenant-b-overwrite' }),
        await tenantB.get(`/integrations/runs/${runId}`),
      ];
      for (const answer of attempts) {
        expect(answer.status).toBe(404);
        expect(answer.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
      }
      // A connection of B's may not use A's credential either.
      expect((await tenantB.createConnection({ credentialId, configuration: { baseUrl: peer.url, healthPath: '/health' } })).status).toBe(400);
      expect(peer.requests).toEqual([]);

      const ids = (answer: { body: { items: Array<{ id: string }> } }) => answer.body.items.map((item) => item.id);
      expect(ids(await tenantB.get('/integrations/connections'))).not.toContain(connectionId);
      expect(ids(await tenantB.get('/integrations/credentials'))).not.toContain(credentialId);
      expect(ids(await tenantB.get('/integrations/runs'))).not.toContain(runId);
      expect(ids(await tenantB.get(`/integrations/runs?connectionId=${connectionId}`))).toEqual([]);
      // Untouched for its owner.
      expect(ids(await tenantA.get('/integrations/connections'))).toContain(connectionId);
      expect((await tenantA.get(`/integrations/connections/${connectionId}`)).body.status).toBe('Active');
      expect((await tenantA.get(`/integrations/credentials/${credentialId}`)).body.rotations).toEqual([]);
    });
  });
  describe('egress', () => {
    let closed: InProcessPlatform;
    let api: TenantApi;
    let credentialId: string;
    beforeAll(async () => {
      // The same platform without EGRESS_ALLOW_LIST: loopback, private and metadata addresses are out of reach.
      closed = await startInProcess({ AUTH_JWT_SECRET: jwtSecret, APP_ROLE: 'VendorApiClientRegistryService', EGRESS_ALLOW_LIST: undefined });
      api = await TenantApi.create(closed.url, jwtSecret, 'tenant-egress', transcript);
      credentialId = await api.createCredential('egress-bearer', BEARER);
    });
    afterAll(() => closed?.close());

    it.each([
      ['a private address', () => 'http://10.0.0.1', /10\.0\.0\.1 refused: it is a private address/],
      ['the cloud metadata address', () => 'http://169.254.169.254', /169\.254\.169\.254 refused: it is a cloud metadata address/],
      ['a loopback address', () => peer.url, /127\.0\.0\.1 refused: it is a loopback address/],
      ['a name resolving to loopback', () => `http://localhost:${peer.port}`, /localhost refused: it resolves to a loopback address/],
    ])('refuses a connection to %s with 400, creating nothing and calling nothing', async (_case, baseUrl, message) => {
      const answer = await api.createConnection({ credentialId, configuration: { baseUrl: baseUrl(), healthPath: '/health' } });

      expect(answer.status).toBe(400);
      expect(answer.body.message).toMatch(/^Egress to /);
      expect(answer.body.message).toMatch(message);
      expect(answer.body.message).toContain('EGRESS_ALLOW_LIST');
      expect((await api.get('/integrations/connections')).body.items).toEqual([]);
      expect(peer.requests).toEqual([]);
    });

    it('refuses an OAuth token endpoint on a refused address as well', async () => {
      const oauthCredential = await api.createCredential('egress-oauth', JSON.stringify(OAUTH_CLIENT), 'oauth2-client');
      const answer = await api.createConnection({
        credentialId: oauthCredential,
        configuration: { baseUrl: 'https://1.1.1.1', auth: 'oauth2-client-credentials', tokenUrl: `${peer.url}/oauth/token` },
      });
      expect(answer.status).toBe(400);
      expect(answer.body.message).toMatch(/Egress to 127\.0\.0\.1 refused/);
      expect(peer.requests).toEqual([]);
    });
  });

  describe('secrets', () => {
    it('never appear in answers, logs, rows, bus messages or files, whatever the scenario', async () => {
      const tenant = await TenantApi.create(platform.url, jwtSecret, 'tenant-secrets', transcript);
      const rotatedBearer = 'vendor-bearer-rotated-9c3d5e';
      secretValues.add(rotatedBearer);
      peer.setAuth({ ...peer.authConfig, bearer: [BEARER, rotatedBearer] });

      const bearerCredential = await tenant.createCredential('scan-bearer', BEARER);
      const bearerConn = (await tenant.createConnection({ credentialId: bearerCredential, configuration: { baseUrl: `${peer.url}/api`, healthPath: '/echo' } })).body.id;
      const apiKeyCredential = await tenant.createCredential('scan-api-key', API_KEY);
      const apiKeyConn = (await tenant.createConnection({ credentialId: apiKeyCredential, configuration: { baseUrl: `${peer.url}/api`, healthPath: '/echo', auth: 'api-key' } }))
        .body.id;
      const oauthCredential = await tenant.createCredential('scan-oauth', JSON.stringify(OAUTH_CLIENT), 'oauth2-client');
      const oauthConn = (
        await tenant.createConnection({
          credentialId: oauthCredential,
          configuration: { baseUrl: `${peer.url}/api`, healthPath: '/echo', auth: 'oauth2-client-credentials', tokenUrl: `${peer.url}/oauth/token` },
        })
      ).body.id;
      for (const connectionId of [bearerConn, apiKeyConn, oauthConn]) {
        expect((await tenant.get(`/integrations/connections/${connectionId}`)).body.status).toBe('Active');
        expect((await tenant.call(connectionId, { method: 'POST', path: '/echo', body: { ok: true } })).body.status).toBe(200);
        peer.failNext('/api/echo', 1, 503);
        expect((await tenant.call(connectionId, { method: 'GET', path: '/echo' })).body.status).toBe(503);
        await tenant.runIn((await tenant.call(connectionId, { method: 'GET', path: '/echo', async: true })).body.id, ['Completed']);
      }
      peer.expireAccessTokens();
      expect((await tenant.call(oauthConn, { method: 'GET', path: '/echo' })).body.status).toBe(200);
      expect((await tenant.call(bearerConn, { method: 'GET', path: '/echo', headers: { authorization: `Bearer ${BEARER}` } })).status).toBe(400);
      expect((await tenant.post('/integrations/credentials/rotate', { credentialId: bearerCredential, value: rotatedBearer })).status).toBe(202);
      for (const credentialId of [bearerCredential, apiKeyCredential, oauthCredential]) await tenant.get(`/integrations/credentials/${credentialId}`);
      await tenant.get('/integrations/credentials');
      await tenant.get('/integrations/connections');
      await tenant.get('/integrations/runs?limit=500');
      // The access tokens the vendor issued are secrets too.
      for (const request of peer.requests) {
        const authorization = request.headers.authorization;
        if (request.path !== '/oauth/token' && authorization?.startsWith('Bearer vat_')) secretValues.add(authorization.slice('Bearer '.length));
      }
      expect([...secretValues].filter((value) => value.startsWith('vat_')).length).toBeGreaterThanOrEqual(2);

      const rows = await dumpStore(store());
      expect(Object.keys(rows)).toEqual(expect.arrayContaining(['integration_credentials', 'integration_runs', 'oauth_tokens', 'bus_messages']));
      expect(rows.bus_messages).toContain('IntegrationRunCompleted');
      expect(rows.bus_messages).toContain('IntegrationFailed');
      const logs = platform.logs.text();
      expect(logs).toContain('Access token obtained');
      const files = filesUnder(dataDir);
      expect(files.some((file) => file.path.includes('secrets'))).toBe(true);
      const answers = transcript.join('\n');
      // The scan reads what it should: a credential's name (not a secret) is found in each place it is kept.
      expect(answers).toContain('scan-bearer');
      expect(rows.integration_credentials).toContain('scan-bearer');
      expect(files.some((file) => file.content.includes('scan-bearer'))).toBe(true);
      expect(logs).toContain(bearerConn);

      for (const value of secretValues) {
        const where = [
          answers.includes(value) && 'an API answer',
          logs.includes(value) && 'the logs',
          ...Object.entries(rows).map(([table, dump]) => dump.includes(value) && `table ${table}`),
          ...files.map((file) => file.content.includes(value) && `file ${file.path}`),
        ].filter(Boolean);
        expect({ value, where }).toEqual({ value, where: [] });
      }
    });
  });
});
