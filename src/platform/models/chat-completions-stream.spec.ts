import fc from 'fast-check';
import { arbitraryCuts, cutAt, decodeChatStream, everySingleCut } from '../../../test/support/stream-pieces';
import { ChatCompletionsStreamDecoder } from './chat-completions-stream';
import { ModelStreamError } from './model-protocol';

const sse = (events: readonly unknown[], lineBreak = '\n') =>
  Buffer.from(events.map((data) => `data: ${typeof data === 'string' ? data : JSON.stringify(data)}${lineBreak}${lineBreak}`).join(''));

const head = {
  id: 'chatcmpl-AbC',
  object: 'chat.completion.chunk',
  created: 1733100000,
  model: 'gpt-4o-mini-2024-07-18',
  service_tier: 'default',
  system_fingerprint: 'fp_0aa8d3e20b',
};
const delta = (value: object, finish: string | null = null) => ({ ...head, choices: [{ index: 0, delta: value, logprobs: null, finish_reason: finish }], usage: null });
const USAGE_CHUNK = {
  ...head,
  choices: [],
  usage: {
    prompt_tokens: 12,
    completion_tokens: 4,
    total_tokens: 16,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0 },
  },
};
const PLAIN_CHUNKS = [delta({ role: 'assistant', content: '', refusal: null }), delta({ content: 'Héllo' }), delta({ content: ' wörld 👋' }), delta({}, 'stop'), USAGE_CHUNK];
/** A plain stream: content chunks, the finish, the usage chunk, `[DONE]`. */
const PLAIN = sse([...PLAIN_CHUNKS, '[DONE]']);

const SAFE = { filtered: false, severity: 'safe' };
const FILTERS = { hate: SAFE, self_harm: SAFE, sexual: SAFE, violence: SAFE };
/** The first chunk reports the prompt's content filtering, with no choices and no usage. */
const PROMPT_FILTER_CHUNK = { choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: [{ prompt_index: 0, content_filter_results: FILTERS }] };
const filtered = (value: object, filters: object, finish: string | null = null) => ({
  choices: [{ content_filter_results: filters, delta: value, finish_reason: finish, index: 0, logprobs: null }],
  created: 1733100000,
  id: 'chatcmpl-Az1',
  model: 'gpt-4o-2024-08-06',
  object: 'chat.completion.chunk',
  system_fingerprint: 'fp_04751d0b65',
  usage: null,
});
const FILTERED_CHUNKS = [
  filtered({ content: '', refusal: null, role: 'assistant' }, {}),
  filtered({ content: 'Bonjour' }, FILTERS),
  filtered({ content: ' à vous' }, FILTERS),
  filtered({}, {}, 'stop'),
  { ...filtered({}, {}), choices: [], usage: { completion_tokens: 3, prompt_tokens: 20, total_tokens: 23 } },
];
/** The same with CRLF line breaks, filtering reports on the prompt and on each choice. */
const FILTERED = sse([PROMPT_FILTER_CHUNK, ...FILTERED_CHUNKS, '[DONE]'], '\r\n');

const decode = (bytes: Buffer, cuts: readonly number[] = []) => decodeChatStream(new ChatCompletionsStreamDecoder(), cutAt(bytes, cuts));

describe('ChatCompletionsStreamDecoder', () => {
  it('answers each chunk, the usage chunk last, complete once [DONE] came', () => {
    expect(decode(PLAIN)).toEqual({ chunks: PLAIN_CHUNKS, complete: true });
  });

  it('drops the prompt-filter report that has neither choices nor usage, and keeps the choices’ filter results', () => {
    expect(decode(FILTERED)).toEqual({ chunks: FILTERED_CHUNKS, complete: true });
  });

  it.each([
    ['plain', PLAIN, PLAIN_CHUNKS],
    ['filtered', FILTERED, FILTERED_CHUNKS],
  ])('answers the same %s chunks whatever byte the stream is cut before', (_name, bytes, chunks) => {
    for (const cuts of everySingleCut(bytes)) expect(decode(bytes, cuts)).toEqual({ chunks, complete: true });
  });

  it('answers the same chunks however the stream is cut into pieces', () => {
    fc.assert(fc.property(arbitraryCuts(FILTERED.length), (cuts) => expect(decode(FILTERED, cuts)).toEqual({ chunks: FILTERED_CHUNKS, complete: true })));
  });

  it('reports a stream cut anywhere before [DONE] as incomplete, with the chunks it had', () => {
    const done = PLAIN.indexOf('data: [DONE]');
    for (const length of [0, 10, PLAIN.indexOf('\n\n') + 2, done, done + 8]) {
      const { chunks, complete } = decode(PLAIN.subarray(0, length));
      expect(complete).toBe(false);
      expect(PLAIN_CHUNKS.slice(0, chunks.length)).toEqual(chunks);
    }
  });

  it('ignores whatever follows [DONE]', () => {
    expect(decode(Buffer.concat([PLAIN, sse([delta({ content: 'late' }), 'not json'])]))).toEqual({ chunks: PLAIN_CHUNKS, complete: true });
  });

  it('throws the vendor’s error sent inside the stream, carrying it', () => {
    const error = { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null };
    const decoder = new ChatCompletionsStreamDecoder();
    expect(decoder.push(sse([PLAIN_CHUNKS[0]]))).toHaveLength(1);
    let thrown: unknown;
    try {
      decoder.push(Buffer.from(`event: error\ndata: ${JSON.stringify({ error })}\n\n`));
    } catch (caught) {
      thrown = caught;
    }
    expect(thrown).toBeInstanceOf(ModelStreamError);
    expect(thrown).toMatchObject({ message: error.message, vendorError: error });
  });

  it('gives a stream error without a type the server error type', () => {
    expect(() => new ChatCompletionsStreamDecoder().push(sse([{ error: { code: '500', message: 'Internal error' } }]))).toThrow(
      expect.objectContaining({ vendorError: { message: 'Internal error', type: 'server_error', param: null, code: '500' } }),
    );
  });

  it.each([['{"choices": ['], ['{"id":"x"}'], ['[1,2]']])('throws on data %j that is no chunk', (data) => {
    expect(() => new ChatCompletionsStreamDecoder().push(sse([data]))).toThrow(ModelStreamError);
  });
});
