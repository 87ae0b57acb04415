import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { VENDOR_DESCRIPTORS } from '../src/modules/vendor-catalogue';
import { IntegrationProvider } from '../src/platform/integrations/entities/integration-provider.entity';
import { GLOBAL_TENANT } from '../src/platform/persistence/columns';
import type { VendorDescriptor } from '../src/platform/vendors/vendor-descriptor';
import { REGISTRY_SCOPES, TenantApi } from './support/governed-api';
import { InProcessPlatform, startInProcess } from './support/platform-app';
import { newJwtSecret } from './support/tokens';
import { startVendorPeer, VendorPeer } from './support/vendor-peer';

/** A vendor added by a descriptor alone: its provider row, its own auth strategy and default headers. */
const ACME: VendorDescriptor = {
  provider: { id: 'acme-test', displayName: 'Acme (test vendor)', category: 'generic', capabilities: ['things'], authModes: ['acme-signed'], docsUrl: 'https://acme.example/docs' },
  http: {
    healthPath: '/health',
    defaultHeaders: (configuration) => ({ 'x-acme-version': String(configuration.apiVersion ?? '2024-01-01') }),
    defaultQuery: () => ({ 'api-version': '7.1' }),
  },
  authStrategies: [
    {
      mode: 'acme-signed',
      description: 'The secret, reversed, as X-Acme-Key (a strategy only this vendor knows)',
      needsCredential: true,
      headers: async (context) => ({ 'x-acme-key': [...(await context.secret())].reverse().join('') }),
    },
  ],
};

describe('the vendor layer at boot: provider rows from the catalogue, descriptor strategies and defaults', () => {
  const jwtSecret = newJwtSecret();
  const dataDir = mkdtempSync(join(tmpdir(), 'ip-vendors-'));
  let peer: VendorPeer;
  let platform: InProcessPlatform | undefined;

  const boot = () => startInProcess({ AUTH_JWT_SECRET: jwtSecret, EGRESS_ALLOW_LIST: '127.0.0.1', DATA_DIR: dataDir, APP_ROLE: 'VendorApiClientRegistryService' }, [], [ACME]);

  beforeAll(async () => {
    peer = await startVendorPeer({ auth: { apiKey: { header: 'X-Acme-Key', keys: ['terces-emca'] } } });
  });

  afterEach(async () => {
    await platform?.close();
    platform = undefined;
  });

  afterAll(async () => {
    await peer?.close();
  });

  it('stores every catalogue provider at boot and keeps the rows in step on the next boot', async () => {
    platform = await boot();
    const api = await TenantApi.create(platform.url, jwtSecret, 'tenant-vendors', undefined, REGISTRY_SCOPES);
    const listed = (await api.get('/integrations/providers')).body.items as Array<{ id: string; authModes: string[]; scope: string }>;
    expect(listed.map((provider) => provider.id).sort()).toEqual([...VENDOR_DESCRIPTORS.map((descriptor) => descriptor.provider.id), 'acme-test'].sort());
    expect((await api.get('/integrations/providers/github')).body).toMatchObject({
      authModel: 'bearer',
      webhookVerifier: 'github',
      defaultBaseUrl: 'https://api.github.com',
      scope: 'built-in',
    });

    // A row drifted (edited by hand, or written by an older version), and a built-in the catalogue no longer has.
    const providers = platform.app.get(DataSource).getRepository(IntegrationProvider);
    await providers.update({ tenantId: GLOBAL_TENANT, id: 'github' }, { displayName: 'Edited by hand', defaultBaseUrl: 'https://stale.example' });
    await providers.insert({
      tenantId: GLOBAL_TENANT,
      id: 'gone-vendor',
      displayName: 'Gone',
      category: 'generic',
      capabilities: [],
      authModel: 'none',
      authModes: [],
      webhookVerifier: null,
      defaultBaseUrl: null,
      docsUrl: null,
      status: 'Active',
      builtIn: true,
    });
    await platform.close();

    platform = await boot();
    const again = platform.app.get(DataSource).getRepository(IntegrationProvider);
    expect(await again.findOneByOrFail({ tenantId: GLOBAL_TENANT, id: 'github' })).toMatchObject({ displayName: 'GitHub', defaultBaseUrl: 'https://api.github.com' });
    expect(await again.findOneByOrFail({ tenantId: GLOBAL_TENANT, id: 'gone-vendor' })).toMatchObject({ status: 'Deprecated' });
  });

  it('authenticates with a descriptor’s own strategy and sends its default headers and query', async () => {
    platform = await boot();
    const api = await TenantApi.create(platform.url, jwtSecret, 'tenant-acme', undefined, `${REGISTRY_SCOPES}`);
    const credential = await api.post('/integrations/credentials', { name: 'acme', value: 'acme-secret' });
    const connection = await api.post('/integrations/connections', {
      providerId: 'acme-test',
      displayName: 'acme',
      credentialId: credential.body.id,
      configuration: { baseUrl: peer.url, apiVersion: '2025-06-01' },
    });
    expect(connection.body).toMatchObject({ status: 'Active', authMode: 'acme-signed' });

    const answer = await api.call(connection.body.id, { method: 'GET', path: '/api/items', query: { page: '1' } });
    expect(answer.status).toBe(200);
    const seen = peer.requests.filter((request) => request.path === '/api/items').at(-1)!;
    expect(seen.headers['x-acme-key']).toBe('terces-emca');
    expect(seen.headers['x-acme-version']).toBe('2025-06-01');
    expect(seen.query).toMatchObject({ page: '1', 'api-version': '7.1' });

    // A mode the provider does not declare is refused at creation, naming the ones it takes.
    const wrong = await api.post('/integrations/connections', {
      providerId: 'acme-test',
      displayName: 'acme',
      credentialId: credential.body.id,
      configuration: { baseUrl: peer.url, auth: 'bearer' },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.message).toMatch(/configuration.auth must be one of: acme-signed/);
  });
});
