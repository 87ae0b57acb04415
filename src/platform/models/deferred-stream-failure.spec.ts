import { ChatCompletionsStreamDecoder } from './chat-completions-stream';
import { ModelStreamError } from './model-protocol';

describe('an error in the same bytes as the last tokens', () => {
  const token = (text: string) =>
    `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: text }, finish_reason: null }] })}\n\n`;
  const failure = `data: ${JSON.stringify({ error: { message: 'The server had an error', type: 'server_error', param: null, code: null } })}\n\n`;

  it('returns the tokens first, then throws on the next push', () => {
    const decoder = new ChatCompletionsStreamDecoder();
    const chunks = decoder.push(Buffer.from(token('w0') + token(' w1') + failure));
    expect(chunks.map((chunk) => chunk.choices[0].delta.content)).toEqual(['w0', ' w1']);
    expect(() => decoder.push(Buffer.alloc(0))).toThrow(ModelStreamError);
  });

  it('throws at the end of the stream when nothing else arrives', () => {
    const decoder = new ChatCompletionsStreamDecoder();
    expect(decoder.push(Buffer.from(token('w0') + failure))).toHaveLength(1);
    expect(() => decoder.end()).toThrow(ModelStreamError);
  });

  it('throws at once when nothing came before the error', () => {
    expect(() => new ChatCompletionsStreamDecoder().push(Buffer.from(failure))).toThrow(ModelStreamError);
  });
});
