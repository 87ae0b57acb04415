import { BUILT_IN_AUTH_STRATEGIES } from '../../platform/integrations/auth/built-in-strategies';
import { VendorCatalogue } from '../../platform/vendors/vendor-catalogue';
import { OPENAI } from './openai.descriptor';

const context = { connectionId: 'conn-1', configuration: {} };

describe('OpenAI descriptor', () => {
  it('is a bearer-token model provider at api.openai.com, probed by its model list', () => {
    expect(OPENAI.provider).toMatchObject({
      id: 'openai',
      category: 'model',
      capabilities: ['complete', 'embed', 'stream'],
      authModes: ['bearer'],
      defaultBaseUrl: 'https://api.openai.com/v1',
    });
    expect(OPENAI.http!.healthPath).toBe('/models');
    const catalogue = new VendorCatalogue([OPENAI], BUILT_IN_AUTH_STRATEGIES);
    expect(catalogue.operations(['openai']).map(({ operation }) => operation.name)).toEqual(['openai.chat.complete', 'openai.embeddings.create', 'openai.models.list']);
  });

  it('sends the organisation and project headers when they are configured', () => {
    const headers = OPENAI.http!.defaultHeaders!;
    expect(headers({})).toEqual({});
    expect(headers({ organization: 'org-5kX2', project: 'proj_9dQ' })).toEqual({ 'OpenAI-Organization': 'org-5kX2', 'OpenAI-Project': 'proj_9dQ' });
    expect(headers({ organization: 'org\r\nx-evil: 1' })).toEqual({});
  });

  it('names a malformed organisation or project', () => {
    const problems = OPENAI.http!.configurationProblems!;
    expect(problems({ organization: 'org-5kX2', project: 'proj_9dQ' }, 'bearer')).toEqual([]);
    expect(problems({ organization: 42, project: 'x'.repeat(129) }, 'bearer')).toEqual([
      "configuration.organization must be an OpenAI organization id of at most 128 letters, digits, '-' and '_'",
      "configuration.project must be an OpenAI project id of at most 128 letters, digits, '-' and '_'",
    ]);
  });

  it('calls the fixed chat, embeddings and model-list paths with the model in the body', () => {
    const models = OPENAI.models!;
    const chat = models.chatRequest({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true }, context);
    expect(chat).toMatchObject({ method: 'POST', path: '/chat/completions', headers: { accept: 'text/event-stream' } });
    expect(JSON.parse(String(chat.body))).toEqual({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true, stream_options: { include_usage: true } });
    expect(models.embedRequest({ model: 'text-embedding-3-small', input: 'a' }, context).path).toBe('/embeddings');
    expect(models.modelsRequest(context).path).toBe('/models');
    expect(models.modelsResult({ object: 'list', data: [{ id: 'gpt-4o', object: 'model', created: 1715367049, owned_by: 'system' }] })).toEqual([
      { id: 'gpt-4o', created: 1715367049, owned_by: 'system' },
    ]);
  });

  it('reads OpenAI’s error bodies', () => {
    const errorOf = (status: number, body: unknown) => OPENAI.models!.errorOf({ status, body: Buffer.from(JSON.stringify(body)) });
    const invalidKey = {
      error: {
        message: 'Incorrect API key provided: sk-te***ai. You can find your API key at https://platform.openai.com/account/api-keys.',
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      },
    };
    expect(errorOf(401, invalidKey)).toEqual(invalidKey.error);
    const rateLimit = {
      error: {
        message: 'Rate limit reached for gpt-4o-mini in organization org-5kX2 on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.',
        type: 'requests',
        param: null,
        code: 'rate_limit_exceeded',
      },
    };
    expect(errorOf(429, rateLimit)).toEqual(rateLimit.error);
  });
});
