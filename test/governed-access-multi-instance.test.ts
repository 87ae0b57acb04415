import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { dumpStore, TenantApi, waitFor } from './support/governed-api';
import { deleteRedisKeys } from './support/redis';
import type { InProcessPlatform } from './support/platform-app';
import { createTestSchema, TEST_DATABASE_URL } from './support/postgres';
import { newJwtSecret } from './support/tokens';
import { startVendorPeer, VendorPeer } from './support/vendor-peer';

/**
 * Two instances of the platform in one jest worker, sharing what replicas share in production: the
 * PostgreSQL store (and its bus), Redis (rate budgets, locks) and the secret store. The OAuth token and
 * the rate budgets must hold across them.
 */

const REDIS_URL = 'redis://127.0.0.1:6379';
const BEARER = 'vendor-bearer-shared-2a9f61';
const OAUTH_CLIENT = { clientId: 'replicated-client', clientSecret: 'replicated-client-secret-5be8' };
const TOKEN_DELAY_MS = 300;

describe('governed vendor access across two instances (PostgreSQL, Redis)', () => {
  const jwtSecret = newJwtSecret();
  const redisPrefix = `ga-${randomBytes(4).toString('hex')}:`;
  const savedDatabaseUrl = process.env.DATABASE_URL;
  let schema: Awaited<ReturnType<typeof createTestSchema>>;
  let peer: VendorPeer;
  let first: InProcessPlatform;
  let second: InProcessPlatform;
  let onFirst: TenantApi;
  let onSecond: TenantApi;
  const transcript: string[] = [];
  const secretValues = new Set<string>([BEARER, OAUTH_CLIENT.clientSecret]);

  const oauthConnection = async (name: string) => {
    const credentialId = await onFirst.createCredential(name, JSON.stringify(OAUTH_CLIENT), 'oauth2-client');
    const created = await onFirst.createConnection({
      credentialId,
      configuration: { baseUrl: peer.url, healthPath: '/health', auth: 'oauth2-client-credentials', tokenUrl: `${peer.url}/oauth/token` },
    });
    expect(created.body).toMatchObject({ status: 'Active', lastTest: { passed: true } });
    return created.body.id as string;
  };
  const apiTokens = () => peer.requests.filter((request) => request.path.startsWith('/api')).map((request) => request.headers.authorization);

  beforeAll(async () => {
    schema = await createTestSchema();
    peer = await startVendorPeer({ auth: { bearer: [BEARER], oauth: true }, oauthClients: [OAUTH_CLIENT], tokenEndpointDelayMs: TOKEN_DELAY_MS });
    // columns.ts fixes the store dialect when the entities are first loaded: load the platform with DATABASE_URL set.
    process.env.DATABASE_URL = TEST_DATABASE_URL;
    const { startInProcess } = await import('./support/platform-app');
    const shared = {
      AUTH_JWT_SECRET: jwtSecret,
      APP_ROLE: 'VendorApiClientRegistryService',
      EGRESS_ALLOW_LIST: '127.0.0.1',
      DATABASE_URL: TEST_DATABASE_URL,
      DATABASE_SCHEMA: schema.name,
      REDIS_URL,
      REDIS_KEY_PREFIX: redisPrefix,
      // One secret store (and its generated key) for both, as one Key Vault serves every replica.
      DATA_DIR: mkdtempSync(join(tmpdir(), 'ip-replicas-')),
      BUS_POLL_INTERVAL: '50ms',
      CONNECTION_CACHE_TTL: '1s',
    };
    // startInProcess changes process.env until close: start one after the other, close in reverse order.
    first = await startInProcess(shared);
    second = await startInProcess(shared);
    onFirst = await TenantApi.create(first.url, jwtSecret, 'tenant-replicas', transcript);
    onSecond = onFirst.at(second.url);
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
    if (savedDatabaseUrl === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = savedDatabaseUrl;
    await peer?.close();
    await schema?.drop();
    await deleteRedisKeys(REDIS_URL, redisPrefix);
  });
  afterEach(() => {
    // The access tokens the vendor issued are secrets like the credentials: the last test scans for them.
    for (const { headers } of peer.requests) if (headers.authorization?.startsWith('Bearer vat_')) secretValues.add(headers.authorization.slice('Bearer '.length));
    peer.reset();
  });

  it('sees a connection retired on one instance as retired on the other within the connection cache TTL', async () => {
    const credentialId = await onFirst.createCredential('replicas-retire', BEARER);
    const created = await onFirst.createConnection({ credentialId, configuration: { baseUrl: peer.url, healthPath: '/health' } });
    expect(created.body.status).toBe('Active');
    const connectionId = created.body.id as string;
    // Both instances have the connection cached.
    expect((await onFirst.call(connectionId, { method: 'GET', path: '/api/echo' })).body.status).toBe(200);
    expect((await onSecond.call(connectionId, { method: 'GET', path: '/api/echo' })).body.status).toBe(200);

    expect((await onSecond.post(`/integrations/connections/${connectionId}/retire`)).body.status).toBe('Retired');
    const retiredAt = Date.now();
    expect((await onSecond.call(connectionId, { method: 'GET', path: '/api/echo' })).status).toBe(409);
    await waitFor(async () => (await onFirst.call(connectionId, { method: 'GET', path: '/api/echo' })).status === 409, 5_000, 'the first instance to refuse');
    // Within CONNECTION_CACHE_TTL (1 s), give or take a call.
    expect(Date.now() - retiredAt).toBeLessThan(2_500);
    const rows = await dumpStore(first.app.get(DataSource), schema.name);
    expect(rows.integration_connections).toContain('"status":"Retired"');
  });

  describe('OAuth2 tokens', () => {
    it('are shared: the second instance uses the token the first one obtained', async () => {
      const connectionId = await oauthConnection('replicas-oauth-shared');
      expect(peer.tokenGrants.client_credentials).toBe(1);

      for (const api of [onSecond, onFirst, onSecond, onSecond]) expect((await api.call(connectionId, { method: 'GET', path: '/api/items' })).body.status).toBe(200);
      expect(peer.tokenGrants.client_credentials).toBe(1);
      expect(new Set(apiTokens()).size).toBe(1);
    });

    it('are refreshed once, before they expire, when both instances need a new one at the same time', async () => {
      // 301 s tokens are due for refresh 1 s after they are issued (OAUTH_REFRESH_LEEWAY is 300 s).
      peer.configureTokenEndpoint({ tokenLifetimeSeconds: 301 });
      const connectionId = await oauthConnection('replicas-oauth-due');
      const dueAt = Date.now() + 1_000;
      const issued = peer.requests.find((request) => request.path === '/health')!.headers.authorization;
      await waitFor(() => Date.now() > dueAt, 2_000, 'the token to fall due');
      peer.reset();

      const answers = await Promise.all([onFirst, onSecond, onFirst, onSecond, onFirst, onSecond].map((api) => api.call(connectionId, { method: 'GET', path: '/api/items' })));

      expect(answers.map((answer) => answer.body.status)).toEqual([200, 200, 200, 200, 200, 200]);
      expect(peer.tokenGrants.client_credentials).toBe(1);
      const used = new Set(apiTokens());
      expect(used.size).toBe(1);
      expect(used.has(issued)).toBe(false);
    });

    it('are renewed once when both instances find the token rejected at the same time', async () => {
      const connectionId = await oauthConnection('replicas-oauth-concurrent');
      // Both instances hold the token (the second reads it from the store), then the vendor ends it.
      expect((await onSecond.call(connectionId, { method: 'GET', path: '/api/items' })).body.status).toBe(200);
      peer.expireAccessTokens();
      peer.reset();

      const answers = await Promise.all([onFirst, onSecond, onFirst, onSecond, onFirst, onSecond].map((api) => api.call(connectionId, { method: 'GET', path: '/api/items' })));

      expect(answers.map((answer) => answer.body.status)).toEqual([200, 200, 200, 200, 200, 200]);
      expect(peer.tokenGrants.client_credentials).toBe(1);
      // The rejected token, then the one renewal everybody used.
      expect(new Set(apiTokens()).size).toBe(2);
    });

    it('renewed by one instance is picked up by the other instead of asking for another', async () => {
      const connectionId = await oauthConnection('replicas-oauth-sequential');
      expect((await onSecond.call(connectionId, { method: 'GET', path: '/api/items' })).body.status).toBe(200);
      peer.expireAccessTokens();
      peer.reset();

      // The first instance meets the rejection and renews.
      expect((await onFirst.call(connectionId, { method: 'GET', path: '/api/items' })).body.status).toBe(200);
      expect(peer.tokenGrants.client_credentials).toBe(1);
      // The second still remembers the old token: rejected, it finds the renewal in the store.
      expect((await onSecond.call(connectionId, { method: 'GET', path: '/api/items' })).body.status).toBe(200);
      expect(peer.tokenGrants.client_credentials).toBe(1);
      const [rejected, renewed, ...rest] = apiTokens();
      expect(rest).toEqual([rejected, renewed]);
    });
  });

  describe('rate budgets', () => {
    it('are one budget for the connection, whichever instance spends it', async () => {
      const credentialId = await onFirst.createCredential('replicas-budget', BEARER);
      const created = await onFirst.createConnection({
        credentialId,
        configuration: { baseUrl: peer.url, healthPath: '/health' },
        rateLimitBudget: { requestsPerSecond: 1, burst: 4 },
      });
      expect(created.body.status).toBe('Active');
      peer.reset();

      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, index) => (index % 2 === 0 ? onFirst : onSecond).call(created.body.id, { method: 'GET', path: '/api/echo' })),
      );

      expect(peer.count('/api/echo')).toBe(4);
      const passed = answers.filter((answer) => answer.status === 200);
      const refused = answers.filter((answer) => answer.status === 429);
      expect(passed).toHaveLength(4);
      expect(refused).toHaveLength(4);
      for (const answer of refused) {
        expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(answer.body.message).toMatch(/connection rate budget/);
      }
    });
  });

  // Last: it scans what the tests above left behind.
  it("leave no secret in any answer, in either instance's logs, or in any row of the shared store", async () => {
    expect([...secretValues].filter((value) => value.startsWith('vat_')).length).toBeGreaterThanOrEqual(3);
    const rows = await dumpStore(first.app.get(DataSource), schema.name);
    expect(JSON.parse(rows.oauth_tokens).length).toBeGreaterThanOrEqual(3);
    expect(rows.bus_messages).toContain('IntegrationRunCompleted');
    const places = { answers: transcript.join('\n'), 'first logs': first.logs.text(), 'second logs': second.logs.text(), ...rows };
    for (const value of secretValues) {
      expect({ value, where: Object.entries(places).flatMap(([place, text]) => (text.includes(value) ? [place] : [])) }).toEqual({ value, where: [] });
    }
  });
});
