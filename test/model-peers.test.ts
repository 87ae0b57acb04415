import OpenAI, { AzureOpenAI } from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { OllamaPeer, OpenAIPeer } from './support/model-peers';

/**
 * The model peers' wire formats, checked with OpenAI's official SDK (for OpenAI's and Azure OpenAI's
 * paths) and plain NDJSON reads (for Ollama's), so the platform's tests meet what the vendors send.
 */

const API_KEY = 'sk-test-openai';
const AZURE_KEY = 'azure-test-key';
const WEATHER_TOOL = { type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } } };
const USER_PROMPT = [{ role: 'user' as const, content: 'Say something short please' }];

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

function contentOf(chunks: ChatCompletionChunk[]): string {
  return chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
}

describe('OpenAIPeer with the OpenAI SDK', () => {
  let peer: OpenAIPeer;
  let client: OpenAI;

  beforeAll(async () => {
    peer = await OpenAIPeer.start();
    client = new OpenAI({ apiKey: API_KEY, baseURL: `${peer.url}/v1`, maxRetries: 0 });
  });
  afterAll(() => peer?.close());
  afterEach(() => peer.reset());

  it('answers a chat completion with the deterministic words and usage', async () => {
    const { data: completion, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'be brief' }, ...USER_PROMPT] }, { headers: { 'OpenAI-Organization': 'org-peer' } })
      .withResponse();
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('gpt-4o-mini');
    expect(completion.choices[0]).toMatchObject({ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'w0 w1 w2 w3 w4 w5 w6 w7' } });
    expect(completion.usage).toMatchObject({ prompt_tokens: 6, completion_tokens: 8, total_tokens: 14 });
    expect(response.headers.get('x-ratelimit-reset-tokens')).toBe('6m0s');
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    expect(response.headers.get('openai-processing-ms')).toMatch(/^\d+$/);
    expect(peer.requests).toHaveLength(1);
    expect(peer.requests[0]).toMatchObject({ method: 'POST', path: '/v1/chat/completions', body: { model: 'gpt-4o-mini' } });
    expect(peer.requests[0].headers['openai-organization']).toBe('org-peer');
  });

  it('stops at max_tokens with finish_reason length', async () => {
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: USER_PROMPT, max_completion_tokens: 3 });
    expect(completion.choices[0].message.content).toBe('w0 w1 w2');
    expect(completion.choices[0].finish_reason).toBe('length');
    expect(completion.usage?.completion_tokens).toBe(3);
  });

  it('streams one word per chunk, then the usage chunk when include_usage is set', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: USER_PROMPT, stream: true, stream_options: { include_usage: true } });
    const chunks = await collect(stream);
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '', refusal: null });
    expect(chunks.slice(1, 9).map((chunk) => chunk.choices[0].delta.content)).toEqual(['w0', ' w1', ' w2', ' w3', ' w4', ' w5', ' w6', ' w7']);
    expect(contentOf(chunks)).toBe('w0 w1 w2 w3 w4 w5 w6 w7');
    expect(chunks[9].choices[0].finish_reason).toBe('stop');
    expect(chunks.slice(0, 10).every((chunk) => chunk.usage === null)).toBe(true);
    const usageChunk = chunks[10];
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage).toMatchObject({ prompt_tokens: 4, completion_tokens: 8, total_tokens: 12 });
    expect(chunks).toHaveLength(11);
  });

  it('leaves usage off the chunks when include_usage is not set', async () => {
    const response = await fetch(`${peer.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: USER_PROMPT, stream: true }),
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const text = await response.text();
    const events = text.split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    expect(events).toHaveLength(1 + 8 + 1 + 1);
    expect(text).not.toContain('"usage"');
  });

  it('streams a tool call as deltas the SDK accumulates into the call', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: USER_PROMPT, tools: [WEATHER_TOOL], stream: true });
    const chunks = await collect(stream);
    const deltas = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    expect(deltas).toHaveLength(2);
    expect(deltas[0]).toMatchObject({ index: 0, id: 'call_0', type: 'function', function: { name: 'get_weather' } });
    expect(deltas[1].id).toBeUndefined();
    expect(JSON.parse(deltas.map((delta) => delta.function?.arguments ?? '').join(''))).toEqual({ location: 'Paris' });
    expect(chunks.at(-1)!.choices[0].finish_reason).toBe('tool_calls');

    // The SDK's own accumulator agrees.
    const runner = client.chat.completions.stream({ model: 'gpt-4o-mini', messages: USER_PROMPT, tools: [WEATHER_TOOL] });
    const final = await runner.finalChatCompletion();
    expect(final.choices[0].message.tool_calls).toEqual([{ id: 'call_0', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } }]);
  });

  it('answers a tool call without streaming, and text once the tool has answered', async () => {
    const call = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: USER_PROMPT, tools: [WEATHER_TOOL] });
    expect(call.choices[0]).toMatchObject({
      finish_reason: 'tool_calls',
      message: { content: null, tool_calls: [{ id: 'call_0', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } }] },
    });
    const followUp = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      tools: [WEATHER_TOOL],
      messages: [...USER_PROMPT, call.choices[0].message, { role: 'tool', tool_call_id: 'call_0', content: 'sunny' }],
    });
    expect(followUp.choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: 'w0 w1 w2 w3 w4 w5 w6 w7' } });
    const none = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: USER_PROMPT, tools: [WEATHER_TOOL], tool_choice: 'none' });
    expect(none.choices[0].finish_reason).toBe('stop');
  });

  it('answers JSON for a JSON response format, streamed in two pieces', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: USER_PROMPT, response_format: { type: 'json_object' }, stream: true });
    const chunks = await collect(stream);
    expect(chunks.filter((chunk) => chunk.choices[0]?.delta.content)).toHaveLength(2);
    expect(JSON.parse(contentOf(chunks))).toEqual({ ok: true });
  });

  it('embeds as floats and as base64 the SDK decodes to the same floats', async () => {
    const floats = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['alpha', 'beta gamma'], encoding_format: 'float' });
    expect(floats.data).toHaveLength(2);
    expect(floats.data[0].embedding).toHaveLength(8);
    expect(floats.data[0].embedding.every((value) => value >= -1 && value <= 1)).toBe(true);
    expect(floats.data[0].embedding).not.toEqual(floats.data[1].embedding);
    expect(floats.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });

    const decoded = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['alpha', 'beta gamma'] });
    expect(peer.requests.at(-1)!.body).toMatchObject({ encoding_format: 'base64' });
    expect(decoded.data.map((item) => item.embedding)).toEqual(floats.data.map((item) => item.embedding));

    const raw = await fetch(`${peer.url}/v1/embeddings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'text-embedding-3-small', input: 'alpha', encoding_format: 'base64', dimensions: 4 }),
    });
    const { data } = (await raw.json()) as { data: Array<{ embedding: string }> };
    expect(Buffer.from(data[0].embedding, 'base64')).toHaveLength(16);

    const tokens = await client.embeddings.create({ model: 'text-embedding-3-small', input: [[1, 2, 3]], encoding_format: 'float', dimensions: 3 });
    expect(tokens.data[0].embedding).toHaveLength(3);
    expect(tokens.usage.prompt_tokens).toBe(3);
  });

  it('lists models', async () => {
    const models = await collect(client.models.list());
    expect(models[0]).toEqual({ id: 'gpt-4o-mini', object: 'model', created: 1721172741, owned_by: 'system' });
    expect(models.map((model) => model.id)).toContain('text-embedding-3-small');
  });

  it('refuses a wrong key with OpenAI body, masked key included: AuthenticationError', async () => {
    const wrong = new OpenAI({ apiKey: 'sk-test-wrong-ai', baseURL: `${peer.url}/v1`, maxRetries: 0 });
    const error = await wrong.chat.completions.create({ model: 'gpt-4o-mini', messages: USER_PROMPT }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    const authError = error as InstanceType<typeof OpenAI.AuthenticationError>;
    expect(authError.status).toBe(401);
    expect(authError.code).toBe('invalid_api_key');
    expect(authError.error).toEqual({
      message: 'Incorrect API key provided: sk-te***ai. You can find your API key at https://platform.openai.com/account/api-keys.',
      type: 'invalid_request_error',
      param: null,
      code: 'invalid_api_key',
    });

    const missing = await fetch(`${peer.url}/v1/models`);
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(/^You didn't provide an API key/);
  });

  it('maps a scripted 429 to RateLimitError with readable headers', async () => {
    peer.script({ kind: 'error', status: 429 });
    const error = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: USER_PROMPT }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const rateLimited = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect(rateLimited.headers.get('retry-after')).toBe('1');
    expect(rateLimited.headers.get('x-ratelimit-remaining-tokens')).toBe('0');
    expect(rateLimited.code).toBe('rate_limit_exceeded');
    expect(rateLimited.type).toBe('tokens');
    expect(rateLimited.message).toContain('Rate limit reached for gpt-4o-mini');
    // The script is used up: the next request is answered normally.
    await expect(client.chat.completions.create({ model: 'gpt-4o-mini', messages: USER_PROMPT })).resolves.toMatchObject({ object: 'chat.completion' });
  });

  it('maps scripted 503 and 500 to InternalServerError, and takes a scripted body and headers', async () => {
    peer.script(
      { kind: 'error', status: 503 },
      { kind: 'error', status: 500, body: { error: { message: 'custom', type: 'server_error', param: null, code: null } }, headers: { 'x-custom': 'yes' } },
    );
    const overloaded = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: USER_PROMPT }).catch((caught: unknown) => caught);
    expect(overloaded).toBeInstanceOf(OpenAI.InternalServerError);
    expect((overloaded as Error).message).toBe('503 The server is overloaded or not ready yet.');
    const custom = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'x' }).catch((caught: unknown) => caught);
    expect(custom).toBeInstanceOf(OpenAI.InternalServerError);
    expect((custom as InstanceType<typeof OpenAI.InternalServerError>).headers.get('x-custom')).toBe('yes');
  });

  it('carries the mutable rate limit on every answer', async () => {
    peer.rateLimit.remainingTokens = 0;
    const { response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: USER_PROMPT }).withResponse();
    expect(response.headers.get('x-ratelimit-remaining-tokens')).toBe('0');
    expect(response.headers.get('x-ratelimit-limit-requests')).toBe('10000');
  });

  it('on a cut stream, the SDK iteration throws after the chunks that arrived', async () => {
    peer.script({ kind: 'cut', afterChunks: 3 });
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: USER_PROMPT, stream: true });
    const received: ChatCompletionChunk[] = [];
    const error = await (async () => {
      for await (const chunk of stream) received.push(chunk);
    })().catch((caught: unknown) => caught);
    expect(received.map((chunk) => chunk.choices[0].delta.content)).toEqual(['', 'w0', ' w1']);
    // Undici's own error, not the SDK's: `TypeError: terminated`, caused by the socket closing mid-body.
    expect(error).not.toBeInstanceOf(OpenAI.APIError);
    expect((error as Error).name).toBe('TypeError');
    expect((error as Error).message).toBe('terminated');
    // The peer cut it: no client disconnect.
    expect(peer.disconnects).toBe(0);
  });

  it('on an in-stream error event, the SDK iteration throws APIError with its message', async () => {
    peer.script({ kind: 'stream-error', afterChunks: 2 });
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: USER_PROMPT, stream: true });
    const received: ChatCompletionChunk[] = [];
    const error = await (async () => {
      for await (const chunk of stream) received.push(chunk);
    })().catch((caught: unknown) => caught);
    expect(received).toHaveLength(2);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as Error).message).toBe('The server had an error while processing your request. Sorry about that!');
  });

  it('holds a stalled stream open and counts the client leaving as a disconnect', async () => {
    peer.script({ kind: 'stall', afterChunks: 2 });
    const abort = new AbortController();
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: USER_PROMPT, stream: true }, { signal: abort.signal });
    const received: ChatCompletionChunk[] = [];
    const iteration = (async () => {
      for await (const chunk of stream) {
        received.push(chunk);
        if (received.length === 2) setTimeout(() => abort.abort(), 50);
      }
    })().catch((caught: unknown) => caught);
    await expect(peer.waitForDisconnect(5_000)).resolves.toBe(1);
    await iteration;
    expect(received).toHaveLength(2);
    expect(peer.openStreams).toBe(0);
  });

  it('delays a scripted answer, and a client timing out meanwhile leaves', async () => {
    peer.script({ kind: 'delay', ms: 300 });
    const started = Date.now();
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: USER_PROMPT });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);

    peer.script({ kind: 'delay', ms: 10_000 });
    const error = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: USER_PROMPT, stream: true }, { timeout: 200 }).catch((caught: unknown) => caught);
    // Under jest the abort's DOMException comes from another realm: the SDK's castToError turns it into
    // Error('{}'), so the timeout surfaces as the parent APIConnectionError, not APIConnectionTimeoutError.
    expect(error).toBeInstanceOf(OpenAI.APIConnectionError);
    await expect(peer.waitForDisconnect(2_000)).resolves.toBe(1);
  });

  it('plays stream faults on a request that does not stream: cut unanswered, stall until the client leaves, stream error as a 500', async () => {
    peer.script({ kind: 'cut', afterChunks: 0 }, { kind: 'stall', afterChunks: 0 }, { kind: 'stream-error', afterChunks: 0 });
    const cut = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: USER_PROMPT }).catch((caught: unknown) => caught);
    expect(cut).toBeInstanceOf(OpenAI.APIConnectionError);
    expect(peer.disconnects).toBe(0);

    const stalled = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'x' }, { timeout: 200 }).catch((caught: unknown) => caught);
    expect(stalled).toBeInstanceOf(OpenAI.APIConnectionError);
    await expect(peer.waitForDisconnect(2_000)).resolves.toBe(1);

    const failed = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: USER_PROMPT }).catch((caught: unknown) => caught);
    expect(failed).toBeInstanceOf(OpenAI.InternalServerError);
    expect((failed as Error).message).toBe('500 The server had an error while processing your request. Sorry about that!');
  });

  it('paces chunks by chunkDelayMs', async () => {
    const paced = await OpenAIPeer.start({ words: 3, chunkDelayMs: 40 });
    try {
      const pacedClient = new OpenAI({ apiKey: API_KEY, baseURL: `${paced.url}/v1`, maxRetries: 0 });
      const started = Date.now();
      const chunks = await collect(await pacedClient.chat.completions.create({ model: 'gpt-4o-mini', messages: USER_PROMPT, stream: true }));
      expect(contentOf(chunks)).toBe('w0 w1 w2');
      // Five chunks: role, three words, finish; four pauses between them.
      expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    } finally {
      await paced.close();
    }
  });

  it('answers OpenAI 404 for an unknown path', async () => {
    const response = await fetch(`${peer.url}/v1/nothing`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}` } });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { message: 'Invalid URL (POST /v1/nothing)', type: 'invalid_request_error', param: null, code: null } });
  });
});

describe('OpenAIPeer with the AzureOpenAI SDK client', () => {
  let peer: OpenAIPeer;
  let client: AzureOpenAI;

  beforeAll(async () => {
    peer = await OpenAIPeer.start({ azureBearerToken: 'entra-token' });
    client = new AzureOpenAI({ endpoint: peer.url, apiKey: AZURE_KEY, apiVersion: '2024-10-21', deployment: 'gpt-4o-mini', maxRetries: 0 });
  });
  afterAll(() => peer?.close());
  afterEach(() => peer.reset());

  it('answers a chat completion on the deployment path, with the filter results', async () => {
    const completion = await client.chat.completions.create({ model: '', messages: USER_PROMPT });
    expect(peer.requests[0]).toMatchObject({ path: '/openai/deployments/gpt-4o-mini/chat/completions', query: { 'api-version': '2024-10-21' } });
    expect(peer.requests[0].headers['api-key']).toBe(AZURE_KEY);
    expect(completion.model).toBe('gpt-4o-mini');
    expect(completion.choices[0].message.content).toBe('w0 w1 w2 w3 w4 w5 w6 w7');
    expect(completion).toHaveProperty('prompt_filter_results');
    expect(completion.choices[0]).toHaveProperty('content_filter_results.hate', { filtered: false, severity: 'safe' });
  });

  it('streams with a leading prompt filter chunk and filter results on content chunks', async () => {
    const chunks = await collect(await client.chat.completions.create({ model: '', messages: USER_PROMPT, stream: true, stream_options: { include_usage: true } }));
    expect(chunks[0]).toMatchObject({ choices: [], id: '', object: '', prompt_filter_results: [{ prompt_index: 0 }] });
    expect(chunks[2].choices[0]).toHaveProperty('content_filter_results.violence', { filtered: false, severity: 'safe' });
    expect(contentOf(chunks)).toBe('w0 w1 w2 w3 w4 w5 w6 w7');
    expect(chunks.at(-1)!.usage).toMatchObject({ completion_tokens: 8 });
  });

  it('embeds and lists models', async () => {
    const embeddings = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'alpha' });
    expect(peer.requests[0].path).toBe('/openai/deployments/gpt-4o-mini/embeddings');
    const openAIPeerFloats = await fetch(`${peer.url}/v1/embeddings`, {
      method: 'POST',
      headers: { authorization: `Bearer sk-test-openai`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'x', input: 'alpha' }),
    }).then((response) => response.json() as Promise<{ data: Array<{ embedding: number[] }> }>);
    expect(embeddings.data[0].embedding).toEqual(openAIPeerFloats.data[0].embedding);

    const models = await collect(client.models.list());
    expect(peer.requests.at(-1)!.path).toBe('/openai/models');
    expect(models.map((model) => model.id)).toContain('gpt-4o-mini');
  });

  it('accepts an Entra ID token, refuses wrong credentials and a missing api-version in Azure words', async () => {
    const entra = new AzureOpenAI({ endpoint: peer.url, azureADTokenProvider: async () => 'entra-token', apiVersion: '2024-10-21', deployment: 'gpt-4o-mini', maxRetries: 0 });
    await expect(entra.chat.completions.create({ model: '', messages: USER_PROMPT })).resolves.toMatchObject({ object: 'chat.completion' });

    const wrong = new AzureOpenAI({ endpoint: peer.url, apiKey: 'nope', apiVersion: '2024-10-21', deployment: 'gpt-4o-mini', maxRetries: 0 });
    const error = await wrong.chat.completions.create({ model: '', messages: USER_PROMPT }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as InstanceType<typeof OpenAI.AuthenticationError>).error).toEqual({
      code: '401',
      message:
        'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
    });

    const unversioned = await fetch(`${peer.url}/openai/deployments/gpt-4o-mini/chat/completions`, { method: 'POST', headers: { 'api-key': AZURE_KEY }, body: '{}' });
    expect(unversioned.status).toBe(404);
    expect(await unversioned.json()).toEqual({ error: { code: '404', message: 'Resource not found' } });
  });

  it('ends a scripted stream error with the error event and no [DONE]', async () => {
    peer.script({ kind: 'stream-error', afterChunks: 3, error: { message: 'boom', type: 'server_error', param: null, code: null } });
    const response = await fetch(`${peer.url}/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21`, {
      method: 'POST',
      headers: { 'api-key': AZURE_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ messages: USER_PROMPT, stream: true }),
    });
    const events = (await response.text()).split('\n\n').filter(Boolean);
    expect(events).toHaveLength(4);
    expect(events[3]).toBe('data: {"error":{"message":"boom","type":"server_error","param":null,"code":null}}');
  });

  it('answers a scripted 429 with Azure body and retry headers', async () => {
    peer.script({ kind: 'error', status: 429 });
    const error = await client.chat.completions.create({ model: '', messages: USER_PROMPT }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const rateLimited = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect(rateLimited.error).toEqual({
      code: '429',
      message:
        'Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after 1 second.',
    });
    expect(rateLimited.headers.get('retry-after-ms')).toBe('1000');
    expect(rateLimited.headers.get('retry-after')).toBe('1');
  });
});

interface OllamaLine {
  model?: string;
  message?: { role: string; content: string; tool_calls?: Array<{ function: { name: string; arguments: unknown } }> };
  done?: boolean;
  done_reason?: string;
  eval_count?: number;
  prompt_eval_count?: number;
  error?: string;
}

describe('OllamaPeer over plain fetch', () => {
  let peer: OllamaPeer;
  const post = (path: string, body: unknown) => fetch(`${peer.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const lines = async (response: Response) =>
    (await response.text())
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as OllamaLine);

  beforeAll(async () => {
    peer = await OllamaPeer.start();
  });
  afterAll(() => peer?.close());
  afterEach(() => {
    peer.reset();
    peer.acceptAnyModel = true;
  });

  it('streams NDJSON by default: one line per word, then the done line with counts', async () => {
    const response = await post('/api/chat', { model: 'llama3.2', messages: USER_PROMPT });
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    const answer = await lines(response);
    expect(answer).toHaveLength(9);
    expect(answer[0]).toMatchObject({ model: 'llama3.2', message: { role: 'assistant', content: 'w0' }, done: false });
    expect(answer.slice(0, 8).map((line) => line.message?.content)).toEqual(['w0', ' w1', ' w2', ' w3', ' w4', ' w5', ' w6', ' w7']);
    expect(answer[8]).toMatchObject({ done: true, done_reason: 'stop', message: { content: '' }, prompt_eval_count: 4, eval_count: 8 });
    expect(answer[8]).toHaveProperty('total_duration');
  });

  it('answers in one object without streaming, limited by num_predict', async () => {
    const answer = (await (await post('/api/chat', { model: 'llama3.2', messages: USER_PROMPT, stream: false, options: { num_predict: 2 } })).json()) as OllamaLine;
    expect(answer).toMatchObject({ message: { role: 'assistant', content: 'w0 w1' }, done: true, done_reason: 'length', eval_count: 2 });
  });

  it('calls a tool with object arguments, and answers JSON for a format', async () => {
    const tool = await lines(await post('/api/chat', { model: 'llama3.2', messages: USER_PROMPT, tools: [WEATHER_TOOL] }));
    expect(tool).toHaveLength(2);
    expect(tool[0].message?.tool_calls).toEqual([{ function: { name: 'get_weather', arguments: { location: 'Paris' } } }]);
    expect(tool[1].done).toBe(true);
    const json = (await (await post('/api/chat', { model: 'llama3.2', messages: USER_PROMPT, stream: false, format: { type: 'object' } })).json()) as OllamaLine;
    expect(JSON.parse(json.message!.content)).toEqual({ ok: true });
  });

  it('embeds, lists tags, and 404s a model not pulled', async () => {
    const embedded = (await (await post('/api/embed', { model: 'nomic-embed-text', input: ['alpha', 'beta'] })).json()) as { embeddings: number[][]; prompt_eval_count: number };
    expect(embedded.embeddings).toHaveLength(2);
    expect(embedded.embeddings[0]).toHaveLength(8);
    expect(embedded.prompt_eval_count).toBe(2);

    const tags = (await (await fetch(`${peer.url}/api/tags`)).json()) as { models: Array<{ name: string; details: { family: string } }> };
    expect(tags.models[0]).toMatchObject({ name: 'llama3.2:latest', details: { family: 'llama', format: 'gguf' } });

    peer.acceptAnyModel = false;
    const missing = await post('/api/chat', { model: 'mistral', messages: USER_PROMPT });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'model "mistral" not found, try pulling it first' });
    expect((await post('/api/chat', { model: 'llama3.2:latest', messages: USER_PROMPT, stream: false })).status).toBe(200);
  });

  it('plays scripted faults: an error, an in-stream error line, a cut', async () => {
    peer.script({ kind: 'error', status: 503 }, { kind: 'stream-error', afterChunks: 2 }, { kind: 'cut', afterChunks: 2 });
    const busy = await post('/api/chat', { model: 'llama3.2', messages: USER_PROMPT });
    expect(busy.status).toBe(503);
    expect(await busy.json()).toEqual({ error: 'server busy, please try again.  maximum pending requests exceeded' });

    const failed = await lines(await post('/api/chat', { model: 'llama3.2', messages: USER_PROMPT }));
    expect(failed).toHaveLength(3);
    expect(failed[2]).toEqual({ error: 'an error was encountered while running the model: unexpected EOF' });

    const cut = await post('/api/chat', { model: 'llama3.2', messages: USER_PROMPT });
    await expect(cut.text()).rejects.toThrow('terminated');
  });

  it('counts a client leaving a stalled stream', async () => {
    peer.script({ kind: 'stall', afterChunks: 1 });
    const abort = new AbortController();
    const response = await fetch(`${peer.url}/api/chat`, { method: 'POST', body: JSON.stringify({ model: 'llama3.2', messages: USER_PROMPT }), signal: abort.signal });
    const reader = response.body!.getReader();
    await reader.read();
    expect(peer.openStreams).toBe(1);
    abort.abort();
    await expect(peer.waitForDisconnect(2_000)).resolves.toBe(1);
  });

  it('requires the bearer token when it has one', async () => {
    const guarded = await OllamaPeer.start({ bearerToken: 'ollama-token' });
    try {
      expect((await fetch(`${guarded.url}/api/tags`)).status).toBe(401);
      expect((await fetch(`${guarded.url}/api/tags`, { headers: { authorization: 'Bearer ollama-token' } })).status).toBe(200);
    } finally {
      await guarded.close();
    }
  });
});
