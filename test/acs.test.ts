import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AcsPeer } from './support/acs-peer';
import { dumpStore, REGISTRY_SCOPES, TenantApi, waitFor } from './support/governed-api';
import { EventRecorderModule, RecordedEvents } from './support/event-recorder';
import { InProcessPlatform, startInProcess } from './support/platform-app';
import { newJwtSecret } from './support/tokens';

/**
 * Email and SMS through Azure Communication Services against a peer speaking its data plane, every
 * request's HMAC-SHA256 signature checked as Azure documents it: email operations polled to their end
 * (Retry-After honoured), retried sends naming the same operation / repeatability id (sent once), and
 * delivery reports arriving through Event Grid at the connection's ingest URL moving messages on,
 * never another tenant's.
 */
const ACCESS_KEY = randomBytes(32).toString('base64');
const WRONG_KEY = randomBytes(32).toString('base64');
const EVENT_GRID_SECRET = 'event-grid-code-5d1c0b';

describe('Azure Communication Services email and SMS', () => {
  const jwtSecret = newJwtSecret();
  const transcript: string[] = [];
  let peer: AcsPeer;
  let platform: InProcessPlatform;
  let tenant: TenantApi;
  let other: TenantApi;
  let connectionId: string;
  let otherConnectionId: string;

  const connect = async (api: TenantApi, name: string, key = ACCESS_KEY, extra: Record<string, unknown> = {}) =>
    api.post('/integrations/connections', {
      providerId: 'azure-communication-services',
      displayName: name,
      credentialId: await api.createCredential(`${name}-key`, `endpoint=https://${name}.communication.azure.com/;accesskey=${key}`),
      webhook: { secretCredentialId: await api.createCredential(`${name}-event-grid`, EVENT_GRID_SECRET, 'webhook-secret') },
      configuration: { endpoint: peer.url, from: '+18005550100' },
      ...extra,
    });
  const email = (body: Record<string, unknown> = {}) =>
    tenant.post('/email/messages', {
      connectionId,
      from: 'Factory <factory@platform.example>',
      to: ['"Dev, Team" <dev@receiver.example>'],
      subject: 'Build 42',
      text: 'passed',
      ...body,
    });
  /** An Event Grid delivery (Event Grid schema) as it reaches the subscription's endpoint URL. */
  const deliver = (connection: string, eventType: string, data: Record<string, unknown>) =>
    fetch(`${platform.url}/webhooks/ingest/${connection}?code=${EVENT_GRID_SECRET}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'aeg-event-type': 'Notification' },
      body: JSON.stringify([
        {
          id: randomUUID(),
          topic: '/subscriptions/s/resourceGroups/g/providers/microsoft.communication/communicationservices/acs',
          subject: `message/${String(data.messageId ?? data.MessageId)}`,
          eventType,
          data,
          dataVersion: '1.0',
          metadataVersion: '1',
          eventTime: new Date().toISOString(),
        },
      ]),
    });

  beforeAll(async () => {
    peer = await AcsPeer.start(ACCESS_KEY);
    platform = await startInProcess(
      {
        AUTH_JWT_SECRET: jwtSecret,
        APP_ROLE: 'VendorApiClientRegistryService,WebhookGatewayService,EmailIntegrationService,SmsIntegrationService',
        EGRESS_ALLOW_LIST: '127.0.0.1',
        BUS_POLL_INTERVAL: '20ms',
        BUS_RETRY_BASE_DELAY: '100ms',
        EMAIL_OPERATION_POLL_INTERVAL: '20ms',
        HEALTH_PROBE_INTERVAL: '1h',
      },
      [EventRecorderModule],
    );
    tenant = await TenantApi.create(platform.url, jwtSecret, 'tenant-acs-a', transcript, REGISTRY_SCOPES);
    other = await TenantApi.create(platform.url, jwtSecret, 'tenant-acs-b', transcript, REGISTRY_SCOPES);
    const created = await connect(tenant, 'acs-a');
    expect(created.body.lastTest).toMatchObject({ passed: true });
    expect(created.body).toMatchObject({ status: 'Active' });
    connectionId = created.body.id;
    const second = await connect(other, 'acs-b');
    expect(second.body).toMatchObject({ status: 'Active' });
    otherConnectionId = second.body.id;
  });

  afterAll(async () => {
    await platform?.close();
    await peer?.close();
  });

  beforeEach(() => {
    peer.retryAfterSeconds = 0;
  });

  it('tests a connection with a signed request: a wrong access key leaves it Pending (Auth)', async () => {
    const refused = await connect(tenant, 'acs-wrong', WRONG_KEY);
    expect(refused.status).toBe(201);
    expect(refused.body).toMatchObject({ status: 'Pending', lastTest: { passed: false, category: 'Auth' } });
  });

  it('sends an email (202 → Sent once the operation succeeds), polling at the pace of Retry-After', async () => {
    peer.retryAfterSeconds = 1;
    peer.scriptOperation({ pollsBeforeEnd: 1, outcome: 'Succeeded' });
    const answer = await email({
      cc: ['qa@receiver.example'],
      html: '<p>passed</p>',
      headers: { 'X-Build': '42' },
      attachments: [{ filename: 'report.txt', contentType: 'text/plain', contentBase64: Buffer.from('all green').toString('base64') }],
    });
    expect(answer.status).toBe(202);
    const sent = await tenant.messageIn('email', answer.body.id, ['Sent']);
    const operation = peer.operations.get(sent.providerMessageId)!;
    expect(operation).toBeDefined();
    expect(operation.request).toMatchObject({
      senderAddress: 'factory@platform.example',
      content: { subject: 'Build 42', plainText: 'passed', html: '<p>passed</p>' },
      recipients: { to: [{ address: 'dev@receiver.example', displayName: 'Dev, Team' }], cc: [{ address: 'qa@receiver.example' }] },
      headers: { 'X-Build': '42' },
      attachments: [{ name: 'report.txt', contentType: 'text/plain', contentInBase64: Buffer.from('all green').toString('base64') }],
    });
    // Running at the first poll, Succeeded at the second; each poll waited the answer's Retry-After (1 s).
    expect(operation.polls).toHaveLength(2);
    expect(operation.polls[1] - operation.polls[0]).toBeGreaterThanOrEqual(950);
    expect(sent.history.map((entry: { status: string }) => entry.status)).toEqual(['Queued', 'Sent']);
  });

  it('moves an email to Delivered or Bounced on its Event Grid delivery report, announcing each change', async () => {
    const delivered = await email({ subject: 'to deliver' });
    const bounced = await email({ subject: 'to bounce' });
    const first = await tenant.messageIn('email', delivered.body.id, ['Sent']);
    const second = await tenant.messageIn('email', bounced.body.id, ['Sent']);
    const report = (messageId: string, status: string) =>
      deliver(connectionId, 'Microsoft.Communication.EmailDeliveryReportReceived', {
        sender: 'factory@platform.example',
        recipient: 'dev@receiver.example',
        messageId,
        status,
        deliveryStatusDetails: { statusMessage: status === 'Delivered' ? 'No error.' : '550 5.1.1 mailbox unavailable' },
        deliveryAttemptTimeStamp: new Date().toISOString(),
      });
    expect((await report(first.providerMessageId, 'Delivered')).status).toBe(202);
    expect((await report(second.providerMessageId, 'Bounced')).status).toBe(202);
    expect((await tenant.messageIn('email', delivered.body.id, ['Delivered'])).history.at(-1)).toMatchObject({ status: 'Delivered', detail: 'Delivered: No error.' });
    const bounce = await tenant.messageIn('email', bounced.body.id, ['Bounced']);
    expect(bounce.failure).toMatchObject({ code: 'acs_Bounced' });

    const recorded = platform.app.get(RecordedEvents);
    await waitFor(() => recorded.ofType('MessageStatusChanged').filter((event) => event.subject === delivered.body.id).length === 3, 5000, 'three status events');
    const events = recorded.ofType<{ status: string; providerId: string }>('MessageStatusChanged').filter((event) => event.subject === delivered.body.id);
    expect(events.map((event) => event.data?.status)).toEqual(['Queued', 'Sent', 'Delivered']);
    expect(events[2].data?.providerId).toBe('azure-communication-services');
    expect(JSON.stringify(events)).not.toContain('receiver.example');
  });

  it('records an email operation that ends Failed as Failed with ACS’s error code', async () => {
    peer.scriptOperation({ pollsBeforeEnd: 0, outcome: 'Failed', error: { code: 'EmailDroppedAllRecipientsSuppressed', message: 'Every recipient is suppressed' } });
    const answer = await email({ subject: 'suppressed' });
    const failed = await tenant.messageIn('email', answer.body.id, ['Failed']);
    expect(failed.failure).toMatchObject({ category: 'Validation', code: 'acs_EmailDroppedAllRecipientsSuppressed' });
  });

  it('sends an email once when its answer is lost: the retry names the same operation', async () => {
    peer.fail(503, 'ServiceUnavailable', true);
    const answer = await email({ subject: 'answer lost' });
    const sent = await tenant.messageIn('email', answer.body.id, ['Sent']);
    const attempts = peer.emailRequests.filter((request) => request.body.includes('answer lost'));
    expect(attempts).toHaveLength(2);
    expect(attempts[0].operationId).toBe(attempts[1].operationId);
    expect(attempts[0].operationId).toBe(sent.providerMessageId);
    expect([...peer.operations.values()].filter((operation) => operation.body.includes('answer lost'))).toHaveLength(1);
  });

  it('fails an email ACS refuses (400) without retrying it', async () => {
    peer.fail(400, 'InvalidSenderDomain');
    const answer = await email({ subject: 'refused' });
    const failed = await tenant.messageIn('email', answer.body.id, ['Failed']);
    expect(failed.failure).toMatchObject({ category: 'Validation', code: 'acs_InvalidSenderDomain' });
    expect(peer.emailRequests.filter((request) => request.body.includes('"refused"'))).toHaveLength(1);
  });

  it('sends an SMS with a repeatability id, and its Event Grid delivery report moves it to Delivered', async () => {
    const answer = await tenant.post('/sms/messages', { connectionId, to: '+14255550123', body: 'Build 42 passed' });
    expect(answer.status).toBe(202);
    const sent = await tenant.messageIn('sms', answer.body.id, ['Sent']);
    const send = peer.sms.find((item) => item.messageId === sent.providerMessageId)!;
    expect(send.request).toMatchObject({ from: '+18005550100', message: 'Build 42 passed', smsSendOptions: { enableDeliveryReport: true, tag: answer.body.id } });
    expect(send.repeatabilityRequestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Date(send.repeatabilityFirstSent).toUTCString()).toBe(send.repeatabilityFirstSent);

    const report = await deliver(connectionId, 'Microsoft.Communication.SMSDeliveryReportReceived', {
      messageId: sent.providerMessageId,
      from: '+18005550100',
      to: '+14255550123',
      deliveryStatus: 'Delivered',
      deliveryStatusDetails: 'No error.',
      receivedTimestamp: new Date().toISOString(),
      tag: answer.body.id,
    });
    expect(report.status).toBe(202);
    const delivered = await tenant.messageIn('sms', answer.body.id, ['Delivered']);
    expect(delivered.history.map((entry: { status: string }) => entry.status)).toEqual(['Queued', 'Sent', 'Delivered']);

    const recorded = platform.app.get(RecordedEvents);
    await waitFor(() => recorded.ofType('MessageStatusChanged').filter((event) => event.subject === answer.body.id).length === 3, 5000, 'three SMS status events');
    expect(JSON.stringify(recorded.ofType('MessageStatusChanged').filter((event) => event.subject === answer.body.id))).not.toContain('+14255550123');
  });

  it('sends an SMS once when its answer is lost: the retry carries the same repeatability id', async () => {
    peer.fail(500, 'InternalServerError', true);
    const answer = await tenant.post('/sms/messages', { connectionId, to: '+14255550124', body: 'answer lost' });
    const sent = await tenant.messageIn('sms', answer.body.id, ['Sent']);
    const requests = peer.smsRequests.filter((request) => request.message === 'answer lost');
    expect(requests).toHaveLength(2);
    const ids = requests.map((request) => (request.smsRecipients as Array<{ repeatabilityRequestId: string }>)[0].repeatabilityRequestId);
    expect(ids[0]).toBe(ids[1]);
    expect(peer.sms.filter((item) => item.request.message === 'answer lost').map((item) => item.messageId)).toEqual([sent.providerMessageId]);
  });

  it('fails an SMS whose recipient ACS does not take, and one reported Failed', async () => {
    peer.failSmsRecipient(400, 'Invalid To phone number format.');
    const refused = await tenant.post('/sms/messages', { connectionId, to: '+14255550125', body: 'x' });
    expect((await tenant.messageIn('sms', refused.body.id, ['Failed'])).failure).toMatchObject({ category: 'Validation', code: 'acs_400' });

    const answer = await tenant.post('/sms/messages', { connectionId, to: '+14255550126', body: 'undeliverable' });
    const sent = await tenant.messageIn('sms', answer.body.id, ['Sent']);
    await deliver(connectionId, 'Microsoft.Communication.SMSDeliveryReportReceived', {
      messageId: sent.providerMessageId,
      deliveryStatus: 'Failed',
      deliveryStatusDetails: 'Handset unreachable',
    });
    expect((await tenant.messageIn('sms', answer.body.id, ['Failed'])).failure).toMatchObject({ code: 'acs_Failed' });
  });

  it('paces a burst of SMS at the connection’s rate budget instead of failing them', async () => {
    const paced = await connect(tenant, 'acs-paced', ACCESS_KEY, { rateLimitBudget: { requestsPerSecond: 1, burst: 1 } });
    expect(paced.body).toMatchObject({ status: 'Active' });
    const answers = await Promise.all(
      ['+14255550131', '+14255550132', '+14255550133', '+14255550134'].map((to) => tenant.post('/sms/messages', { connectionId: paced.body.id, to, body: 'paced' })),
    );
    const sent = await Promise.all(answers.map((answer) => tenant.messageIn('sms', answer.body.id, ['Sent', 'Failed'], 20_000)));
    expect(sent.map((message) => message.status)).toEqual(['Sent', 'Sent', 'Sent', 'Sent']);
    // Waiting for the budget costs a message no attempt.
    expect(sent.map((message) => message.attempts)).toEqual([0, 0, 0, 0]);
    const arrivals = peer.sms.filter((item) => item.request.message === 'paced').map((item) => item.at);
    expect(arrivals).toHaveLength(4);
    // One token a second, one in the bucket: four sends take at least three seconds to arrive (a little slack for the clock).
    expect(Math.max(...arrivals) - Math.min(...arrivals)).toBeGreaterThanOrEqual(2_700);
  });

  it('moves no message of another tenant: a report on tenant B’s connection naming tenant A’s message is dropped', async () => {
    const answer = await tenant.post('/sms/messages', { connectionId, to: '+14255550127', body: 'mine' });
    const sent = await tenant.messageIn('sms', answer.body.id, ['Sent']);
    const foreign = await deliver(otherConnectionId, 'Microsoft.Communication.SMSDeliveryReportReceived', { messageId: sent.providerMessageId, deliveryStatus: 'Failed' });
    expect(foreign.status).toBe(202);
    // The SMS role found no message of tenant B by that id, retried while a send could still be committing, then dropped the report.
    await waitFor(
      () =>
        platform.logs
          .text()
          .split('\n')
          .some((line) => line.includes('Delivery report for no known message dropped') && line.includes(sent.providerMessageId)),
      15_000,
      'the foreign report to be dropped',
    );
    expect((await tenant.get(`/sms/messages/${answer.body.id}`)).body.status).toBe('Sent');
    expect((await other.get(`/sms/messages/${answer.body.id}`)).status).toBe(404);
    expect((await other.post('/sms/messages', { connectionId, to: '+14255550128', body: 'x' })).status).toBe(400);
  });

  it('never shows the access key or the Event Grid secret in answers, logs or rows', async () => {
    const store = JSON.stringify(await dumpStore(platform.app.get(DataSource)));
    for (const place of [transcript.join('\n'), platform.logs.text(), store]) {
      expect(place).not.toContain(ACCESS_KEY);
      expect(place).not.toContain(WRONG_KEY);
      expect(place).not.toContain(EVENT_GRID_SECRET);
    }
  });
});
