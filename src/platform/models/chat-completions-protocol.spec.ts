import { chatCompletionsProtocol, ChatCompletionsSettings } from './chat-completions-protocol';
import { ModelAnswerError } from './model-protocol';
import type { ChatCompletionRequest } from './model-wire';

const context = { connectionId: 'conn-1', configuration: { region: 'eu' } };

const inBody = chatCompletionsProtocol({
  chatPath: () => '/chat/completions',
  embeddingsPath: () => '/embeddings',
  modelsPath: () => '/models',
  modelInBody: true,
  ownedBy: 'vendor',
});

const paths: string[] = [];
const inPath = chatCompletionsProtocol({
  chatPath: (model, configuration) => `/deployments/${model}/${String(configuration.region)}/chat`,
  embeddingsPath: (model) => `/deployments/${model}/embeddings`,
  modelsPath: (configuration) => {
    paths.push(String(configuration.region));
    return '/models';
  },
  modelInBody: false,
  ownedBy: 'cloud',
} satisfies ChatCompletionsSettings);

const REQUEST: ChatCompletionRequest = {
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'Hi' }],
  tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }],
  tool_choice: 'auto',
  response_format: { type: 'json_object' },
  logprobs: true,
  seed: 7,
  reasoning_effort: 'low',
};

function bodyOf(request: { body?: string | Buffer }): unknown {
  return JSON.parse(String(request.body));
}

describe('chatCompletionsProtocol', () => {
  describe('chat requests', () => {
    it('posts the request as it is, unknown fields included, as JSON', () => {
      const request = inBody.chatRequest(REQUEST, context);
      expect(request).toEqual({ method: 'POST', path: '/chat/completions', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: expect.any(String) });
      expect(bodyOf(request)).toEqual(REQUEST);
    });

    it('always asks a streamed completion for usage, keeping the caller’s other stream options, and accepts SSE', () => {
      const request = inBody.chatRequest({ ...REQUEST, stream: true, stream_options: { include_usage: false, include_obfuscation: false } as never }, context);
      expect(request.headers).toEqual({ 'content-type': 'application/json', accept: 'text/event-stream' });
      expect(bodyOf(request)).toEqual({ ...REQUEST, stream: true, stream_options: { include_usage: true, include_obfuscation: false } });
      expect(bodyOf(inBody.chatRequest({ ...REQUEST, stream: true }, context))).toMatchObject({ stream_options: { include_usage: true } });
    });

    it('sends no stream options on a call that does not stream (the API refuses them there)', () => {
      expect(bodyOf(inBody.chatRequest({ ...REQUEST, stream: false, stream_options: { include_usage: true } }, context))).toEqual({ ...REQUEST, stream: false });
    });

    it('leaves the model out of the body when the path names it', () => {
      const request = inPath.chatRequest(REQUEST, context);
      expect(request.path).toBe('/deployments/gpt-4o-mini/eu/chat');
      const { model: _model, ...withoutModel } = REQUEST;
      expect(bodyOf(request)).toEqual(withoutModel);
    });
  });

  describe('chat results', () => {
    const completion = {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1733100000,
      model: 'gpt-4o-mini-2024-07-18',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello', refusal: null }, logprobs: null, finish_reason: 'stop', content_filter_results: {} }],
      usage: { prompt_tokens: 9, completion_tokens: 1, total_tokens: 10 },
      prompt_filter_results: [{ prompt_index: 0 }],
      service_tier: 'default',
    };

    it('answers the completion whole, the vendor’s extra fields kept', () => {
      expect(inBody.chatResult(completion, REQUEST)).toEqual(completion);
    });

    it.each([[null], ['text'], [{}], [{ choices: {} }], [{ choices: [{ index: 0 }] }], [[]]])('refuses %j as a completion', (body) => {
      expect(() => inBody.chatResult(body, REQUEST)).toThrow(ModelAnswerError);
    });
  });

  describe('embeddings', () => {
    it('always asks for floats, the model in the body or not', () => {
      const request = inBody.embedRequest({ model: 'text-embedding-3-small', input: ['a', 'b'], dimensions: 256, user: 'u-1' }, context);
      expect(request).toMatchObject({ method: 'POST', path: '/embeddings', headers: { 'content-type': 'application/json' } });
      expect(bodyOf(request)).toEqual({ model: 'text-embedding-3-small', input: ['a', 'b'], dimensions: 256, user: 'u-1', encoding_format: 'float' });
      const deployed = inPath.embedRequest({ model: 'embedder', input: 'a' }, context);
      expect(deployed.path).toBe('/deployments/embedder/embeddings');
      expect(bodyOf(deployed)).toEqual({ input: 'a', encoding_format: 'float' });
    });

    it('reads float vectors, and base64 little-endian float32 vectors when the vendor sent them anyway', () => {
      const floats = new Float32Array([0.5, -1.25, 3]);
      const base64 = Buffer.from(floats.buffer).toString('base64');
      const body = {
        object: 'list',
        model: 'text-embedding-3-small',
        data: [
          { object: 'embedding', index: 0, embedding: [0.1, 0.2] },
          { object: 'embedding', index: 1, embedding: base64 },
        ],
        usage: { prompt_tokens: 5, total_tokens: 5 },
      };
      expect(inBody.embedResult(body, { model: 'x', input: ['a', 'b'] })).toEqual({
        model: 'text-embedding-3-small',
        data: [
          { index: 0, embedding: [0.1, 0.2] },
          { index: 1, embedding: [0.5, -1.25, 3] },
        ],
        usage: { prompt_tokens: 5, total_tokens: 5 },
      });
    });

    it('names the requested model and zero usage when the answer leaves them out', () => {
      expect(inBody.embedResult({ data: [{ embedding: [1] }] }, { model: 'embedder', input: 'a' })).toEqual({
        model: 'embedder',
        data: [{ index: 0, embedding: [1] }],
        usage: { prompt_tokens: 0, total_tokens: 0 },
      });
    });

    it.each([[{}], [{ data: [{ embedding: ['x'] }] }], [{ data: [{ embedding: 'AAA' }] }], [{ data: [7] }]])('refuses %j as embeddings', (body) => {
      expect(() => inBody.embedResult(body, { model: 'x', input: 'a' })).toThrow(ModelAnswerError);
    });
  });

  describe('models', () => {
    it('lists with a GET of the models path', () => {
      expect(inPath.modelsRequest(context)).toEqual({ method: 'GET', path: '/models', headers: { accept: 'application/json' } });
      expect(paths).toEqual(['eu']);
    });

    it('reads ids, creation times (created or created_at) and owners, the settings’ owner by default', () => {
      const body = {
        object: 'list',
        data: [
          { id: 'gpt-4o', object: 'model', created: 1715367049, owned_by: 'system' },
          { id: 'gpt-4o-2024-08-06', object: 'model', created_at: 1722902400, status: 'succeeded' },
          { object: 'model' },
        ],
      };
      expect(inPath.modelsResult(body)).toEqual([
        { id: 'gpt-4o', created: 1715367049, owned_by: 'system' },
        { id: 'gpt-4o-2024-08-06', created: 1722902400, owned_by: 'cloud' },
      ]);
      expect(() => inPath.modelsResult({ models: [] })).toThrow(ModelAnswerError);
    });
  });

  describe('errors', () => {
    const errorOf = (status: number, body: string) => inBody.errorOf({ status, body: Buffer.from(body) });

    it('reads an invalid key answer as it is', () => {
      const body =
        '{"error":{"message":"Incorrect API key provided: sk-te***ai. You can find your API key at https://example.test/api-keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}';
      expect(errorOf(401, body)).toEqual({
        message: 'Incorrect API key provided: sk-te***ai. You can find your API key at https://example.test/api-keys.',
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      });
    });

    it('reads a rate limit answer', () => {
      const body = JSON.stringify({
        error: {
          message: 'Rate limit reached for gpt-4o-mini in organization org-x on tokens per min (TPM): Limit 200000, Used 199000.',
          type: 'tokens',
          param: null,
          code: 'rate_limit_exceeded',
        },
      });
      expect(errorOf(429, body)).toMatchObject({ type: 'tokens', code: 'rate_limit_exceeded', param: null });
    });

    it('derives the type from the status when the body names none, a string code kept', () => {
      const message =
        'Requests to the ChatCompletions_Create Operation under the API version 2024-10-21 have exceeded token rate limit of your current tier. Please retry after 1 second.';
      expect(errorOf(429, JSON.stringify({ error: { code: '429', message } }))).toEqual({ message, type: 'rate_limit_error', param: null, code: '429' });
      const typeOf = (status: number) => errorOf(status, '{"error":{"message":"m"}}')?.type;
      expect([400, 401, 403, 404, 422, 429, 500, 503].map(typeOf)).toEqual([
        'invalid_request_error',
        'authentication_error',
        'permission_error',
        'invalid_request_error',
        'invalid_request_error',
        'rate_limit_error',
        'server_error',
        'server_error',
      ]);
      expect(errorOf(400, '{"error":{"message":"m","code":400,"param":"messages"}}')).toMatchObject({ code: '400', param: 'messages' });
    });

    it.each([['<html>Bad Gateway</html>'], [''], ['{"error":"text"}'], ['{"message":"m"}']])('says nothing of %j', (body) => {
      expect(errorOf(502, body)).toBeUndefined();
    });
  });
});
