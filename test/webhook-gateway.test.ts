import { createHmac } from 'node:crypto';
import { sign as signGithub } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { DataSource } from 'typeorm';
import { BlobStore } from '../src/platform/blob/blob-store';
import { InboundPayloadStore } from '../src/modules/webhook-gateway/ingest/inbound-payload-store';
import { WebhookDelivery } from '../src/platform/webhooks/entities/webhook-delivery.entity';
import { generateWebhookSecret, signStandardWebhook } from '../src/platform/webhooks/standard-webhooks';
import { EventRecorderModule, RecordedEvents } from './support/event-recorder';
import { dumpStore, REGISTRY_SCOPES, TenantApi, waitFor, WEBHOOK_SCOPES } from './support/governed-api';
import { InProcessPlatform, startInProcess } from './support/platform-app';
import { newJwtSecret } from './support/tokens';
import { startVendorPeer, VendorPeer } from './support/vendor-peer';

const GITHUB_SECRET = 'gh-webhook-secret-7f3a91';
const STRIPE_SECRET = 'whsec_stripe_test_9b2c44';
const ALL_SCOPES = `${REGISTRY_SCOPES} ${WEBHOOK_SCOPES}`;

describe('webhook gateway: verified ingestion, subscriptions and fan-out (embedded store)', () => {
  const jwtSecret = newJwtSecret();
  const transcript: string[] = [];
  let platform: InProcessPlatform;
  let peer: VendorPeer;
  let tenantA: TenantApi;
  let tenantB: TenantApi;
  let events: RecordedEvents;

  const connectionFor = async (api: TenantApi, providerId: string, secret: string, name: string): Promise<string> => {
    const credential = await api.post('/integrations/credentials', { name, kind: 'webhook-secret', value: secret });
    expect(credential.status).toBe(201);
    const connection = await api.post('/integrations/connections', {
      providerId,
      displayName: name,
      webhook: { secretCredentialId: credential.body.id },
    });
    expect(connection.status).toBe(201);
    return connection.body.id;
  };

  const ingest = (connectionId: string, body: string, headers: Record<string, string>) =>
    fetch(`${platform.url}/webhooks/ingest/${connectionId}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  const githubDelivery = async (body: string, deliveryId: string, secret = GITHUB_SECRET) => ({
    'x-github-event': 'pull_request',
    'x-github-delivery': deliveryId,
    'x-hub-signature-256': await signGithub(secret, body),
  });

  const storedPayload = async (deliveryId: string) => {
    const delivery = await platform.app.get(DataSource).getRepository(WebhookDelivery).findOneByOrFail({ id: deliveryId });
    return (await platform.app.get(InboundPayloadStore).read(delivery))!;
  };

  beforeAll(async () => {
    peer = await startVendorPeer({ auth: { anonymous: true } });
    platform = await startInProcess(
      {
        AUTH_JWT_SECRET: jwtSecret,
        EGRESS_ALLOW_LIST: '127.0.0.1',
        WEBHOOK_MAX_BODY_BYTES: '4096',
        BUS_POLL_INTERVAL: '20ms',
        APP_ROLE: 'VendorApiClientRegistryService,WebhookGatewayService,CredentialRotationWorker',
      },
      [EventRecorderModule],
    );
    tenantA = await TenantApi.create(platform.url, jwtSecret, 'tenant-hooks-a', transcript, ALL_SCOPES);
    tenantB = await TenantApi.create(platform.url, jwtSecret, 'tenant-hooks-b', transcript, ALL_SCOPES);
    events = platform.app.get(RecordedEvents);
  });

  afterAll(async () => {
    await platform?.close();
    await peer?.close();
  });

  describe('POST /webhooks/ingest/{connectionId}', () => {
    let github: string;

    beforeAll(async () => {
      github = await connectionFor(tenantA, 'github', GITHUB_SECRET, 'github-hooks');
    });

    it('accepts a GitHub delivery signed by the vendor library, stores it and publishes WebhookReceived', async () => {
      const body = JSON.stringify({ action: 'opened', number: 7, pull_request: { id: 1 } });
      const answer = await ingest(github, body, await githubDelivery(body, 'gh-delivery-1'));
      expect(answer.status).toBe(202);
      const { deliveryId } = (await answer.json()) as { deliveryId: string };

      const delivery = await tenantA.get(`/webhooks/deliveries/${deliveryId}`);
      expect(delivery.body).toMatchObject({
        direction: 'in',
        connectionId: github,
        vendorDeliveryId: 'gh-delivery-1',
        eventType: 'com.github.pull_request.opened',
        status: 'Delivered',
      });

      await waitFor(() => events.ofType('com.github.pull_request.opened').length > 0, 5_000, 'WebhookReceived');
      const received = events.ofType<{ number: number }>('com.github.pull_request.opened')[0];
      expect(received).toMatchObject({
        specversion: '1.0',
        tenantid: 'tenant-hooks-a',
        subject: 'gh-delivery-1',
        connectionid: github,
        deliveryid: deliveryId,
        data: { number: 7 },
      });

      // The raw payload and the headers (minus the signature) are kept with the delivery.
      const stored = await storedPayload(deliveryId);
      expect(stored.body.toString('utf8')).toBe(body);
      expect(stored.headers['x-github-delivery']).toBe('gh-delivery-1');
      expect(stored.headers['x-hub-signature-256']).toBeUndefined();
    });

    it('answers a repeated vendor delivery 200 duplicate and publishes nothing more', async () => {
      const body = JSON.stringify({ action: 'closed', number: 8 });
      const headers = await githubDelivery(body, 'gh-delivery-dup');
      const first = await ingest(github, body, headers);
      expect(first.status).toBe(202);
      const firstId = ((await first.json()) as { deliveryId: string }).deliveryId;
      await waitFor(() => events.ofType('com.github.pull_request.closed').length === 1, 5_000, 'the first WebhookReceived');

      const again = await ingest(github, body, headers);
      expect(again.status).toBe(200);
      expect(await again.json()).toEqual({ deliveryId: firstId, duplicate: true });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(events.ofType('com.github.pull_request.closed')).toHaveLength(1);
    });

    it('answers a reused delivery id with a different signed body as a duplicate, but keeps and counts the conflict', async () => {
      const first = JSON.stringify({ action: 'closed', number: 10 });
      expect((await ingest(github, first, await githubDelivery(first, 'gh-delivery-reused'))).status).toBe(202);
      const metric = async () => Number(/^webhooks_received_total\{[^}]*outcome="conflict"[^}]*\} (\d+)$/m.exec(await (await fetch(`${platform.url}/metrics`)).text())?.[1] ?? 0);
      const conflictsBefore = await metric();

      const second = JSON.stringify({ action: 'closed', number: 11 });
      const again = await ingest(github, second, await githubDelivery(second, 'gh-delivery-reused'));
      expect(again.status).toBe(200);
      expect(await again.json()).toMatchObject({ duplicate: true });
      expect(await metric()).toBe(conflictsBefore + 1);

      const failed = await tenantA.get(`/webhooks/deliveries?connectionId=${github}&status=Failed&limit=500`);
      const conflict = failed.body.items.find((item: { eventType: string }) => item.eventType === 'conflict');
      expect(conflict).toBeDefined();
      expect((await storedPayload(conflict.id)).body.toString('utf8')).toBe(second);
      expect(platform.logs.text()).toContain('reused a delivery id with a different body');
    });

    it('refuses a bad or missing signature with 401 and stores nothing', async () => {
      const body = JSON.stringify({ action: 'opened', number: 9 });
      const before = (await tenantA.get(`/webhooks/deliveries?connectionId=${github}&limit=500`)).body.items.length;
      const forged = await ingest(github, body, await githubDelivery(body, 'gh-forged', 'not-the-secret'));
      expect(forged.status).toBe(401);
      expect(await forged.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
      const unsigned = await ingest(github, body, { 'x-github-event': 'pull_request', 'x-github-delivery': 'gh-unsigned' });
      expect(unsigned.status).toBe(401);
      expect((await tenantA.get(`/webhooks/deliveries?connectionId=${github}&limit=500`)).body.items).toHaveLength(before);
    });

    it('answers 400 for a validly signed body that is not JSON, and keeps it as a failed ingestion', async () => {
      const body = '{"action": "opened", "number":';
      const answer = await ingest(github, body, await githubDelivery(body, 'gh-malformed'));
      expect(answer.status).toBe(400);
      const failed = await tenantA.get(`/webhooks/deliveries?connectionId=${github}&status=Failed`);
      const malformed = failed.body.items.filter((item: { eventType: string }) => item.eventType === 'malformed');
      expect(malformed).toHaveLength(1);
      expect(malformed[0]).toMatchObject({ direction: 'in', eventType: 'malformed' });
    });

    it('answers 413 above the body limit, 404 for an unknown or retired connection', async () => {
      const big = JSON.stringify({ action: 'opened', padding: 'x'.repeat(5000) });
      expect((await ingest(github, big, await githubDelivery(big, 'gh-big'))).status).toBe(413);
      expect((await ingest('conn-0123456789abcdef0123456789abcdef', '{}', {})).status).toBe(404);
      expect((await ingest('not-a-connection', '{}', {})).status).toBe(404);

      const retiring = await connectionFor(tenantA, 'github', GITHUB_SECRET, 'github-retiring');
      expect((await tenantA.post(`/integrations/connections/${retiring}/retire`)).status).toBe(200);
      const body = JSON.stringify({ action: 'opened' });
      expect((await ingest(retiring, body, await githubDelivery(body, 'gh-retired'))).status).toBe(404);
    });

    it('verifies a Stripe delivery and refuses a stale timestamp', async () => {
      const stripe = await connectionFor(tenantA, 'stripe', STRIPE_SECRET, 'stripe-hooks');
      const helper = new Stripe('sk_test_unused').webhooks;
      const body = JSON.stringify({ id: 'evt_1', type: 'invoice.paid', created: 1_700_000_000, data: { object: { id: 'in_1' } } });
      const fresh = await ingest(stripe, body, { 'stripe-signature': helper.generateTestHeaderString({ payload: body, secret: STRIPE_SECRET }) });
      expect(fresh.status).toBe(202);
      const stale = await ingest(stripe, body.replace('evt_1', 'evt_2'), {
        'stripe-signature': helper.generateTestHeaderString({ payload: body.replace('evt_1', 'evt_2'), secret: STRIPE_SECRET, timestamp: Math.floor(Date.now() / 1000) - 600 }),
      });
      expect(stale.status).toBe(401);
      expect(((await stale.json()) as { message: string }).message).toMatch(/timestamp/i);
    });

    it('verifies with both secrets while a rotated webhook secret overlaps', async () => {
      const credential = await tenantA.post('/integrations/credentials', {
        name: 'github-rotating',
        kind: 'webhook-secret',
        value: 'old-github-secret',
        rotationPolicy: { overlapMs: 60_000 },
      });
      const connection = await tenantA.post('/integrations/connections', {
        providerId: 'github',
        displayName: 'rotating',
        webhook: { secretCredentialId: credential.body.id },
      });
      await tenantA.post('/integrations/credentials/rotate', { credentialId: credential.body.id, value: 'new-github-secret' });
      // No connection calls out with it, so there is nothing to verify: the rotation completes at once.
      await waitFor(async () => (await tenantA.get(`/integrations/credentials/${credential.body.id}`)).body.rotations[0]?.status === 'Succeeded', 10_000, 'the rotation');

      const body = JSON.stringify({ action: 'opened' });
      expect((await ingest(connection.body.id, body, await githubDelivery(body, 'gh-new-1', 'new-github-secret'))).status).toBe(202);
      expect((await ingest(connection.body.id, body, await githubDelivery(body, 'gh-old-1', 'old-github-secret'))).status).toBe(202);
      expect((await ingest(connection.body.id, body, await githubDelivery(body, 'gh-neither', 'another-secret'))).status).toBe(401);
    });

    it('takes a delivery from a trusted edge with the ingest scope, not without it', async () => {
      const answer = await tenantA.post('/webhooks/deliveries', {
        connectionId: github,
        vendorDeliveryId: 'edge-1',
        eventType: 'github.push',
        payload: { ref: 'refs/heads/main' },
      });
      expect(answer.status).toBe(202);
      expect((await tenantA.post('/webhooks/deliveries', { connectionId: github, vendorDeliveryId: 'edge-1', eventType: 'github.push', payload: {} })).body).toMatchObject({
        duplicate: true,
      });
      // Another tenant cannot inject into this tenant's connection.
      expect((await tenantB.post('/webhooks/deliveries', { connectionId: github, vendorDeliveryId: 'edge-2', eventType: 'github.push', payload: {} })).status).toBe(400);
    });

    it('checks generic-hmac settings when the connection is created, then verifies with them', async () => {
      const credential = await tenantA.post('/integrations/credentials', { name: 'generic-hooks', kind: 'webhook-secret', value: 'generic-secret-1' });
      const create = (verifierOptions: Record<string, string>) =>
        tenantA.post('/integrations/connections', { providerId: 'generic-hmac', displayName: 'generic', webhook: { secretCredentialId: credential.body.id, verifierOptions } });
      const missingHeader = await create({ algorithm: 'sha256' });
      expect(missingHeader.status).toBe(400);
      expect(missingHeader.body.message).toMatch(/header/);
      expect((await create({ header: 'x-signature', algorithm: 'md5' })).status).toBe(400);

      const connection = await create({ header: 'x-signature', prefix: 'sha256=', deliveryIdHeader: 'x-delivery', eventTypeHeader: 'x-event' });
      expect(connection.status).toBe(201);
      const body = JSON.stringify({ hello: 'world' });
      const signature = `sha256=${createHmac('sha256', 'generic-secret-1').update(body).digest('hex')}`;
      const answer = await ingest(connection.body.id, body, { 'x-signature': signature, 'x-delivery': 'generic-1', 'x-event': 'thing.happened' });
      expect(answer.status).toBe(202);
      const { deliveryId } = (await answer.json()) as { deliveryId: string };
      expect((await tenantA.get(`/webhooks/deliveries/${deliveryId}`)).body).toMatchObject({ eventType: 'generic.thing.happened', vendorDeliveryId: 'generic-1' });
      expect((await storedPayload(deliveryId)).headers).toMatchObject({ 'x-delivery': 'generic-1' });
      expect((await storedPayload(deliveryId)).headers['x-signature']).toBeUndefined();
      expect((await ingest(connection.body.id, body, { 'x-signature': 'sha256=00', 'x-delivery': 'generic-2' })).status).toBe(401);
    });

    it('never stores or logs the webhook secret', async () => {
      const dump = Object.values(await dumpStore(platform.app.get(DataSource))).join('\n');
      expect(dump).toContain('gh-delivery-1');
      for (const secret of [GITHUB_SECRET, STRIPE_SECRET]) {
        expect(dump).not.toContain(secret);
        expect(platform.logs.text()).not.toContain(secret);
        expect(transcript.join('\n')).not.toContain(secret);
      }
    });
  });

  describe('inbound-only connections (webhook settings, no API credential)', () => {
    it('makes a Stripe connection Active without a vendor call, refuses governed calls with 409, and takes its health from verified traffic', async () => {
      const peerCallsBefore = peer.requests.length;
      const stripe = await connectionFor(tenantA, 'stripe', STRIPE_SECRET, 'stripe-inbound-only');
      const created = await tenantA.get(`/integrations/connections/${stripe}`);
      expect(created.body).toMatchObject({ status: 'Active', health: 'Unknown', credentialId: null, lastTest: { passed: true, runId: null } });
      expect(peer.requests.length).toBe(peerCallsBefore);

      const call = await tenantA.post(`/integrations/connections/${stripe}/requests`, { method: 'GET', path: '/v1/balance' });
      expect(call.status).toBe(409);
      expect(call.body.message).toMatch(/inbound-only.*credential.*credentialId/);

      const body = JSON.stringify({ id: 'evt_inbound_1', type: 'payment_intent.succeeded', created: 1_700_000_000, data: { object: { id: 'pi_1' } } });
      const helper = new Stripe('sk_test_unused').webhooks;
      expect((await ingest(stripe, body, { 'stripe-signature': helper.generateTestHeaderString({ payload: body, secret: STRIPE_SECRET }) })).status).toBe(202);
      await waitFor(async () => (await tenantA.get(`/integrations/connections/${stripe}`)).body.health === 'Healthy', 5_000, 'health from the verified webhook');
      await waitFor(() => events.ofType('com.stripe.payment_intent.succeeded').length === 1, 5_000, 'the normalised event');
    });

    it('makes a Standard Webhooks connection (no API at all) Active at once', async () => {
      const key = generateWebhookSecret();
      const credential = await tenantA.post('/integrations/credentials', { name: 'std-inbound', kind: 'webhook-secret', value: key });
      const connection = await tenantA.post('/integrations/connections', {
        providerId: 'standard-webhooks',
        displayName: 'std',
        webhook: { secretCredentialId: credential.body.id },
      });
      expect(connection.status).toBe(201);
      expect(connection.body).toMatchObject({ status: 'Active', lastTest: { passed: true } });
      const governed = await tenantA.post(`/integrations/connections/${connection.body.id}/requests`, { method: 'GET', path: '/x' });
      expect(governed.status).toBe(409);
      expect(governed.body.message).toMatch(/inbound-only: it receives webhooks but has no API to call/);
    });

    it('still refuses a connection that neither calls out with a credential nor receives webhooks', async () => {
      const answer = await tenantA.post('/integrations/connections', { providerId: 'github', displayName: 'nothing' });
      expect(answer.status).toBe(400);
      expect(answer.body.message).toMatch(/auth bearer needs a credentialId/);
    });

    it('delivers normalised vendor events to a prefix subscription (com.stripe.*) and not to another vendor’s', async () => {
      const stripe = await connectionFor(tenantA, 'stripe', STRIPE_SECRET, 'stripe-prefix');
      const prefix = await tenantA.post('/webhooks/subscriptions', { url: `${peer.url}/stripe-all`, eventTypes: ['com.stripe.*'] });
      const github = await tenantA.post('/webhooks/subscriptions', { url: `${peer.url}/github-all`, eventTypes: ['com.github.*'] });
      expect(prefix.status).toBe(201);
      expect((await tenantA.post('/webhooks/subscriptions', { url: `${peer.url}/bad`, eventTypes: ['com.*.x'] })).status).toBe(400);

      const body = JSON.stringify({ id: 'evt_prefix_1', type: 'charge.refunded', created: 1_700_000_000, data: { object: { id: 'ch_1' } } });
      const helper = new Stripe('sk_test_unused').webhooks;
      expect((await ingest(stripe, body, { 'stripe-signature': helper.generateTestHeaderString({ payload: body, secret: STRIPE_SECRET }) })).status).toBe(202);
      const bySubscription = async (id: string) => (await tenantA.get(`/webhooks/deliveries?subscriptionId=${id}`)).body.items as Array<{ eventType: string }>;
      await waitFor(
        async () => (await bySubscription(prefix.body.id)).some((item) => item.eventType === 'com.stripe.charge.refunded'),
        5_000,
        'the prefix subscription’s delivery',
      );
      expect((await bySubscription(github.body.id)).filter((item) => item.eventType === 'com.stripe.charge.refunded')).toHaveLength(0);
    });
  });

  describe('subscriptions and fan-out', () => {
    it('answers the whsec_ secret once, and refuses private destinations', async () => {
      const created = await tenantA.post('/webhooks/subscriptions', { url: `${peer.url}/hooks`, eventTypes: ['order.created'] });
      expect(created.status).toBe(201);
      expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      const read = await tenantA.get(`/webhooks/subscriptions/${created.body.id}`);
      expect(read.body.secret).toBeUndefined();
      expect(JSON.stringify((await tenantA.get('/webhooks/subscriptions')).body)).not.toContain(created.body.secret);

      for (const url of ['http://10.0.0.1/hook', 'http://169.254.169.254/latest', 'http://[::1]:8080/x', 'http://[::ffff:127.0.0.2]/x', 'ftp://example.com/x']) {
        const refused = await tenantA.post('/webhooks/subscriptions', { url, eventTypes: ['*'] });
        expect(refused.status).toBe(400);
      }
      expect((await tenantA.post('/webhooks/subscriptions', { url: `${peer.url}/x`, eventTypes: [] })).status).toBe(400);
    });

    it('fans an event out once per matching subscription, idempotent on the event id', async () => {
      const exact = await tenantA.post('/webhooks/subscriptions', { url: `${peer.url}/exact`, eventTypes: ['invoice.settled'] });
      const star = await tenantA.post('/webhooks/subscriptions', { url: `${peer.url}/star`, eventTypes: ['*'] });
      const other = await tenantA.post('/webhooks/subscriptions', { url: `${peer.url}/other`, eventTypes: ['something.else'] });
      const disabled = await tenantA.post('/webhooks/subscriptions', { url: `${peer.url}/off`, eventTypes: ['*'] });
      expect((await tenantA.request('PATCH', `/webhooks/subscriptions/${disabled.body.id}`, { status: 'Disabled' })).body.status).toBe('Disabled');

      const first = await tenantA.post('/webhooks/events', { type: 'invoice.settled', data: { amount: 10 }, id: 'evt-fan-1' });
      expect(first.status).toBe(202);
      expect(first.body).toMatchObject({ id: 'evt-fan-1', deliveries: 2, matched: 2 });
      const again = await tenantA.post('/webhooks/events', { type: 'invoice.settled', data: { amount: 10 }, id: 'evt-fan-1' });
      expect(again.body).toMatchObject({ id: 'evt-fan-1', deliveries: 0 });

      const bySubscription = async (id: string) => (await tenantA.get(`/webhooks/deliveries?subscriptionId=${id}`)).body.items;
      expect(await bySubscription(exact.body.id)).toHaveLength(1);
      expect(await bySubscription(star.body.id)).toEqual(
        expect.arrayContaining([expect.objectContaining({ eventId: 'evt-fan-1', eventType: 'invoice.settled', direction: 'out' })]),
      );
      expect(await bySubscription(other.body.id)).toHaveLength(0);
      expect(await bySubscription(disabled.body.id)).toHaveLength(0);

      // The other tenant's subscriptions never see this tenant's events.
      const foreign = await tenantB.post('/webhooks/subscriptions', { url: `${peer.url}/b`, eventTypes: ['*'] });
      await tenantA.post('/webhooks/events', { type: 'invoice.settled', data: {}, id: 'evt-fan-2' });
      expect((await tenantB.get(`/webhooks/deliveries?subscriptionId=${foreign.body.id}`)).body.items).toHaveLength(0);
    });

    it('keeps a small event envelope in its delivery rows and a large one once in the blob store', async () => {
      await tenantA.post('/webhooks/subscriptions', { url: `${peer.url}/sizes`, eventTypes: ['size.check'] });
      expect((await tenantA.post('/webhooks/events', { type: 'size.check', data: { small: true }, id: 'evt-size-small' })).status).toBe(202);
      expect((await tenantA.post('/webhooks/events', { type: 'size.check', data: { large: 'x'.repeat(70_000) }, id: 'evt-size-large' })).status).toBe(202);

      const rows = platform.app.get(DataSource).getRepository(WebhookDelivery);
      const small = await rows.findOneByOrFail({ tenantId: 'tenant-hooks-a', eventId: 'evt-size-small', direction: 'out' });
      expect(small.payloadRef).toBeNull();
      expect(JSON.parse(Buffer.from(small.payloadBody!).toString('utf8'))).toMatchObject({ id: 'evt-size-small', type: 'size.check', data: { small: true } });
      const large = await rows.findOneByOrFail({ tenantId: 'tenant-hooks-a', eventId: 'evt-size-large', direction: 'out' });
      expect(large.payloadBody).toBeNull();
      const blob = await platform.app.get(BlobStore).get('tenant-hooks-a', large.payloadRef!);
      expect(JSON.parse(blob!.data.toString('utf8'))).toMatchObject({ id: 'evt-size-large', data: { large: 'x'.repeat(70_000) } });
    });

    it('keeps tenants apart on every subscription and delivery endpoint', async () => {
      const mine = await tenantA.post('/webhooks/subscriptions', { url: `${peer.url}/mine`, eventTypes: ['*'] });
      await tenantA.post('/webhooks/events', { type: 'isolation.check', data: {}, id: 'evt-iso' });
      const [delivery] = (await tenantA.get(`/webhooks/deliveries?subscriptionId=${mine.body.id}`)).body.items;
      expect(delivery).toBeDefined();

      expect((await tenantB.get(`/webhooks/subscriptions/${mine.body.id}`)).status).toBe(404);
      expect((await tenantB.request('PATCH', `/webhooks/subscriptions/${mine.body.id}`, { eventTypes: ['x'] })).status).toBe(404);
      expect((await tenantB.post(`/webhooks/subscriptions/${mine.body.id}/rotate-secret`)).status).toBe(404);
      expect((await tenantB.request('DELETE', `/webhooks/subscriptions/${mine.body.id}`)).status).toBe(404);
      expect((await tenantB.get(`/webhooks/deliveries/${delivery.id}`)).status).toBe(404);
      expect((await tenantB.post(`/webhooks/deliveries/${delivery.id}/replay`)).status).toBe(404);
      expect((await tenantB.get('/webhooks/subscriptions')).body.items.map((item: { id: string }) => item.id)).not.toContain(mine.body.id);
      expect((await tenantA.get(`/webhooks/subscriptions/${mine.body.id}`)).status).toBe(200);
    });

    it('rotates a subscription secret: a new secret once, the old one overlapping', async () => {
      const created = await tenantA.post('/webhooks/subscriptions', { url: `${peer.url}/rotate`, eventTypes: ['*'] });
      const rotated = await tenantA.post(`/webhooks/subscriptions/${created.body.id}/rotate-secret`);
      expect(rotated.status).toBe(200);
      expect(rotated.body.secret).toMatch(/^whsec_/);
      expect(rotated.body.secret).not.toBe(created.body.secret);
      expect(Date.parse(rotated.body.secretRotatedUntil)).toBeGreaterThan(Date.now());
    });

    it('replays a delivery as a new series', async () => {
      const created = await tenantA.post('/webhooks/subscriptions', { url: `${peer.url}/replay`, eventTypes: ['replay.me'] });
      await tenantA.post('/webhooks/events', { type: 'replay.me', data: {}, id: 'evt-replay' });
      const [delivery] = (await tenantA.get(`/webhooks/deliveries?subscriptionId=${created.body.id}`)).body.items;
      const replayed = await tenantA.post(`/webhooks/deliveries/${delivery.id}/replay`);
      expect(replayed.status).toBe(202);
      expect(replayed.body).toMatchObject({ id: delivery.id, series: 2, status: 'Pending', eventId: 'evt-replay' });
    });
  });

  it('signs outbound webhooks so that the standardwebhooks library verifies them, with either secret in an overlap', () => {
    const current = generateWebhookSecret();
    const previous = generateWebhookSecret();
    const body = JSON.stringify({ type: 'invoice.settled', data: { amount: 10 } });
    const headers = signStandardWebhook('evt-sign-1', Math.floor(Date.now() / 1000), body, [current, previous]);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(current).verify(body, { ...headers })).toEqual(JSON.parse(body));
    expect(new Webhook(previous).verify(body, { ...headers })).toEqual(JSON.parse(body));
    expect(() => new Webhook(generateWebhookSecret()).verify(body, { ...headers })).toThrow();
  });
});
