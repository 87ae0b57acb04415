import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { dumpStore, TenantApi, waitFor } from './support/governed-api';
import { GitHubPeer, startGitHubPeer } from './support/github-peer';
import type { InProcessPlatform } from './support/platform-app';
import { createTestSchema, TEST_DATABASE_URL } from './support/postgres';
import { deleteRedisKeys } from './support/redis';
import { newJwtSecret } from './support/tokens';

/**
 * GitHub App installations across two instances sharing PostgreSQL (store and bus), Redis (locks, budgets)
 * and the secret store: the installation access token is minted by one replica at a time and shared, so
 * concurrent calls on both instances mint it once, and a token GitHub revoked is renewed once.
 */

const REDIS_URL = 'redis://127.0.0.1:6379';
const APP_ID = '314159';
const INSTALLATION_ID = 2718;
const TOKEN_DELAY_MS = 300;

describe('GitHub App installation tokens across two instances (PostgreSQL, Redis)', () => {
  const jwtSecret = newJwtSecret();
  const redisPrefix = `gh-app-${randomBytes(4).toString('hex')}:`;
  const savedDatabaseUrl = process.env.DATABASE_URL;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const transcript: string[] = [];
  let schema: Awaited<ReturnType<typeof createTestSchema>>;
  let peer: GitHubPeer;
  let first: InProcessPlatform;
  let second: InProcessPlatform;
  let onFirst: TenantApi;
  let onSecond: TenantApi;

  const appConnection = async (name: string, configuration: Record<string, unknown> = { installationId: INSTALLATION_ID }) => {
    const credentialId = await onFirst.createCredential(name, JSON.stringify({ appId: Number(APP_ID), privateKey: privateKeyPem }));
    return onFirst.post('/integrations/connections', {
      providerId: 'github',
      displayName: name,
      credentialId,
      configuration: { baseUrl: peer.apiUrl, auth: 'github-app', ...configuration },
    });
  };
  const getRepo = (api: TenantApi, connectionId: string) =>
    api.post(`/github/connections/${connectionId}/operations/github.repos.get`, { input: { owner: 'octo', repo: 'hello' } });
  const apiTokens = () => new Set(peer.requestsTo('/repos/').map((request) => request.headers.authorization));

  beforeAll(async () => {
    schema = await createTestSchema();
    peer = await startGitHubPeer({
      apps: [{ appId: APP_ID, publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(), installations: [INSTALLATION_ID] }],
      tokenDelayMs: TOKEN_DELAY_MS,
    });
    peer.seedRepository({ owner: 'octo', name: 'hello' });
    // columns.ts fixes the store dialect when the entities are first loaded: load the platform with DATABASE_URL set.
    process.env.DATABASE_URL = TEST_DATABASE_URL;
    const { startInProcess } = await import('./support/platform-app');
    const shared = {
      AUTH_JWT_SECRET: jwtSecret,
      APP_ROLE: 'VendorApiClientRegistryService,GitHubIntegrationService',
      EGRESS_ALLOW_LIST: '127.0.0.1',
      DATABASE_URL: TEST_DATABASE_URL,
      DATABASE_SCHEMA: schema.name,
      REDIS_URL,
      REDIS_KEY_PREFIX: redisPrefix,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'ip-gh-app-')),
      BUS_POLL_INTERVAL: '50ms',
      CONNECTION_CACHE_TTL: '1s',
    };
    first = await startInProcess(shared);
    second = await startInProcess(shared);
    onFirst = await TenantApi.create(first.url, jwtSecret, 'tenant-gh-app', transcript);
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
  /** The app JWTs the platform signed: credentials too, for the last test's scan. */
  const sentJwts = new Set<string>();
  afterEach(() => {
    for (const request of peer.requestsTo('/app/installations/')) sentJwts.add(String(request.headers.authorization).replace(/^Bearer /, ''));
    expect(peer.openApiProblems()).toEqual([]);
    expect(peer.answerProblems).toEqual([]);
    peer.clearRequests();
    peer.installations.reset();
  });

  it('refuses a github-app connection without configuration.installationId', async () => {
    const answer = await appConnection('gh-app-no-installation', {});
    expect(answer.status).toBe(400);
    expect(answer.body.message).toContain('configuration.installationId');
  });

  it('mints the installation token once when calls on both instances need a new one at the same time', async () => {
    // 301 s tokens fall due 1 s after they are issued (OAUTH_REFRESH_LEEWAY is 300 s).
    peer.installations.tokenLifetimeSeconds = 301;
    const created = await appConnection('gh-app-due');
    expect(created.body).toMatchObject({ status: 'Active', authMode: 'github-app', lastTest: { passed: true } });
    expect(peer.installations.requests.get(INSTALLATION_ID)).toBe(1);
    const connectionId = created.body.id as string;
    const issued = peer.requestsTo('/rate_limit')[0].headers.authorization;
    expect(issued).toMatch(/^Bearer ghs_/);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    peer.clearRequests();
    peer.installations.reset();
    peer.installations.tokenLifetimeSeconds = 3600;

    const answers = await Promise.all([onFirst, onSecond, onFirst, onSecond, onFirst, onSecond].map((api) => getRepo(api, connectionId)));

    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(answers[0].body.output).toMatchObject({ fullName: 'octo/hello' });
    expect(peer.installations.requests.get(INSTALLATION_ID)).toBe(1);
    const used = apiTokens();
    expect(used.size).toBe(1);
    expect(used.has(issued)).toBe(false);
    const [exchange] = peer.requestsTo('/app/installations/');
    expect(exchange.path).toBe(`/app/installations/${INSTALLATION_ID}/access_tokens`);
    expect(exchange.headers.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it('renews a token GitHub revoked once, for calls on both instances that found it rejected together', async () => {
    const created = await appConnection('gh-app-revoked');
    const connectionId = created.body.id as string;
    expect((await getRepo(onSecond, connectionId)).status).toBe(200);
    peer.installations.revokeAll();
    peer.installations.reset();

    const answers = await Promise.all([onFirst, onSecond, onFirst, onSecond].map((api) => getRepo(api, connectionId)));

    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    expect(peer.installations.requests.get(INSTALLATION_ID)).toBe(1);
  });

  it('keeps the private key, the app JWTs and the tokens out of the API, the logs and the store', async () => {
    await waitFor(() => peer.installations.issued.length > 0, 1_000, 'issued tokens');
    const rows = Object.values(await dumpStore(first.app.get(DataSource), schema.name)).join('\n');
    const logs = `${first.logs.text()}\n${second.logs.text()}`;
    const keyBody = privateKeyPem.split('\n')[1];
    expect(sentJwts.size).toBeGreaterThan(0);
    for (const secret of [keyBody, ...sentJwts, ...peer.installations.issued.map((token) => token.token)]) {
      expect(transcript.join('\n')).not.toContain(secret);
      expect(logs).not.toContain(secret);
      expect(rows).not.toContain(secret);
    }
  });
});
