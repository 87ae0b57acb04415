import { REGISTRY_SCOPES, TenantApi, WEBHOOK_SCOPES } from './support/governed-api';
import { InProcessPlatform, startInProcess } from './support/platform-app';
import { newJwtSecret } from './support/tokens';

/**
 * Event Grid at the public ingest URL of an Azure Communication Services connection: the subscription
 * validation handshake and the CloudEvents OPTIONS preflight answered (and nothing recorded), deliveries
 * accepted with the secret and refused without it.
 */
describe('Event Grid deliveries at the ingest URL', () => {
  const jwtSecret = newJwtSecret();
  const secret = 'event-grid-secret-8e1f4a';
  const transcript: string[] = [];
  let platform: InProcessPlatform;
  let api: TenantApi;
  let ingestUrl: string;
  let connectionId: string;

  const post = (body: unknown, headers: Record<string, string> = {}, code = secret) =>
    fetch(`${ingestUrl}?code=${encodeURIComponent(code)}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const deliveries = async () => (await api.get(`/webhooks/deliveries?connectionId=${connectionId}`)).body.items as Array<{ eventType: string }>;

  beforeAll(async () => {
    platform = await startInProcess({ AUTH_JWT_SECRET: jwtSecret, APP_ROLE: 'VendorApiClientRegistryService,WebhookGatewayService', HEALTH_PROBE_INTERVAL: '1h' });
    api = await TenantApi.create(platform.url, jwtSecret, 'tenant-event-grid', transcript, `${REGISTRY_SCOPES} ${WEBHOOK_SCOPES}`);
    const credential = await api.post('/integrations/credentials', { name: 'event-grid', kind: 'webhook-secret', value: secret });
    const connection = await api.post('/integrations/connections', {
      providerId: 'azure-communication-services',
      displayName: 'ACS reports',
      webhook: { secretCredentialId: credential.body.id },
    });
    expect(connection.status).toBe(201);
    connectionId = connection.body.id;
    ingestUrl = `${platform.url}/webhooks/ingest/${connectionId}`;
  });

  afterAll(() => platform?.close());

  it('answers the subscription validation handshake with the code, records nothing, and refuses it without the secret', async () => {
    const validation = [{ id: 'v-1', eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent', data: { validationCode: 'code-42' }, eventTime: new Date().toISOString() }];
    const answer = await post(validation, { 'aeg-event-type': 'SubscriptionValidation' });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ validationResponse: 'code-42' });
    expect((await post(validation, { 'aeg-event-type': 'SubscriptionValidation' }, 'wrong')).status).toBe(401);
    expect(await deliveries()).toEqual([]);
  });

  it('answers the CloudEvents abuse-protection OPTIONS request for the asking origin', async () => {
    const answer = await fetch(`${ingestUrl}?code=${secret}`, { method: 'OPTIONS', headers: { 'webhook-request-origin': 'eventgrid.azure.net' } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('webhook-allowed-origin')).toBe('eventgrid.azure.net');
    expect((await fetch(`${ingestUrl}?code=nope`, { method: 'OPTIONS', headers: { 'webhook-request-origin': 'eventgrid.azure.net' } })).status).toBe(401);
  });

  it('accepts a delivery report with the secret (202, once) and refuses it without', async () => {
    const report = [
      {
        id: 'r-1',
        eventType: 'Microsoft.Communication.SMSDeliveryReportReceived',
        eventTime: new Date().toISOString(),
        subject: 'sender/+15550100/recipient/+15550199',
        data: { MessageId: 'Outgoing_1', DeliveryStatus: 'Delivered' },
      },
    ];
    expect((await post(report, {}, 'wrong')).status).toBe(401);
    const accepted = await post(report);
    expect(accepted.status).toBe(202);
    expect((await post(report)).status).toBe(200);
    expect((await deliveries()).map((delivery) => delivery.eventType)).toEqual(['com.azure.communication.SMSDeliveryReportReceived']);
    expect(transcript.join('\n')).not.toContain(secret);
  });
});
