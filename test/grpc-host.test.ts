import { Metadata, status } from '@grpc/grpc-js';
import type { ClientReadableStream } from '@grpc/grpc-js';
import { Global, Module } from '@nestjs/common';
import { RequestContext } from '../src/platform/context/request-context';
import { ProcessLifecycle } from '../src/platform/lifecycle/process-lifecycle';
import { GrpcServerHost } from '../src/platform/grpc/grpc-server.host';
import {
  ChatCall,
  CompletionAnswer,
  EmbeddingAnswer,
  EmbeddingCall,
  ModelCallError,
  ModelCallOptions,
  ModelListAnswer,
  ModelSelector,
  ModelStream,
  ModelStreamInterrupted,
} from '../src/platform/models/model-calls';
import { ModelGateway } from '../src/platform/models/model-gateway';
import type { ChatCompletionChunk } from '../src/platform/models/model-wire';
import { loadClients, readStream, unaryCall, UntypedClient } from './support/grpc-clients';
import { InProcessPlatform, startInProcess } from './support/platform-app';
import { PlatformProcess } from './support/platform-process';
import { newJwtSecret, signHs256 } from './support/tokens';

interface RecordedCall {
  readonly method: 'complete' | 'stream' | 'embed' | 'listModels';
  readonly selector?: ModelSelector;
  readonly call?: ChatCall | EmbeddingCall;
  readonly options?: ModelCallOptions;
  readonly tenantId?: string;
  readonly subject?: string;
}

const META = { requestId: 'mreq-1', rateLimitHeaders: { 'x-ratelimit-remaining-requests': '99' } };
const ATTEMPT = { runId: 'run-1', connectionId: 'conn-1', providerId: 'acme-models', model: 'acme-large' };

const chunk = (content: string, finish: 'stop' | null = null): ChatCompletionChunk => ({
  id: 'chatcmpl-s',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'acme-large',
  choices: [{ index: 0, delta: { content }, finish_reason: finish }],
});

/** Answers by model name: deterministic completions and streams, a rate-limited failure, a cut and a hanging stream. */
class RecordingGateway extends ModelGateway {
  readonly calls: RecordedCall[] = [];
  readonly cancelledStreams: string[] = [];

  async complete(selector: ModelSelector, call: ChatCall, options?: ModelCallOptions): Promise<CompletionAnswer> {
    this.record('complete', selector, call, options);
    if (selector.model === 'rate-limited') {
      throw new ModelCallError(
        429,
        { message: 'Rate limit reached for acme-large', type: 'rate_limit_error', param: null, code: 'rate_limited' },
        { headers: { 'Retry-After': '7', 'x-ratelimit-remaining-tokens': '0', 'x-vendor-trace': 'trace-1' }, requestId: 'mreq-429' },
      );
    }
    if (selector.model === 'explodes') throw new Error('database password=hunter2 rejected');
    return {
      ...META,
      attempts: [{ ...ATTEMPT, runId: 'run-0', failure: { category: 'Transient', code: 'timeout' } }, ATTEMPT],
      completion: {
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 1_700_000_000,
        model: 'acme-large',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: 'Hello tenant', tool_calls: [{ id: 'call-1', type: 'function', function: { name: 'lookup', arguments: '{"q":1}' } }] },
            finish_reason: 'tool_calls',
          },
        ],
        usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
      },
    };
  }

  async stream(selector: ModelSelector, call: ChatCall, options?: ModelCallOptions): Promise<ModelStream> {
    this.record('stream', selector, call, options);
    const signal = options?.signal;
    const cancelled = this.cancelledStreams;
    async function* chunks(): AsyncGenerator<ChatCompletionChunk> {
      yield chunk('Hel');
      if (selector.model === 'cut') throw new ModelStreamInterrupted('Transient', 'stream_cut', 'the upstream closed the connection', 'run-cut');
      if (selector.model === 'hangs') {
        await new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
        return;
      }
      yield chunk('lo', 'stop');
      if ((call.stream_options as { include_usage?: boolean } | undefined)?.include_usage)
        yield { ...chunk(''), choices: [], usage: { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 } };
    }
    return {
      ...META,
      attempts: [ATTEMPT],
      runId: ATTEMPT.runId,
      providerId: ATTEMPT.providerId,
      connectionId: ATTEMPT.connectionId,
      model: ATTEMPT.model,
      usage: undefined,
      cancel: () => cancelled.push(selector.model),
      [Symbol.asyncIterator]: () => chunks(),
      batches: async function* () {
        for await (const each of chunks()) yield [each];
      },
    };
  }

  async embed(selector: ModelSelector, call: EmbeddingCall, options?: ModelCallOptions): Promise<EmbeddingAnswer> {
    this.record('embed', selector, call, options);
    return {
      ...META,
      attempts: [ATTEMPT],
      result: { model: 'acme-embed', data: [{ index: 0, embedding: [0.5, -0.25] }], usage: { prompt_tokens: 2, total_tokens: 2 } },
    };
  }

  async listModels(connectionId?: string, options?: ModelCallOptions): Promise<ModelListAnswer> {
    this.record('listModels', connectionId ? { connectionId, model: '' } : undefined, undefined, options);
    return { models: [{ id: 'smart', created: 0, owned_by: 'tenant', route: true }] };
  }

  private record(method: RecordedCall['method'], selector?: ModelSelector, call?: ChatCall | EmbeddingCall, options?: ModelCallOptions): void {
    const context = RequestContext.current();
    this.calls.push({ method, selector, call, options, tenantId: context?.tenantId, subject: context?.subject });
  }
}

const recordingGateway = new RecordingGateway();

@Global()
@Module({ providers: [{ provide: ModelGateway, useValue: recordingGateway }], exports: [ModelGateway] })
class RecordingGatewayModule {}

const until = async (condition: () => boolean, timeoutMs = 5_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

const COMPLETE_REQUEST = {
  connection_id: 'conn-1',
  model: 'acme-large',
  messages: [
    { role: 'system', text: 'Be brief.' },
    { role: 'user', parts: { parts: [{ text: 'What is this?' }, { image_url: { url: 'https://img.example/a.png', detail: 'low' } }] }, name: 'ann' },
    { role: 'assistant', tool_calls: [{ id: 'call-0', type: 'function', function: { name: 'lookup', arguments: '{"q":0}' } }] },
    { role: 'tool', text: '{"found":true}', tool_call_id: 'call-0' },
  ],
  tools: [
    {
      type: 'function',
      function: { name: 'lookup', description: 'Finds things', parameters_json: '{"type":"object","properties":{"zeta":{"type":"integer"},"alpha":{"type":"string"}}}' },
    },
  ],
  tool_choice: { function_name: 'lookup' },
  response_format: { type: 'json_schema', json_schema_json: '{"name":"answer","schema":{"type":"object"},"strict":true}' },
  temperature: 0.25,
  max_tokens: 64,
  stop: ['END'],
  seed: '42',
  user: 'end-user-1',
};

describe('gRPC host: integration.models.v1.Models and grpc.health.v1.Health', () => {
  const secret = newJwtSecret();
  let platform: InProcessPlatform;
  let gateway: RecordingGateway;
  let models: UntypedClient;
  let health: UntypedClient;

  const bearer = async (scope: string, tenantId = 'tenant-grpc') => {
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${await signHs256(secret, { tenantId, scope, sub: 'grpc-user' })}`);
    return metadata;
  };
  const execute = () => bearer('integration.runs.execute');

  beforeAll(async () => {
    // APP_ROLE=all: three model roles contribute the Models service; the process serves it once.
    platform = await startInProcess({ AUTH_JWT_SECRET: secret, GRPC_PORT: '0', GRPC_HOST: '127.0.0.1' }, [], [], [RecordingGatewayModule]);
    gateway = recordingGateway;
    ({ models, health } = loadClients(platform.app.get(GrpcServerHost).port));
  });
  afterAll(async () => {
    models?.close();
    health?.close();
    await platform?.close();
  });

  it('answers health Check SERVING for the server and the Models service, NOT_FOUND for an unknown service', async () => {
    expect((await unaryCall(health, 'Check', { service: '' })).response).toEqual({ status: 'SERVING' });
    expect((await unaryCall(health, 'Check', { service: 'integration.models.v1.Models' })).response).toEqual({ status: 'SERVING' });
    expect((await unaryCall(health, 'Check', { service: 'no.such.Service' })).error?.code).toBe(status.NOT_FOUND);
  });

  it('refuses a call without a token UNAUTHENTICATED, and an invalid token naming why', async () => {
    const missing = await unaryCall(models, 'Complete', COMPLETE_REQUEST);
    expect(missing.error?.code).toBe(status.UNAUTHENTICATED);
    expect(missing.error?.details).toMatch(/bearer token is required/);

    const forged = new Metadata();
    forged.set('authorization', `Bearer ${await signHs256(newJwtSecret(), { tenantId: 'tenant-grpc', scope: 'integration.runs.execute' })}`);
    const invalid = await unaryCall(models, 'Complete', COMPLETE_REQUEST, forged);
    expect(invalid.error?.code).toBe(status.UNAUTHENTICATED);
    expect(invalid.error?.details).toMatch(/signature/);
  });

  it('refuses a token without the method scope PERMISSION_DENIED', async () => {
    const denied = await unaryCall(models, 'Complete', COMPLETE_REQUEST, await bearer('integration.runs.read'));
    expect(denied.error?.code).toBe(status.PERMISSION_DENIED);
    expect(denied.error?.details).toBe('Missing scope: integration.runs.execute');
    const listDenied = await unaryCall(models, 'ListModels', {}, await bearer('integration.runs.execute'));
    expect(listDenied.error?.code).toBe(status.PERMISSION_DENIED);
    expect(gateway.calls).toHaveLength(0);
  });

  it('translates Complete both ways, with the tenant of the token in the request context and the deadline passed on', async () => {
    const deadline = Date.now() + 10_000;
    const { response, trailers, error } = await unaryCall(models, 'Complete', COMPLETE_REQUEST, await execute(), { deadline });
    expect(error).toBeUndefined();

    const recorded = gateway.calls.at(-1)!;
    expect(recorded).toMatchObject({ method: 'complete', tenantId: 'tenant-grpc', subject: 'grpc-user', selector: { connectionId: 'conn-1', model: 'acme-large' } });
    expect(recorded.call).toEqual({
      messages: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: 'https://img.example/a.png', detail: 'low' } },
          ],
          name: 'ann',
        },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call-0', type: 'function', function: { name: 'lookup', arguments: '{"q":0}' } }] },
        { role: 'tool', content: '{"found":true}', tool_call_id: 'call-0' },
      ],
      tools: [
        {
          type: 'function',
          function: { name: 'lookup', description: 'Finds things', parameters: { type: 'object', properties: { zeta: { type: 'integer' }, alpha: { type: 'string' } } } },
        },
      ],
      tool_choice: { type: 'function', function: { name: 'lookup' } },
      response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true } },
      temperature: 0.25,
      max_tokens: 64,
      stop: ['END'],
      seed: 42,
      user: 'end-user-1',
    });
    // The schema's property order (the order a model writes the fields in) survives the trip.
    const [tool] = (recorded.call as ChatCall).tools as unknown as Array<{ function: { parameters: { properties: object } } }>;
    expect(Object.keys(tool.function.parameters.properties)).toEqual(['zeta', 'alpha']);
    expect(recorded.options?.signal).toBeInstanceOf(AbortSignal);
    expect(Math.abs((recorded.options?.deadline ?? 0) - deadline)).toBeLessThan(1_000);

    expect(response).toMatchObject({
      id: 'chatcmpl-1',
      model: 'acme-large',
      created: '1700000000',
      provider_id: 'acme-models',
      request_id: 'mreq-1',
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
      choices: [
        {
          index: 0,
          finish_reason: 'tool_calls',
          message: {
            role: 'assistant',
            content: 'text',
            text: 'Hello tenant',
            tool_calls: [{ id: 'call-1', type: 'function', function: { name: 'lookup', arguments: '{"q":1}' } }],
          },
        },
      ],
      attempts: [
        { run_id: 'run-0', connection_id: 'conn-1', provider_id: 'acme-models', model: 'acme-large', failure_category: 'Transient', failure_code: 'timeout' },
        { run_id: 'run-1', connection_id: 'conn-1', provider_id: 'acme-models', model: 'acme-large' },
      ],
    });
    expect(trailers?.get('x-request-id')).toEqual(['mreq-1']);
    expect(trailers?.get('x-ratelimit-remaining-requests')).toEqual(['99']);
    expect(platform.logs.parsed()).toContainEqual(
      expect.objectContaining({ msg: 'gRPC call completed', grpcMethod: 'integration.models.v1.Models/Complete', code: 'OK', tenantId: 'tenant-grpc' }),
    );
  });

  it('continues the caller trace from traceparent metadata', async () => {
    const metadata = await execute();
    metadata.set('traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    await unaryCall(models, 'Complete', COMPLETE_REQUEST, metadata);
    expect(platform.logs.parsed()).toContainEqual(expect.objectContaining({ msg: 'gRPC call completed', traceId: '0af7651916cd43dd8448eb211c80319c' }));
  });

  it('passes no deadline when the client sets none, and a route name alone as the selector', async () => {
    await unaryCall(models, 'Complete', { ...COMPLETE_REQUEST, connection_id: undefined, model: 'smart-route' }, await execute());
    const recorded = gateway.calls.at(-1)!;
    expect(recorded.selector).toEqual({ model: 'smart-route' });
    expect(recorded.options?.deadline).toBeUndefined();
  });

  it('answers a request it cannot translate INVALID_ARGUMENT naming the field', async () => {
    const bad = { ...COMPLETE_REQUEST, tools: [{ function: { name: 'lookup', parameters_json: '{not json' } }] };
    const { error } = await unaryCall(models, 'Complete', bad, await execute());
    expect(error?.code).toBe(status.INVALID_ARGUMENT);
    expect(error?.details).toBe('tools[0].function.parameters_json is not valid JSON');
  });

  it('maps a rate-limited gateway failure to RESOURCE_EXHAUSTED with retry-after and rate-limit trailers', async () => {
    const { error } = await unaryCall(models, 'Complete', { ...COMPLETE_REQUEST, model: 'rate-limited' }, await execute());
    expect(error?.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(error?.details).toBe('Rate limit reached for acme-large');
    expect(error?.metadata.get('retry-after')).toEqual(['7']);
    expect(error?.metadata.get('x-ratelimit-remaining-tokens')).toEqual(['0']);
    expect(error?.metadata.get('x-request-id')).toEqual(['mreq-429']);
    expect(error?.metadata.get('x-vendor-trace')).toEqual([]);
  });

  it('answers an unexpected failure INTERNAL with a generic message and logs it', async () => {
    const { error } = await unaryCall(models, 'Complete', { ...COMPLETE_REQUEST, model: 'explodes' }, await execute());
    expect(error?.code).toBe(status.INTERNAL);
    expect(error?.details).toBe('Internal error');
    expect(platform.logs.text()).toContain('gRPC call failed unexpectedly');
  });

  it('streams start, chunks and usage in order, then ends OK', async () => {
    const stream = models.Stream({ ...COMPLETE_REQUEST, include_usage: true }, await execute()) as ClientReadableStream<Record<string, unknown>>;
    const { events, error, trailers } = await readStream(stream);
    expect(error).toBeUndefined();
    expect(events.map((event) => event.event)).toEqual(['start', 'chunk', 'chunk', 'usage']);
    expect(events[0].start).toEqual({
      run_id: 'run-1',
      connection_id: 'conn-1',
      provider_id: 'acme-models',
      model: 'acme-large',
      request_id: 'mreq-1',
      attempts: [expect.objectContaining({ run_id: 'run-1' })],
    });
    expect(events[1].chunk).toMatchObject({ id: 'chatcmpl-s', index: 0, content: 'Hel' });
    expect(events[2].chunk).toMatchObject({ content: 'lo', finish_reason: 'stop' });
    expect(events[3].usage).toEqual({ prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 });
    expect(trailers?.get('x-request-id')).toEqual(['mreq-1']);
    expect(gateway.calls.at(-1)?.call).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('ends a stream cut by the upstream UNAVAILABLE naming the run, never OK', async () => {
    const stream = models.Stream({ ...COMPLETE_REQUEST, model: 'cut' }, await execute()) as ClientReadableStream<Record<string, unknown>>;
    const { events, error } = await readStream(stream);
    expect(events.map((event) => event.event)).toEqual(['start', 'chunk']);
    expect(error?.code).toBe(status.UNAVAILABLE);
    expect(error?.details).toContain('run-cut');
  });

  it('carries a client cancellation to the gateway: the signal aborts, the stream is cancelled, the work ends', async () => {
    const stream = models.Stream({ ...COMPLETE_REQUEST, model: 'hangs' }, await execute()) as ClientReadableStream<Record<string, unknown>>;
    const received: unknown[] = [];
    stream.on('data', (event) => received.push(event));
    stream.on('error', () => undefined);
    await until(() => received.length === 2);
    const recorded = gateway.calls.at(-1)!;
    expect(recorded.options?.signal?.aborted).toBe(false);
    // In flight, the call is work a graceful shutdown waits for.
    const lifecycle = platform.app.get(ProcessLifecycle);
    expect(lifecycle.activeWork().grpc).toBe(1);
    stream.cancel();
    await until(() => recorded.options?.signal?.aborted === true);
    await until(() => gateway.cancelledStreams.includes('hangs'));
    await until(() => lifecycle.activeWork().grpc === 0);
  });

  it('translates Embed and ListModels', async () => {
    const embed = await unaryCall(models, 'Embed', { connection_id: 'conn-1', model: 'acme-embed', inputs: ['hello'], dimensions: 2 }, await execute());
    expect(gateway.calls.at(-1)).toMatchObject({ method: 'embed', selector: { connectionId: 'conn-1', model: 'acme-embed' }, call: { input: ['hello'], dimensions: 2 } });
    expect(embed.response).toMatchObject({
      model: 'acme-embed',
      embeddings: [{ index: 0, values: [0.5, -0.25] }],
      usage: { prompt_tokens: 2, total_tokens: 2 },
      request_id: 'mreq-1',
    });

    const list = await unaryCall(models, 'ListModels', {}, await bearer('integration.runs.read', 'tenant-other'));
    expect(gateway.calls.at(-1)).toMatchObject({ method: 'listModels', tenantId: 'tenant-other' });
    expect(list.response).toEqual({ models: [{ id: 'smart', created: '0', owned_by: 'tenant', route: true }] });
  });

  it('counts calls in grpc_requests_total by method and code', async () => {
    const metrics = await (await fetch(`${platform.url}/metrics`)).text();
    expect(metrics).toMatch(/grpc_requests_total\{[^}]*method="integration\.models\.v1\.Models\/Complete"[^}]*code="OK"[^}]*\} \d+/);
    expect(metrics).toMatch(/grpc_requests_total\{[^}]*code="RESOURCE_EXHAUSTED"[^}]*\} 1/);
  });
});

describe('gRPC listener per role kind', () => {
  it('is absent from a process whose roles serve no gRPC', async () => {
    const platform = await startInProcess({ APP_ROLE: 'WebhookDeliveryWorker', AUTH_JWT_SECRET: newJwtSecret() });
    try {
      expect(() => platform.app.get(GrpcServerHost)).toThrow();
    } finally {
      await platform.close();
    }
  });

  it('serves health from the compiled process of one model role, turning NOT_SERVING when shutdown starts', async () => {
    const platform = await PlatformProcess.start({ APP_ROLE: 'OllamaIntegrationService', AUTH_JWT_SECRET: newJwtSecret() });
    const { health, models } = loadClients(platform.grpcPort!);
    try {
      expect((await unaryCall(health, 'Check', { service: 'integration.models.v1.Models' })).response).toEqual({ status: 'SERVING' });
      const watch = health.Watch({ service: '' }) as ClientReadableStream<{ status: string }>;
      const statuses: string[] = [];
      watch.on('data', (event: { status: string }) => statuses.push(event.status));
      const ended = new Promise<void>((resolve) => watch.on('end', () => resolve()));
      await until(() => statuses.length === 1);
      expect(await platform.stop('SIGTERM')).toBe(0);
      await ended;
      expect(statuses).toEqual(['SERVING', 'NOT_SERVING']);
    } finally {
      health.close();
      models.close();
      await platform.stop('SIGKILL');
    }
  });
});
