import twilio from 'twilio';
import { DataSource } from 'typeorm';
import { dumpStore, REGISTRY_SCOPES, TenantApi } from './support/governed-api';
import { InProcessPlatform, startInProcess } from './support/platform-app';
import { TwilioPeer } from './support/twilio-peer';
import { newJwtSecret } from './support/tokens';

/**
 * SMS over Twilio against a peer speaking its Messages API: POST /sms/messages → Sent, then Twilio's status
 * callbacks, signed with the twilio library over the public URL, move the message to Delivered or Failed;
 * an unsigned callback moves nothing. Validation, idempotency, tenants and secrets.
 */
const ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
const AUTH_TOKEN = 'twilio-auth-token-3e9d71c2';
const PUBLIC_BASE_URL = 'https://sms.example.test';

describe('SMS over Twilio', () => {
  const jwtSecret = newJwtSecret();
  const transcript: string[] = [];
  let peer: TwilioPeer;
  let platform: InProcessPlatform;
  let tenant: TenantApi;
  let other: TenantApi;
  let connectionId: string;

  /** Twilio's status callback, as Twilio sends it to the StatusCallback URL, arriving through a proxy at the platform. */
  const callback = (params: Record<string, string>, signed = true) => {
    const url = `${PUBLIC_BASE_URL}/webhooks/ingest/${connectionId}`;
    const signature = signed ? twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, params) : 'bm90IGEgc2lnbmF0dXJl';
    return fetch(`${platform.url}/webhooks/ingest/${connectionId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams(params).toString(),
    });
  };

  beforeAll(async () => {
    peer = await TwilioPeer.start(ACCOUNT_SID, AUTH_TOKEN);
    platform = await startInProcess({
      AUTH_JWT_SECRET: jwtSecret,
      APP_ROLE: 'VendorApiClientRegistryService,WebhookGatewayService,SmsIntegrationService',
      EGRESS_ALLOW_LIST: '127.0.0.1',
      PUBLIC_BASE_URL,
      BUS_POLL_INTERVAL: '20ms',
      BUS_RETRY_BASE_DELAY: '100ms',
      HEALTH_PROBE_INTERVAL: '1h',
    });
    tenant = await TenantApi.create(platform.url, jwtSecret, 'tenant-sms-a', transcript, REGISTRY_SCOPES);
    other = await TenantApi.create(platform.url, jwtSecret, 'tenant-sms-b', transcript, REGISTRY_SCOPES);
    const created = await tenant.post('/integrations/connections', {
      providerId: 'twilio',
      displayName: 'Twilio',
      credentialId: await tenant.createCredential('twilio-api', `${ACCOUNT_SID}:${AUTH_TOKEN}`),
      webhook: { secretCredentialId: await tenant.createCredential('twilio-callbacks', AUTH_TOKEN) },
      configuration: { baseUrl: peer.url, accountSid: ACCOUNT_SID, from: '+15550100' },
    });
    expect(created.body).toMatchObject({ status: 'Active' });
    connectionId = created.body.id;
  });

  afterAll(async () => {
    await platform?.close();
    await peer?.close();
  });

  it('sends (202 → Sent) with the StatusCallback, and signed callbacks move it to Delivered', async () => {
    const answer = await tenant.post('/sms/messages', { connectionId, to: '+14155550123', body: 'Build 42 passed' });
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ status: 'Queued', channel: 'sms', size: 1 });
    const sent = await tenant.messageIn('sms', answer.body.id, ['Sent']);
    const [request] = peer.messages;
    expect(request.form).toMatchObject({ To: '+14155550123', From: '+15550100', Body: 'Build 42 passed', StatusCallback: `${PUBLIC_BASE_URL}/webhooks/ingest/${connectionId}` });
    expect(sent.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);

    const unsigned = await callback({ MessageSid: sent.providerMessageId, MessageStatus: 'delivered', AccountSid: ACCOUNT_SID }, false);
    expect(unsigned.status).toBe(401);
    expect((await callback({ MessageSid: sent.providerMessageId, MessageStatus: 'delivered', AccountSid: ACCOUNT_SID })).status).toBe(202);
    const delivered = await tenant.messageIn('sms', answer.body.id, ['Delivered']);
    expect(delivered.history.map((entry: { status: string }) => entry.status)).toEqual(['Queued', 'Sent', 'Delivered']);
    // A late `sent` callback cannot move it back.
    await callback({ MessageSid: sent.providerMessageId, MessageStatus: 'sent', AccountSid: ACCOUNT_SID });
    expect((await tenant.get(`/sms/messages/${answer.body.id}`)).body.status).toBe('Delivered');
  });

  it('records an undelivered callback as Failed with Twilio’s error code', async () => {
    const answer = await tenant.post('/sms/messages', { connectionId, to: '+14155550124', body: 'x' });
    const sent = await tenant.messageIn('sms', answer.body.id, ['Sent']);
    await callback({ MessageSid: sent.providerMessageId, MessageStatus: 'undelivered', ErrorCode: '30003', AccountSid: ACCOUNT_SID });
    const failed = await tenant.messageIn('sms', answer.body.id, ['Failed']);
    expect(failed.failure).toMatchObject({ code: 'twilio_30003' });
  });

  it('fails a message Twilio refuses as invalid (21211) without retrying it', async () => {
    peer.fail(400, 21211);
    const before = peer.messages.length;
    const answer = await tenant.post('/sms/messages', { connectionId, to: '+14155550125', body: 'x' });
    const failed = await tenant.messageIn('sms', answer.body.id, ['Failed']);
    expect(failed.failure).toMatchObject({ category: 'Validation' });
    expect(peer.messages.length).toBe(before);
  });

  it('retries a message after a Twilio 500, then sends it', async () => {
    peer.fail(500, 20500);
    const answer = await tenant.post('/sms/messages', { connectionId, to: '+14155550126', body: 'retried' });
    const sent = await tenant.messageIn('sms', answer.body.id, ['Sent']);
    expect(sent.attempts).toBe(1);
    expect(peer.messages.filter((request) => request.form.Body === 'retried')).toHaveLength(1);
  });

  it('sends once per idempotency key, validates before queueing, and keeps tenants apart', async () => {
    const first = await tenant.post('/sms/messages', { connectionId, to: '+14155550127', body: 'once', idempotencyKey: 'sms-1' });
    const second = await tenant.post('/sms/messages', { connectionId, to: '+14155550127', body: 'once', idempotencyKey: 'sms-1' });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ id: first.body.id, duplicate: true });
    await tenant.messageIn('sms', first.body.id, ['Sent']);
    expect(peer.messages.filter((request) => request.form.Body === 'once')).toHaveLength(1);

    const bad = await tenant.post('/sms/messages', { connectionId, to: '0501234567', body: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^to/);
    const long = await tenant.post('/sms/messages', { connectionId, to: '+14155550128', body: '€'.repeat(800) });
    expect(long.status).toBe(400);
    expect(long.body.message).toMatch(/body/);

    expect((await other.get(`/sms/messages/${first.body.id}`)).status).toBe(404);
    expect((await other.post('/sms/messages', { connectionId, to: '+14155550129', body: 'x' })).status).toBe(400);
  });

  it('never shows the auth token in answers, logs or rows', async () => {
    const store = JSON.stringify(await dumpStore(platform.app.get(DataSource)));
    for (const place of [transcript.join('\n'), platform.logs.text(), store]) expect(place).not.toContain(AUTH_TOKEN);
  });
});
