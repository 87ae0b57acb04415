import { status } from '@grpc/grpc-js';
import type { ChatMessage } from '../model-wire';
import type { CompleteRequestMessage } from './models-proto.messages';
import { toChatCall, toEmbeddingCall, toSelector } from './proto-to-wire';

const request = (overrides: Partial<CompleteRequestMessage> = {}): CompleteRequestMessage => ({
  model: 'm',
  messages: [{ role: 'user', content: 'text', text: 'hi', tool_calls: [] }],
  tools: [],
  tool_choice: null,
  response_format: null,
  stop: [],
  include_usage: false,
  ...overrides,
});

const invalid = (work: () => unknown) => {
  try {
    work();
  } catch (error) {
    expect(error).toMatchObject({ code: status.INVALID_ARGUMENT });
    return (error as Error).message;
  }
  throw new Error('expected INVALID_ARGUMENT');
};

describe('integration.models.v1 requests as neutral calls', () => {
  it('selects a connection target or a route', () => {
    expect(toSelector({ connection_id: 'c1', model: 'm' })).toEqual({ connectionId: 'c1', model: 'm' });
    expect(toSelector({ model: 'route' })).toEqual({ model: 'route' });
    expect(invalid(() => toSelector({ model: '' }))).toBe('model is required');
  });

  it('sets only the fields the request set', () => {
    expect(toChatCall(request(), { stream: false })).toEqual({ messages: [{ role: 'user', content: 'hi' }] });
  });

  it('keeps zero-valued optional fields the caller set', () => {
    expect(toChatCall(request({ temperature: 0, max_tokens: 0, parallel_tool_calls: false }), { stream: false })).toMatchObject({
      temperature: 0,
      max_tokens: 0,
      parallel_tool_calls: false,
    });
  });

  it('asks for streaming, and usage only when include_usage is set', () => {
    expect(toChatCall(request(), { stream: true })).toMatchObject({ stream: true });
    expect(toChatCall(request(), { stream: true }).stream_options).toBeUndefined();
    expect(toChatCall(request({ include_usage: true }), { stream: true })).toMatchObject({ stream_options: { include_usage: true } });
  });

  it('parses JSON fields exactly, and names the field of invalid JSON', () => {
    const call = toChatCall(
      request({
        tools: [{ type: '', function: { name: 'f', parameters_json: '{"type":"object","properties":{"n":{"maximum":1.0}}}', strict: true } }],
        response_format: { type: 'json_object' },
        tool_choice: { choice: 'mode', mode: 'required' },
      }),
      { stream: false },
    );
    expect(call).toMatchObject({
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { n: { maximum: 1 } } }, strict: true } }],
      response_format: { type: 'json_object' },
      tool_choice: 'required',
    });
    expect(invalid(() => toChatCall(request({ response_format: { type: 'json_schema', json_schema_json: '[1]' } }), { stream: false }))).toBe(
      'response_format.json_schema_json must be a JSON object',
    );
  });

  it('translates content parts, including parts it does not model', () => {
    const call = toChatCall(
      request({
        messages: [
          {
            role: 'user',
            content: 'parts',
            parts: {
              parts: [
                { part: 'text', text: 'a' },
                { part: 'other_json', other_json: '{"type":"input_audio","input_audio":{"data":"x","format":"wav"}}' },
              ],
            },
            tool_calls: [],
          },
        ],
      }),
      { stream: false },
    );
    expect((call.messages as ChatMessage[])[0].content).toEqual([
      { type: 'text', text: 'a' },
      { type: 'input_audio', input_audio: { data: 'x', format: 'wav' } },
    ]);
  });

  it('refuses unknown roles, empty conversations and unsafe seeds, naming the field', () => {
    expect(invalid(() => toChatCall(request({ messages: [{ role: 'robot', tool_calls: [] }] }), { stream: false }))).toMatch(/^messages\[0\]\.role must be one of/);
    expect(invalid(() => toChatCall(request({ messages: [] }), { stream: false }))).toBe('messages must not be empty');
    expect(invalid(() => toChatCall(request({ seed: '9007199254740993' }), { stream: false }))).toMatch(/^seed must be an integer/);
    expect(invalid(() => toChatCall(request({ tool_choice: { choice: 'mode', mode: 'always' } }), { stream: false }))).toMatch(/^tool_choice must set/);
  });

  it('translates embeddings requests', () => {
    expect(toEmbeddingCall({ model: 'e', inputs: ['a', 'b'], dimensions: 8 })).toEqual({ input: ['a', 'b'], dimensions: 8 });
    expect(invalid(() => toEmbeddingCall({ model: 'e', inputs: [] }))).toBe('inputs must not be empty');
  });
});
