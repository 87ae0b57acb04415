import type { AuthContext } from '../../platform/vendors/vendor-descriptor';
import { AZURE_OPENAI_ENTRA } from './azure-openai.auth';

describe('Azure OpenAI Entra auth', () => {
  it('asks the Azure credential for a Cognitive Services token and sends it as Bearer, storing no credential', async () => {
    const scopes: string[] = [];
    const azureToken = async (scope: string) => {
      scopes.push(scope);
      return 'entra-token';
    };
    expect(await AZURE_OPENAI_ENTRA.headers({ azureToken } as Partial<AuthContext> as AuthContext)).toEqual({ authorization: 'Bearer entra-token' });
    expect(scopes).toEqual(['https://cognitiveservices.azure.com/.default']);
    expect(AZURE_OPENAI_ENTRA).toMatchObject({ mode: 'azure-openai-entra', needsCredential: false });
  });
});
