import type { AuthContext } from '../../platform/vendors/vendor-descriptor';
import { AZURE_DEVOPS_ENTRA, AZURE_DEVOPS_ENTRA_SCOPE, AZURE_DEVOPS_PAT } from './azure-devops.auth';

function context(overrides: Partial<AuthContext>): AuthContext {
  return {
    tenantId: 't1',
    connectionId: 'conn-1',
    providerId: 'azure-devops',
    configuration: {},
    baseUrl: new URL('https://dev.azure.com/fabrikam'),
    apiKeyHeader: 'x-api-key',
    credentialId: 'cred-1',
    secret: async () => 'unused',
    sharedToken: async () => 'unused',
    forgetSharedToken: async () => undefined,
    replaceSecret: async () => undefined,
    exchange: async () => {
      throw new Error('no exchange expected');
    },
    vendorUrl: (path) => new URL(path, 'https://dev.azure.com/fabrikam/'),
    azureToken: async () => 'unused',
    ...overrides,
  };
}

describe('Azure DevOps auth strategies', () => {
  it('sends a PAT as the password of HTTP Basic with an empty user name', async () => {
    const headers = await AZURE_DEVOPS_PAT.headers(context({ secret: async () => 'pat-4vq2' }));
    expect(headers).toEqual({ authorization: `Basic ${Buffer.from(':pat-4vq2').toString('base64')}` });
    expect(Buffer.from(headers.authorization.slice('Basic '.length), 'base64').toString('utf8')).toBe(':pat-4vq2');
    expect(AZURE_DEVOPS_PAT.needsCredential).toBe(true);
  });

  it('asks the Azure credential for a token for the Azure DevOps resource and sends it as Bearer, storing no credential', async () => {
    const scopes: string[] = [];
    const headers = await AZURE_DEVOPS_ENTRA.headers(
      context({
        credentialId: null,
        azureToken: async (scope) => {
          scopes.push(scope);
          return 'entra-token';
        },
      }),
    );
    expect(headers).toEqual({ authorization: 'Bearer entra-token' });
    expect(scopes).toEqual(['499b84ac-1321-427f-aa17-267ca6975798/.default']);
    expect(AZURE_DEVOPS_ENTRA_SCOPE).toBe(scopes[0]);
    expect(AZURE_DEVOPS_ENTRA.needsCredential).toBe(false);
  });
});
