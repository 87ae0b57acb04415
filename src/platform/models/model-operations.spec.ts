import { OperationSchemas } from '../integrations/operations/operation-schemas';
import type { VendorAnswer } from '../vendors/vendor-descriptor';
import { chatCompletionsProtocol } from './chat-completions-protocol';
import { modelOperations } from './model-operations';

const protocol = chatCompletionsProtocol({
  chatPath: () => '/chat/completions',
  embeddingsPath: () => '/embeddings',
  modelsPath: () => '/models',
  modelInBody: true,
  ownedBy: 'vendor',
});
const [chat, embeddings, models] = modelOperations('acme', protocol);
const context = { connectionId: 'conn-1', configuration: {} };
const answer = (body: unknown): VendorAnswer => ({ status: 200, headers: {}, body, runId: 'run-1' });
const schemas = new OperationSchemas();

describe('modelOperations', () => {
  it('names the three operations under the prefix, all read', () => {
    expect([chat, embeddings, models].map((operation) => [operation!.name, operation!.effect])).toEqual([
      ['acme.chat.complete', 'read'],
      ['acme.embeddings.create', 'read'],
      ['acme.models.list', 'read'],
    ]);
  });

  it('never streams a chat completion, whatever the input', () => {
    const request = chat!.request!({ model: 'm', messages: [{ role: 'user', content: 'Hi' }], temperature: 0.2 }, context);
    expect(JSON.parse(String(request.body))).toEqual({ model: 'm', messages: [{ role: 'user', content: 'Hi' }], temperature: 0.2, stream: false });
  });

  it('answers the protocol’s results, which the output schemas accept', () => {
    const completion = {
      id: 'c',
      object: 'chat.completion',
      created: 1,
      model: 'm',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hi' }, finish_reason: 'stop' }],
    };
    const input = { model: 'm', messages: [{ role: 'user', content: 'Hi' }] };
    expect(schemas.compile(chat!.output)(chat!.result!(answer(completion), input))).toBe(true);
    const vectors = embeddings!.result!(answer({ data: [{ index: 0, embedding: [0.5] }], model: 'e', usage: { prompt_tokens: 1, total_tokens: 1 } }), { model: 'e', input: 'a' });
    expect(schemas.compile(embeddings!.output)(vectors)).toBe(true);
    const list = models!.result!(answer({ data: [{ id: 'm', created: 1, owned_by: 'acme' }] }), {});
    expect(list).toEqual({ data: [{ id: 'm', created: 1, owned_by: 'acme' }] });
    expect(schemas.compile(models!.output)(list)).toBe(true);
  });

  it('reads the vendor’s token count for the run, and none from an answer that is not one', () => {
    const input = { model: 'm', messages: [{ role: 'user', content: 'Hi' }] };
    const completion = { id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [], usage: { prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 } };
    expect(chat!.usage!(completion, input)).toEqual({ promptTokens: 3, completionTokens: 5, totalTokens: 8 });
    expect(chat!.usage!({ unexpected: true }, input)).toBeUndefined();
    const vectors = { object: 'list', model: 'e', data: [{ index: 0, embedding: [0.5] }], usage: { prompt_tokens: 2, total_tokens: 2 } };
    expect(embeddings!.usage!(vectors, { model: 'e', input: 'x' })).toEqual({ promptTokens: 2, completionTokens: 0, totalTokens: 2 });
    expect(models!.usage).toBeUndefined();
  });

  it('validates inputs strictly enough to name a mistake', () => {
    const problems = (input: unknown) => () => schemas.assertInput(chat!, input);
    expect(problems({ model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }], tools: [], seed: 1, logprobs: true })).not.toThrow();
    expect(problems({ model: 'm', messages: [] })).toThrow(/messages must NOT have fewer than 1 items/);
    expect(problems({ model: 'm', messages: [{ role: 'robot', content: 'Hi' }] })).toThrow(/role must be equal to one of the allowed values/);
    expect(problems({ model: 'm', messages: [{ role: 'user', content: 'Hi' }], temprature: 1 })).toThrow(/unknown property 'temprature'/);
    expect(problems({ model: 'm', messages: [{ role: 'user', content: 'Hi' }], stream: true })).toThrow(/unknown property 'stream'/);
    expect(() => schemas.assertInput(embeddings!, { model: 'e', input: [] })).toThrow(/input\/input/);
  });
});
