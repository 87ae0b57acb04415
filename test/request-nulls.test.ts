import { getMetadataStorage, ValidationTypes } from 'class-validator';
import { DataSource } from 'typeorm';
import { RegisterClientDto } from '../src/modules/vendor-api-client-registry/clients/clients.dto';
import {
  CreateConnectionDto,
  GovernedRequestDto,
  RateLimitBudgetDto,
  RetryPolicyDto,
  WebhookSettingsDto,
} from '../src/modules/vendor-api-client-registry/connections/connection.dto';
import { CreateCredentialDto, RotateCredentialDto, RotationPolicyDto } from '../src/modules/vendor-api-client-registry/credentials/credential.dto';
import { RegisterProviderDto } from '../src/modules/vendor-api-client-registry/providers/register-provider.dto';
import { PublishEventDto } from '../src/modules/webhook-gateway/fan-out/publish-event.dto';
import { TrustedDeliveryDto } from '../src/modules/webhook-gateway/ingest/ingest.controller';
import { CreateSubscriptionDto, UpdateSubscriptionDto } from '../src/modules/webhook-gateway/subscriptions/subscription.dto';
import { dumpStore, REGISTRY_SCOPES, TenantApi, WEBHOOK_SCOPES } from './support/governed-api';

/** A DTO class, as class-validator keys its metadata. */
type DtoClass = abstract new (...args: never[]) => object;
import { InProcessPlatform, startInProcess } from './support/platform-app';
import { newJwtSecret } from './support/tokens';

type Body = Record<string, unknown>;

/** A route with a body DTO: a body giving every optional field, and the DTOs (nested ones under their path) whose optional fields are swept. */
interface BodyRoute {
  method: 'POST' | 'PATCH';
  path: string;
  body: Body;
  dtos: Array<[dto: DtoClass, prefix: string]>;
  /** Fields where null means "clear it" (the service handles it), so null is not refused. */
  nullable?: string[];
  /** Optional keys inside free-form objects that the platform reads (a connection's configuration). */
  extra?: string[];
}

/** The fields a DTO marks optional (@OptionalField, as any conditional validation), under `prefix`. */
const optionalFields = (dto: DtoClass, prefix: string): string[] =>
  getMetadataStorage()
    .getTargetValidationMetadatas(dto, '', true, false)
    .filter((metadata) => metadata.type === ValidationTypes.CONDITIONAL_VALIDATION)
    .map((metadata) => `${prefix}${metadata.propertyName}`);

const withNull = (body: Body, path: string): Body => {
  const copy = structuredClone(body);
  const keys = path.split('.');
  const parent = keys.slice(0, -1).reduce((node, key) => node[key] as Body, copy);
  if (!(keys[keys.length - 1] in parent)) throw new Error(`The sweep's body has no ${path}: give it a value there`);
  parent[keys[keys.length - 1]] = null;
  return copy;
};

describe('null in optional request fields', () => {
  const jwtSecret = newJwtSecret();
  let platform: InProcessPlatform;
  let api: TenantApi;
  let credentialId: string;
  let connectionId: string;
  let subscriptionId: string;

  beforeAll(async () => {
    platform = await startInProcess({
      AUTH_JWT_SECRET: jwtSecret,
      EGRESS_ALLOW_LIST: '127.0.0.1',
      APP_ROLE: 'VendorApiClientRegistryService,WebhookGatewayService',
    });
    api = await TenantApi.create(platform.url, jwtSecret, 'tenant-nulls', [], `${REGISTRY_SCOPES} ${WEBHOOK_SCOPES}`);
    credentialId = await api.createCredential('nulls-secret', 'webhook-secret-value-1', 'webhook-secret');
    const connection = await api.createConnection({ webhook: { secretCredentialId: credentialId }, configuration: { baseUrl: 'http://127.0.0.1:9', auth: 'none' } });
    expect(connection.status).toBe(201);
    connectionId = connection.body.id;
    const subscription = await api.post('/webhooks/subscriptions', { url: 'http://127.0.0.1:9/hook', eventTypes: ['*'], description: 'first' });
    expect(subscription.status).toBe(201);
    subscriptionId = subscription.body.id;
  });

  afterAll(async () => {
    await platform?.close();
  });

  const expectRefused = (answer: { status: number; body: unknown }, field: string) => {
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringContaining(field) });
  };

  it('refuses "value": null and "secretRef": null when creating a credential', async () => {
    expectRefused(await api.post('/integrations/credentials', { name: 'null-value', value: null }), 'value');
    expectRefused(await api.post('/integrations/credentials', { name: 'null-ref', secretRef: null }), 'secretRef');
    expect((await api.get('/integrations/credentials')).body.items.map((item: { name: string }) => item.name)).toEqual(['nulls-secret']);
  });

  it('refuses "value": null when rotating a credential', async () => {
    expectRefused(await api.post('/integrations/credentials/rotate', { credentialId, value: null }), 'value');
    expect((await api.get(`/integrations/credentials/${credentialId}`)).body.rotations).toEqual([]);
  });

  it('refuses "url": null and "eventTypes": null when updating a subscription, and keeps it as it was', async () => {
    const before = (await api.get(`/webhooks/subscriptions/${subscriptionId}`)).body;
    expectRefused(await api.request('PATCH', `/webhooks/subscriptions/${subscriptionId}`, { url: null }), 'url');
    expectRefused(await api.request('PATCH', `/webhooks/subscriptions/${subscriptionId}`, { eventTypes: null }), 'eventTypes');
    expect((await api.get(`/webhooks/subscriptions/${subscriptionId}`)).body).toEqual(before);
  });

  it('answers 400 naming the field for null in every optional field of every body DTO, and stores nothing', async () => {
    const retryPolicy = { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 100, retryOn: ['Transient'] };
    const rateLimit = { requestsPerSecond: 5, burst: 5 };
    const routes: BodyRoute[] = [
      {
        method: 'POST',
        path: '/integrations/credentials',
        body: { name: 'sweep', kind: 'secret', value: 'v-1', secretRef: 'bound-secret', rotationPolicy: { intervalMs: 3_600_000, overlapMs: 60_000 } },
        dtos: [
          [CreateCredentialDto, ''],
          [RotationPolicyDto, 'rotationPolicy.'],
        ],
      },
      { method: 'POST', path: '/integrations/credentials/rotate', body: { credentialId, rotationToken: 'sweep-token', value: 'v-2' }, dtos: [[RotateCredentialDto, '']] },
      {
        method: 'POST',
        path: '/integrations/providers',
        body: {
          id: 'sweep-provider',
          displayName: 'Sweep',
          category: 'generic',
          authModel: 'bearer',
          webhookVerifier: 'generic-hmac',
          defaultBaseUrl: 'https://api.example.com',
          capabilities: ['read'],
        },
        dtos: [[RegisterProviderDto, '']],
      },
      {
        method: 'POST',
        path: '/integrations/connections',
        body: {
          providerId: 'generic-rest',
          displayName: 'Sweep',
          projectId: 'project-1',
          credentialId,
          webhook: { secretCredentialId: credentialId, verifierOptions: {} },
          configuration: {
            baseUrl: 'http://127.0.0.1:9',
            healthPath: '/health',
            auth: 'api-key',
            apiKeyHeader: 'x-api-key',
            tokenUrl: 'http://127.0.0.1:9/token',
            scopes: ['read'],
            tokenAuthMethod: 'client_secret_post',
          },
          rateLimitBudget: rateLimit,
          retryPolicy,
        },
        dtos: [
          [CreateConnectionDto, ''],
          [WebhookSettingsDto, 'webhook.'],
          [RateLimitBudgetDto, 'rateLimitBudget.'],
          [RetryPolicyDto, 'retryPolicy.'],
        ],
        extra: [
          'configuration.baseUrl',
          'configuration.healthPath',
          'configuration.auth',
          'configuration.apiKeyHeader',
          'configuration.tokenUrl',
          'configuration.scopes',
          'configuration.tokenAuthMethod',
        ],
      },
      {
        method: 'POST',
        path: `/integrations/connections/${connectionId}/requests`,
        body: { method: 'POST', path: '/items', query: { page: '1' }, headers: { 'x-trace': '1' }, body: { a: 1 }, async: true, idempotencyKey: 'sweep-key' },
        dtos: [[GovernedRequestDto, '']],
        nullable: ['body'],
      },
      {
        method: 'POST',
        path: '/integrations/clients',
        body: { providerId: 'generic-rest', baseUrl: 'https://api.example.com', apiVersion: 'v1', rateLimitProfile: rateLimit, retryPolicy },
        dtos: [
          [RegisterClientDto, ''],
          [RateLimitBudgetDto, 'rateLimitProfile.'],
          [RetryPolicyDto, 'retryPolicy.'],
        ],
      },
      { method: 'POST', path: '/webhooks/subscriptions', body: { url: 'http://127.0.0.1:9/other', eventTypes: ['*'], description: 'd' }, dtos: [[CreateSubscriptionDto, '']] },
      {
        method: 'PATCH',
        path: `/webhooks/subscriptions/${subscriptionId}`,
        body: { url: 'http://127.0.0.1:9/other', eventTypes: ['*'], status: 'Disabled', description: 'd' },
        dtos: [[UpdateSubscriptionDto, '']],
        nullable: ['description'],
      },
      {
        method: 'POST',
        path: '/webhooks/deliveries',
        body: { connectionId, vendorDeliveryId: 'sweep-1', eventType: 'sweep.event', payload: {}, headers: { 'x-a': '1' } },
        dtos: [[TrustedDeliveryDto, '']],
      },
      { method: 'POST', path: '/webhooks/events', body: { type: 'sweep.event', data: {}, id: 'sweep-event-1' }, dtos: [[PublishEventDto, '']] },
    ];
    const dataSource = platform.app.get(DataSource);
    const before = await dumpStore(dataSource);

    const answers: Array<{ route: string; field: string; status: number; message: string }> = [];
    const expected: typeof answers = [];
    for (const route of routes) {
      const fields = [...route.dtos.flatMap(([dto, prefix]) => optionalFields(dto, prefix)), ...(route.extra ?? [])].filter((field) => !route.nullable?.includes(field));
      for (const field of fields) {
        const answer = await api.request(route.method, route.path, withNull(route.body, field));
        const message = String(answer.body?.message);
        answers.push({ route: `${route.method} ${route.path}`, field, status: answer.status, message: message.includes(field) ? field : message });
        expected.push({ route: `${route.method} ${route.path}`, field, status: 400, message: field });
      }
    }
    expect(answers).toEqual(expected);
    expect(answers.length).toBeGreaterThan(30);
    expect(await dumpStore(dataSource)).toEqual(before);
  });

  it('clears a subscription description with null, the one field where null means something', async () => {
    const answer = await api.request('PATCH', `/webhooks/subscriptions/${subscriptionId}`, { description: null });
    expect(answer.status).toBe(200);
    expect(answer.body.description).toBeNull();
  });
});
