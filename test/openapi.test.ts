import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { OpenAPIObject, OperationObject, SchemaObject } from '@nestjs/swagger';
import { operationsOf, undocumentedRoutes } from '../src/platform/openapi/route-paths';
import { VendorCatalogue } from '../src/platform/vendors/vendor-catalogue';
import { InProcessPlatform, startInProcess } from './support/platform-app';
import { newJwtSecret, signHs256 } from './support/tokens';

const SECRET = newJwtSecret();

async function startRole(role: string): Promise<{ platform: InProcessPlatform; document: OpenAPIObject }> {
  const platform = await startInProcess({ APP_ROLE: role, AUTH_JWT_SECRET: SECRET });
  const response = await fetch(`${platform.url}/openapi.json`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return { platform, document: (await response.json()) as OpenAPIObject };
}

/** swagger-parser's verdict: '' when the document is valid, else what is wrong. */
function validationProblems(document: OpenAPIObject): string {
  const result = spawnSync(process.execPath, [join(__dirname, 'support', 'validate-openapi.js')], { input: JSON.stringify(document), encoding: 'utf8' });
  return result.status === 0 ? '' : result.stderr || `exit ${result.status}`;
}

/** Boots the role for the enclosing describe block; the answer is filled in before its tests run. */
function bootRole(role: string): { platform: InProcessPlatform; document: OpenAPIObject } {
  const booted = {} as { platform: InProcessPlatform; document: OpenAPIObject };
  beforeAll(async () => Object.assign(booted, await startRole(role)));
  afterAll(() => booted.platform?.close());
  return booted;
}

/** The scopes of an operation's bearer requirement; undefined for a public route. */
function documentedScopes(document: OpenAPIObject, operation: OperationObject): string[] | undefined {
  const security = operation.security ?? document.security ?? [];
  return security.length === 0 ? undefined : security.flatMap((requirement) => requirement.bearer ?? []);
}

/** A concrete URL for a documented path: every parameter gets a well-formed id nobody has. */
function concreteUrl(path: string): string {
  return path.replace(/\{[^}]+\}/g, 'conn-00000000000000000000000000000000');
}

describe('API description (OpenAPI 3.1)', () => {
  describe('APP_ROLE=all', () => {
    const booted = bootRole('all');

    it('is a valid OpenAPI 3.1 document', () => {
      expect(booted.document.openapi).toBe('3.1.0');
      expect(validationProblems(booted.document)).toBe('');
    });

    it('describes every mounted route (bar the explicit list of non-API routes)', () => {
      expect(undocumentedRoutes(booted.platform.routes, booted.document)).toEqual([]);
      expect(booted.platform.routes.length).toBeGreaterThan(80);
    });

    it('states on each route the scopes the guard enforces', async () => {
      const noScopes = await signHs256(SECRET, { tenantId: 't-openapi' });
      const checked: string[] = [];
      for (const { method: lowerCase, path, operation } of operationsOf(booted.document)) {
        const method = lowerCase.toUpperCase();
        const scopes = documentedScopes(booted.document, operation);
        if (scopes === undefined) continue;
        const url = `${booted.platform.url}${concreteUrl(path)}`;
        const anonymous = await fetch(url, { method });
        expect({ route: `${method} ${path}`, status: anonymous.status }).toEqual({ route: `${method} ${path}`, status: 401 });
        if (scopes.length === 0) continue;
        const unscoped = await fetch(url, { method, headers: { authorization: `Bearer ${noScopes}` } });
        expect({ route: `${method} ${path}`, status: unscoped.status }).toEqual({ route: `${method} ${path}`, status: 403 });
        const enforced = /scope="([^"]*)"/.exec(unscoped.headers.get('www-authenticate') ?? '')?.[1].split(' ');
        expect({ route: `${method} ${path}`, scopes: enforced }).toEqual({ route: `${method} ${path}`, scopes });
        checked.push(path);
      }
      expect(checked.length).toBeGreaterThan(80);
    });

    it('documents public routes without a security requirement', () => {
      const publicRoutes = operationsOf(booted.document)
        .filter(({ operation }) => documentedScopes(booted.document, operation) === undefined)
        .map(({ method, path }) => `${method.toUpperCase()} ${path}`);
      expect(publicRoutes).toEqual(expect.arrayContaining(['GET /health/live', 'GET /health/ready', 'GET /metrics', 'POST /webhooks/ingest/{connectionId}']));
      expect(publicRoutes.every((route) => /^(GET \/health|GET \/metrics|GET \/console\/config\.json$|\w+ \/webhooks\/ingest\/)/.test(route))).toBe(true);
    });

    it('derives request schemas from the class-validator DTOs', () => {
      const schemas = booted.document.components!.schemas! as Record<string, SchemaObject>;
      expect(schemas.CreateConnectionDto.required).toEqual(['providerId', 'displayName']);
      expect(schemas.CreateConnectionDto.properties).toMatchObject({
        providerId: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{1,62}$' },
        displayName: { type: 'string', minLength: 1, maxLength: 200 },
        retryPolicy: { $ref: '#/components/schemas/RetryPolicyDto' },
      });
      expect(schemas.RetryPolicyDto.properties!.retryOn).toEqual({ type: 'array', items: { type: 'string', enum: ['Transient', 'RateLimited'] } });
      const listRuns = booted.document.paths['/integrations/runs'].get!.parameters as Array<{ name: string; in: string; schema: SchemaObject }>;
      expect(listRuns.map((parameter) => parameter.name)).toEqual(expect.arrayContaining(['connectionId', 'status', 'limit', 'cursor']));
      expect(listRuns.find((parameter) => parameter.name === 'limit')!.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 500 });
    });

    it('gives the main resources response schemas', () => {
      const okSchema = (path: string, method: 'get' | 'post' = 'get', status = '200'): unknown =>
        (booted.document.paths[path][method]!.responses[status] as { content?: Record<string, { schema: unknown }> }).content?.['application/json'].schema;
      expect(okSchema('/integrations/connections/{id}')).toEqual({ $ref: '#/components/schemas/Connection' });
      expect(okSchema('/integrations/runs')).toMatchObject({ required: ['items', 'nextCursor'], properties: { items: { items: { $ref: '#/components/schemas/Run' } } } });
      expect(okSchema('/webhooks/subscriptions', 'post', '201')).toEqual({ $ref: '#/components/schemas/SubscriptionWithSecret' });
      for (const resource of ['Connection', 'Run', 'Credential', 'Provider', 'Subscription', 'Delivery', 'Message']) {
        expect(Object.keys((booted.document.components!.schemas![resource] as SchemaObject).properties ?? {}).length).toBeGreaterThan(5);
      }
      const connection = booted.document.components!.schemas!.Connection as SchemaObject;
      expect(connection.properties!.credentialId).toEqual({ type: ['string', 'null'] });
    });

    it('answers errors in the shared shape', () => {
      const get = booted.document.paths['/integrations/connections/{id}'].get!;
      for (const status of ['401', '403', '404']) {
        expect(get.responses[status]).toMatchObject({ content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
      }
      expect((booted.document.components!.schemas!.Error as SchemaObject).required).toEqual(['statusCode', 'error', 'message']);
    });

    it('serves an interactive reference at /docs whose assets load', async () => {
      const page = await fetch(`${booted.platform.url}/docs`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      const assets = [...(await page.text()).matchAll(/(?:href|src)="(\/docs\/[^"]+)"/g)].map((match) => match[1]);
      expect(assets).toHaveLength(6);
      for (const asset of assets) {
        const answer = await fetch(`${booted.platform.url}${asset}`);
        expect({ asset, status: answer.status }).toEqual({ asset, status: 200 });
        expect(answer.headers.get('content-type')).toMatch(asset.endsWith('.css') ? /^text\/css/ : asset.endsWith('.js') ? /^text\/javascript/ : /^image\/png/);
        expect(answer.headers.get('cache-control')).toMatch(/max-age/);
        expect((await answer.arrayBuffer()).byteLength).toBeGreaterThan(100);
      }
      const initializer = await (await fetch(`${booted.platform.url}/docs/swagger-initializer.js`)).text();
      expect(initializer).toContain("url: '/openapi.json'");
      for (const stranger of ['/docs/package.json', '/docs/..%2Fpackage.json', '/docs/index.html']) {
        expect((await fetch(`${booted.platform.url}${stranger}`)).status).toBe(404);
      }
    });
  });

  describe.each([
    ['VendorApiClientRegistryService', '/integrations/', ['/webhooks/', '/github/', '/openai/']],
    ['WebhookGatewayService', '/webhooks/', ['/integrations/', '/github/', '/stripe/']],
    ['GitHubIntegrationService', '/github/', ['/integrations/', '/webhooks/', '/azure-devops/']],
  ])('APP_ROLE=%s', (role, own, others) => {
    const booted = bootRole(role);

    it("describes the role's routes and no other role's", () => {
      expect(validationProblems(booted.document)).toBe('');
      expect(undocumentedRoutes(booted.platform.routes, booted.document)).toEqual([]);
      const paths = Object.keys(booted.document.paths);
      expect(paths.filter((path) => path.startsWith(own)).length).toBeGreaterThan(0);
      expect(paths.filter((path) => others.some((prefix) => path.startsWith(prefix)))).toEqual([]);
    });
  });

  describe('vendor operations', () => {
    const booted = bootRole('GitHubIntegrationService');

    it('has one path per operation, with its input and output schemas', () => {
      const catalogued = booted.platform.app.get(VendorCatalogue).operations(['github']);
      expect(catalogued.length).toBeGreaterThan(5);
      for (const { operation } of catalogued) {
        const route = booted.document.paths[`/github/connections/{id}/operations/${operation.name}`]?.post;
        expect(route?.operationId).toBe(operation.name);
        expect(route!.security).toEqual([{ bearer: ['integration.runs.execute'] }]);
        const body = (route!.requestBody as { content: Record<string, { schema: SchemaObject }> }).content['application/json'].schema;
        expect(body.required).toEqual(['input']);
        expect(Object.keys(body.properties!)).toEqual(expect.arrayContaining(['input', 'idempotencyKey', 'async']));
        expect(body.properties!.input).toEqual(operation.input);
        const outcome = (route!.responses['200'] as { content: Record<string, { schema: SchemaObject }> }).content['application/json'].schema;
        expect(outcome.properties!.output).toEqual(operation.output);
      }
      expect(booted.document.paths['/github/connections/{id}/operations/{name}']).toBeUndefined();
    });
  });
});
