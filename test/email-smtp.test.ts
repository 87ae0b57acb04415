import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { BlobStore } from '../src/platform/blob/blob-store';
import { BusPublisher } from '../src/platform/messaging/bus-publisher';
import { dumpStore, REGISTRY_SCOPES, TenantApi, waitFor } from './support/governed-api';
import { EventRecorderModule, RecordedEvents } from './support/event-recorder';
import { InProcessPlatform, startInProcess } from './support/platform-app';
import { SmtpPeer } from './support/smtp-peer';
import { newJwtSecret } from './support/tokens';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain CommonJS shared with scripts/test.js
const { TEST_CA_CERT_PATH } = require('./support/key-vault-peer/test-ca') as { TEST_CA_CERT_PATH: string };

/**
 * Email over SMTP against real SMTP servers (smtp-server, mail parsed with mailparser): messages recorded
 * and sent through governed sessions on pooled transports, implicit TLS and STARTTLS with the certificate
 * checked, AUTH from the credential, 4xx retried and 5xx Failed, idempotency, failover on a route, the
 * egress guard on SMTP hosts, tenant isolation, no secret anywhere.
 */

const PASSWORD = 'smtp-peer-password-7f3a9c';
/** The peers' certificate is issued by the test CA: connections name it as their private CA. */
const CA = readFileSync(TEST_CA_CERT_PATH, 'utf8');

describe('email over SMTP', () => {
  const jwtSecret = newJwtSecret();
  const transcript: string[] = [];
  let starttls: SmtpPeer;
  let implicit: SmtpPeer;
  let platform: InProcessPlatform;
  let tenant: TenantApi;
  let other: TenantApi;
  let starttlsConnection: string;
  let tlsConnection: string;

  const connect = async (name: string, configuration: Record<string, unknown>, secret = `mailer:${PASSWORD}`) =>
    tenant.post('/integrations/connections', {
      providerId: 'smtp',
      displayName: name,
      credentialId: await tenant.createCredential(name, secret),
      configuration: { ca: CA, ...configuration },
    });
  const send = (body: Record<string, unknown>, api = tenant) =>
    api.post('/email/messages', { from: 'Factory <factory@platform.example>', to: ['dev@receiver.example'], text: 'hello', ...body });

  beforeAll(async () => {
    starttls = await SmtpPeer.start({ security: 'starttls', user: 'mailer', password: PASSWORD });
    implicit = await SmtpPeer.start({ security: 'tls', user: 'mailer', password: PASSWORD });
    platform = await startInProcess(
      {
        AUTH_JWT_SECRET: jwtSecret,
        APP_ROLE: 'VendorApiClientRegistryService,WebhookGatewayService,EmailIntegrationService',
        EGRESS_ALLOW_LIST: '127.0.0.1',
        BUS_POLL_INTERVAL: '20ms',
        BUS_RETRY_BASE_DELAY: '100ms',
        MESSAGE_MAX_ATTEMPTS: '3',
        HEALTH_PROBE_INTERVAL: '1h',
      },
      [EventRecorderModule],
    );
    tenant = await TenantApi.create(platform.url, jwtSecret, 'tenant-mail-a', transcript, REGISTRY_SCOPES);
    other = await TenantApi.create(platform.url, jwtSecret, 'tenant-mail-b', transcript, REGISTRY_SCOPES);
    const first = await connect('starttls', { host: '127.0.0.1', port: starttls.port, security: 'starttls' });
    expect(first.body).toMatchObject({ status: 'Active', lastTest: { passed: true } });
    starttlsConnection = first.body.id;
    const second = await connect('tls', { host: '127.0.0.1', port: implicit.port, security: 'tls' });
    expect(second.body).toMatchObject({ status: 'Active', lastTest: { passed: true } });
    tlsConnection = second.body.id;
  });

  afterAll(async () => {
    await platform?.close();
    await starttls?.close();
    await implicit?.close();
  });

  it('tests a new connection with an SMTP exchange (STARTTLS, AUTH), recorded as a test run', async () => {
    expect(starttls.logins).toContainEqual({ user: 'mailer', accepted: true });
    const runs = (await tenant.get(`/integrations/runs?connectionId=${starttlsConnection}`)).body.items;
    expect(runs.map((run: { operation: string }) => run.operation)).toContain('test smtp.verify');
  });

  it('queues a message (202), sends it over STARTTLS with AUTH, and records it Sent with its run', async () => {
    const answer = await send({
      connectionId: starttlsConnection,
      subject: 'Build 42 passed',
      to: ['dev@receiver.example', 'Ops <ops@receiver.example>'],
      cc: ['lead@receiver.example'],
      html: '<p>hello</p>',
      headers: { 'X-Build': '42' },
      attachments: [{ filename: 'report.txt', contentType: 'text/plain', contentBase64: Buffer.from('all green').toString('base64') }],
    });
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ id: expect.stringMatching(/^msg-/), status: 'Queued', channel: 'email' });
    const sent = await tenant.messageIn('email', answer.body.id, ['Sent']);
    expect(sent).toMatchObject({ providerId: 'smtp', connectionId: starttlsConnection, providerMessageId: `<${answer.body.id}@platform.example>` });
    const runId = sent.history.find((entry: { status: string }) => entry.status === 'Sent').runId;
    expect((await tenant.get(`/integrations/runs/${runId}`)).body).toMatchObject({ state: 'Completed', operation: 'smtp.send' });

    const [received] = starttls.bySubject('Build 42 passed');
    expect(received.secure).toBe(true);
    expect(received.user).toBe('mailer');
    expect(received.envelope.to.sort()).toEqual(['dev@receiver.example', 'lead@receiver.example', 'ops@receiver.example']);
    expect(received.mail.messageId).toBe(`<${answer.body.id}@platform.example>`);
    expect(received.mail.text?.trim()).toBe('hello');
    expect(received.mail.html).toContain('<p>hello</p>');
    expect(received.mail.headers.get('x-build')).toBe('42');
    expect(received.mail.attachments.map((attachment) => [attachment.filename, attachment.content.toString()])).toEqual([['report.txt', 'all green']]);
  });

  it('sends a large attachment intact through its staged blob, and removes the blob once sent', async () => {
    const content = randomBytes(200 * 1024);
    const answer = await send({
      connectionId: starttlsConnection,
      subject: 'large attachment',
      attachments: [{ filename: 'build.bin', contentType: 'application/octet-stream', contentBase64: content.toString('base64') }],
    });
    expect(answer.status).toBe(202);
    await tenant.messageIn('email', answer.body.id, ['Sent']);
    const [received] = starttls.bySubject('large attachment');
    expect(received.mail.attachments[0].content.equals(content)).toBe(true);
    // The bytes never sat in a row (the staging itself is email-channel.spec.ts's).
    expect(JSON.stringify(await dumpStore(platform.app.get(DataSource)))).not.toContain(content.subarray(0, 3000).toString('base64'));
    await waitFor(async () => !(await platform.app.get(BlobStore).exists('tenant-mail-a', `messages/${answer.body.id}/attachment-0`)), 5000, 'the staged blob to be removed');
  });

  it('sends over implicit TLS', async () => {
    const answer = await send({ connectionId: tlsConnection, subject: 'over tls' });
    await tenant.messageIn('email', answer.body.id, ['Sent']);
    expect(implicit.bySubject('over tls')[0].secure).toBe(true);
  });

  it('announces every status change as MessageStatusChanged, without addresses', async () => {
    const answer = await send({ connectionId: starttlsConnection, subject: 'evented' });
    await tenant.messageIn('email', answer.body.id, ['Sent']);
    const recorded = platform.app.get(RecordedEvents);
    await waitFor(() => recorded.ofType('MessageStatusChanged').filter((event) => event.subject === answer.body.id).length === 2, 5000, 'two status events');
    const events = recorded.ofType<{ status: string; previousStatus: string | null }>('MessageStatusChanged').filter((event) => event.subject === answer.body.id);
    expect(events.map((event) => [event.data?.previousStatus, event.data?.status])).toEqual([
      [null, 'Queued'],
      ['Queued', 'Sent'],
    ]);
    expect(JSON.stringify(events)).not.toContain('receiver.example');
  });

  it('sends a message at most once per idempotency key, from HTTP and from the bus', async () => {
    const first = await send({ connectionId: starttlsConnection, subject: 'once only', idempotencyKey: 'deploy-7' });
    const second = await send({ connectionId: starttlsConnection, subject: 'once only', idempotencyKey: 'deploy-7' });
    expect(first.status).toBe(202);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ id: first.body.id, duplicate: true });
    await tenant.messageIn('email', first.body.id, ['Sent']);
    await platform.app
      .get(BusPublisher)
      .send(
        'SendEmail',
        { connectionId: starttlsConnection, from: 'factory@platform.example', to: ['dev@receiver.example'], subject: 'once only', text: 'x', idempotencyKey: 'deploy-7' },
        { tenantId: 'tenant-mail-a' },
      );
    const fromBus = await send({ connectionId: starttlsConnection, subject: 'after the duplicate' });
    await tenant.messageIn('email', fromBus.body.id, ['Sent']);
    expect(starttls.bySubject('once only')).toHaveLength(1);
  });

  it('records and sends a SendEmail published on the bus by another service', async () => {
    await platform.app
      .get(BusPublisher)
      .send(
        'SendEmail',
        { connectionId: starttlsConnection, from: 'factory@platform.example', to: ['dev@receiver.example'], subject: 'from the bus', text: 'x' },
        { tenantId: 'tenant-mail-a' },
      );
    await waitFor(() => starttls.bySubject('from the bus').length === 1, 10_000, 'the bus message to arrive');
    const listed = (await tenant.get('/email/messages?status=Sent&limit=50')).body.items;
    expect(listed.find((message: { subject: string }) => message.subject === 'from the bus')).toMatchObject({ status: 'Sent', providerId: 'smtp' });
  });

  it('retries a message the server defers (451) and fails one it refuses (550), without failover on 550', async () => {
    starttls.reject(451);
    const deferred = await send({ connectionId: starttlsConnection, subject: 'deferred once' });
    const sent = await tenant.messageIn('email', deferred.body.id, ['Sent']);
    expect(sent.attempts).toBe(1);
    expect(sent.history.some((entry: { failure?: { code: string } }) => entry.failure?.code === 'smtp_deferred')).toBe(true);
    expect(starttls.bySubject('deferred once')).toHaveLength(1);

    starttls.reject(550);
    const refused = await send({ connectionId: starttlsConnection, subject: 'refused' });
    const failed = await tenant.messageIn('email', refused.body.id, ['Failed']);
    expect(failed.failure).toMatchObject({ category: 'Validation', code: 'smtp_rejected' });
  });

  it('fails over on a route: the first connection’s server is down, the second sends', async () => {
    const down = await SmtpPeer.start({ security: 'starttls', user: 'mailer', password: PASSWORD });
    const downConnection = (await connect('soon-down', { host: '127.0.0.1', port: down.port, security: 'starttls' })).body.id;
    await down.close();
    const route = await tenant.request('PUT', '/email/routes/primary', { connectionIds: [downConnection, starttlsConnection] });
    expect(route.status).toBe(201);
    const answer = await send({ routeName: 'primary', subject: 'via the route' });
    const sent = await tenant.messageIn('email', answer.body.id, ['Sent']);
    expect(sent).toMatchObject({ routeName: 'primary', connectionId: starttlsConnection });
    expect(sent.history.find((entry: { connectionId?: string; failure?: unknown }) => entry.connectionId === downConnection && entry.failure)).toBeDefined();
    expect(starttls.bySubject('via the route')).toHaveLength(1);
  });

  it('fails a message whose login is refused, and does not fail over from an Auth failure', async () => {
    const wrong = await connect('wrong-password', { host: '127.0.0.1', port: starttls.port, security: 'starttls' }, 'mailer:not-the-password');
    expect(wrong.body).toMatchObject({ status: 'Pending', lastTest: { passed: false, category: 'Auth' } });
  });

  it('refuses an SMTP host that resolves to a private address not on EGRESS_ALLOW_LIST', async () => {
    const refused = await connect('private', { host: '10.1.2.3', port: 587, security: 'starttls' });
    expect(refused.status).toBeGreaterThanOrEqual(200);
    expect(refused.body.status).not.toBe('Active');
    expect(JSON.stringify(refused.body)).toMatch(/egress_refused|EGRESS_ALLOW_LIST/);
  });

  it('answers 400 naming the field for bad input, and queues nothing', async () => {
    for (const [body, field] of [
      [{ connectionId: starttlsConnection, subject: 'x', to: [] }, 'to'],
      [{ connectionId: starttlsConnection, subject: null }, 'subject'],
      [{ subject: 'no target' }, 'connectionId'],
    ] as const) {
      const answer = await send(body as Record<string, unknown>);
      expect(answer.status).toBe(400);
      expect(answer.body.message).toContain(field);
    }
    expect((await send({ connectionId: 'conn-00000000000000000000000000000000', subject: 'x' })).status).toBe(400);
  });

  it('keeps tenants apart', async () => {
    const mine = await send({ connectionId: starttlsConnection, subject: 'mine' });
    expect((await other.get(`/email/messages/${mine.body.id}`)).status).toBe(404);
    const foreign = await send({ connectionId: starttlsConnection, subject: 'not yours' }, other);
    expect(foreign.status).toBe(400);
    expect((await other.get('/email/messages')).body.items).toEqual([]);
  });

  it('never shows the SMTP password in answers, logs, rows or events', async () => {
    const store = await dumpStore(platform.app.get(DataSource));
    const recorded = JSON.stringify(platform.app.get(RecordedEvents).events);
    for (const place of [transcript.join('\n'), platform.logs.text(), JSON.stringify(store), recorded]) expect(place).not.toContain(PASSWORD);
  });
});
