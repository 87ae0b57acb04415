import type { ChatCompletionRequest } from '../../platform/models/model-wire';
import { ModelAnswerError } from '../../platform/models/model-protocol';
import { OLLAMA } from './ollama.descriptor';

const context = { connectionId: 'conn-1', configuration: {} };
const protocol = OLLAMA.models!;
const bodyOf = (request: { body?: string | Buffer }) => JSON.parse(String(request.body));

describe('Ollama protocol', () => {
  describe('chat requests', () => {
    it('posts to /api/chat, sampling fields as options, stream explicit', () => {
      const request = protocol.chatRequest(
        {
          model: 'llama3.2',
          messages: [
            { role: 'developer', content: 'Be brief' },
            { role: 'user', content: 'Hi' },
          ],
          temperature: 0.2,
          top_p: 0.9,
          seed: 42,
          stop: '\n\n',
          max_tokens: 100,
          presence_penalty: 0.5,
          frequency_penalty: 0.1,
          logprobs: true,
          user: 'u-1',
        },
        context,
      );
      expect(request).toEqual({ method: 'POST', path: '/api/chat', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: expect.any(String) });
      expect(bodyOf(request)).toEqual({
        model: 'llama3.2',
        messages: [
          { role: 'system', content: 'Be brief' },
          { role: 'user', content: 'Hi' },
        ],
        stream: false,
        options: { temperature: 0.2, top_p: 0.9, seed: 42, stop: ['\n\n'], num_predict: 100, presence_penalty: 0.5, frequency_penalty: 0.1 },
      });
    });

    it('asks for NDJSON when streaming, max_completion_tokens winning over max_tokens', () => {
      const request = protocol.chatRequest({ model: 'm', messages: [{ role: 'user', content: 'Hi' }], stream: true, max_tokens: 10, max_completion_tokens: 20 }, context);
      expect(request.headers).toEqual({ 'content-type': 'application/json', accept: 'application/x-ndjson' });
      expect(bodyOf(request)).toEqual({ model: 'm', messages: [{ role: 'user', content: 'Hi' }], stream: true, options: { num_predict: 20 } });
    });

    it('flattens content parts to text and data: URL images, and carries tools and tool results', () => {
      const tools: ChatCompletionRequest['tools'] = [
        { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
      ];
      const request = protocol.chatRequest(
        {
          model: 'llava',
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: 'What is this?' },
                { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
                { type: 'text', text: 'And the weather?' },
              ],
            },
            { role: 'assistant', content: null, tool_calls: [{ id: 'call_0', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Zürich"}' } }] },
            { role: 'tool', tool_call_id: 'call_0', content: '{"celsius":4}' },
          ],
          tools,
          tool_choice: 'auto',
        },
        context,
      );
      expect(bodyOf(request)).toEqual({
        model: 'llava',
        messages: [
          { role: 'user', content: 'What is this?\nAnd the weather?', images: ['iVBORw0KGgo='] },
          { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Zürich' } } }] },
          { role: 'tool', content: '{"celsius":4}', tool_name: 'get_weather' },
        ],
        stream: false,
        tools,
      });
    });

    it('sends no tools when the tool choice is none', () => {
      const tools: ChatCompletionRequest['tools'] = [{ type: 'function', function: { name: 'f' } }];
      expect(bodyOf(protocol.chatRequest({ model: 'm', messages: [], tools, tool_choice: 'none' }, context))).not.toHaveProperty('tools');
    });

    it('asks for JSON, or for the schema’s shape', () => {
      const formatOf = (response_format: ChatCompletionRequest['response_format']) => bodyOf(protocol.chatRequest({ model: 'm', messages: [], response_format }, context)).format;
      expect(formatOf({ type: 'json_object' })).toBe('json');
      const schema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] };
      expect(formatOf({ type: 'json_schema', json_schema: { name: 'answer', schema } })).toEqual(schema);
      expect(formatOf({ type: 'text' })).toBeUndefined();
    });

    it.each([
      [[{ type: 'image_url', image_url: { url: 'https://example.test/cat.png' } }], 'unsupported_image_url'],
      [[{ type: 'input_audio', input_audio: { data: 'AAA', format: 'wav' } }], 'unsupported_content'],
    ])('refuses content it cannot send (%j)', (content, code) => {
      expect(() => protocol.chatRequest({ model: 'm', messages: [{ role: 'user', content: content as never }] }, context)).toThrow(
        expect.objectContaining({ category: 'Validation', code }),
      );
    });

    it('refuses tool call arguments that are not JSON', () => {
      const messages = [{ role: 'assistant' as const, content: null, tool_calls: [{ id: 'c', type: 'function' as const, function: { name: 'f', arguments: '{oops' } }] }];
      expect(() => protocol.chatRequest({ model: 'm', messages }, context)).toThrow(expect.objectContaining({ code: 'invalid_tool_arguments' }));
    });
  });

  describe('chat results', () => {
    const request = { model: 'llama3.2', messages: [] };

    it('makes a completion of the answer, usage from the eval counts', () => {
      const body = {
        model: 'llama3.2',
        created_at: '2024-12-02T03:14:15.926535897Z',
        message: { role: 'assistant', content: 'Hello!' },
        done_reason: 'stop',
        done: true,
        total_duration: 5191566416,
        load_duration: 2154458,
        prompt_eval_count: 26,
        prompt_eval_duration: 383809000,
        eval_count: 298,
        eval_duration: 4799921000,
      };
      expect(protocol.chatResult(body, request)).toEqual({
        id: expect.stringMatching(/^chatcmpl-[\w-]{16}$/),
        object: 'chat.completion',
        created: 1733109255,
        model: 'llama3.2',
        choices: [{ index: 0, message: { role: 'assistant', content: 'Hello!' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 26, completion_tokens: 298, total_tokens: 324 },
      });
    });

    it('answers tool calls with JSON text arguments and numbered ids, finishing with tool_calls', () => {
      const body = {
        model: 'llama3.2',
        created_at: '2024-12-02T03:14:15Z',
        message: {
          role: 'assistant',
          content: '',
          tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Zürich' } } }, { function: { name: 'get_time', arguments: { zone: 'CET' } } }],
        },
        done_reason: 'stop',
        done: true,
        prompt_eval_count: 180,
        eval_count: 22,
      };
      expect(protocol.chatResult(body, request).choices).toEqual([
        {
          index: 0,
          message: {
            role: 'assistant',
            content: '',
            tool_calls: [
              { id: 'call_0', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Zürich"}' } },
              { id: 'call_1', type: 'function', function: { name: 'get_time', arguments: '{"zone":"CET"}' } },
            ],
          },
          finish_reason: 'tool_calls',
        },
      ]);
    });

    it('says length when the answer hit num_predict', () => {
      expect(protocol.chatResult({ message: { role: 'assistant', content: 'Once' }, done: true, done_reason: 'length' }, request).choices[0]!.finish_reason).toBe('length');
    });

    it.each([[null], [{ done: true }], [{ message: 'text' }]])('refuses %j as an answer', (body) => {
      expect(() => protocol.chatResult(body, request)).toThrow(ModelAnswerError);
    });
  });

  describe('embeddings', () => {
    it('posts texts to /api/embed and reads the embeddings with their prompt count', () => {
      const request = protocol.embedRequest({ model: 'all-minilm', input: ['a', 'b'], dimensions: 2, user: 'u-1' }, context);
      expect(request).toMatchObject({ method: 'POST', path: '/api/embed' });
      expect(bodyOf(request)).toEqual({ model: 'all-minilm', input: ['a', 'b'], dimensions: 2 });
      const body = {
        model: 'all-minilm',
        embeddings: [
          [0.1, 0.2],
          [-0.3, 0.4],
        ],
        total_duration: 14143917,
        load_duration: 1019500,
        prompt_eval_count: 8,
      };
      expect(protocol.embedResult(body, { model: 'all-minilm', input: ['a', 'b'] })).toEqual({
        model: 'all-minilm',
        data: [
          { index: 0, embedding: [0.1, 0.2] },
          { index: 1, embedding: [-0.3, 0.4] },
        ],
        usage: { prompt_tokens: 8, total_tokens: 8 },
      });
    });

    it('refuses token arrays, and answers without vectors', () => {
      expect(() => protocol.embedRequest({ model: 'm', input: [1, 2, 3] }, context)).toThrow(expect.objectContaining({ code: 'unsupported_input' }));
      expect(() => protocol.embedResult({ embeddings: [['x']] }, { model: 'm', input: 'a' })).toThrow(ModelAnswerError);
    });
  });

  describe('models', () => {
    it('lists the pulled models from /api/tags', () => {
      expect(protocol.modelsRequest(context)).toEqual({ method: 'GET', path: '/api/tags', headers: { accept: 'application/json' } });
      const body = {
        models: [
          {
            name: 'deepseek-r1:latest',
            model: 'deepseek-r1:latest',
            modified_at: '2025-05-10T08:06:48.639712648-07:00',
            size: 4683075271,
            digest: '0a8c266910232fd3291e71e5ba1e058cc5af9d411192cf88b6d30e92b6e73163',
            details: { format: 'gguf', family: 'qwen2', parameter_size: '7.6B', quantization_level: 'Q4_K_M' },
          },
        ],
      };
      expect(protocol.modelsResult(body)).toEqual([{ id: 'deepseek-r1:latest', created: 1746889608, owned_by: 'ollama' }]);
      expect(() => protocol.modelsResult({ data: [] })).toThrow(ModelAnswerError);
    });
  });

  describe('errors', () => {
    it('reads {"error": text}, a 404 being a model it does not have', () => {
      const body = Buffer.from(JSON.stringify({ error: 'model "x" not found, try pulling it first' }));
      expect(protocol.errorOf({ status: 404, body })).toEqual({
        message: 'model "x" not found, try pulling it first',
        type: 'invalid_request_error',
        param: null,
        code: 'model_not_found',
      });
      expect(protocol.errorOf({ status: 500, body: Buffer.from('{"error":"llama runner process has terminated: exit status 2"}') })).toEqual({
        message: 'llama runner process has terminated: exit status 2',
        type: 'server_error',
        param: null,
        code: null,
      });
      expect(protocol.errorOf({ status: 502, body: Buffer.from('Bad Gateway') })).toBeUndefined();
    });
  });
});
