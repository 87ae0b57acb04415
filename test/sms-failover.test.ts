import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { REGISTRY_SCOPES, TenantApi } from './support/governed-api';
import { InProcessPlatform, startInProcess } from './support/platform-app';
import { TwilioPeer } from './support/twilio-peer';
import { newJwtSecret } from './support/tokens';

/**
 * A route of SMS connections: Twilio first, 019 second. A Transient failure on Twilio moves the message to
 * 019 (which gets the number in its local format); an Auth failure does not fail over.
 */
const ACCOUNT_SID = `AC${'fedcba9876543210'.repeat(2)}`;
const AUTH_TOKEN = 'twilio-auth-token-77aa01';
const SMS019_TOKEN = 'sms019-bearer-token-5b6c';

/** 019's JSON API: POST /api with a bearer token and `{sms: {user, source, destinations: {phone: [...]}, message}}`; status 0 is sent. */
class Sms019Peer {
  readonly sent: Array<{ source: string; phones: string[]; message: string }> = [];
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<Sms019Peer> {
    const holder: { peer?: Sms019Peer } = {};
    const server = createServer(async (request, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const answer = (body: unknown) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (request.headers.authorization !== `Bearer ${SMS019_TOKEN}`) return answer({ status: 3, message: 'Username or password is incorrect' });
      if (request.method === 'GET') return answer({ status: 0, message: 'OK' });
      const { sms } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      holder.peer!.sent.push({ source: sms.source, phones: sms.destinations.phone, message: sms.message });
      answer({ status: 0, message: 'SMS will be sent', shipment_id: String(1000 + holder.peer!.sent.length) });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    holder.peer = new Sms019Peer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return holder.peer;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('SMS routes and failover', () => {
  const jwtSecret = newJwtSecret();
  let twilioPeer: TwilioPeer;
  let sms019: Sms019Peer;
  let platform: InProcessPlatform;
  let tenant: TenantApi;
  let twilioConnection: string;
  let sms019Connection: string;

  beforeAll(async () => {
    twilioPeer = await TwilioPeer.start(ACCOUNT_SID, AUTH_TOKEN);
    sms019 = await Sms019Peer.start();
    platform = await startInProcess({
      AUTH_JWT_SECRET: jwtSecret,
      APP_ROLE: 'VendorApiClientRegistryService,SmsIntegrationService',
      EGRESS_ALLOW_LIST: '127.0.0.1',
      BUS_POLL_INTERVAL: '20ms',
      BUS_RETRY_BASE_DELAY: '100ms',
      HEALTH_PROBE_INTERVAL: '1h',
    });
    tenant = await TenantApi.create(platform.url, jwtSecret, 'tenant-sms-route', [], REGISTRY_SCOPES);
    const twilio = await tenant.post('/integrations/connections', {
      providerId: 'twilio',
      displayName: 'Twilio',
      credentialId: await tenant.createCredential('twilio', `${ACCOUNT_SID}:${AUTH_TOKEN}`),
      configuration: { baseUrl: twilioPeer.url, accountSid: ACCOUNT_SID, from: '+15550100' },
    });
    expect(twilio.body).toMatchObject({ status: 'Active' });
    twilioConnection = twilio.body.id;
    const local = await tenant.post('/integrations/connections', {
      providerId: 'sms019',
      displayName: '019',
      credentialId: await tenant.createCredential('sms019', SMS019_TOKEN),
      configuration: { baseUrl: sms019.url, username: 'factory', source: 'Factory', healthPath: '/api' },
    });
    expect(local.body).toMatchObject({ status: 'Active' });
    sms019Connection = local.body.id;
    expect((await tenant.request('PUT', '/sms/routes/il', { connectionIds: [twilioConnection, sms019Connection] })).status).toBe(201);
  });

  afterAll(async () => {
    await platform?.close();
    await twilioPeer?.close();
    await sms019?.close();
  });

  it('moves a message to the next connection when the first fails transiently, in the next one’s number format', async () => {
    twilioPeer.fail(503, 20503);
    const answer = await tenant.post('/sms/messages', { routeName: 'il', to: '+972501234567', body: 'shalom' });
    expect(answer.status).toBe(202);
    const sent = await tenant.messageIn('sms', answer.body.id, ['Sent']);
    expect(sent).toMatchObject({ routeName: 'il', connectionId: sms019Connection, providerId: 'sms019', providerMessageId: '1001' });
    expect(sms019.sent).toEqual([{ source: 'Factory', phones: ['0501234567'], message: 'shalom' }]);
    expect(sent.history.find((entry: { connectionId?: string; failure?: unknown }) => entry.connectionId === twilioConnection && entry.failure)).toBeDefined();
  });

  it('does not fail over from an Auth failure: the message is Failed', async () => {
    twilioPeer.fail(401, 20003);
    const answer = await tenant.post('/sms/messages', { routeName: 'il', to: '+972501234568', body: 'no failover' });
    const failed = await tenant.messageIn('sms', answer.body.id, ['Failed']);
    expect(failed.failure).toMatchObject({ category: 'Auth' });
    expect(sms019.sent.filter((sent) => sent.message === 'no failover')).toEqual([]);
  });

  it('refuses a route naming another channel’s or an unknown connection', async () => {
    const answer = await tenant.request('PUT', '/sms/routes/bad', { connectionIds: ['conn-00000000000000000000000000000000'] });
    expect(answer.status).toBe(400);
    expect(answer.body.message).toContain('connectionIds[0]');
  });
});
