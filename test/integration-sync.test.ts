import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectionResolver } from '../src/platform/integrations/connections/connection-resolver';
import { RateLimiter } from '../src/platform/cache/cache.ports';
import { startGitHubPeer } from './support/github-peer';
import { REGISTRY_SCOPES, TenantApi, until, WEBHOOK_SCOPES } from './support/governed-api';
import { pagedPeerDescriptor, PagedPeer, startPagedPeer } from './support/paged-peer';
import { InProcessPlatform, startInProcess } from './support/platform-app';
import { PlatformProcess } from './support/platform-process';
import { createTestSchema, TEST_DATABASE_URL } from './support/postgres';
import { newJwtSecret } from './support/tokens';
import { Receiver } from './support/webhook-receiver';

/**
 * The IntegrationSyncWorker end to end, against a local paged API (test/support/paged-peer) described by
 * a test-only vendor descriptor: the sync API, passes and checkpoints, change detection and its events
 * reaching a webhook subscription, ETag pages, the budget reserve, the lock, and a SIGKILL mid-run.
 */

const LAUNCHER = join(__dirname, 'support', 'paged-peer', 'launch-platform.js');
const SCOPES = `${REGISTRY_SCOPES} ${WEBHOOK_SCOPES}`;
const ids = (count: number) => Array.from({ length: count }, (_, index) => `r${String(index + 1).padStart(6, '0')}`);

type Sync = {
  state: string;
  lastPass: { number: number; kind: string; completedAt: string; pages: number; seen: number; created: number; updated: number; deleted: number } | null;
  pass: { counts: { pages: number } } | null;
  nextRunAt: string | null;
  lastError: unknown;
};

async function connect(api: TenantApi, peer: PagedPeer, extra: Record<string, unknown> = {}): Promise<string> {
  const credentialId = await api.createCredential(`peer-${Math.random().toString(16).slice(2)}`, peer.token);
  const created = await api.createConnection({ providerId: 'paged-peer', displayName: 'Paged peer', credentialId, configuration: { baseUrl: peer.url }, ...extra });
  if (created.status !== 201 || created.body.status !== 'Active') throw new Error(`Connection: HTTP ${created.status} ${created.text}`);
  return created.body.id as string;
}

const syncPath = (connectionId: string, name = 'items') => `/integrations/connections/${connectionId}/syncs/${name}`;

async function sync(api: TenantApi, connectionId: string): Promise<Sync> {
  const answer = await api.get(syncPath(connectionId));
  if (answer.status !== 200) throw new Error(`Sync: HTTP ${answer.status} ${answer.text}`);
  return answer.body as Sync;
}

/** Runs the sync on demand and waits for pass `number` to complete. */
async function runPass(api: TenantApi, connectionId: string, number: number, timeoutMs = 20_000): Promise<Sync> {
  const asked = await api.post(`${syncPath(connectionId)}/run`);
  expect(asked.status).toBe(202);
  return until(
    () => sync(api, connectionId),
    (state) => (state.lastPass?.number ?? 0) >= number,
    timeoutMs,
    `pass ${number} of ${connectionId}`,
  );
}

async function allRecords(
  api: TenantApi,
  connectionId: string,
  query = '',
  limit = 500,
): Promise<Array<{ externalId: string; change: string; deletedAt: string | null; data: { name: string } }>> {
  const items = [];
  let cursor: string | null = null;
  do {
    const answer = await api.get(`${syncPath(connectionId)}/records?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(answer.status).toBe(200);
    items.push(...answer.body.items);
    cursor = answer.body.nextCursor;
  } while (cursor);
  return items;
}

describe('IntegrationSyncWorker (one instance, SQLite)', () => {
  const jwtSecret = newJwtSecret();
  let platform: InProcessPlatform;
  let tenantA: TenantApi;
  let tenantB: TenantApi;
  const peers: PagedPeer[] = [];
  const peer = async (records: number, options: { delayMs?: number } = {}) => {
    const started = await startPagedPeer({ records, ...options });
    peers.push(started);
    return started;
  };

  beforeAll(async () => {
    platform = await startInProcess(
      { AUTH_JWT_SECRET: jwtSecret, EGRESS_ALLOW_LIST: '127.0.0.1', BUS_POLL_INTERVAL: '50ms', SYNC_TICK: '50ms', HEALTH_PROBE_INTERVAL: '1h' },
      [],
      [pagedPeerDescriptor(100)],
    );
    tenantA = await TenantApi.create(platform.url, jwtSecret, 'tenant-a', [], SCOPES);
    tenantB = await TenantApi.create(platform.url, jwtSecret, 'tenant-b', [], SCOPES);
  });
  afterAll(async () => {
    await platform?.close();
    await Promise.all(peers.map((started) => started.close()));
  });

  it('lists the sources of the connection, configures one, runs it on demand and serves its records by change', async () => {
    const source = await peer(250);
    const connectionId = await connect(tenantA, source);

    const listed = await tenantA.get(`/integrations/connections/${connectionId}/syncs`);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([
      expect.objectContaining({ name: 'items', incremental: true, configured: false, enabled: false, state: 'Idle', pass: null, lastPass: null }),
    ]);

    const configured = await tenantA.request('PUT', syncPath(connectionId), { enabled: false, intervalMs: 3_600_000 });
    expect(configured.status).toBe(200);
    expect(configured.body).toMatchObject({ name: 'items', configured: true, enabled: false, intervalMs: 3_600_000, fullPassEvery: 10, nextRunAt: null });

    const done = await runPass(tenantA, connectionId, 1);
    expect(done).toMatchObject({ state: 'Idle', pass: null, lastError: null, lastPass: { number: 1, kind: 'full', pages: 3, seen: 250, created: 250, updated: 0, deleted: 0 } });
    expect(done.nextRunAt).toBeNull();

    const records = await allRecords(tenantA, connectionId, '', 100);
    expect(records.map((record) => record.externalId).sort()).toEqual(ids(250));
    expect(records[0]).toMatchObject({
      change: 'created',
      deletedAt: null,
      contentHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      data: { id: expect.any(String), name: expect.any(String) },
    });
    const listedAfter = await tenantA.get(`/integrations/connections/${connectionId}/syncs`);
    expect(listedAfter.body.items[0]).toMatchObject({ configured: true, watermark: expect.any(String), lastCompletedAt: expect.any(String) });
    // Nothing changed after the newest record.
    const newest = records.reduce(
      (latest, record) => ((record as unknown as { changedAt: string }).changedAt > latest ? (record as unknown as { changedAt: string }).changedAt : latest),
      '',
    );
    expect(await allRecords(tenantA, connectionId, `&changedSince=${encodeURIComponent(newest)}`)).toEqual([]);
  });

  it('detects new, changed and deleted records and announces them in batched ExternalRecordsChanged events a subscription receives', async () => {
    const source = await peer(250);
    const connectionId = await connect(tenantA, source);
    const receiver = await Receiver.start();
    try {
      const subscription = await tenantA.post('/webhooks/subscriptions', { url: receiver.url(), eventTypes: ['ExternalRecordsChanged'] });
      expect(subscription.status).toBe(201);
      receiver.secrets = [subscription.body.secret];
      expect((await tenantA.request('PUT', syncPath(connectionId), { enabled: false, intervalMs: 3_600_000, fullPassEvery: 1 })).status).toBe(200);
      await runPass(tenantA, connectionId, 1);
      // The first pass created 250 records: three pages, one event each.
      await until(
        async () => receiver.requests.length,
        (count) => count >= 3,
        15_000,
        'the first pass’s events',
      );
      const firstPass = receiver.requests.map((request) => JSON.parse(request.body));
      expect(firstPass).toHaveLength(3);
      expect(
        firstPass
          .flatMap((event) => event.data.changes)
          .map((change: { externalId: string }) => change.externalId)
          .sort(),
      ).toEqual(ids(250));
      const completed = (await sync(tenantA, connectionId)).lastPass!;

      source.put('r000005', { name: 'renamed' });
      source.put('n000001');
      source.remove('r000010');
      const second = await runPass(tenantA, connectionId, 2);
      expect(second.lastPass).toMatchObject({ number: 2, kind: 'full', seen: 250, created: 1, updated: 1, deleted: 1 });

      await until(
        async () => receiver.requests.length,
        (count) => count >= 5,
        15_000,
        'the second pass’s events',
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      const events = receiver.requests.slice(3).map((request) => JSON.parse(request.body));
      expect(receiver.requests.every((request) => request.verified)).toBe(true);
      for (const event of events) {
        expect(event).toMatchObject({
          type: 'ExternalRecordsChanged',
          tenantid: 'tenant-a',
          subject: `connections/${connectionId}/syncs/items`,
          data: { connectionId, providerId: 'paged-peer', sync: 'items', pass: 2, passKind: 'full' },
        });
      }
      const changes = events.flatMap((event) => event.data.changes).map((change: { externalId: string; change: string }) => `${change.change}:${change.externalId}`);
      expect(changes.sort()).toEqual(['created:n000001', 'deleted:r000010', 'updated:r000005']);
      // Unchanged pages publish nothing: the renamed record's page and the last page (the new record, the deletions).
      expect(events.length).toBeLessThanOrEqual(3);

      const changed = await allRecords(tenantA, connectionId, `&changedSince=${encodeURIComponent(completed.completedAt)}`);
      expect(changed.map((record) => `${record.change}:${record.externalId}`).sort()).toEqual(['created:n000001', 'deleted:r000010', 'updated:r000005']);
      expect(changed.find((record) => record.externalId === 'r000010')?.deletedAt).toEqual(expect.any(String));
      expect(changed.find((record) => record.externalId === 'r000005')?.data.name).toBe('renamed');
      expect(await allRecords(tenantA, connectionId)).toHaveLength(251);
    } finally {
      await receiver.close();
    }
  });

  it('sends each page’s ETag back: 304 pages are marked seen, cost no budget, and delete nothing', async () => {
    const source = await peer(1_000);
    // Capacity 12 refilled at 1 a second: ten pages spent for real would leave it far from full.
    const connectionId = await connect(tenantA, source, { rateLimitBudget: { requestsPerSecond: 1, burst: 12 } });
    expect((await tenantA.request('PUT', syncPath(connectionId), { enabled: false, intervalMs: 3_600_000, fullPassEvery: 1 })).status).toBe(200);
    await runPass(tenantA, connectionId, 1, 40_000);
    source.resetCounts();
    // Wait for the bucket to be full again before the all-304 pass.
    const limiter = platform.app.get(RateLimiter);
    const profile = await platform.app.get(ConnectionResolver).resolve('tenant-a', connectionId);
    await until(
      async () => (await limiter.consume(profile.connectionBudgetKey, profile.connectionBudget, { cost: 12 })).allowed,
      (full) => full,
      20_000,
      'a full budget',
    );
    await limiter.refund(profile.connectionBudgetKey, profile.connectionBudget, 12);

    const second = await runPass(tenantA, connectionId, 2, 20_000);
    expect(second.lastPass).toMatchObject({ number: 2, kind: 'full', pages: 10, seen: 1_000, created: 0, updated: 0, deleted: 0 });
    expect(source.state.notModified).toBe(10);
    // Every token the ten calls took came back.
    expect((await limiter.consume(profile.connectionBudgetKey, profile.connectionBudget, { cost: 12 })).allowed).toBe(true);
    const runs = await tenantA.get(`/integrations/runs?connectionId=${connectionId}&limit=10`);
    expect(
      runs.body.items.filter(
        (run: { responseStatus: number; state: string; purpose: string }) => run.responseStatus === 304 && run.state === 'Completed' && run.purpose === 'sync',
      ),
    ).toHaveLength(10);
    expect(await allRecords(tenantA, connectionId)).toHaveLength(1_000);
  }, 90_000);

  it('under a low budget the sync yields and leaves the reserved share to interactive calls', async () => {
    const source = await peer(3_000);
    // Capacity 10, 30 % reserved: the sync takes ~7 calls in a burst, then only what refills above the reserve.
    const connectionId = await connect(tenantA, source, { rateLimitBudget: { requestsPerSecond: 4, burst: 10 } });
    expect((await tenantA.request('PUT', syncPath(connectionId), { enabled: false, intervalMs: 3_600_000 })).status).toBe(200);
    expect((await tenantA.post(`${syncPath(connectionId)}/run`)).status).toBe(202);

    const yielded = await until(
      () => sync(tenantA, connectionId),
      (state) => state.state === 'Idle' && state.pass !== null && state.pass.counts.pages >= 5,
      15_000,
      'the sync to yield',
    );
    expect(new Date(yielded.nextRunAt!).getTime()).toBeGreaterThan(Date.now() - 1_000);
    // The reserve is there for the interactive call.
    const interactive = await tenantA.call(connectionId, { method: 'GET', path: '/health' });
    expect(interactive.status).toBe(200);
    expect(interactive.body.status).toBe(200);

    const done = await until(
      () => sync(tenantA, connectionId),
      (state) => state.lastPass?.number === 1,
      30_000,
      'the pass to complete',
    );
    expect(done.lastPass).toMatchObject({ pages: 30, seen: 3_000, created: 3_000 });
    expect([...source.fetches.values()].every((count) => count === 1)).toBe(true);
    expect(await allRecords(tenantA, connectionId)).toHaveLength(3_000);
  }, 60_000);

  it('never runs one sync twice at once: a second run finds it held', async () => {
    const source = await peer(500, { delayMs: 30 });
    const connectionId = await connect(tenantA, source);
    expect((await tenantA.request('PUT', syncPath(connectionId), { enabled: false, intervalMs: 3_600_000 })).status).toBe(200);
    // Three on-demand runs at once: one holds the sync, the others find it held (and the request stays recorded).
    await Promise.all([1, 2, 3].map(() => tenantA.post(`${syncPath(connectionId)}/run`)));
    await until(
      () => sync(tenantA, connectionId),
      (state) => (state.lastPass?.number ?? 0) >= 1,
      20_000,
      'the pass',
    );
    expect(source.state.maxInFlight).toBe(1);
    expect([...source.fetches.values()].every((count) => count === 1)).toBe(true);
  });

  it('keeps a failed page at its checkpoint and resumes there', async () => {
    const source = await peer(500);
    const connectionId = await connect(tenantA, source);
    expect((await tenantA.request('PUT', syncPath(connectionId), { enabled: false, intervalMs: 3_600_000 })).status).toBe(200);
    source.state.failPages.add(3);
    expect((await tenantA.post(`${syncPath(connectionId)}/run`)).status).toBe(202);
    const failed = await until(
      () => sync(tenantA, connectionId),
      (state) => state.state === 'Failed',
      15_000,
      'the run to fail',
    );
    expect(failed).toMatchObject({ lastPass: null, lastError: { category: 'Transient', code: expect.any(String) }, pass: { counts: { pages: 2 } } });
    expect(JSON.stringify(failed)).not.toContain(source.token);

    source.state.failPages.clear();
    const done = await runPass(tenantA, connectionId, 1);
    expect(done).toMatchObject({ state: 'Idle', lastError: null, lastPass: { pages: 5, seen: 500, created: 500 } });
    expect(source.fetches.get('#1')).toBe(1);
    expect(source.fetches.get('#2')).toBe(1);
  });

  it('syncs GitHub issues over Link pagination; a second full pass is all 304s, free on both sides', async () => {
    const github = await startGitHubPeer({ tokens: ['ghp_sync_test_token_0123456789'] });
    try {
      github.seedRepository({ owner: 'octo', name: 'hello' });
      github.seedIssues('octo', 'hello', 230);
      const credentialId = await tenantA.createCredential('github-sync', 'ghp_sync_test_token_0123456789');
      const created = await tenantA.createConnection({
        providerId: 'github',
        displayName: 'GitHub',
        credentialId,
        configuration: { baseUrl: github.apiUrl, repositories: ['octo/hello'] },
      });
      expect(created.body.status).toBe('Active');
      const connectionId = created.body.id as string;
      const listed = await tenantA.get(`/integrations/connections/${connectionId}/syncs`);
      expect(listed.body.items.map((item: { name: string }) => item.name).sort()).toEqual(['issues', 'pull_requests', 'repositories']);
      expect((await tenantA.request('PUT', syncPath(connectionId, 'issues'), { enabled: false, intervalMs: 3_600_000, fullPassEvery: 1 })).status).toBe(200);

      const pass = async (number: number) => {
        expect((await tenantA.post(`${syncPath(connectionId, 'issues')}/run`)).status).toBe(202);
        const answer = await until(
          () => tenantA.get(syncPath(connectionId, 'issues')),
          (state) => (state.body.lastPass?.number ?? 0) >= number,
          20_000,
          `GitHub issues pass ${number}`,
        );
        return answer.body as Sync;
      };
      expect((await pass(1)).lastPass).toMatchObject({ kind: 'full', pages: 3, seen: 230, created: 230 });
      const remaining = github.rateLimits.remaining('ghp_sync_test_token_0123456789');

      expect((await pass(2)).lastPass).toMatchObject({ kind: 'full', pages: 3, seen: 230, created: 0, updated: 0, deleted: 0 });
      // GitHub does not count a 304, and neither did the platform's budget.
      expect(github.rateLimits.remaining('ghp_sync_test_token_0123456789')).toBe(remaining);
      const records = await tenantA.get(`${syncPath(connectionId, 'issues')}/records?limit=500`);
      expect(records.body.items).toHaveLength(230);
      expect(records.body.items[0].data).toMatchObject({ number: expect.any(Number), title: expect.any(String) });
    } finally {
      await github.close();
    }
  });

  it('keeps every endpoint to the tenant that owns the connection', async () => {
    const source = await peer(10);
    const connectionId = await connect(tenantA, source);
    expect((await tenantA.request('PUT', syncPath(connectionId), { enabled: false, intervalMs: 3_600_000 })).status).toBe(200);
    for (const answer of [
      await tenantB.get(`/integrations/connections/${connectionId}/syncs`),
      await tenantB.get(syncPath(connectionId)),
      await tenantB.request('PUT', syncPath(connectionId), { enabled: true, intervalMs: 60_000 }),
      await tenantB.post(`${syncPath(connectionId)}/run`),
      await tenantB.get(`${syncPath(connectionId)}/records`),
    ]) {
      expect(answer.status).toBe(404);
    }
    expect((await sync(tenantA, connectionId)).state).toBe('Idle');
    expect((await tenantA.get(syncPath(connectionId))).body.enabled).toBe(false);
  });

  it('answers 400 naming the field for bad input, 404 for an unknown source, 403 without the scope', async () => {
    const source = await peer(10);
    const connectionId = await connect(tenantA, source);
    const put = (body: unknown) => tenantA.request('PUT', syncPath(connectionId), body);

    const missing = await put({ intervalMs: 60_000 });
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('enabled');
    const tooShort = await put({ enabled: true, intervalMs: 5 });
    expect(tooShort.status).toBe(400);
    expect(tooShort.text).toContain('intervalMs');
    const badEvery = await put({ enabled: true, fullPassEvery: 0 });
    expect(badEvery.status).toBe(400);
    expect(badEvery.text).toContain('fullPassEvery');
    expect((await tenantA.request('PUT', syncPath(connectionId, 'nope'), { enabled: true })).status).toBe(404);
    expect((await tenantA.post(`${syncPath(connectionId, 'nope')}/run`)).status).toBe(404);
    expect((await tenantA.get(`/integrations/connections/conn-00000000000000000000000000000000/syncs`)).status).toBe(404);

    const since = await tenantA.get(`${syncPath(connectionId)}/records?changedSince=yesterday`);
    expect(since.status).toBe(400);
    expect(since.text).toContain('changedSince');
    expect((await tenantA.get(`${syncPath(connectionId)}/records?cursor=not-ours`)).status).toBe(400);
    expect((await tenantA.get(`${syncPath(connectionId)}/records?limit=0`)).status).toBe(400);

    const retiredId = await connect(tenantA, source);
    expect((await tenantA.post(`/integrations/connections/${retiredId}/retire`)).status).toBe(200);
    const onRetired = await tenantA.post(`${syncPath(retiredId)}/run`);
    expect(onRetired.status).toBe(409);
    expect(onRetired.body.message).toContain('retired');

    const reader = await TenantApi.create(platform.url, jwtSecret, 'tenant-a', [], 'integration.connections.read integration.connections.write');
    expect((await reader.post(`${syncPath(connectionId)}/run`)).status).toBe(403);
    expect((await reader.get(`${syncPath(connectionId)}/records`)).status).toBe(403);
    const runner = await TenantApi.create(platform.url, jwtSecret, 'tenant-a', [], 'integration.runs.execute integration.runs.read');
    expect((await runner.request('PUT', syncPath(connectionId), { enabled: true })).status).toBe(403);
  });
});

describe('IntegrationSyncWorker (processes, PostgreSQL)', () => {
  const jwtSecret = newJwtSecret();
  let schema: Awaited<ReturnType<typeof createTestSchema>>;
  const processes: PlatformProcess[] = [];
  let source: PagedPeer;
  /** One secret store for every process, as one Key Vault serves every replica (the registry, started first, makes its key). */
  let dataDir: string;

  const start = async (role: string, extra: Record<string, string> = {}) => {
    const started = await PlatformProcess.start(
      {
        APP_ROLE: role,
        AUTH_JWT_SECRET: jwtSecret,
        DATABASE_URL: TEST_DATABASE_URL,
        DATABASE_SCHEMA: schema.name,
        EGRESS_ALLOW_LIST: '127.0.0.1',
        BUS_POLL_INTERVAL: '50ms',
        SYNC_TICK: '50ms',
        SYNC_LOCK_TTL: '2s',
        DATA_DIR: dataDir,
        ...extra,
      },
      30_000,
      LAUNCHER,
    );
    processes.push(started);
    return started;
  };

  beforeEach(async () => {
    schema = await createTestSchema();
    dataDir = mkdtempSync(join(tmpdir(), 'ip-syncs-'));
  });
  afterEach(async () => {
    await Promise.all(processes.splice(0).map((started) => started.stop('SIGKILL')));
    await source?.close();
    await schema.drop();
  });

  it('resumes a sync SIGKILLed mid-run from its last checkpointed page: every record once, no page lost or fetched more than twice', async () => {
    source = await startPagedPeer({ records: 4_000, delayMs: 40 });
    const registry = await start('VendorApiClientRegistryService');
    const api = await TenantApi.create(registry.url, jwtSecret, 'tenant-a', [], SCOPES);
    const connectionId = await connect(api, source);
    const killed = await start('IntegrationSyncWorker');
    expect((await api.request('PUT', syncPath(connectionId), { enabled: true, intervalMs: 3_600_000 })).status).toBe(200);

    await until(
      () => sync(api, connectionId),
      (state) => (state.pass?.counts.pages ?? 0) >= 12,
      30_000,
      'a dozen pages checkpointed',
    );
    await killed.stop('SIGKILL');
    const killedAt = await sync(api, connectionId);
    expect(killedAt.lastPass).toBeNull();
    expect(killedAt.pass!.counts.pages).toBeGreaterThanOrEqual(12);
    expect(killedAt.pass!.counts.pages).toBeLessThan(40);

    // A new replica finds the sync due (its lock died with the killed process) and resumes the pass.
    await start('IntegrationSyncWorker');
    const done = await until(
      () => sync(api, connectionId),
      (state) => state.lastPass?.number === 1,
      60_000,
      'the resumed pass',
    );
    expect(done.lastPass).toMatchObject({ number: 1, pages: 40, seen: 4_000, created: 4_000, updated: 0, deleted: 0 });

    const records = await allRecords(api, connectionId);
    expect(records).toHaveLength(4_000);
    expect(new Set(records.map((record) => record.externalId)).size).toBe(4_000);
    expect(records.map((record) => record.externalId).sort()).toEqual(ids(4_000));
    const fetched = [...source.fetches.entries()];
    expect(fetched).toHaveLength(40);
    expect(fetched.every(([, count]) => count <= 2)).toBe(true);
    // Only the pages in flight at the kill (the one being checkpointed, and the next, already asked for) were asked for again.
    expect(fetched.filter(([, count]) => count === 2).length).toBeLessThanOrEqual(2);
    expect(source.fetches.get('#1')).toBe(1);
  }, 120_000);

  it('drains on SIGTERM: the run stops at its checkpoint, the process exits 0, the next replica resumes', async () => {
    source = await startPagedPeer({ records: 3_000, delayMs: 40 });
    const registry = await start('VendorApiClientRegistryService');
    const api = await TenantApi.create(registry.url, jwtSecret, 'tenant-a', [], SCOPES);
    const connectionId = await connect(api, source);
    const draining = await start('IntegrationSyncWorker', { SHUTDOWN_DELAY: '0ms' });
    expect((await api.request('PUT', syncPath(connectionId), { enabled: true, intervalMs: 3_600_000 })).status).toBe(200);
    await until(
      () => sync(api, connectionId),
      (state) => (state.pass?.counts.pages ?? 0) >= 5,
      30_000,
      'five pages checkpointed',
    );

    expect(await draining.stop('SIGTERM', 15_000)).toBe(0);
    const stopped = await sync(api, connectionId);
    expect(stopped).toMatchObject({ state: 'Idle', lastPass: null, lastError: null });
    expect(stopped.pass!.counts.pages).toBeLessThan(30);

    await start('IntegrationSyncWorker');
    const done = await until(
      () => sync(api, connectionId),
      (state) => state.lastPass?.number === 1,
      60_000,
      'the resumed pass',
    );
    expect(done.lastPass).toMatchObject({ pages: 30, seen: 3_000, created: 3_000 });
    expect([...source.fetches.values()].every((count) => count <= 2)).toBe(true);
    expect(await allRecords(api, connectionId)).toHaveLength(3_000);
  }, 90_000);

  it('detects changes and deletions on PostgreSQL, and a pass of 304s deletes nothing', async () => {
    source = await startPagedPeer({ records: 250 });
    const registry = await start('VendorApiClientRegistryService');
    const api = await TenantApi.create(registry.url, jwtSecret, 'tenant-a', [], SCOPES);
    const connectionId = await connect(api, source);
    await start('IntegrationSyncWorker');
    expect((await api.request('PUT', syncPath(connectionId), { enabled: false, intervalMs: 3_600_000, fullPassEvery: 1 })).status).toBe(200);
    expect((await runPass(api, connectionId, 1)).lastPass).toMatchObject({ pages: 3, created: 250 });

    source.put('r000007', { name: 'renamed' });
    source.put('n000001');
    source.remove('r000200');
    expect((await runPass(api, connectionId, 2)).lastPass).toMatchObject({ kind: 'full', seen: 250, created: 1, updated: 1, deleted: 1 });
    source.resetCounts();
    expect((await runPass(api, connectionId, 3)).lastPass).toMatchObject({ kind: 'full', pages: 3, seen: 250, created: 0, updated: 0, deleted: 0 });
    expect(source.state.notModified).toBe(3);

    const records = await allRecords(api, connectionId);
    expect(records).toHaveLength(251);
    expect(records.filter((record) => record.deletedAt !== null).map((record) => record.externalId)).toEqual(['r000200']);
    expect(records.find((record) => record.externalId === 'r000007')).toMatchObject({ change: 'updated', data: { name: 'renamed' } });
  }, 60_000);

  it('two worker replicas (one Redis) never run the same sync at once', async () => {
    source = await startPagedPeer({ records: 2_000, delayMs: 20 });
    const redis = { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: `sync-test-${schema.name}:` };
    const registry = await start('VendorApiClientRegistryService', redis);
    const api = await TenantApi.create(registry.url, jwtSecret, 'tenant-a', [], SCOPES);
    const connectionId = await connect(api, source);
    await Promise.all([start('IntegrationSyncWorker', redis), start('IntegrationSyncWorker', redis)]);
    expect((await api.request('PUT', syncPath(connectionId), { enabled: true, intervalMs: 3_600_000 })).status).toBe(200);

    const done = await until(
      () => sync(api, connectionId),
      (state) => state.lastPass?.number === 1,
      60_000,
      'the pass',
    );
    expect(done.lastPass).toMatchObject({ pages: 20, seen: 2_000, created: 2_000 });
    expect(source.state.maxInFlight).toBe(1);
    expect([...source.fetches.values()].every((count) => count === 1)).toBe(true);
    expect(await allRecords(api, connectionId)).toHaveLength(2_000);
  }, 120_000);
});
