import OpenAI from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { status } from '@grpc/grpc-js';
import { GrpcServerHost } from '../src/platform/grpc/grpc-server.host';
import { DataSource } from 'typeorm';
import { dumpStore, REGISTRY_SCOPES, TenantApi, waitFor } from './support/governed-api';
import { bearerMetadata, loadClients, readStream, unaryCall, UntypedClient } from './support/grpc-clients';
import { OllamaPeer, OpenAIPeer, TOOL_ARGUMENTS } from './support/model-peers';
import { InProcessPlatform, startInProcess } from './support/platform-app';
import { newJwtSecret, signHs256 } from './support/tokens';

/**
 * The model gateway end to end: the official OpenAI SDK as the platform's client on each model role's
 * chat-completions surface, against peers speaking OpenAI's, Azure OpenAI's and Ollama's wire formats.
 * Streams and not, usage, embeddings in both encodings, model routes falling back across providers
 * before the first token and never after, cut and stalled streams, client aborts, rate-limit headers,
 * tenant isolation and secrets.
 */

const OPENAI_KEY = 'sk-test-openai';
const AZURE_KEY = 'azure-test-key';
const PROMPT = [{ role: 'user' as const, content: 'Say something short please' }];
const WORDS = 'w0 w1 w2 w3 w4 w5 w6 w7';

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

const textOf = (chunks: ChatCompletionChunk[]) => chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');

describe('Model gateway (OpenAI, Azure OpenAI and Ollama roles in one process)', () => {
  const jwtSecret = newJwtSecret();
  const transcript: string[] = [];
  let openai: OpenAIPeer;
  let ollama: OllamaPeer;
  let platform: InProcessPlatform;
  let tenant: TenantApi;
  let other: TenantApi;
  let token: string;
  let openaiConnection: string;
  let azureConnection: string;
  let ollamaConnection: string;

  const client = (prefix: string, connectionId?: string, apiKey = token) =>
    new OpenAI({ baseURL: `${platform.url}/${prefix}/v1`, apiKey, maxRetries: 0, defaultHeaders: connectionId ? { 'x-connection-id': connectionId } : {} });

  const connection = async (api: TenantApi, body: Record<string, unknown>) => {
    const created = await api.post('/integrations/connections', body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'Active' });
    return created.body.id as string;
  };

  const runOf = async (runId: string) => (await tenant.get(`/integrations/runs/${runId}`)).body;

  beforeAll(async () => {
    openai = await OpenAIPeer.start();
    ollama = await OllamaPeer.start();
    platform = await startInProcess({
      AUTH_JWT_SECRET: jwtSecret,
      APP_ROLE: 'VendorApiClientRegistryService,OpenAIIntegrationService,AzureOpenAIIntegrationService,OllamaIntegrationService',
      EGRESS_ALLOW_LIST: '127.0.0.1',
      MODEL_STREAM_IDLE_TIMEOUT: '500ms',
    });
    tenant = await TenantApi.create(platform.url, jwtSecret, 'tenant-models-a', transcript, REGISTRY_SCOPES);
    other = await TenantApi.create(platform.url, jwtSecret, 'tenant-models-b', transcript, REGISTRY_SCOPES);
    token = await signHs256(jwtSecret, { tenantId: 'tenant-models-a', scope: REGISTRY_SCOPES, expiresIn: 3600 });
    openaiConnection = await connection(tenant, {
      providerId: 'openai',
      displayName: 'OpenAI',
      credentialId: await tenant.createCredential('openai-key', OPENAI_KEY),
      configuration: { baseUrl: openai.openAIBaseUrl, organization: 'org-peer' },
    });
    azureConnection = await connection(tenant, {
      providerId: 'azure-openai',
      displayName: 'Azure OpenAI',
      credentialId: await tenant.createCredential('azure-key', AZURE_KEY),
      configuration: { baseUrl: openai.url },
    });
    ollamaConnection = await connection(tenant, { providerId: 'ollama', displayName: 'Ollama', configuration: { baseUrl: ollama.url } });
  });

  afterAll(async () => {
    await platform?.close();
    await openai?.close();
    await ollama?.close();
  });

  afterEach(() => {
    openai.reset();
    ollama.reset();
  });

  describe('one connection, named by x-connection-id', () => {
    it('answers a completion through the SDK, with usage on its run', async () => {
      const { data, response } = await client('openai', openaiConnection).chat.completions.create({ model: 'gpt-4o-mini', messages: PROMPT }).withResponse();
      expect(data.choices[0].message.content).toBe(WORDS);
      expect(data.usage).toMatchObject({ prompt_tokens: 4, completion_tokens: 8, total_tokens: 12 });
      const sent = openai.requests.at(-1)!;
      expect(sent).toMatchObject({ method: 'POST', path: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: PROMPT } });
      expect(sent.headers).toMatchObject({ authorization: `Bearer ${OPENAI_KEY}`, 'openai-organization': 'org-peer' });
      expect(response.headers.get('x-ratelimit-remaining-tokens')).toBeTruthy();
      const run = await runOf(response.headers.get('x-integration-run-id')!);
      expect(run).toMatchObject({ state: 'Completed', providerId: 'openai', model: { name: 'gpt-4o-mini', promptTokens: 4, completionTokens: 8, totalTokens: 12 } });
      expect(run.model.requestId).toBe(response.headers.get('x-request-id'));
    });

    it('streams chunks as they come and ends with the usage chunk the caller asked for', async () => {
      const stream = await client('openai', openaiConnection).chat.completions.create({
        model: 'gpt-4o-mini',
        messages: PROMPT,
        stream: true,
        stream_options: { include_usage: true },
      });
      const chunks = await collect(stream);
      expect(textOf(chunks)).toBe(WORDS);
      expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 4, completion_tokens: 8, total_tokens: 12 } });
      expect(chunks.filter((chunk) => chunk.usage).length).toBe(1);
    });

    it('asks the vendor for usage on a stream whose caller did not, records it, and keeps it from the caller', async () => {
      const { data: stream, response } = await client('openai', openaiConnection).chat.completions.create({ model: 'gpt-4o-mini', messages: PROMPT, stream: true }).withResponse();
      const chunks = await collect(stream);
      expect(textOf(chunks)).toBe(WORDS);
      expect(chunks.some((chunk) => chunk.usage)).toBe(false);
      expect(openai.requests.at(-1)!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
      const runId = response.headers.get('x-integration-run-id')!;
      await waitFor(async () => (await runOf(runId)).state === 'Completed', 5000, 'the stream run to complete');
      const run = await runOf(runId);
      expect(run.model).toMatchObject({ totalTokens: 12, completionTokens: 8 });
      expect(run.model.firstTokenMs).toEqual(expect.any(Number));
    });

    it('passes tools through and streams the tool call in pieces the SDK reassembles', async () => {
      const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } } }];
      const completion = await client('openai', openaiConnection).chat.completions.create({ model: 'gpt-4o-mini', messages: PROMPT, tools });
      expect(completion.choices[0]).toMatchObject({
        finish_reason: 'tool_calls',
        message: { tool_calls: [{ function: { name: 'get_weather', arguments: JSON.stringify(TOOL_ARGUMENTS) } }] },
      });
      const chunks = await collect(await client('openai', openaiConnection).chat.completions.create({ model: 'gpt-4o-mini', messages: PROMPT, tools, stream: true }));
      const pieces = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
      expect(JSON.parse(pieces.map((piece) => piece.function?.arguments ?? '').join(''))).toEqual(TOOL_ARGUMENTS);
      expect(pieces[0]).toMatchObject({ id: expect.any(String), function: { name: 'get_weather' } });
    });

    it('reaches an Azure OpenAI deployment with its URL, api-version and api-key', async () => {
      const completion = await client('azure-openai', azureConnection).chat.completions.create({ model: 'gpt-4o-mini', messages: PROMPT });
      expect(completion.choices[0].message.content).toBe(WORDS);
      const chunks = await collect(await client('azure-openai', azureConnection).chat.completions.create({ model: 'gpt-4o-mini', messages: PROMPT, stream: true }));
      expect(textOf(chunks)).toBe(WORDS);
      // Azure's leading prompt-filter chunk (no choices) is not passed on.
      expect(chunks.every((chunk) => chunk.choices.length > 0)).toBe(true);
      for (const sent of openai.requests) {
        expect(sent.path).toBe('/openai/deployments/gpt-4o-mini/chat/completions');
        expect(sent.query).toEqual({ 'api-version': '2024-10-21' });
        expect(sent.headers['api-key']).toBe(AZURE_KEY);
        expect(sent.headers.authorization).toBeUndefined();
      }
    });

    it('translates to Ollama’s NDJSON chat, streamed and not', async () => {
      const completion = await client('ollama', ollamaConnection).chat.completions.create({ model: 'llama3.2', messages: PROMPT, max_tokens: 3 });
      expect(completion.choices[0]).toMatchObject({ message: { content: 'w0 w1 w2' }, finish_reason: 'length' });
      expect(completion.usage).toMatchObject({ completion_tokens: 3 });
      const chunks = await collect(
        await client('ollama', ollamaConnection).chat.completions.create({ model: 'llama3.2', messages: PROMPT, stream: true, stream_options: { include_usage: true } }),
      );
      expect(textOf(chunks)).toBe(WORDS);
      expect(chunks.at(-1)?.usage).toMatchObject({ completion_tokens: 8 });
      expect(ollama.requests.map((request) => [request.path, (request.body as { stream: boolean }).stream])).toEqual([
        ['/api/chat', false],
        ['/api/chat', true],
      ]);
    });

    it('embeds in float and in base64 (the SDK’s default), the same vectors', async () => {
      const floats = await client('openai', openaiConnection).embeddings.create({ model: 'text-embedding-3-small', input: ['alpha', 'beta'], encoding_format: 'float' });
      const decoded = await client('openai', openaiConnection).embeddings.create({ model: 'text-embedding-3-small', input: ['alpha', 'beta'] });
      expect(floats.data).toHaveLength(2);
      expect(decoded.data.map((item) => item.embedding)).toEqual(floats.data.map((item) => item.embedding));
      expect(openai.requests.map((request) => (request.body as { encoding_format?: string }).encoding_format)).toEqual(['float', 'float']);
      const local = await client('ollama', ollamaConnection).embeddings.create({ model: 'nomic-embed-text', input: 'alpha' });
      expect(local.data[0].embedding).toHaveLength(8);
    });

    it('lists the connection’s models, and without a connection the tenant’s routes', async () => {
      const models = await client('openai', openaiConnection).models.list();
      expect(models.data.map((model) => model.id)).toContain('gpt-4o-mini');
      const tags = await client('ollama', ollamaConnection).models.list();
      expect(tags.data.map((model) => model.id)).toContain('llama3.2:latest');
    });
  });

  describe('the catalogue’s operations and the metrics', () => {
    it('lists the model operations of each role and runs one as a governed call', async () => {
      for (const prefix of ['openai', 'azure-openai', 'ollama']) {
        const names = (await tenant.get(`/${prefix}/operations`)).body.items.map((item: { name: string }) => item.name);
        expect(names).toEqual(expect.arrayContaining([`${prefix}.chat.complete`, `${prefix}.embeddings.create`, `${prefix}.models.list`]));
      }
      const answer = await tenant.post(`/openai/connections/${openaiConnection}/operations/openai.chat.complete`, { input: { model: 'gpt-4o-mini', messages: PROMPT } });
      expect(answer.status).toBe(200);
      expect(answer.body.output.choices[0].message.content).toBe(WORDS);
      // The operation's run carries the vendor's token count, as a gateway call's does.
      expect(await runOf(answer.body.runId)).toMatchObject({ state: 'Completed', model: { promptTokens: 4, completionTokens: 8, totalTokens: 12 } });
      const refused = await tenant.post(`/openai/connections/${openaiConnection}/operations/openai.chat.complete`, { input: { model: 'gpt-4o-mini' } });
      expect(refused.status).toBe(400);
    });

    it('counts tokens by provider, model and kind, and times first tokens', async () => {
      const metrics = await (await fetch(`${platform.url}/metrics`)).text();
      expect(metrics).toMatch(/model_tokens_total\{[^}]*provider="openai",model="gpt-4o-mini",kind="completion"[^}]*\} \d+/);
      expect(metrics).toMatch(/model_tokens_total\{[^}]*provider="ollama",model="llama3.2",kind="prompt"[^}]*\} \d+/);
      expect(metrics).toMatch(/model_time_to_first_token_seconds_count\{[^}]*provider="openai",model="gpt-4o-mini"[^}]*\} [1-9]/);
    });
  });

  describe('vendor failures in the chat-completions API’s terms', () => {
    // The vendor's word that a connection is out of quota holds for every later call: each case has its own connection.
    const freshConnection = async (name: string) =>
      connection(tenant, {
        providerId: 'openai',
        displayName: name,
        credentialId: await tenant.createCredential(name, OPENAI_KEY),
        configuration: { baseUrl: openai.openAIBaseUrl },
      });

    it('answers a vendor 429 with its retry-after and x-ratelimit headers, and holds the connection until the reset it named', async () => {
      const limited = await freshConnection('openai-limited');
      openai.script({ kind: 'error', status: 429 });
      const refused = await client('openai', limited)
        .chat.completions.create({ model: 'gpt-4o-mini', messages: PROMPT })
        .catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
      const error = refused as InstanceType<typeof OpenAI.RateLimitError>;
      expect(error.headers.get('retry-after')).toBe('1');
      expect(error.headers.get('x-ratelimit-remaining-tokens')).toBe('0');
      expect(error.code).toBe('rate_limit_exceeded');
      const sent = openai.requests.length;
      const held = await client('openai', limited)
        .chat.completions.create({ model: 'gpt-4o-mini', messages: PROMPT })
        .catch((caught: unknown) => caught);
      expect(held).toBeInstanceOf(OpenAI.RateLimitError);
      expect((held as InstanceType<typeof OpenAI.RateLimitError>).code).toBe('model_budget_exhausted');
      expect(openai.requests).toHaveLength(sent);
    });

    it('answers a refused credential as the platform’s 502, without the vendor’s words (they echo the key)', async () => {
      const refusedKey = await freshConnection('openai-refused');
      openai.script({
        kind: 'error',
        status: 401,
        body: { error: { message: `Incorrect API key provided: ${OPENAI_KEY}.`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } },
      });
      const refused = await client('openai', refusedKey)
        .chat.completions.create({ model: 'gpt-4o-mini', messages: PROMPT })
        .catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(OpenAI.APIError);
      expect(refused).toMatchObject({ status: 502, code: 'upstream_auth_failed' });
      expect(String((refused as Error).message)).not.toContain('Incorrect API key');
    });

    it('a stream refused before its first byte is a plain error answer', async () => {
      const failing = await freshConnection('openai-unavailable');
      openai.script({ kind: 'error', status: 503 });
      const refused = await client('openai', failing)
        .chat.completions.create({ model: 'gpt-4o-mini', messages: PROMPT, stream: true })
        .catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(OpenAI.APIError);
      expect(refused).toMatchObject({ status: 502, code: 'upstream_unavailable' });
    });
  });

  describe('model routes', () => {
    let route: string;

    // Chunks a little apart, so the first token has reached the caller before a scripted fault.
    beforeEach(() => {
      openai.chunkDelayMs = 15;
    });
    afterEach(() => {
      openai.chunkDelayMs = 0;
    });

    beforeAll(async () => {
      const created = await tenant.post('/integrations/model-routes', {
        name: 'smart',
        targets: [
          { connectionId: openaiConnection, model: 'gpt-4o-mini' },
          { connectionId: azureConnection, model: 'gpt-4o' },
          { connectionId: ollamaConnection, model: 'llama3.2' },
        ],
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: 'smart', fallbackOn: ['Transient', 'RateLimited'] });
      route = created.body.name;
    });

    it('are listed by the API and as the models of a call without a connection', async () => {
      expect((await tenant.get('/integrations/model-routes')).body.items.map((item: { name: string }) => item.name)).toEqual(['smart']);
      const models = await client('openai').models.list();
      expect(models.data.map((model) => model.id)).toEqual(['smart']);
      const again = await tenant.post('/integrations/model-routes', { name: 'smart', targets: [{ connectionId: openaiConnection, model: 'x' }] });
      expect({ status: again.status, body: again.body }).toMatchObject({ status: 409, body: { message: 'A model route named smart already exists' } });
      const bad = await tenant.post('/integrations/model-routes', { name: 'bad', targets: [{ connectionId: 'conn-00000000000000000000000000000000', model: 'x' }] });
      expect(bad.status).toBe(404);
    });

    it('fall back on a 429 and a 503 before the first token, across providers, each attempt its own run', async () => {
      // Resets this short leave the route's first target usable for the next cases.
      const briefly = { 'retry-after': '0', 'x-ratelimit-reset-tokens': '1ms', 'x-ratelimit-reset-requests': '1ms' };
      openai.script({ kind: 'error', status: 429, headers: briefly }, { kind: 'error', status: 503 });
      const { data: stream, response } = await client('openai').chat.completions.create({ model: route, messages: PROMPT, stream: true }).withResponse();
      expect(textOf(await collect(stream))).toBe(WORDS);
      expect(ollama.requests).toHaveLength(1);
      const requestId = response.headers.get('x-request-id')!;
      await waitFor(
        async () => (await tenant.get(`/integrations/runs?requestId=${requestId}`)).body.items.every((run: { state: string }) => run.state !== 'Running'),
        5000,
        'the runs to end',
      );
      const runs = (await tenant.get(`/integrations/runs?requestId=${requestId}`)).body.items;
      expect(
        runs.map((run: { providerId: string; state: string; failure: { category: string } | null }) => [run.providerId, run.state, run.failure?.category ?? null]).reverse(),
      ).toEqual([
        ['openai', 'Failed', 'RateLimited'],
        ['azure-openai', 'Failed', 'Transient'],
        ['ollama', 'Completed', null],
      ]);
    });

    it('never move to another target after the first token: a cut stream ends in an explicit error and a Failed run', async () => {
      openai.script({ kind: 'cut', afterChunks: 3 });
      const { data: stream, response } = await client('openai').chat.completions.create({ model: route, messages: PROMPT, stream: true }).withResponse();
      const received: ChatCompletionChunk[] = [];
      const ended = await (async () => {
        for await (const chunk of stream) received.push(chunk);
      })().catch((error: unknown) => error);
      expect(ended).toBeInstanceOf(OpenAI.APIError);
      expect(String((ended as Error).message)).toMatch(/socket error.*\(run run-/);
      expect(textOf(received)).toBe('w0 w1');
      expect(ollama.requests).toHaveLength(0);
      expect(openai.requests.filter((request) => request.path.includes('/deployments/'))).toHaveLength(0);
      const run = await runOf(response.headers.get('x-integration-run-id')!);
      expect(run).toMatchObject({ state: 'Failed', failure: { category: 'Transient' } });
    });

    it('an error event in the stream after the first token also ends in an error, not a clean end', async () => {
      openai.script({ kind: 'stream-error', afterChunks: 2 });
      const stream = await client('openai').chat.completions.create({ model: route, messages: PROMPT, stream: true });
      await expect(collect(stream)).rejects.toBeInstanceOf(OpenAI.APIError);
    });

    it('a stream that stalls after its first token fails as stalled', async () => {
      openai.script({ kind: 'stall', afterChunks: 2 });
      const { data: stream, response } = await client('openai').chat.completions.create({ model: route, messages: PROMPT, stream: true }).withResponse();
      await expect(collect(stream)).rejects.toBeInstanceOf(OpenAI.APIError);
      await openai.waitForDisconnect(5000);
      expect((await runOf(response.headers.get('x-integration-run-id')!)).failure).toMatchObject({ code: 'stream_idle_timeout' });
    });

    it('a client that goes away closes the vendor’s connection at once', async () => {
      openai.script({ kind: 'stall', afterChunks: 2 });
      const abort = new AbortController();
      const stream = await client('openai').chat.completions.create({ model: route, messages: PROMPT, stream: true }, { signal: abort.signal });
      const iterator = stream[Symbol.asyncIterator]();
      await iterator.next();
      abort.abort();
      await expect(openai.waitForDisconnect(2000)).resolves.toBeGreaterThanOrEqual(1);
    });
  });

  describe('gRPC integration.models.v1.Models on the same gateway', () => {
    let models: UntypedClient;
    const grpcMessages = [{ role: 'user', text: PROMPT[0].content }];
    type StreamEvent = { start?: { run_id: string }; chunk?: { content?: string }; usage?: { total_tokens: number } };

    beforeAll(() => {
      ({ models } = loadClients(platform.app.get(GrpcServerHost).port));
    });
    afterAll(() => models?.close());

    it('completes on a connection, with the vendor’s usage', async () => {
      const { response, error } = await unaryCall<{ choices: { message: { text: string } }[]; usage: { total_tokens: number }; attempts: { run_id: string }[] }>(
        models,
        'Complete',
        { connection_id: ollamaConnection, model: 'llama3.2', messages: grpcMessages },
        await bearerMetadata(token),
      );
      expect(error).toBeUndefined();
      expect(response!.choices[0].message.text).toBe(WORDS);
      expect(response!.usage.total_tokens).toBe(12);
      expect((await runOf(response!.attempts.at(-1)!.run_id)).state).toBe('Completed');
    });

    it('streams a route’s answer, and ends a stream cut after its first token UNAVAILABLE, never OK and never from another target', async () => {
      openai.chunkDelayMs = 15;
      openai.script({ kind: 'cut', afterChunks: 3 });
      const { events, error } = await readStream<StreamEvent>(models.Stream({ model: 'smart', messages: grpcMessages, include_usage: true }, await bearerMetadata(token)));
      openai.chunkDelayMs = 0;
      expect(error?.code).toBe(status.UNAVAILABLE);
      expect(events[0].start?.run_id).toMatch(/^run-/);
      expect(events.map((event) => event.chunk?.content ?? '').join('')).toBe('w0 w1');
      expect(ollama.requests).toHaveLength(0);
      const whole = await readStream<StreamEvent>(models.Stream({ model: 'smart', messages: grpcMessages, include_usage: true }, await bearerMetadata(token)));
      expect(whole.error).toBeUndefined();
      expect(whole.events.map((event) => event.chunk?.content ?? '').join('')).toBe(WORDS);
      expect(whole.events.at(-1)?.usage?.total_tokens).toBe(12);
    });

    it('carries a cancelled call to the vendor: its connection closes', async () => {
      openai.script({ kind: 'stall', afterChunks: 2 });
      const call = models.Stream({ connection_id: openaiConnection, model: 'gpt-4o-mini', messages: grpcMessages }, await bearerMetadata(token));
      call.on('error', () => undefined);
      await new Promise((resolve) => call.once('data', resolve));
      call.cancel();
      await expect(openai.waitForDisconnect(2000)).resolves.toBeGreaterThanOrEqual(1);
    });
  });

  describe('tenants and secrets', () => {
    it('keeps tenants apart: another tenant’s connection and routes do not exist for it', async () => {
      const otherToken = await signHs256(jwtSecret, { tenantId: 'tenant-models-b', scope: REGISTRY_SCOPES, expiresIn: 3600 });
      const refused = await client('openai', openaiConnection, otherToken)
        .chat.completions.create({ model: 'gpt-4o-mini', messages: PROMPT })
        .catch((error: unknown) => error);
      expect((refused as InstanceType<typeof OpenAI.APIError>).status).toBe(404);
      const unknownRoute = await client('openai', undefined, otherToken)
        .chat.completions.create({ model: 'smart', messages: PROMPT })
        .catch((error: unknown) => error);
      expect((unknownRoute as InstanceType<typeof OpenAI.APIError>).status).toBe(404);
      expect((await other.get('/integrations/model-routes')).body.items).toEqual([]);
    });

    it('needs a token: none is a 401 in the chat-completions error shape, and a read-only one may not call', async () => {
      const response = await fetch(`${platform.url}/openai/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: { message: expect.any(String), type: 'authentication_error' } });
      const reader = await signHs256(jwtSecret, { tenantId: 'tenant-models-a', scope: 'integration.runs.read', expiresIn: 3600 });
      const refused = await client('openai', openaiConnection, reader)
        .chat.completions.create({ model: 'gpt-4o-mini', messages: PROMPT })
        .catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(OpenAI.PermissionDeniedError);
    });

    it('refuses bad requests with a 400 naming the parameter', async () => {
      const refused = await client('openai', openaiConnection)
        .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'wizard', content: 'hi' }] as never })
        .catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
      expect((refused as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('messages[0].role');
    });

    it('never shows a credential in answers, logs or rows', async () => {
      const rows = JSON.stringify(await dumpStore(platform.app.get(DataSource)));
      expect(rows).toContain('model_routes');
      for (const secret of [OPENAI_KEY, AZURE_KEY]) {
        expect(transcript.join('\n')).not.toContain(secret);
        expect(platform.logs.text()).not.toContain(secret);
        expect(rows).not.toContain(secret);
      }
    });
  });
});
