import { DataSource } from 'typeorm';
import { IntegrationConnection } from '../src/platform/integrations/entities/integration-connection.entity';
import { IntegrationProvider } from '../src/platform/integrations/entities/integration-provider.entity';
import { TenantApi } from './support/governed-api';
import { InProcessPlatform, startInProcess } from './support/platform-app';
import { newJwtSecret } from './support/tokens';

const ZONE_ID_URL = 'http://[fe80::1%25eth0]/';

/** Base URLs the egress policy refuses at registration, with the reason the answer gives. */
const REFUSED: Array<[url: string, reason: RegExp]> = [
  ['https://user:pass@api.example.com', /user-info/],
  [ZONE_ID_URL, /zone id/],
  ['https://[fe80::1%25eth0]:8443/v1', /zone id/],
  ['http://api.example.com', /plain http/],
  ['https://10.0.0.5/api', /private address/],
  ['https://169.254.169.254/', /metadata address/],
  ['https://[::1]/', /loopback address/],
  ['https://[::ffff:192.168.1.1]/', /private address/],
];

describe('base URLs registered for later calls (providers, API clients)', () => {
  const jwtSecret = newJwtSecret();
  let platform: InProcessPlatform;
  let api: TenantApi;
  let dataSource: DataSource;

  const tenantConnections = () => dataSource.getRepository(IntegrationConnection).countBy({ tenantId: api.tenantId });

  /** A provider row as one registered before registration checked base URLs could have stored it. */
  const storeLegacyProvider = (id: string, defaultBaseUrl: string) =>
    dataSource.getRepository(IntegrationProvider).save({
      tenantId: api.tenantId,
      id,
      displayName: id,
      category: 'generic',
      authModel: 'none',
      webhookVerifier: null,
      defaultBaseUrl,
      capabilities: [],
      status: 'Active',
      builtIn: false,
    });

  beforeAll(async () => {
    platform = await startInProcess({ AUTH_JWT_SECRET: jwtSecret, EGRESS_ALLOW_LIST: '127.0.0.1', APP_ROLE: 'VendorApiClientRegistryService' });
    api = await TenantApi.create(platform.url, jwtSecret, 'tenant-base-urls');
    dataSource = platform.app.get(DataSource);
  });

  afterAll(async () => {
    await platform?.close();
  });

  it.each(REFUSED)('refuses a provider whose defaultBaseUrl is %s, and stores nothing', async (defaultBaseUrl, reason) => {
    const id = `p-${Math.random().toString(16).slice(2, 10)}`;
    const answer = await api.post('/integrations/providers', { id, displayName: 'Refused', category: 'generic', authModel: 'none', defaultBaseUrl });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(reason) });
    expect(answer.text).not.toContain('user:pass@');
    expect((await api.get(`/integrations/providers/${id}`)).status).toBe(404);
  });

  it('accepts https to a public host, and plain http or a loopback address when EGRESS_ALLOW_LIST has it', async () => {
    for (const [id, defaultBaseUrl] of [
      ['public-https', 'https://api.example.com/v2'],
      ['allowed-http', 'http://127.0.0.1:8080'],
    ]) {
      const answer = await api.post('/integrations/providers', { id, displayName: id, category: 'generic', authModel: 'none', defaultBaseUrl });
      expect(answer.status).toBe(201);
      expect(answer.body.defaultBaseUrl).toBe(defaultBaseUrl);
    }
  });

  it.each(REFUSED)('refuses an API client whose baseUrl is %s', async (baseUrl, reason) => {
    const answer = await api.post('/integrations/clients', { providerId: 'generic-rest', baseUrl });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(reason) });
    expect((await api.get('/integrations/clients?providerId=generic-rest')).body.items).toEqual([]);
  });

  it('refuses a connection on a stored provider whose base URL carries a zone id (400, nothing stored)', async () => {
    await storeLegacyProvider('legacy-zone', ZONE_ID_URL);
    const answer = await api.createConnection({ providerId: 'legacy-zone', configuration: { auth: 'none' } });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(/zone id/) });
    expect(await tenantConnections()).toBe(0);
  });

  it('refuses a zone id in the connection’s own configuration.baseUrl', async () => {
    const answer = await api.createConnection({ configuration: { baseUrl: ZONE_ID_URL, auth: 'none' } });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.stringContaining('configuration.baseUrl') });
    expect(await tenantConnections()).toBe(0);
  });

  it('answers a 4xx, not a 500, when testing a connection whose provider’s stored base URL no longer parses', async () => {
    await storeLegacyProvider('legacy-later', 'http://127.0.0.1:9');
    const created = await api.createConnection({ providerId: 'legacy-later', configuration: { auth: 'none', healthPath: '/health' } });
    expect(created.status).toBe(201);
    await dataSource.getRepository(IntegrationProvider).update({ tenantId: api.tenantId, id: 'legacy-later' }, { defaultBaseUrl: ZONE_ID_URL });

    const tested = await api.post(`/integrations/connections/${created.body.id}/test`);
    expect(tested.status).toBe(409);
    expect(tested.body).toEqual({ statusCode: 409, error: 'Conflict', message: expect.stringContaining('set configuration.baseUrl') });
  });
});
