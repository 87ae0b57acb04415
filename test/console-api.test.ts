import { DataSource } from 'typeorm';
import { newId } from '../src/platform/persistence/ids';
import { IntegrationRun } from '../src/platform/runs/entities/integration-run.entity';
import { REGISTRY_SCOPES, TenantApi, until, WEBHOOK_SCOPES } from './support/governed-api';
import { InProcessPlatform, startInProcess } from './support/platform-app';
import { readLiveEvents } from './support/live-events';
import { newJwtSecret } from './support/tokens';
import { startVendorPeer, VendorPeer } from './support/vendor-peer';
import { Receiver } from './support/webhook-receiver';

/**
 * What the operator console reads besides the resource APIs, on the public API and nothing else: the
 * token's session, the overview, health histories, model usage, runs by failure category, the bulk
 * replay of dead-lettered deliveries and the live feed, each tenant seeing only its own.
 */
const ALL_SCOPES = `${REGISTRY_SCOPES} ${WEBHOOK_SCOPES}`;
const BEARER = 'console-api-bearer-0123456789';

describe('the console API', () => {
  const jwtSecret = newJwtSecret();
  let peer: VendorPeer;
  let receiver: Receiver;
  let receiverFails = true;
  let platform: InProcessPlatform;
  let tenant: TenantApi;
  let other: TenantApi;
  let readOnly: TenantApi;

  beforeAll(async () => {
    peer = await startVendorPeer({ auth: { bearer: [BEARER] } });
    receiver = await Receiver.start(() => (receiverFails ? { status: 500, body: 'down' } : { status: 200, body: 'ok' }));
    platform = await startInProcess({
      AUTH_JWT_SECRET: jwtSecret,
      EGRESS_ALLOW_LIST: '127.0.0.1',
      BUS_POLL_INTERVAL: '50ms',
      HEALTH_PROBE_INTERVAL: '200ms',
      HEALTH_UNHEALTHY_AFTER: '2',
      WEBHOOK_RETRY_SCHEDULE: '0,20ms',
      WEBHOOK_AUTO_DISABLE_AFTER: '0',
    });
    tenant = await TenantApi.create(platform.url, jwtSecret, 'tenant-console', [], ALL_SCOPES);
    other = await TenantApi.create(platform.url, jwtSecret, 'tenant-elsewhere', [], ALL_SCOPES);
    readOnly = await TenantApi.create(platform.url, jwtSecret, 'tenant-console', [], 'integration.connections.read webhooks.deliveries.read');
  });

  afterAll(async () => {
    await platform?.close();
    await receiver?.close();
    await peer?.close();
  });

  it('answers what the token grants, as the server reads it', async () => {
    const session = await readOnly.get('/auth/session');
    expect(session.status).toBe(200);
    expect(session.body).toEqual({
      tenantId: 'tenant-console',
      subject: expect.any(String),
      scopes: ['integration.connections.read', 'webhooks.deliveries.read'],
      expiresAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect((await fetch(`${platform.url}/auth/session`)).status).toBe(401);
  });

  it('shows an unwell connection in the overview with its last failure, and its health history page by page', async () => {
    const credentialId = await tenant.createCredential('peer', BEARER);
    const created = await tenant.createConnection({ credentialId, displayName: 'Flaky vendor', configuration: { baseUrl: peer.url, healthPath: '/health' } });
    expect(created.body.status).toBe('Active');
    const connectionId = created.body.id as string;

    peer.setHealth('down');
    const overview = await until(
      () => tenant.get('/integrations/overview'),
      (answer) => answer.body.connections.degraded.some((connection: { id: string; health: string }) => connection.id === connectionId && connection.health === 'Unhealthy'),
      15_000,
      'the connection to show as Unhealthy',
    );
    expect(overview.body.connections).toMatchObject({ total: 1, byStatus: { Active: 1 }, byHealth: { Unhealthy: 1 } });
    expect(overview.body.connections.degraded[0]).toMatchObject({
      id: connectionId,
      displayName: 'Flaky vendor',
      lastFailure: { category: 'Transient', statusCode: 503, checkedAt: expect.any(String) },
    });
    // The health worker holds an Unhealthy connection's breaker open: the overview names it, with the connection.
    expect(overview.body.circuits).toEqual([expect.objectContaining({ name: `generic-rest:${new URL(peer.url).host}`, connectionIds: [connectionId], state: 'open' })]);
    expect(overview.body.queues).toEqual(expect.arrayContaining([{ name: 'deliver-webhook', depth: expect.any(Number) }]));
    expect(overview.body.failuresLastHour).toEqual({ runs: expect.any(Number), deliveries: expect.any(Number), byCategory: expect.any(Object) });
    peer.setHealth('up');

    await until(
      () => tenant.get(`/integrations/connections/${connectionId}/health-checks?limit=1`),
      (answer) => answer.body.items[0]?.passed === true,
      15_000,
      'a passing probe after the vendor recovered',
    );

    const pages: Array<Array<{ checkedAt: string; passed: boolean }>> = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: Array<{ checkedAt: string; passed: boolean }>; nextCursor: string | null } } = await tenant.get(
        `/integrations/connections/${connectionId}/health-checks?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status).toBe(200);
      pages.push(page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor && pages.length < 50);
    const checks = pages.flat();
    expect(pages.length).toBeGreaterThan(1);
    expect(pages.slice(0, -1).every((page) => page.length === 2)).toBe(true);
    const times = checks.map((item) => Date.parse(item.checkedAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(new Set(checks.map((item) => JSON.stringify(item))).size).toBe(checks.length);
    expect(checks[0].passed).toBe(true);
    expect(checks.find((item) => !item.passed)).toEqual({
      checkedAt: expect.any(String),
      passed: false,
      health: expect.stringMatching(/^(Degraded|Unhealthy)$/),
      latencyMs: expect.any(Number),
      statusCode: 503,
      failureCategory: 'Transient',
      failureCode: expect.any(String),
    });

    // Another tenant sees none of it.
    expect((await other.get(`/integrations/connections/${connectionId}/health-checks`)).status).toBe(404);
    expect((await other.get('/integrations/overview')).body.connections).toMatchObject({ total: 0, degraded: [] });
    expect((await other.get('/integrations/overview')).body.circuits).toEqual([]);
    expect((await tenant.get(`/integrations/connections/${connectionId}/health-checks?cursor=not-ours!`)).status).toBe(400);
  });

  it('sums model tokens per UTC day per connection, for the tenant only, and names a bad parameter', async () => {
    const runs = platform.app.get(DataSource).getRepository(IntegrationRun);
    const run = (tenantId: string, connectionId: string, createdAt: string, tokens: [number, number] | null) =>
      runs.create({
        id: newId('run'),
        tenantId,
        connectionId,
        providerId: 'openai',
        operation: 'chat.completions',
        state: 'Completed',
        mode: 'sync',
        purpose: 'call',
        attempts: 1,
        promptTokens: tokens?.[0] ?? null,
        completionTokens: tokens?.[1] ?? null,
        totalTokens: tokens ? tokens[0] + tokens[1] : null,
        createdAt: new Date(createdAt),
      });
    const model = 'conn-' + 'a'.repeat(32);
    const embeddings = 'conn-' + 'b'.repeat(32);
    await runs.save([
      run('tenant-console', model, '2026-11-20T00:00:01Z', [10, 5]),
      run('tenant-console', model, '2026-11-20T23:59:59Z', [1, 1]),
      run('tenant-console', model, '2026-11-21T00:00:00Z', [7, 0]),
      run('tenant-console', embeddings, '2026-11-21T12:00:00Z', [100, 0]),
      run('tenant-console', model, '2026-11-21T13:00:00Z', null),
      run('tenant-console', model, '2026-11-23T00:00:00Z', [50, 50]),
      run('tenant-elsewhere', model, '2026-11-21T00:00:00Z', [999, 999]),
    ]);

    const usage = await tenant.get('/integrations/model-usage?from=2026-11-20&to=2026-11-22');
    expect(usage.status).toBe(200);
    expect(usage.body).toEqual({
      from: '2026-11-20',
      to: '2026-11-22',
      items: [
        { day: '2026-11-20', connectionId: model, promptTokens: 11, completionTokens: 6, totalTokens: 17, requests: 2 },
        { day: '2026-11-21', connectionId: model, promptTokens: 7, completionTokens: 0, totalTokens: 7, requests: 1 },
        { day: '2026-11-21', connectionId: embeddings, promptTokens: 100, completionTokens: 0, totalTokens: 100, requests: 1 },
      ].sort((a, b) => a.day.localeCompare(b.day) || a.connectionId.localeCompare(b.connectionId)),
    });
    expect((await tenant.get(`/integrations/model-usage?from=2026-11-21&to=2026-11-21&connectionId=${embeddings}`)).body.items).toEqual([
      expect.objectContaining({ connectionId: embeddings, totalTokens: 100 }),
    ]);

    for (const [query, field] of [
      ['from=2026-13-01', 'from'],
      ['to=yesterday', 'to'],
      ['from=2026-11-22&to=2026-11-20', 'from'],
      ['from=2024-01-01&to=2026-01-01', 'from'],
      ['connectionId=x', 'connectionId'],
    ]) {
      const answer = await tenant.get(`/integrations/model-usage?${query}`);
      expect(answer.status).toBe(400);
      expect(JSON.stringify(answer.body.message)).toContain(field);
    }
  });

  it('filters runs by failure category, and names a category it does not know', async () => {
    const credentialId = await tenant.createCredential('wrong', 'not-the-bearer');
    const pending = await tenant.createConnection({ credentialId, configuration: { baseUrl: peer.url, healthPath: '/health' } });
    expect(pending.body.lastTest).toMatchObject({ passed: false, category: 'Auth' });
    const auth = await tenant.get(`/integrations/runs?connectionId=${pending.body.id}&failureCategory=Auth`);
    expect(auth.body.items.length).toBeGreaterThan(0);
    expect(auth.body.items.every((run: { failure: { category: string } }) => run.failure.category === 'Auth')).toBe(true);
    expect((await tenant.get(`/integrations/runs?connectionId=${pending.body.id}&failureCategory=Transient`)).body.items).toEqual([]);
    const unknown = await tenant.get('/integrations/runs?failureCategory=Sometimes');
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toContain('failureCategory');
  });

  it('replays every dead-lettered delivery of a subscription at once, and streams the deliveries live to its tenant only', async () => {
    const subscription = await tenant.post('/webhooks/subscriptions', { url: receiver.url(), eventTypes: ['console.test'] });
    expect(subscription.status).toBe(201);
    const subscriptionId = subscription.body.id as string;
    receiver.secrets.push(subscription.body.secret);

    const live = readLiveEvents(
      `${platform.url}/live/events`,
      tenant.token,
      (events) => events.filter((event) => event.event === 'DeliveryAttempted' && (event.data.data as { status: string }).status === 'Delivered').length === 3,
    );
    const elsewhere = readLiveEvents(`${platform.url}/live/events`, other.token, () => false, 4_000);
    // The stream is open before anything is published: give the subscriptions a moment.
    await new Promise((resolve) => setTimeout(resolve, 300));

    for (const n of [1, 2, 3]) expect((await tenant.post('/webhooks/events', { type: 'console.test', id: `evt-console-${n}`, data: { n } })).status).toBe(202);
    const deadLettered = await until(
      () => tenant.get(`/webhooks/deliveries?subscriptionId=${subscriptionId}&status=DeadLettered`),
      (answer) => answer.body.items.length === 3,
      15_000,
      'three dead-lettered deliveries',
    );
    expect(deadLettered.body.items.every((delivery: { attemptCount: number }) => delivery.attemptCount === 2)).toBe(true);

    receiverFails = false;
    expect((await readOnly.post('/webhooks/deliveries/replay', { subscriptionId })).status).toBe(403);
    expect((await other.post('/webhooks/deliveries/replay', { subscriptionId })).status).toBe(404);
    expect((await tenant.post('/webhooks/deliveries/replay', { subscriptionId: 'sub-x' })).body.message).toContain('subscriptionId');
    const replay = await tenant.post('/webhooks/deliveries/replay', { subscriptionId });
    expect(replay.status).toBe(202);
    expect(replay.body).toEqual({ replayed: 3 });
    await until(
      () => tenant.get(`/webhooks/deliveries?subscriptionId=${subscriptionId}&status=Delivered`),
      (answer) => answer.body.items.length === 3,
      15_000,
      'the replays delivered',
    );
    expect((await tenant.post('/webhooks/deliveries/replay', { subscriptionId })).body).toEqual({ replayed: 0 });

    const stream = await live;
    expect(stream.status).toBe(200);
    expect(stream.contentType).toContain('text/event-stream');
    expect(stream.events.filter((event) => event.event === 'console.test').map((event) => event.data.id)).toEqual(['evt-console-1', 'evt-console-2', 'evt-console-3']);
    const attempts = stream.events.filter((event) => event.event === 'DeliveryAttempted').map((event) => event.data.data as { status: string });
    expect(attempts.filter((attempt) => attempt.status === 'DeadLettered')).toHaveLength(3);
    expect(attempts.filter((attempt) => attempt.status === 'Delivered')).toHaveLength(3);
    expect((await elsewhere).events).toEqual([]);
  });

  it('opens the live stream only for a valid token, whatever else the request carries', async () => {
    for (const authorization of [undefined, 'Bearer not-a-jwt', `Bearer ${tenant.token}x`, 'Basic dXNlcjpwYXNz']) {
      const answer = await fetch(`${platform.url}/live/events`, { headers: authorization ? { authorization } : {} });
      expect(answer.status).toBe(401);
      await answer.body?.cancel();
    }
    for (const query of ['?cursor[a]=b', '?__proto__[polluted]=yes', `?x=${'%ff'.repeat(500)}`]) {
      const stream = await readLiveEvents(`${platform.url}/live/events${query}`, tenant.token, () => true, 1_000);
      expect(stream).toMatchObject({ status: 200, contentType: expect.stringContaining('text/event-stream') });
    }
    expect((await fetch(`${platform.url}/health/ready`)).status).toBe(200);
  });

  it('shows a live event only to a token with the scope that reads what it is about', async () => {
    const narrow = await TenantApi.create(platform.url, jwtSecret, 'tenant-console', [], 'integration.runs.read');
    const stream = readLiveEvents(`${platform.url}/live/events`, narrow.token, () => false, 2_500);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await tenant.post('/webhooks/events', { type: 'console.test', id: 'evt-hidden', data: {} });
    expect((await stream).events.map((event) => event.event)).not.toContain('console.test');
  });
});
