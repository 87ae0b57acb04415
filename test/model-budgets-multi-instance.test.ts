import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { REGISTRY_SCOPES, TenantApi } from './support/governed-api';
import { OllamaPeer, OpenAIPeer } from './support/model-peers';
import type { InProcessPlatform } from './support/platform-app';
import { createTestSchema, TEST_DATABASE_URL } from './support/postgres';
import { deleteRedisKeys } from './support/redis';
import { newJwtSecret, signHs256 } from './support/tokens';

/**
 * Model budgets and breakers as replicas see them: two instances sharing PostgreSQL and Redis spend one
 * token-per-minute budget, and a target whose circuit is open is skipped for the route's next one
 * without a request to its vendor.
 */

const REDIS_URL = 'redis://127.0.0.1:6379';
const PROMPT = [{ role: 'user' as const, content: 'Say something short please' }];

describe('model budgets across two instances (PostgreSQL, Redis)', () => {
  const jwtSecret = newJwtSecret();
  const redisPrefix = `mb-${randomBytes(4).toString('hex')}:`;
  const savedDatabaseUrl = process.env.DATABASE_URL;
  let schema: Awaited<ReturnType<typeof createTestSchema>>;
  let openai: OpenAIPeer;
  let ollama: OllamaPeer;
  let first: InProcessPlatform;
  let second: InProcessPlatform;
  let api: TenantApi;
  let token: string;

  const client = (platform: InProcessPlatform, connectionId?: string) =>
    new OpenAI({ baseURL: `${platform.url}/openai/v1`, apiKey: token, maxRetries: 0, defaultHeaders: connectionId ? { 'x-connection-id': connectionId } : {} });

  const chatCalls = () => openai.requests.filter((request) => request.path.endsWith('/chat/completions')).length;

  const openaiConnection = async (name: string, configuration: Record<string, unknown> = {}, peer = openai) => {
    const created = await api.post('/integrations/connections', {
      providerId: 'openai',
      displayName: name,
      credentialId: await api.createCredential(name, 'sk-test-openai'),
      configuration: { baseUrl: peer.openAIBaseUrl, ...configuration },
    });
    expect(created.body).toMatchObject({ status: 'Active' });
    return created.body.id as string;
  };

  beforeAll(async () => {
    schema = await createTestSchema();
    openai = await OpenAIPeer.start();
    ollama = await OllamaPeer.start();
    process.env.DATABASE_URL = TEST_DATABASE_URL;
    const { startInProcess } = await import('./support/platform-app');
    const shared = {
      AUTH_JWT_SECRET: jwtSecret,
      APP_ROLE: 'VendorApiClientRegistryService,OpenAIIntegrationService',
      EGRESS_ALLOW_LIST: '127.0.0.1',
      DATABASE_URL: TEST_DATABASE_URL,
      DATABASE_SCHEMA: schema.name,
      REDIS_URL,
      REDIS_KEY_PREFIX: redisPrefix,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'ip-model-replicas-')),
      CONNECTION_CACHE_TTL: '1s',
      BREAKER_VOLUME_THRESHOLD: '2',
      BREAKER_ERROR_THRESHOLD: '50',
      BREAKER_RESET_TIMEOUT: '30s',
    };
    first = await startInProcess(shared);
    second = await startInProcess(shared);
    api = await TenantApi.create(first.url, jwtSecret, 'tenant-model-replicas', [], REGISTRY_SCOPES);
    token = await signHs256(jwtSecret, { tenantId: 'tenant-model-replicas', scope: REGISTRY_SCOPES, expiresIn: 3600 });
  });

  afterAll(async () => {
    await second?.close();
    await first?.close();
    if (savedDatabaseUrl === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = savedDatabaseUrl;
    await openai?.close();
    await ollama?.close();
    await schema?.drop();
    await deleteRedisKeys(REDIS_URL, redisPrefix);
  });

  let afterThis: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await afterThis?.();
    afterThis = undefined;
    openai.reset();
    ollama.reset();
  });

  it('shares a connection’s tokens-per-minute budget: what one instance spent, the other cannot', async () => {
    // Each call reserves its prompt estimate plus max_tokens (8 + 2 = 10 tokens here) and settles on the vendor's count (12).
    const limited = await openaiConnection('openai-tpm', { tokensPerMinute: 30 });
    const call = (platform: InProcessPlatform) => client(platform, limited).chat.completions.create({ model: 'gpt-4o-mini', messages: PROMPT, max_tokens: 8 });
    await call(first);
    await call(second);
    const refused = await call(first).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    expect(refused).toMatchObject({ code: 'model_budget_exhausted' });
    expect(Number((refused as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const onSecond = await call(second).catch((error: unknown) => error);
    expect(onSecond).toMatchObject({ code: 'model_budget_exhausted' });
    expect(chatCalls()).toBe(2);
  });

  it('skips a target whose circuit is open for the route’s next one, without calling its vendor', async () => {
    // A breaker guards a vendor endpoint (every connection to it): an endpoint of its own for this case.
    const breaking = await OpenAIPeer.start();
    afterThis = () => breaking.close();
    const chatCalls = () => breaking.requests.filter((request) => request.path.endsWith('/chat/completions')).length;
    const failing = await openaiConnection('openai-breaking', {}, breaking);
    const local = await api.post('/integrations/connections', { providerId: 'ollama', displayName: 'Local models', configuration: { baseUrl: ollama.url } });
    const route = await api.post('/integrations/model-routes', {
      name: 'resilient',
      targets: [
        { connectionId: failing, model: 'gpt-4o-mini' },
        { connectionId: local.body.id, model: 'llama3.2' },
      ],
    });
    expect(route.status).toBe(201);
    breaking.script({ kind: 'error', status: 500 }, { kind: 'error', status: 500 });
    for (let call = 0; call < 2; call++) {
      const answered = await client(first).chat.completions.create({ model: 'resilient', messages: PROMPT });
      expect(answered.model).toBe('llama3.2');
    }
    expect(chatCalls()).toBe(2);
    const { data, response } = await client(first).chat.completions.create({ model: 'resilient', messages: PROMPT }).withResponse();
    expect(data.model).toBe('llama3.2');
    expect(chatCalls()).toBe(2);
    const runs = (await api.get(`/integrations/runs?requestId=${response.headers.get('x-request-id')}`)).body.items;
    expect(runs.map((run: { providerId: string; failure: { code: string } | null }) => [run.providerId, run.failure?.code ?? null]).reverse()).toEqual([
      ['openai', 'circuit_open'],
      ['ollama', null],
    ]);
  });
});
