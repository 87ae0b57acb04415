import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { RequestMethod, Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import { sign as signGithub } from '@octokit/webhooks-methods';
import { getMetadataStorage } from 'class-validator';
import fc from 'fast-check';
import { REGISTRY_SCOPES, TenantApi, WEBHOOK_SCOPES } from './support/governed-api';
import { InProcessPlatform, startInProcess } from './support/platform-app';
import { newJwtSecret, signHs256 } from './support/tokens';

// eslint-disable-next-line no-control-regex -- control characters cannot travel in a header value
const HEADER_CONTROL_CHARACTERS = /[\u0000-\u0008\u000a-\u001f\u007f]/g;

/**
 * Property-based hostile input against every route of `all`: whatever arrives, the answer is never a 5xx,
 * never echoes a secret, and the process stays ready. Fixed seed, so a failure replays; each property
 * covers one kind of hostility, so one failing kind does not hide the others.
 */
const SEED = 424242;
const RUNS = 100;

interface Route {
  method: string;
  /** `/integrations/connections/:id/test` */
  template: string;
  /** The body DTO's fields, when the route takes one. */
  fields: string[];
}

/** One generated request, as it goes on the wire (path already encoded, body as latin1 bytes). */
interface HostileRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

interface RawAnswer {
  status?: number;
  /** A socket error instead of an answer. */
  error?: string;
  text: string;
}

/**
 * Answers that never end by design (the console's live feed): the properties below read whole answers,
 * so these are checked on their own (test/console-api.test.ts).
 */
const ENDLESS_ROUTES = new Set(['GET /live/events']);

/** Every route the server mounted, with the body fields its DTO declares (from the controllers' metadata). */
function routesOf(platform: InProcessPlatform): Route[] {
  const fields = new Map<string, string[]>();
  for (const module of platform.app.get(ModulesContainer).values()) {
    for (const { metatype } of module.controllers.values()) {
      const controller = metatype as Type;
      const base = String(Reflect.getMetadata(PATH_METADATA, controller));
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = controller.prototype[name];
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (name === 'constructor' || method === undefined) continue;
        const template = `/${[base, String(Reflect.getMetadata(PATH_METADATA, handler))].join('/')}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
        fields.set(`${RequestMethod[method]} ${template}`, bodyFields(controller, name));
      }
    }
  }
  const routes = new Map<string, Route>();
  for (const { method, url } of platform.routes) {
    if (!ENDLESS_ROUTES.has(`${method} ${url}`)) routes.set(`${method} ${url}`, { method, template: url, fields: fields.get(`${method} ${url}`) ?? [] });
  }
  return [...routes.values()];
}

function bodyFields(controller: Type, handler: string): string[] {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handler) ?? {}) as Record<string, { index: number }>;
  const body = Object.entries(args).find(([key]) => key.startsWith(`${RouteParamtypes.BODY}:`));
  if (!body) return [];
  const dto = (Reflect.getMetadata('design:paramtypes', controller.prototype, handler) as Type[])[body[1].index];
  return [
    ...new Set(
      getMetadataStorage()
        .getTargetValidationMetadatas(dto, '', true, false)
        .map((metadata) => metadata.propertyName),
    ),
  ];
}

function send(baseUrl: string, request: HostileRequest): Promise<RawAnswer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve) => {
    const body = request.body === undefined ? undefined : Buffer.from(request.body, 'latin1');
    // Node frames no body of a GET or DELETE by itself: unframed bytes would be a second, garbage request.
    const headers = body === undefined || hasHeader(request.headers, 'content-length') ? request.headers : { ...request.headers, 'content-length': String(body.length) };
    const outgoing = httpRequest({ hostname, port, method: request.method, path: request.path, headers, agent: false, timeout: 20_000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message, text: '' }));
      response.on('end', () => resolve({ status: response.statusCode, text: `${JSON.stringify(response.headers)}\n${Buffer.concat(chunks).toString('latin1')}` }));
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error('timeout')));
    outgoing.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message, text: '' }));
    outgoing.end(body);
  });
}

const hasHeader = (headers: Record<string, string>, name: string): boolean => Object.keys(headers).some((key) => key.toLowerCase() === name);

const base64url = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');

/** Percent-encodes every byte of the UTF-8 form that is not unreserved (lone surrogates come out as U+FFFD). */
const percentEncode = (text: string): string =>
  [...Buffer.from(text, 'utf8')].map((byte) => (/[A-Za-z0-9._~-]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).padStart(2, '0')}`)).join('');

const HOSTILE_CHARS = [
  '\u0000',
  '\u0007',
  '\b',
  '\r',
  '\n',
  '\u001b',
  '\u007f',
  '\u202e',
  '\ufeff',
  '\ud800',
  '\udfff',
  'é',
  'ß',
  '😀',
  '\u0301',
  '%',
  '/',
  '\\',
  '..',
  '"',
  "'",
  '<',
  '{',
  '$',
  '`',
];
const hostileString = fc.oneof(
  fc.string({ unit: fc.oneof(fc.constantFrom(...HOSTILE_CHARS), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 24 }),
  fc.constantFrom('', ' ', 'a'.repeat(5_000), '__proto__', 'constructor', 'conn-00000000000000000000000000000000', 'null', 'undefined', '-1', '1e309'),
);

const hostileValue = (fields: string[]) =>
  fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.constant(null),
      fc.boolean(),
      fc.integer(),
      fc.double(),
      fc.constantFrom(-0, 1e308, Number.MAX_SAFE_INTEGER + 2, -1, 0),
      hostileString,
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(fc.oneof(fc.constantFrom(...fields, 'baseUrl', 'secretCredentialId', 'retryOn', 'constructor'), hostileString), tie('value'), { maxKeys: 4 }),
    ),
  })).value;

/** Bodies that are not JSON, or JSON no DTO expects. */
const malformedJson = fc.oneof(
  fc.jsonValue().chain((value) => {
    const text = JSON.stringify(value) ?? 'null';
    return fc.nat({ max: Math.max(0, text.length - 1) }).map((cut) => text.slice(0, cut));
  }),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  fc.constantFrom(
    '{',
    '}',
    '[',
    '{"a":',
    '{"a":1,}',
    "{'a':1}",
    'nul',
    'NaN',
    '{"a":1}{"b":2}',
    '\ufeff{}',
    '"\xff\xfe"',
    '{"\u0000":"\u0000"}',
    '{"__proto__":{"polluted":"yes"}}',
    '{"constructor":{"prototype":{"polluted":"yes"}}}',
    '[]',
    '""',
    '1',
    'true',
    'null',
  ),
  fc.jsonValue().map((value) => JSON.stringify(value) ?? 'null'),
);

const deeplyNested = fc
  .tuple(fc.integer({ min: 1_000, max: 6_000 }), fc.constantFrom<[string, string]>(['[', ']'], ['{"a":', '}'], ['{"name":[', ']}']))
  .map(([depth, [open, close]]) => `${open.repeat(depth)}1${close.repeat(depth)}`);

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'application/json; charset=bogus',
  'application/json;;;',
  'text/plain',
  'text/html',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'multipart/form-data; boundary=----x',
  'application/octet-stream',
  'application/xml',
  'application/merge-patch+json',
  'application/vnd.api+json',
  '*/*',
  'json',
  '',
  'application/json\xff',
];

const CONTENT_ENCODINGS = ['gzip', 'br', 'deflate', 'x-gzip', 'gzip, deflate', 'identity', 'compress', 'zstd', 'GZIP', 'bogus'];

const cursorValue = fc.oneof(
  fc.jsonValue().map((value) => base64url(JSON.stringify(value) ?? 'null')),
  fc.constantFrom(
    base64url('["not a date","x"]'),
    base64url('["2024-01-01T00:00:00.000Z",5]'),
    base64url('["+200000-01-01T00:00:00.000Z","x"]'),
    base64url('["-271821-04-20T00:00:00.000Z","x"]'),
    base64url(`["2024-01-01T00:00:00.000Z","${'x'.repeat(280)}"]`),
    base64url('[null,null]'),
    base64url('{"__proto__":1}'),
    'A'.repeat(401),
    '-_-_',
    '%00',
    '%ff',
  ),
  hostileString.map(percentEncode),
);

const limitValue = fc.oneof(fc.integer().map(String), fc.constantFrom('abc', '-1', '0', '501', '1.5', '1e3', 'NaN', 'Infinity', '0x10', '%00', '9'.repeat(400), ''));

const queryString = fc.oneof(
  fc.constant(''),
  cursorValue.map((cursor) => `?cursor=${cursor}`),
  fc.tuple(limitValue, cursorValue).map(([limit, cursor]) => `?limit=${limit}&cursor=${cursor}`),
  fc
    .tuple(fc.constantFrom('status', 'connectionId', 'subscriptionId', 'direction', 'providerId', 'category'), hostileString)
    .map(([name, value]) => `?${name}=${percentEncode(value)}`),
  fc.constantFrom(
    '?cursor=a&cursor=b',
    '?cursor[a]=b',
    '?limit[]=1',
    '?limit=1&limit=2',
    '?%zz=1',
    '?&&&=&',
    '?__proto__[polluted]=yes',
    '?constructor[prototype][polluted]=yes',
    `?providerId=${'a'.repeat(3_000)}`,
    '?category=%ff',
  ),
);

const TRAVERSALS = [
  '..%2f..%2fetc%2fpasswd',
  '%2e%2e',
  '%2e%2e%2f%2e%2e%2f',
  '..',
  '.%2e',
  '%2e',
  '%252e%252e%252f',
  '..%5c..%5c',
  '%c0%ae%c0%ae',
  '%',
  '%zz',
  '%ff%fe',
  '%00',
  'conn-%00',
  '%e2%80%ae',
  '%ed%a0%80',
  '%0d%0aSet-Cookie:%20a=b',
];
/** Bytes the request line carries raw (node:http sends 0x21-0xff as is); `/ ? #` would change the route. */
const rawLatin1 = fc.string({
  unit: fc
    .integer({ min: 0x21, max: 0xff })
    .filter((code) => !'/?#'.includes(String.fromCharCode(code)))
    .map((code) => String.fromCharCode(code)),
  minLength: 1,
  maxLength: 16,
});

describe('hostile input against every route of `all`', () => {
  const jwtSecret = newJwtSecret();
  const webhookSecret = `gh-hook-${newJwtSecret()}`;
  const apiKey = `api-key-${newJwtSecret()}`;
  let platform: InProcessPlatform;
  let routes: Route[];
  let realIds: string[];
  let validToken: string;
  /** Expired, of another tenant, without a tenant or scopes, signed with another secret. */
  let otherTokens: string[];
  let secrets: string[];

  beforeAll(async () => {
    platform = await startInProcess({ AUTH_JWT_SECRET: jwtSecret, EGRESS_ALLOW_LIST: '127.0.0.1', WEBHOOK_MAX_BODY_BYTES: '65536', APP_ROLE: 'all' });
    const api = await TenantApi.create(platform.url, jwtSecret, 'tenant-hostile', [], `${REGISTRY_SCOPES} ${WEBHOOK_SCOPES}`);
    validToken = await signHs256(jwtSecret, { tenantId: 'tenant-hostile', scope: `${REGISTRY_SCOPES} ${WEBHOOK_SCOPES}`, expiresIn: 3600 });
    otherTokens = await Promise.all([
      signHs256(jwtSecret, { tenantId: 'tenant-hostile', scope: REGISTRY_SCOPES, expiresIn: -60 }),
      signHs256(jwtSecret, { tenantId: 'tenant-other', scope: `${REGISTRY_SCOPES} ${WEBHOOK_SCOPES}` }),
      signHs256(jwtSecret, { scope: REGISTRY_SCOPES }),
      signHs256(jwtSecret, { tenantId: 'tenant-hostile' }),
      signHs256(newJwtSecret(), { tenantId: 'tenant-hostile', scope: REGISTRY_SCOPES }),
    ]);
    const hookCredential = await api.createCredential('hostile-hook', webhookSecret, 'webhook-secret');
    const apiCredential = await api.createCredential('hostile-api-key', apiKey);
    const connection = await api.createConnection({ providerId: 'github', webhook: { secretCredentialId: hookCredential } });
    expect(connection.status).toBe(201);
    const subscription = await api.post('/webhooks/subscriptions', { url: 'http://127.0.0.1:9/hook', eventTypes: ['*'] });
    expect(subscription.status).toBe(201);
    const body = JSON.stringify({ action: 'opened', number: 1 });
    const delivery = await fetch(`${platform.url}/webhooks/ingest/${connection.body.id}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'pull_request',
        'x-github-delivery': 'hostile-1',
        'x-hub-signature-256': await signGithub(webhookSecret, body),
      },
      body,
    });
    expect(delivery.status).toBe(202);
    const { deliveryId } = (await delivery.json()) as { deliveryId: string };
    realIds = [connection.body.id, subscription.body.id, hookCredential, apiCredential, deliveryId, connection.body.lastTest.runId, 'github', 'generic-rest'];
    secrets = [jwtSecret, webhookSecret, apiKey, subscription.body.secret];
    routes = routesOf(platform);
  });

  afterAll(async () => {
    await platform?.close();
  });

  const pathParam = () => fc.oneof(fc.constantFrom(...realIds), fc.constantFrom(...TRAVERSALS), hostileString.map(percentEncode), rawLatin1);

  const fillPath = (route: Route, params: string[]): string => {
    let next = 0;
    return route.template.replace(/:[A-Za-z]+/g, () => params[next++ % params.length]);
  };

  /** A route with its parameters filled. */
  const target = (paramValue = pathParam()) =>
    fc.tuple(fc.constantFrom(...routes), fc.array(paramValue, { minLength: 1, maxLength: 2 })).map(([route, params]) => ({ route, path: fillPath(route, params) }));

  const sane = () => target(fc.constantFrom(...realIds));
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  /** The answer to a hostile request: never a 5xx, never a dropped connection, never a secret. */
  const answersSafely = async (request: HostileRequest, { mayReset = false } = {}): Promise<boolean> => {
    const answer = await send(platform.url, request);
    if (answer.error !== undefined) {
      if (mayReset && ['ECONNRESET', 'EPIPE'].includes(answer.error)) return true;
      throw new Error(`No answer: ${answer.error}`);
    }
    expect(answer.status).toBeLessThan(500);
    for (const secret of secrets) expect(answer.text).not.toContain(secret);
    return true;
  };

  const check = (property: fc.IAsyncProperty<[HostileRequest]>, numRuns = RUNS) => fc.assert(property, { seed: SEED, numRuns });

  it('enumerates every route of all, the public ones included', () => {
    const names = routes.map((route) => `${route.method} ${route.template}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'POST /webhooks/ingest/:connectionId',
        'GET /health/ready',
        'GET /health/live',
        'GET /metrics',
        'PATCH /webhooks/subscriptions/:id',
        'POST /integrations/connections/:id/requests',
      ]),
    );
    expect(routes.length).toBeGreaterThanOrEqual(30);
  });

  it('survives malformed, truncated and non-object JSON bodies', async () => {
    await check(
      fc.asyncProperty(
        fc
          .tuple(sane(), malformedJson)
          .map(([{ route, path }, body]): HostileRequest => ({ method: route.method, path, headers: { ...bearer(validToken), 'content-type': 'application/json' }, body })),
        (request) => answersSafely(request),
      ),
    );
  });

  it('survives null and wrong-typed fields in the body DTOs', async () => {
    const bodies = fc
      .constantFrom(...routes.filter((route) => route.fields.length > 0))
      .chain((route) => fc.tuple(fc.constant(route), fc.constantFrom(...realIds), fc.dictionary(fc.constantFrom(...route.fields), hostileValue(route.fields), { minKeys: 1 })));
    await check(
      fc.asyncProperty(
        bodies.map(([route, id, body]): HostileRequest => ({
          method: route.method,
          path: fillPath(route, [id]),
          headers: { ...bearer(validToken), 'content-type': 'application/json' },
          body: Buffer.from(JSON.stringify(body), 'utf8').toString('latin1'),
        })),
        (request) => answersSafely(request),
      ),
    );
  });

  it('survives bodies under wrong content types', async () => {
    await check(
      fc.asyncProperty(
        fc
          .tuple(
            sane(),
            fc.constantFrom(...CONTENT_TYPES),
            fc.oneof(malformedJson, fc.constant('a=1&b[c]=2'), fc.constant('------x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n------x--')),
          )
          .map(([{ route, path }, contentType, body]): HostileRequest => ({ method: route.method, path, headers: { ...bearer(validToken), 'content-type': contentType }, body })),
        (request) => answersSafely(request),
      ),
    );
  });

  it('survives a Content-Encoding that does not match the body', async () => {
    const bodies = fc.oneof(
      fc.jsonValue().map((value) => JSON.stringify(value) ?? 'null'),
      fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
      fc.jsonValue().chain((value) => {
        const gzipped = gzipSync(JSON.stringify(value) ?? 'null');
        return fc.nat({ max: gzipped.length - 1 }).map((cut) => gzipped.subarray(0, cut).toString('latin1'));
      }),
    );
    await check(
      fc.asyncProperty(
        fc.tuple(sane(), fc.constantFrom(...CONTENT_ENCODINGS), bodies).map(([{ route, path }, encoding, body]): HostileRequest => ({
          method: route.method,
          path,
          headers: { ...bearer(validToken), 'content-type': 'application/json', 'content-encoding': encoding },
          body,
        })),
        (request) => answersSafely(request),
      ),
    );
  });

  it('survives deeply nested JSON', async () => {
    await check(
      fc.asyncProperty(
        fc
          .tuple(sane(), deeplyNested)
          .map(([{ route, path }, body]): HostileRequest => ({ method: route.method, path, headers: { ...bearer(validToken), 'content-type': 'application/json' }, body })),
        (request) => answersSafely(request),
      ),
      40,
    );
  });

  it('survives unicode, NUL, raw bytes and path traversal in path parameters', async () => {
    await check(
      fc.asyncProperty(
        target().map(({ route, path }): HostileRequest => ({ method: route.method, path, headers: bearer(validToken) })),
        (request) => answersSafely(request),
      ),
      150,
    );
  });

  it('survives garbage pagination cursors and query parameters', async () => {
    const listRoutes = fc.constantFrom(...routes.filter((route) => route.method === 'GET'));
    await check(
      fc.asyncProperty(
        fc.tuple(listRoutes, queryString).map(([route, search]): HostileRequest => ({ method: 'GET', path: `${fillPath(route, realIds)}${search}`, headers: bearer(validToken) })),
        (request) => answersSafely(request),
      ),
      150,
    );
  });

  it('survives oversized headers', async () => {
    const oversized = fc.oneof(
      fc.integer({ min: 8_000, max: 80_000 }).map((size) => ({ 'x-fuzz': 'a'.repeat(size) })),
      fc.integer({ min: 8_000, max: 40_000 }).map((size) => ({ authorization: `Bearer ${'a'.repeat(size)}` })),
      fc.integer({ min: 100, max: 400 }).map((count) => Object.fromEntries(Array.from({ length: count }, (_, index) => [`x-fuzz-${index}`, 'b'.repeat(64)]))),
      fc.integer({ min: 4_000, max: 12_000 }).map((size) => ({ traceparent: `00-${'f'.repeat(size)}-01`, 'x-request-id': 'r'.repeat(size) })),
    );
    await check(
      fc.asyncProperty(
        fc.tuple(sane(), oversized).map(([{ route, path }, headers]): HostileRequest => ({ method: route.method, path, headers: { ...bearer(validToken), ...headers } })),
        // Node's parser may answer 431 and close the socket while the request is still being written.
        (request) => answersSafely(request, { mayReset: true }),
      ),
      40,
    );
  });

  it('survives valid and invalid bearer tokens, JWT headers with control and non-ASCII characters included', async () => {
    const payload = base64url(JSON.stringify({ tenantId: 'tenant-hostile', scope: `${REGISTRY_SCOPES} ${WEBHOOK_SCOPES}`, sub: 'x', exp: Math.floor(Date.now() / 1000) + 3600 }));
    const jwtHeader = fc.record({
      alg: fc.oneof(hostileString, fc.constantFrom('HS256', 'none', 'RS256', 'HS256\u0000', 'HS256\r\nX-Injected: 1', 'ÉS256', 'HS256"', '')),
      typ: fc.constantFrom('JWT', '\u0000', 'é'),
      kid: fc.option(hostileString, { nil: undefined }),
    });
    const tokens = fc.oneof(
      fc.constant(`Bearer ${validToken}`),
      fc.constantFrom(
        '',
        'Bearer',
        'Bearer ',
        'Bearer a.b.c',
        'Bearer ...',
        'Basic dXNlcjpwYXNz',
        'bearer  x',
        `Bearer ${validToken}x`,
        `Bearer ${validToken.split('.').slice(0, 2).join('.')}.`,
      ),
      jwtHeader.map((header) => `Bearer ${base64url(JSON.stringify(header))}.${payload}.${base64url('sig')}`),
      fc.constantFrom(...otherTokens).map((token) => `Bearer ${token}`),
      hostileString.map((text) => `Bearer ${Buffer.from(text, 'utf8').toString('latin1').replace(HEADER_CONTROL_CHARACTERS, '')}`),
    );
    await check(
      fc.asyncProperty(
        fc.tuple(sane(), tokens).map(([{ route, path }, authorization]): HostileRequest => ({ method: route.method, path, headers: authorization ? { authorization } : {} })),
        (request) => answersSafely(request),
      ),
      150,
    );
  });

  it('is still up and ready afterwards, with no prototype polluted', async () => {
    const ready = await fetch(`${platform.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
