import { randomBytes } from 'node:crypto';
import { TenantApi, waitFor, WEBHOOK_SCOPES } from './support/governed-api';
import { InProcessPlatform, startInProcess } from './support/platform-app';
import { PlatformProcess, tempDataDir } from './support/platform-process';
import { newJwtSecret } from './support/tokens';
import { Receiver } from './support/webhook-receiver';

const BATCH_LIMIT = 8;

/** Event ids of the deliveries a subscription has, as the deliveries API lists them. */
async function deliveredEventIds(api: TenantApi, subscriptionId: string): Promise<string[]> {
  const answer = await api.get(`/webhooks/deliveries?subscriptionId=${subscriptionId}&limit=100`);
  expect(answer.status).toBe(200);
  return answer.body.items.map((item: { eventId: string }) => item.eventId).sort();
}

/** The webhook-ids of the verified POSTs a receiver got. */
function verifiedWebhookIds(receiver: Receiver): string[] {
  return receiver.requests
    .filter((request) => request.verified)
    .map((request) => String(request.headers['webhook-id']))
    .sort();
}

describe('POST /webhooks/events with a batch (gateway and delivery worker in one process, SQLite)', () => {
  const jwtSecret = newJwtSecret();
  let platform: InProcessPlatform;
  let receiver: Receiver;

  /** Each test publishes as its own tenant: no other test's subscriptions match its events. */
  const tenant = (name: string, scope = WEBHOOK_SCOPES): Promise<TenantApi> => TenantApi.create(platform.url, jwtSecret, `tenant-batch-${name}`, [], scope);

  /** A subscription of the tenant to `eventTypes`, its secret given to the receiver. */
  const subscribe = async (api: TenantApi, eventTypes: string[]): Promise<string> => {
    const created = await api.post('/webhooks/subscriptions', { url: receiver.url(`/hooks/${randomBytes(4).toString('hex')}`), eventTypes });
    expect(created.status).toBe(201);
    receiver.secrets.push(created.body.secret);
    return created.body.id;
  };

  beforeAll(async () => {
    receiver = await Receiver.start();
    platform = await startInProcess({
      APP_ROLE: 'WebhookGatewayService,WebhookDeliveryWorker',
      AUTH_JWT_SECRET: jwtSecret,
      EGRESS_ALLOW_LIST: '127.0.0.1',
      BUS_POLL_INTERVAL: '20ms',
      LOG_LEVEL: 'info',
      WEBHOOK_EVENTS_BATCH_LIMIT: String(BATCH_LIMIT),
    });
  });

  afterAll(async () => {
    await platform?.close();
    await receiver?.close();
  });

  it('publishes every event of a batch: per-event answers in request order, each delivered signed to every matching subscription', async () => {
    const api = await tenant('happy');
    const everything = await subscribe(api, ['*']);
    const invoices = await subscribe(api, ['batch.invoice.paid']);
    const published = await api.post('/webhooks/events', [
      { type: 'batch.invoice.paid', data: { amount: 10 }, id: 'batch-ok-1' },
      { type: 'batch.order.shipped', data: { order: 7 }, id: 'batch-ok-2' },
      { type: 'batch.invoice.paid', data: { amount: 20 } },
    ]);

    expect(published.status).toBe(202);
    const events = published.body.events;
    expect(events).toEqual([
      { id: 'batch-ok-1', deliveries: 2, matched: 2 },
      { id: 'batch-ok-2', deliveries: 1, matched: 1 },
      { id: expect.any(String), deliveries: 2, matched: 2 },
    ]);
    const generatedId = events[2].id;

    await waitFor(() => verifiedWebhookIds(receiver).length >= 5, 15_000, 'five verified deliveries');
    expect(verifiedWebhookIds(receiver)).toEqual(['batch-ok-1', 'batch-ok-1', 'batch-ok-2', generatedId, generatedId].sort());
    const shipped = receiver.requests.find((request) => request.headers['webhook-id'] === 'batch-ok-2')!;
    expect(JSON.parse(shipped.body)).toMatchObject({ specversion: '1.0', id: 'batch-ok-2', type: 'batch.order.shipped', tenantid: 'tenant-batch-happy', data: { order: 7 } });
    expect(await deliveredEventIds(api, everything)).toEqual(['batch-ok-1', 'batch-ok-2', generatedId].sort());
    expect(await deliveredEventIds(api, invoices)).toEqual(['batch-ok-1', generatedId].sort());
    await waitFor(
      async () => (await api.get(`/webhooks/deliveries?subscriptionId=${everything}&status=Delivered`)).body.items.length === 3,
      10_000,
      'the deliveries to be Delivered',
    );
  });

  it('treats an id published before, or earlier in the same batch, as a repeat that delivers nothing new', async () => {
    const api = await tenant('repeats');
    const subscription = await subscribe(api, ['batch.repeat']);
    expect((await api.post('/webhooks/events', { type: 'batch.repeat', data: {}, id: 'repeat-a' })).body).toEqual({ id: 'repeat-a', deliveries: 1, matched: 1 });

    const published = await api.post('/webhooks/events', [
      { type: 'batch.repeat', data: {}, id: 'repeat-a' },
      { type: 'batch.repeat', data: { n: 1 }, id: 'repeat-b' },
      { type: 'batch.repeat', data: { n: 2 }, id: 'repeat-b' },
      { type: 'batch.repeat', data: {}, id: 'repeat-c' },
    ]);
    expect(published.status).toBe(202);
    expect(published.body.events).toEqual([
      { id: 'repeat-a', deliveries: 0, matched: 1 },
      { id: 'repeat-b', deliveries: 1, matched: 1 },
      { id: 'repeat-b', deliveries: 0, matched: 1 },
      { id: 'repeat-c', deliveries: 1, matched: 1 },
    ]);
    expect(await deliveredEventIds(api, subscription)).toEqual(['repeat-a', 'repeat-b', 'repeat-c']);

    const ids = ['repeat-a', 'repeat-b', 'repeat-c'];
    await waitFor(() => ids.every((id) => verifiedWebhookIds(receiver).includes(id)), 15_000, 'the repeat deliveries');
    const repeatB = receiver.requests.filter((request) => request.headers['webhook-id'] === 'repeat-b');
    expect(repeatB).toHaveLength(1);
    expect(JSON.parse(repeatB[0].body).data).toEqual({ n: 1 });
  });

  it('refuses the whole batch when one item is invalid, naming each invalid item by index, and stores nothing', async () => {
    const api = await tenant('invalid');
    const subscription = await subscribe(api, ['*']);
    const refused = await api.post('/webhooks/events', [
      { type: 'batch.valid', data: {}, id: 'invalid-batch-0' },
      { type: 'not a type!', data: {}, id: 'invalid-batch-1' },
      { type: 'batch.valid', id: 'invalid-batch-2' },
      null,
      'batch.valid',
      { type: 'batch.valid', data: {}, id: 'invalid-batch-5', extra: true },
    ]);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    const message: string = refused.body.message;
    expect(message).toContain('[1].type must be an event type name');
    expect(message).toContain('[2].data is required');
    expect(message).toContain('[3] must be an event object');
    expect(message).toContain('[4] must be an event object');
    expect(message).toContain('[5] property extra should not exist');
    expect(message).not.toMatch(/\[0\]/);

    const wrongType = await api.post('/webhooks/events', [
      { type: 'batch.valid', data: {}, id: 'invalid-batch-6' },
      { type: 'batch.valid', data: {}, id: 42 },
    ]);
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.message).toContain('[1].id must be a string');
    expect(await deliveredEventIds(api, subscription)).toEqual([]);
  });

  it('refuses an empty batch and one over WEBHOOK_EVENTS_BATCH_LIMIT, and takes one at the limit', async () => {
    const api = await tenant('limit');
    const subscription = await subscribe(api, ['batch.limit']);
    const batch = (size: number, prefix: string) => Array.from({ length: size }, (_, index) => ({ type: 'batch.limit', data: { index }, id: `${prefix}-${index}` }));

    const empty = await api.post('/webhooks/events', []);
    expect(empty.status).toBe(400);
    expect(empty.body.message).toMatch(/empty/);

    const over = await api.post('/webhooks/events', batch(BATCH_LIMIT + 1, 'over'));
    expect(over.status).toBe(400);
    expect(over.body.message).toContain(`at most ${BATCH_LIMIT} events`);
    expect(await deliveredEventIds(api, subscription)).toEqual([]);

    const full = await api.post('/webhooks/events', batch(BATCH_LIMIT, 'full'));
    expect(full.status).toBe(202);
    expect(full.body.events.map((event: { id: string; deliveries: number }) => [event.id, event.deliveries])).toEqual(batch(BATCH_LIMIT, 'full').map((event) => [event.id, 1]));
    expect(await deliveredEventIds(api, subscription)).toHaveLength(BATCH_LIMIT);
  });

  it('keeps the single-event form: the same answer and the same validation messages', async () => {
    const api = await tenant('single');
    await subscribe(api, ['batch.single']);
    const single = await api.post('/webhooks/events', { type: 'batch.single', data: { one: true }, id: 'single-1' });
    expect(single.status).toBe(202);
    expect(single.body).toEqual({ id: 'single-1', deliveries: 1, matched: 1 });

    const invalid = await api.post('/webhooks/events', { type: 'not a type!', id: 'single-2' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.message).toBe('type must be an event type name (letters, digits, . _ : / -); data is required');
  });

  it('needs webhooks.events.publish for a batch as for one event', async () => {
    const reader = await tenant('scope', 'webhooks.subscriptions.read');
    expect((await reader.post('/webhooks/events', [{ type: 'batch.scope', data: {} }])).status).toBe(403);
  });
});

describe('a published batch survives a SIGKILL right after its 202 (node dist/main.js, SQLite)', () => {
  const EVENTS = 100;
  const jwtSecret = newJwtSecret();
  const shared = { DATA_DIR: tempDataDir(), AUTH_JWT_SECRET: jwtSecret, EGRESS_ALLOW_LIST: '127.0.0.1', SECRETS_MASTER_KEY: randomBytes(32).toString('base64'), LOG_LEVEL: 'info' };
  const processes: PlatformProcess[] = [];
  let receiver: Receiver;

  afterAll(async () => {
    for (const started of processes) await started.stop('SIGKILL');
    await receiver?.close();
  });

  it('delivers every event of the batch once a worker starts on the same store', async () => {
    receiver = await Receiver.start();
    const gateway = await PlatformProcess.start({ ...shared, APP_ROLE: 'WebhookGatewayService' }, 60_000);
    processes.push(gateway);
    const api = await TenantApi.create(gateway.url, jwtSecret, 'tenant-batch-kill', [], WEBHOOK_SCOPES);
    const subscription = await api.post('/webhooks/subscriptions', { url: receiver.url('/hooks/kill'), eventTypes: ['*'] });
    receiver.secrets.push(subscription.body.secret);

    const ids = Array.from({ length: EVENTS }, (_, index) => `kill-${index}`);
    const published = await api.post(
      '/webhooks/events',
      ids.map((id, index) => ({ type: 'batch.killed', data: { index }, id })),
    );
    expect(published.status).toBe(202);
    gateway.child.kill('SIGKILL');
    expect((await gateway.exited).signal).toBe('SIGKILL');

    const worker = await PlatformProcess.start({ ...shared, APP_ROLE: 'WebhookDeliveryWorker' }, 60_000);
    processes.push(worker);
    await waitFor(
      () => new Set(verifiedWebhookIds(receiver)).size === EVENTS,
      30_000,
      () => `${EVENTS} deliveries (got ${new Set(verifiedWebhookIds(receiver)).size})`,
    );
    expect([...new Set(verifiedWebhookIds(receiver))]).toEqual([...ids].sort());
    expect(receiver.requests.every((request) => request.verified)).toBe(true);
  }, 90_000);
});
