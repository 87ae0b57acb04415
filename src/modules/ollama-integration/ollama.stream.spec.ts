import fc from 'fast-check';
import { arbitraryCuts, cutAt, decodeChatStream, everySingleCut } from '../../../test/support/stream-pieces';
import { ModelStreamError } from '../../platform/models/model-protocol';
import { OllamaStreamDecoder } from './ollama.stream';

const ndjson = (lines: readonly object[]) => Buffer.from(lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
const at = (second: number) => `2024-12-02T03:14:${String(second).padStart(2, '0')}.926535897Z`;
const line = (content: string, second = 15) => ({ model: 'llama3.2', created_at: at(second), message: { role: 'assistant', content }, done: false });
const DONE_LINE = {
  model: 'llama3.2',
  created_at: at(17),
  message: { role: 'assistant', content: '' },
  done_reason: 'stop',
  done: true,
  total_duration: 4883583458,
  load_duration: 1334875,
  prompt_eval_count: 26,
  prompt_eval_duration: 342546000,
  eval_count: 282,
  eval_duration: 4535599000,
};

/** Text in three lines, then the done line. */
const TEXT = ndjson([line('Grüezi'), line(' 👋', 16), line(''), DONE_LINE]);
/** A tool call (arguments an object, whole in one line), then the done line. */
const TOOLS = ndjson([
  {
    model: 'llama3.2',
    created_at: at(15),
    message: { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Zürich', unit: 'celsius' } } }] },
    done: false,
  },
  { ...DONE_LINE, prompt_eval_count: 180, eval_count: 22 },
]);

const head = { id: expect.stringMatching(/^chatcmpl-/), object: 'chat.completion.chunk', created: 1733109255, model: 'llama3.2' };
const TEXT_CHUNKS = [
  { ...head, choices: [{ index: 0, delta: { role: 'assistant', content: 'Grüezi' }, finish_reason: null }] },
  { ...head, choices: [{ index: 0, delta: { content: ' 👋' }, finish_reason: null }] },
  { ...head, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
  { ...head, choices: [], usage: { prompt_tokens: 26, completion_tokens: 282, total_tokens: 308 } },
];
const TOOL_CHUNKS = [
  {
    ...head,
    choices: [
      {
        index: 0,
        delta: {
          role: 'assistant',
          content: '',
          tool_calls: [{ index: 0, id: 'call_0', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Zürich","unit":"celsius"}' } }],
        },
        finish_reason: null,
      },
    ],
  },
  { ...head, choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
  { ...head, choices: [], usage: { prompt_tokens: 180, completion_tokens: 22, total_tokens: 202 } },
];

const decode = (bytes: Buffer, cuts: readonly number[] = []) => decodeChatStream(new OllamaStreamDecoder('llama3.2'), cutAt(bytes, cuts));

describe('OllamaStreamDecoder', () => {
  it('answers the role with the first text, text deltas, the finish, then the usage chunk', () => {
    expect(decode(TEXT)).toEqual({ chunks: TEXT_CHUNKS, complete: true });
  });

  it('answers a tool call as one whole tool-call delta, finishing with tool_calls', () => {
    expect(decode(TOOLS)).toEqual({ chunks: TOOL_CHUNKS, complete: true });
  });

  it('keeps one completion id across the chunks', () => {
    const ids = new Set(decode(TEXT).chunks.map((chunk) => chunk.id));
    expect(ids.size).toBe(1);
  });

  it.each([
    ['text', TEXT, TEXT_CHUNKS],
    ['tool call', TOOLS, TOOL_CHUNKS],
  ])('answers the same %s chunks whatever byte the stream is cut before', (_name, bytes, chunks) => {
    for (const cuts of everySingleCut(bytes)) expect(decode(bytes, cuts)).toEqual({ chunks, complete: true });
  });

  it('answers the same chunks however the stream is cut into pieces', () => {
    fc.assert(fc.property(arbitraryCuts(TEXT.length), (cuts) => expect(decode(TEXT, cuts)).toEqual({ chunks: TEXT_CHUNKS, complete: true })));
  });

  it('reports a stream cut before its done line as incomplete', () => {
    const doneAt = TEXT.indexOf('{"model":"llama3.2","created_at":"2024-12-02T03:14:17');
    for (const length of [0, 20, doneAt, doneAt + 40, TEXT.length - 2]) {
      const { chunks, complete } = decode(TEXT.subarray(0, length));
      expect(complete).toBe(false);
      expect(chunks).toEqual(TEXT_CHUNKS.slice(0, chunks.length));
    }
  });

  it('accepts a done line the stream ended without a line break', () => {
    expect(decode(TEXT.subarray(0, TEXT.length - 1))).toEqual({ chunks: TEXT_CHUNKS, complete: true });
  });

  it('throws the error line Ollama sends when it fails mid-stream', () => {
    const decoder = new OllamaStreamDecoder('llama3.2');
    decoder.push(ndjson([line('Once')]));
    expect(() => decoder.push(Buffer.from('{"error":"an error was encountered while running the model: unexpected EOF"}\n'))).toThrow(
      expect.objectContaining({
        name: 'ModelStreamError',
        vendorError: { message: 'an error was encountered while running the model: unexpected EOF', type: 'server_error', param: null, code: null },
      }),
    );
    expect(() => new OllamaStreamDecoder('m').push(Buffer.from('[1]\n'))).toThrow(ModelStreamError);
  });
});
