import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, KeyLike, SignJWT } from 'jose';
import { VENDOR_DESCRIPTORS } from '../src/modules/vendor-catalogue';
import { InProcessPlatform, startInProcess } from './support/platform-app';
import { newJwtSecret, signHs256 } from './support/tokens';

const AUDIENCE = 'integration-platform';
const ISSUER = 'https://login.test.example/tenant/v2.0';

const get = (platform: InProcessPlatform, path: string, token?: string, extraHeaders: Record<string, string> = {}) =>
  fetch(`${platform.url}${path}`, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...extraHeaders } });

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
const json = (response: Response): Promise<any> => response.json();

const post = (platform: InProcessPlatform, path: string, token: string, body: unknown) =>
  fetch(`${platform.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('bearer JWT auth (HS256 with issuer and audience)', () => {
  const secret = newJwtSecret();
  let platform: InProcessPlatform;
  const token = (claims: Parameters<typeof signHs256>[1], key = secret) => signHs256(key, { iss: ISSUER, aud: AUDIENCE, ...claims });
  const issued: string[] = [];
  const remember = async (pending: Promise<string>) => {
    const value = await pending;
    issued.push(value);
    return value;
  };

  beforeAll(async () => {
    platform = await startInProcess({ AUTH_JWT_SECRET: secret, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE });
  });
  afterAll(() => platform.close());

  it('answers 401 with a Bearer challenge when no token is sent', async () => {
    const response = await get(platform, '/integrations/providers');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(await json(response)).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'A bearer token is required' });
  });

  it('answers 401 for a non-bearer Authorization header', async () => {
    const response = await get(platform, '/integrations/providers', undefined, { authorization: 'Basic dXNlcjpwYXNz' });
    expect(response.status).toBe(401);
  });

  it.each([
    ['expired', { tenantId: 'tenant-a', scope: 'integration.providers.read', expiresIn: -60 }, undefined, /expired/],
    ['signed with another secret', { tenantId: 'tenant-a', scope: 'integration.providers.read' }, newJwtSecret(), /signature/],
    ['for another audience', { tenantId: 'tenant-a', scope: 'integration.providers.read', aud: 'another-api' }, undefined, /aud claim/],
    ['from another issuer', { tenantId: 'tenant-a', scope: 'integration.providers.read', iss: 'https://evil.example' }, undefined, /iss claim/],
    ['without a tenantId claim', { scope: 'integration.providers.read' }, undefined, /tenantId/],
  ])('answers 401 for a token %s', async (_case, claims, key, reason) => {
    const response = await get(platform, '/integrations/providers', await remember(token(claims, key)));
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    const body = await json(response);
    expect(body.statusCode).toBe(401);
    expect(body.message).toMatch(reason);
  });

  it('answers 401 for an unsigned (alg none) token', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const payload = Buffer.from(
      JSON.stringify({ tenantId: 'tenant-a', scope: 'integration.providers.read', iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 60 }),
    ).toString('base64url');
    const response = await get(platform, '/integrations/providers', `${header}.${payload}.`);
    expect(response.status).toBe(401);
  });

  it('answers 403 naming the missing scope', async () => {
    const response = await get(platform, '/integrations/providers', await remember(token({ tenantId: 'tenant-a', scope: 'webhooks.subscriptions.read' })));
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toContain('insufficient_scope');
    expect(await json(response)).toEqual({ statusCode: 403, error: 'Forbidden', message: 'Missing scope: integration.providers.read' });
  });

  it('accepts scopes as a space-separated scope claim or an scp array', async () => {
    expect((await get(platform, '/integrations/providers', await remember(token({ tenantId: 'tenant-a', scope: 'a integration.providers.read b' })))).status).toBe(200);
    expect((await get(platform, '/integrations/providers', await remember(token({ tenantId: 'tenant-a', scp: ['integration.providers.read'] })))).status).toBe(200);
  });

  it("answers 404 for another tenant's row and never lists it", async () => {
    const tenantA = await remember(token({ tenantId: 'tenant-a', scope: 'integration.providers.write integration.providers.read' }));
    const tenantB = await remember(token({ tenantId: 'tenant-b', scope: 'integration.providers.write integration.providers.read' }));
    const created = await post(platform, '/integrations/providers', tenantA, {
      id: 'acme-crm',
      displayName: 'Acme CRM',
      category: 'crm',
      authModel: 'api-key',
      defaultBaseUrl: 'https://api.acme.example',
      capabilities: ['contacts'],
    });
    expect(created.status).toBe(201);
    expect(await json(created)).toMatchObject({ id: 'acme-crm', scope: 'tenant', category: 'crm' });

    expect((await get(platform, '/integrations/providers/acme-crm', tenantA)).status).toBe(200);
    const other = await get(platform, '/integrations/providers/acme-crm', tenantB);
    expect(other.status).toBe(404);
    expect(await json(other)).toEqual({ statusCode: 404, error: 'Not Found', message: 'Provider acme-crm not found' });

    const listB = (await (await get(platform, '/integrations/providers', tenantB)).json()) as { items: Array<{ id: string; scope: string; capabilities: string[] }> };
    expect(listB.items.map((provider) => provider.id)).not.toContain('acme-crm');
    const builtIn = listB.items.filter((provider) => provider.scope === 'built-in');
    expect(builtIn).toHaveLength(VENDOR_DESCRIPTORS.length);
    expect(builtIn.find((provider) => provider.id === 'github')).toMatchObject({
      category: 'source-control',
      webhookVerifier: 'github',
      capabilities: ['repos', 'pull-requests', 'actions', 'checks', 'webhooks'],
    });

    // Tenant B may use the same id for its own provider: ids are per tenant.
    const createdB = await post(platform, '/integrations/providers', tenantB, { id: 'acme-crm', displayName: 'B', category: 'crm', authModel: 'bearer' });
    expect(createdB.status).toBe(201);
    expect((await json(await get(platform, '/integrations/providers/acme-crm', tenantA))).displayName).toBe('Acme CRM');
  });

  it('answers 409 when a tenant registers a built-in id or its own id twice, and 400 for bad input', async () => {
    const writer = await remember(token({ tenantId: 'tenant-c', scope: 'integration.providers.write' }));
    const builtIn = await post(platform, '/integrations/providers', writer, { id: 'github', displayName: 'Mine', category: 'source-control', authModel: 'bearer' });
    expect(builtIn.status).toBe(409);
    const invalid = await post(platform, '/integrations/providers', writer, { id: 'Bad Id!', displayName: '', category: 'nope', authModel: 'bearer', extra: 1 });
    expect(invalid.status).toBe(400);
    const body = await json(invalid);
    expect(body.error).toBe('Bad Request');
    expect(body.message).toMatch(/id must be/);
    expect(body.message).toMatch(/category must be one of/);
    expect(body.message).toMatch(/property extra should not exist/);

    const malformed = await fetch(`${platform.url}/integrations/providers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${writer}`, 'content-type': 'application/json' },
      body: '{"id": ',
    });
    expect(malformed.status).toBe(400);
    expect(await json(malformed)).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(/JSON/) });

    const oversized = await post(platform, '/integrations/providers', writer, { id: 'big', displayName: 'x'.repeat(2 * 1024 * 1024) });
    expect(oversized.status).toBe(413);
    expect(await json(oversized)).toEqual({ statusCode: 413, error: 'Payload Too Large', message: 'The request body exceeds the limit of 1048576 bytes' });
  });

  it('never writes a token or the signing secret to the log', () => {
    const logs = platform.logs.text();
    expect(issued.length).toBeGreaterThan(5);
    for (const value of issued) expect(logs).not.toContain(value);
    expect(logs).not.toContain(secret);
  });
});

describe('bearer JWT auth (RS256 against a JWKS endpoint)', () => {
  let platform: InProcessPlatform;
  let jwks: Server;
  let signingKey: KeyLike;
  let strangerKey: KeyLike;

  const rs256 = (key: KeyLike, claims: Record<string, unknown>, kid = 'key-1') =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).setIssuer(ISSUER).setAudience(AUDIENCE).setIssuedAt().setExpirationTime('5m').sign(key);

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    signingKey = pair.privateKey as KeyLike;
    strangerKey = (await generateKeyPair('RS256')).privateKey as KeyLike;
    const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
    jwks = createServer((request, response) => {
      response.writeHead(request.url === '/keys' ? 200 : 404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: [publicJwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const port = (jwks.address() as AddressInfo).port;
    platform = await startInProcess({
      AUTH_JWKS_URI: `http://127.0.0.1:${port}/keys`,
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
      AUTH_JWT_SECRET: undefined,
    });
  });
  afterAll(async () => {
    await platform.close();
    jwks.close();
  });

  it('accepts a token signed by a key of the JWKS', async () => {
    const response = await get(platform, '/integrations/providers', await rs256(signingKey, { tenantId: 'tenant-a', scope: 'integration.providers.read' }));
    expect(response.status).toBe(200);
  });

  it('refuses a token signed by a key outside the JWKS', async () => {
    const response = await get(platform, '/integrations/providers', await rs256(strangerKey, { tenantId: 'tenant-a', scope: 'integration.providers.read' }));
    expect(response.status).toBe(401);
  });

  it('refuses HS256 tokens when only a JWKS is configured (no generated secret)', async () => {
    const response = await get(
      platform,
      '/integrations/providers',
      await signHs256(newJwtSecret(), { tenantId: 'tenant-a', scope: 'integration.providers.read', iss: ISSUER, aud: AUDIENCE }),
    );
    expect(response.status).toBe(401);
    expect((await json(response)).message).toMatch(/HS256 are not accepted/);
  });
});
