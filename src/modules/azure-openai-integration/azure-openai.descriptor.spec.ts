import { BUILT_IN_AUTH_STRATEGIES } from '../../platform/integrations/auth/built-in-strategies';
import { IntegrationError } from '../../platform/resilience/failure-classifier';
import { VendorCatalogue } from '../../platform/vendors/vendor-catalogue';
import { AZURE_OPENAI } from './azure-openai.descriptor';

const context = { connectionId: 'conn-1', configuration: {} };
const models = AZURE_OPENAI.models!;

describe('Azure OpenAI descriptor', () => {
  it('takes an api key in the api-key header or the platform’s Entra identity, and has no default endpoint', () => {
    expect(AZURE_OPENAI.provider.authModes).toEqual(['api-key', 'azure-openai-entra']);
    expect(AZURE_OPENAI.provider.defaultBaseUrl).toBeUndefined();
    expect(AZURE_OPENAI.http).toMatchObject({ apiKeyHeader: 'api-key', healthPath: '/openai/models' });
    const catalogue = new VendorCatalogue([AZURE_OPENAI], BUILT_IN_AUTH_STRATEGIES);
    expect(catalogue.authStrategy('azure-openai-entra')?.needsCredential).toBe(false);
    expect(catalogue.operations(['azure-openai']).map(({ operation }) => operation.name)).toEqual([
      'azure-openai.chat.complete',
      'azure-openai.embeddings.create',
      'azure-openai.models.list',
    ]);
  });

  it('sends the configured api-version on every call, 2024-10-21 by default', () => {
    const query = AZURE_OPENAI.http!.defaultQuery!;
    expect(query({})).toEqual({ 'api-version': '2024-10-21' });
    expect(query({ apiVersion: '2025-01-01-preview' })).toEqual({ 'api-version': '2025-01-01-preview' });
    expect(AZURE_OPENAI.http!.configurationProblems!({ apiVersion: 'latest' }, 'api-key')).toEqual([
      'configuration.apiVersion must be an Azure OpenAI api-version such as 2024-10-21 or 2025-01-01-preview',
    ]);
    expect(AZURE_OPENAI.http!.configurationProblems!({ apiVersion: '2024-10-21' }, 'api-key')).toEqual([]);
  });

  it('names the deployment in the path and leaves the model out of the body', () => {
    const chat = models.chatRequest({ model: 'gpt-4o-prod.eu_1', messages: [{ role: 'user', content: 'Hi' }] }, context);
    expect(chat.path).toBe('/openai/deployments/gpt-4o-prod.eu_1/chat/completions');
    expect(JSON.parse(String(chat.body))).toEqual({ messages: [{ role: 'user', content: 'Hi' }] });
    const embed = models.embedRequest({ model: 'embedder', input: ['a'] }, context);
    expect(embed.path).toBe('/openai/deployments/embedder/embeddings');
    expect(JSON.parse(String(embed.body))).toEqual({ input: ['a'], encoding_format: 'float' });
    expect(models.modelsRequest(context).path).toBe('/openai/models');
  });

  it.each([['..'], ['.'], ['a/b'], ['gpt 4o'], ['x'.repeat(65)], ['']])('refuses %j as a deployment name', (deployment) => {
    expect(() => models.chatRequest({ model: deployment, messages: [] }, context)).toThrow(IntegrationError);
    expect(() => models.embedRequest({ model: deployment, input: 'a' }, context)).toThrow(expect.objectContaining({ category: 'Validation', code: 'invalid_deployment' }));
  });

  it('lists the resource’s models, their creation time being created_at', () => {
    const body = {
      data: [
        { status: 'succeeded', capabilities: { chat_completion: true }, lifecycle_status: 'generally-available', id: 'gpt-4o-2024-08-06', created_at: 1722902400, object: 'model' },
      ],
      object: 'list',
    };
    expect(models.modelsResult(body)).toEqual([{ id: 'gpt-4o-2024-08-06', created: 1722902400, owned_by: 'azure-openai' }]);
  });

  it('reads Azure’s error bodies: a string code and no type', () => {
    const message =
      'Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after 1 second.';
    expect(models.errorOf({ status: 429, body: Buffer.from(JSON.stringify({ error: { code: '429', message } })) })).toEqual({
      message,
      type: 'rate_limit_error',
      param: null,
      code: '429',
    });
    const filtered = {
      error: {
        message: "The response was filtered due to the prompt triggering Azure OpenAI's content management policy.",
        type: null,
        param: 'prompt',
        code: 'content_filter',
        status: 400,
        innererror: { code: 'ResponsibleAIPolicyViolation' },
      },
    };
    expect(models.errorOf({ status: 400, body: Buffer.from(JSON.stringify(filtered)) })).toEqual({
      message: filtered.error.message,
      type: 'invalid_request_error',
      param: 'prompt',
      code: 'content_filter',
    });
  });
});
