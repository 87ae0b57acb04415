import { REGISTRY_SCOPES, TenantApi, until, WEBHOOK_SCOPES } from './support/governed-api';
import { AzureDevOpsPeer, startAzureDevOpsPeer } from './support/azure-devops-peer';
import { InProcessPlatform, startInProcess } from './support/platform-app';
import { newJwtSecret } from './support/tokens';

/** The Azure DevOps sync sources through the IntegrationSyncWorker, against the Azure DevOps peer. */

const PAT = 'ado-sync-pat-8w2n';
const SCOPES = `${REGISTRY_SCOPES} ${WEBHOOK_SCOPES}`;

type Sync = {
  state: string;
  lastPass: { number: number; kind: string; pages: number; seen: number; created: number; updated: number; deleted: number } | null;
  lastError: unknown;
};

describe('Azure DevOps sync sources (IntegrationSyncWorker, SQLite)', () => {
  const jwtSecret = newJwtSecret();
  let peer: AzureDevOpsPeer;
  let platform: InProcessPlatform;
  let api: TenantApi;

  const connect = async (configuration: Record<string, unknown>) => {
    const credentialId = await api.createCredential(`ado-${Math.random().toString(16).slice(2)}`, PAT);
    const created = await api.post('/integrations/connections', {
      providerId: 'azure-devops',
      displayName: 'ado',
      credentialId,
      configuration: { baseUrl: peer.organizationUrl, ...configuration },
    });
    expect(created.body.status).toBe('Active');
    return created.body.id as string;
  };
  const syncPath = (connectionId: string, name: string) => `/integrations/connections/${connectionId}/syncs/${name}`;
  const runPass = async (connectionId: string, name: string, number: number): Promise<Sync> => {
    expect((await api.post(`${syncPath(connectionId, name)}/run`)).status).toBe(202);
    return until(
      async () => (await api.get(syncPath(connectionId, name))).body as Sync,
      (state) => (state.lastPass?.number ?? 0) >= number || state.state === 'Failed',
      20_000,
      `pass ${number} of ${name}`,
    );
  };
  const records = async (connectionId: string, name: string) => {
    const items: Array<{ externalId: string; deletedAt: string | null; data: Record<string, unknown> }> = [];
    let cursor: string | null = null;
    do {
      const answer = await api.get(`${syncPath(connectionId, name)}/records?limit=500${cursor ? `&cursor=${cursor}` : ''}`);
      items.push(...answer.body.items);
      cursor = answer.body.nextCursor;
    } while (cursor);
    return items;
  };

  beforeAll(async () => {
    peer = await startAzureDevOpsPeer({ pats: [PAT] });
    platform = await startInProcess({ AUTH_JWT_SECRET: jwtSecret, EGRESS_ALLOW_LIST: '127.0.0.1', BUS_POLL_INTERVAL: '50ms', SYNC_TICK: '50ms', HEALTH_PROBE_INTERVAL: '1h' });
    api = await TenantApi.create(platform.url, jwtSecret, 'tenant-ado-sync', [], SCOPES);
  });
  afterAll(async () => {
    await platform?.close();
    await peer?.close();
  });

  it('pages work items by WIQL and workitemsbatch, then narrows the next pass to what changed', async () => {
    for (let index = 1; index <= 250; index++)
      peer.addWorkItem('Task', { 'System.Title': `Task ${index}` }, { changedDate: new Date(Date.UTC(2025, 0, 1, 0, 0, index)).toISOString() });
    const connectionId = await connect({ project: 'Fabrikam' });
    expect((await api.request('PUT', syncPath(connectionId, 'work_items'), { enabled: false, intervalMs: 3_600_000 })).status).toBe(200);

    const first = await runPass(connectionId, 'work_items', 1);
    // WIQL (200 ids), two batches, WIQL (50 ids), one batch.
    expect(first).toMatchObject({ lastError: null, lastPass: { number: 1, kind: 'full', pages: 5, seen: 250, created: 250 } });
    const stored = await records(connectionId, 'work_items');
    expect(stored.map((record) => Number(record.externalId)).sort((a, b) => a - b)).toEqual(Array.from({ length: 250 }, (_, index) => index + 1));
    expect(stored[0].data).toMatchObject({ type: 'Task', title: expect.stringMatching(/^Task /) });

    peer.requests.length = 0;
    peer.workItems.workItems[9].fields['System.Title'] = 'Task 10, renamed';
    peer.workItems.workItems[9].fields['System.ChangedDate'] = '2025-02-01T00:00:00.000Z';
    const second = await runPass(connectionId, 'work_items', 2);
    expect(second.lastPass).toMatchObject({ number: 2, kind: 'incremental', updated: 1, created: 0 });
    const wiql = peer.requests.find((request) => request.path.endsWith('/_apis/wit/wiql'))!;
    expect(JSON.parse(wiql.body).query).toContain("[System.ChangedDate] >= '2025-01-01T00:04:10.000Z'");
  });

  it('pages the pull requests of the configured repositories one after the other', async () => {
    const web = peer.addRepository('web');
    const apiRepository = peer.addRepository('api');
    peer.addPullRequests(web, 120);
    peer.addPullRequests(apiRepository, 3, { status: 'completed' });
    const connectionId = await connect({ project: 'Fabrikam', repositories: ['web', 'api'] });
    const done = await runPass(connectionId, 'pull_requests', 1);
    expect(done).toMatchObject({ lastError: null, lastPass: { kind: 'full', pages: 3, seen: 123, created: 123 } });

    peer.git.pullRequests.splice(0, 1);
    const again = await runPass(connectionId, 'pull_requests', 2);
    expect(again.lastPass).toMatchObject({ kind: 'full', seen: 122, deleted: 1 });
  });
});
