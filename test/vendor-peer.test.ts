import { startVendorPeer, VendorPeer } from './support/vendor-peer';

/**
 * Drives the vendor peer with Node's global fetch only: what it checks is what an HTTP client sees on the
 * wire, so tests of the platform's outbound calls can rely on the peer behaving like a real vendor API.
 */

const CLIENT = { clientId: 'reports:svc', clientSecret: 's3cr/t+&=%' };
const SCOPED_CLIENT = { clientId: 'scoped', clientSecret: 'scoped-secret', scopes: ['items:read', 'items:write'] };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** RFC 6749 §2.3.1: id and secret form-urlencoded, then used as Basic user-id and password. */
function clientSecretBasic(clientId: string, clientSecret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

async function tokenRequest(peer: VendorPeer, form: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(`${peer.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  return { response, body: (await response.json()) as Record<string, unknown> };
}

/** `<url>; rel="x", ...` → { x: url } */
function parseLinks(header: string | null): Record<string, string> {
  const links: Record<string, string> = {};
  for (const part of (header ?? '').split(',')) {
    const match = /<([^>]+)>;\s*rel="([^"]+)"/.exec(part);
    if (match) links[match[2]] = match[1];
  }
  return links;
}

describe('VendorPeer OAuth 2.0 token endpoint (RFC 6749)', () => {
  let peer: VendorPeer;

  beforeAll(async () => {
    peer = await startVendorPeer({ oauthClients: [CLIENT, SCOPED_CLIENT], tokenLifetimeSeconds: 600, rotateRefreshTokens: true });
  });
  afterEach(() => peer.reset({ auth: true }));
  afterAll(() => peer.close());

  it('grants client_credentials to a client authenticated by client_secret_basic', async () => {
    const { response, body } = await tokenRequest(peer, { grant_type: 'client_credentials' }, { authorization: clientSecretBasic(CLIENT.clientId, CLIENT.clientSecret) });

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('pragma')).toBe('no-cache');
    expect(body).toEqual({ access_token: expect.stringMatching(/^vat_/), token_type: 'Bearer', expires_in: 600 });
    expect(peer.tokenGrants).toEqual({ client_credentials: 1, refresh_token: 0 });

    const api = await fetch(`${peer.url}/api/echo`, { headers: bearer(body.access_token as string) });
    expect(api.status).toBe(200);
  });

  it('grants client_credentials to a client authenticated by client_secret_post, with scope', async () => {
    const { response, body } = await tokenRequest(peer, {
      grant_type: 'client_credentials',
      client_id: SCOPED_CLIENT.clientId,
      client_secret: SCOPED_CLIENT.clientSecret,
      scope: 'items:read',
    });
    expect(response.status).toBe(200);
    expect(body).toMatchObject({ token_type: 'Bearer', scope: 'items:read' });
    expect(body.refresh_token).toBeUndefined();

    const defaultScope = await tokenRequest(peer, { grant_type: 'client_credentials', client_id: SCOPED_CLIENT.clientId, client_secret: SCOPED_CLIENT.clientSecret });
    expect(defaultScope.body.scope).toBe('items:read items:write');

    const refused = await tokenRequest(peer, { grant_type: 'client_credentials', client_id: SCOPED_CLIENT.clientId, client_secret: SCOPED_CLIENT.clientSecret, scope: 'admin' });
    expect(refused.response.status).toBe(400);
    expect(refused.body.error).toBe('invalid_scope');
    expect(peer.tokenGrants.client_credentials).toBe(2);
  });

  it('answers invalid_client with 401 and a Basic challenge for bad or missing client credentials', async () => {
    const attempts = [
      tokenRequest(peer, { grant_type: 'client_credentials' }, { authorization: clientSecretBasic(CLIENT.clientId, 'wrong') }),
      tokenRequest(peer, { grant_type: 'client_credentials', client_id: 'unknown', client_secret: 'x' }),
      tokenRequest(peer, { grant_type: 'client_credentials', client_id: CLIENT.clientId, client_secret: 'wrong' }),
      tokenRequest(peer, { grant_type: 'client_credentials', client_id: CLIENT.clientId }),
      tokenRequest(peer, { grant_type: 'client_credentials' }),
      // The colon in the id must be form-encoded inside Basic, or the id and secret split in the wrong place.
      tokenRequest(peer, { grant_type: 'client_credentials' }, { authorization: basic(CLIENT.clientId, CLIENT.clientSecret) }),
    ];
    for (const { response, body } of await Promise.all(attempts)) {
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Basic realm="vendor"');
      expect(body.error).toBe('invalid_client');
    }
    expect(peer.tokenGrants).toEqual({ client_credentials: 0, refresh_token: 0 });
  });

  it('answers invalid_request and unsupported_grant_type with 400', async () => {
    const post = { client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret };
    const missingGrantType = await tokenRequest(peer, post);
    expect(missingGrantType.response.status).toBe(400);
    expect(missingGrantType.body.error).toBe('invalid_request');

    const missingRefreshToken = await tokenRequest(peer, { ...post, grant_type: 'refresh_token' });
    expect(missingRefreshToken.response.status).toBe(400);
    expect(missingRefreshToken.body.error).toBe('invalid_request');

    const twoMethods = await tokenRequest(peer, { ...post, grant_type: 'client_credentials' }, { authorization: clientSecretBasic(CLIENT.clientId, CLIENT.clientSecret) });
    expect(twoMethods.response.status).toBe(400);
    expect(twoMethods.body.error).toBe('invalid_request');

    const password = await tokenRequest(peer, { ...post, grant_type: 'password', username: 'u', password: 'p' });
    expect(password.response.status).toBe(400);
    expect(password.body.error).toBe('unsupported_grant_type');

    const json = await fetch(`${peer.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...post, grant_type: 'client_credentials' }),
    });
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ error: 'invalid_request' });

    const get = await fetch(`${peer.url}/oauth/token`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });

  it('rotates refresh tokens: the used one becomes invalid_grant, the new one works', async () => {
    const original = peer.issueRefreshToken(CLIENT.clientId);
    const auth = { authorization: clientSecretBasic(CLIENT.clientId, CLIENT.clientSecret) };

    const first = await tokenRequest(peer, { grant_type: 'refresh_token', refresh_token: original }, auth);
    expect(first.response.status).toBe(200);
    expect(first.response.headers.get('cache-control')).toBe('no-store');
    expect(first.body).toMatchObject({ token_type: 'Bearer', expires_in: 600, access_token: expect.any(String), refresh_token: expect.stringMatching(/^vrt_/) });
    expect(first.body.refresh_token).not.toBe(original);

    const reused = await tokenRequest(peer, { grant_type: 'refresh_token', refresh_token: original }, auth);
    expect(reused.response.status).toBe(400);
    expect(reused.body.error).toBe('invalid_grant');

    const second = await tokenRequest(peer, { grant_type: 'refresh_token', refresh_token: first.body.refresh_token as string }, auth);
    expect(second.response.status).toBe(200);
    expect(peer.tokenGrants).toEqual({ client_credentials: 0, refresh_token: 2 });

    const unknown = await tokenRequest(peer, { grant_type: 'refresh_token', refresh_token: 'vrt_made_up' }, auth);
    expect(unknown.body.error).toBe('invalid_grant');
  });

  it('keeps the refresh token when rotation is off, and binds it to its client', async () => {
    peer.configureTokenEndpoint({ rotateRefreshTokens: false });
    const refreshToken = peer.issueRefreshToken(CLIENT.clientId);
    const form = { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret };

    for (let attempt = 0; attempt < 2; attempt += 1) {
      const { response, body } = await tokenRequest(peer, form);
      expect(response.status).toBe(200);
      expect(body.refresh_token).toBeUndefined();
    }

    const otherClient = await tokenRequest(peer, { ...form, client_id: SCOPED_CLIENT.clientId, client_secret: SCOPED_CLIENT.clientSecret });
    expect(otherClient.response.status).toBe(400);
    expect(otherClient.body.error).toBe('invalid_grant');
  });

  it('delays the token endpoint so concurrent refreshes of one rotating token overlap: one wins', async () => {
    peer.configureTokenEndpoint({ delayMs: 200 });
    const refreshToken = peer.issueRefreshToken(CLIENT.clientId);
    const form = { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret };

    const started = Date.now();
    const results = await Promise.all([tokenRequest(peer, form), tokenRequest(peer, form)]);

    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(Date.now() - started).toBeLessThan(390);
    expect(results.map(({ response }) => response.status).sort()).toEqual([200, 400]);
    expect(results.find(({ response }) => response.status === 400)?.body.error).toBe('invalid_grant');
    expect(peer.tokenGrants.refresh_token).toBe(1);
  });
});

describe('VendorPeer protected API credentials', () => {
  let peer: VendorPeer;

  beforeAll(async () => {
    peer = await startVendorPeer({
      auth: { bearer: ['static-1'], apiKey: { header: 'X-Api-Key', keys: ['key-1'] }, basic: [{ user: 'alice', password: 'pa:ss' }], oauth: true },
      oauthClients: [CLIENT],
    });
  });
  afterEach(() => peer.reset({ auth: true }));
  afterAll(() => peer.close());

  const accessToken = async () => {
    const { body } = await tokenRequest(peer, { grant_type: 'client_credentials', client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret });
    return body.access_token as string;
  };

  it('answers 401 Bad credentials with a Bearer challenge when credentials are missing or wrong', async () => {
    const attempts: Array<Record<string, string>> = [
      {},
      bearer('static-2'),
      { 'x-api-key': 'key-2' },
      { authorization: basic('alice', 'wrong') },
      { authorization: 'Token static-1' },
    ];
    for (const headers of attempts) {
      for (const path of ['/api/echo', '/health']) {
        const response = await fetch(`${peer.url}${path}`, { headers });
        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toBe('Bearer realm="vendor"');
        expect(await response.json()).toEqual({ message: 'Bad credentials' });
      }
    }
  });

  it('accepts a static bearer token, an API key, Basic credentials and an issued access token', async () => {
    const credentials: Array<Record<string, string>> = [
      bearer('static-1'),
      { authorization: 'bearer static-1' },
      { 'X-Api-Key': 'key-1' },
      { authorization: basic('alice', 'pa:ss') },
      bearer(await accessToken()),
    ];
    for (const headers of credentials) {
      const response = await fetch(`${peer.url}/health`, { headers });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: 'ok' });
    }
  });

  it('records credentials on requests but leaves them out of the echo', async () => {
    const response = await fetch(`${peer.url}/api/echo`, { headers: { 'x-api-key': 'key-1', authorization: 'Bearer not-checked', cookie: 'session=1', 'x-trace': 't-1' } });
    const echoed = (await response.json()) as { headers: Record<string, string> };

    expect(response.status).toBe(200);
    expect(echoed.headers['x-trace']).toBe('t-1');
    expect(echoed.headers).not.toHaveProperty('x-api-key');
    expect(echoed.headers).not.toHaveProperty('authorization');
    expect(echoed.headers).not.toHaveProperty('cookie');
    expect(peer.requests[0].headers).toMatchObject({ 'x-api-key': 'key-1', authorization: 'Bearer not-checked', cookie: 'session=1' });
  });

  it('tells an expired access token apart with error="invalid_token"', async () => {
    const token = await accessToken();
    expect((await fetch(`${peer.url}/api/echo`, { headers: bearer(token) })).status).toBe(200);

    expect(peer.expireAccessTokens()).toBe(1);
    const expired = await fetch(`${peer.url}/api/echo`, { headers: bearer(token) });

    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toBe('Bearer error="invalid_token", error_description="The access token expired"');
    expect(await expired.json()).toEqual({ message: 'Bad credentials' });
  });

  it('expires access tokens when their lifetime has passed', async () => {
    peer.configureTokenEndpoint({ tokenLifetimeSeconds: 1 });
    const token = await accessToken();
    expect((await fetch(`${peer.url}/api/echo`, { headers: bearer(token) })).status).toBe(200);

    await sleep(1_100);
    const expired = await fetch(`${peer.url}/api/echo`, { headers: bearer(token) });
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('rotates credentials at runtime with setAuth and revokeKey', async () => {
    peer.setAuth({ ...peer.authConfig, bearer: ['static-1', 'static-2'] });
    expect((await fetch(`${peer.url}/api/echo`, { headers: bearer('static-2') })).status).toBe(200);
    expect((await fetch(`${peer.url}/api/echo`, { headers: bearer('static-1') })).status).toBe(200);

    expect(peer.revokeKey('static-1')).toBe(true);
    expect(peer.revokeKey('key-1')).toBe(true);
    expect((await fetch(`${peer.url}/api/echo`, { headers: bearer('static-1') })).status).toBe(401);
    expect((await fetch(`${peer.url}/api/echo`, { headers: { 'x-api-key': 'key-1' } })).status).toBe(401);
    expect((await fetch(`${peer.url}/api/echo`, { headers: bearer('static-2') })).status).toBe(200);

    // A revoked issued token is unknown, not expired.
    const token = await accessToken();
    expect(peer.revokeKey(token)).toBe(true);
    const revoked = await fetch(`${peer.url}/api/echo`, { headers: bearer(token) });
    expect(revoked.headers.get('www-authenticate')).toBe('Bearer realm="vendor"');
    expect(peer.revokeKey('never-issued')).toBe(false);
  });

  it('restores the start credentials on reset({ auth: true }) and keeps them on reset()', async () => {
    peer.setAuth({ bearer: ['only-this'] });
    peer.reset();
    expect((await fetch(`${peer.url}/health`, { headers: bearer('only-this') })).status).toBe(200);

    peer.reset({ auth: true });
    expect((await fetch(`${peer.url}/health`, { headers: bearer('only-this') })).status).toBe(401);
    expect((await fetch(`${peer.url}/health`, { headers: bearer('static-1') })).status).toBe(200);
  });
});

describe('VendorPeer routes, rate limit, faults and health', () => {
  let peer: VendorPeer;
  const auth = bearer('token');
  const api = (path: string, init: RequestInit = {}) => fetch(`${peer.url}${path}`, { ...init, headers: { ...auth, ...(init.headers as Record<string, string>) } });

  beforeAll(async () => {
    peer = await startVendorPeer({ auth: { bearer: ['token'] }, oauthClients: [CLIENT] });
  });
  afterEach(() => peer.reset());
  afterAll(() => peer.close());

  it('echoes method, path, query, headers and body', async () => {
    const response = await api('/api/echo/orders?state=open&tag=a&tag=b', { method: 'PUT', headers: { 'content-type': 'text/plain', 'x-request-id': 'r-1' }, body: 'héllo' });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      method: 'PUT',
      path: '/api/echo/orders',
      query: { state: 'open', tag: ['a', 'b'] },
      headers: expect.objectContaining({ 'content-type': 'text/plain', 'x-request-id': 'r-1', host: `127.0.0.1:${peer.port}` }),
      body: 'héllo',
    });
    expect(peer.requests).toEqual([
      expect.objectContaining({ method: 'PUT', path: '/api/echo/orders', query: { state: 'open', tag: ['a', 'b'] }, body: 'héllo', at: expect.any(Number) }),
    ]);
    expect(peer.requests[0].headers.authorization).toBe('Bearer token');
  });

  it('creates items with 201 and a Location that resolves', async () => {
    const created = await api('/api/items', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'first' }) });
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({ id: 'item_1' });
    expect(created.headers.get('location')).toBe('/api/items/item_1');

    const fetched = await api(created.headers.get('location')!);
    expect(await fetched.json()).toEqual({ id: 'item_1', name: 'first' });
    expect((await api('/api/items/item_9')).status).toBe(404);
    expect((await api('/api/nothing-here')).status).toBe(404);
  });

  it('paginates items with a GitHub-style Link header', async () => {
    peer.seedItems(65);

    const first = await api('/api/items?per_page=30&sort=created');
    const firstLinks = parseLinks(first.headers.get('link'));
    expect(((await first.json()) as unknown[]).length).toBe(30);
    expect(Object.keys(firstLinks)).toEqual(['next', 'last']);
    expect(firstLinks.next).toBe(`${peer.url}/api/items?per_page=30&sort=created&page=2`);
    expect(new URL(firstLinks.last).searchParams.get('page')).toBe('3');

    const ids: string[] = [];
    let next: string | undefined = `${peer.url}/api/items?per_page=30`;
    let pages = 0;
    while (next) {
      const response = await fetch(next, { headers: auth });
      ids.push(...((await response.json()) as Array<{ id: string }>).map((item) => item.id));
      next = parseLinks(response.headers.get('link')).next;
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(ids).toEqual(Array.from({ length: 65 }, (_, index) => `item_${index + 1}`));

    const last = await api('/api/items?page=3&per_page=30');
    expect(Object.keys(parseLinks(last.headers.get('link')))).toEqual(['prev', 'first']);
    expect(((await last.json()) as unknown[]).length).toBe(5);

    peer.reset();
    peer.seedItems(3);
    const single = await api('/api/items');
    expect(single.headers.get('link')).toBeNull();
  });

  it('reports GitHub rate-limit headers and answers 429 with Retry-After over the limit', async () => {
    peer.rateLimit({ limit: 2, windowMs: 1_000 });

    const first = await api('/api/echo');
    expect(first.headers.get('x-ratelimit-limit')).toBe('2');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('1');
    expect(first.headers.get('x-ratelimit-used')).toBe('1');
    const reset = Number(first.headers.get('x-ratelimit-reset'));
    expect(reset).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000));
    expect(reset).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 1);

    // A rejected credential reports the limit without using it.
    const unauthorized = await fetch(`${peer.url}/api/echo`);
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('x-ratelimit-remaining')).toBe('1');

    const second = await api('/api/items');
    expect(second.status).toBe(200);
    expect(second.headers.get('x-ratelimit-remaining')).toBe('0');

    const limited = await api('/api/echo');
    expect(limited.status).toBe(429);
    expect(await limited.json()).toEqual({ message: 'API rate limit exceeded' });
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(limited.headers.get('x-ratelimit-reset')).toBe(String(reset));

    // /health is not rate limited.
    const health = await api('/health');
    expect(health.status).toBe(200);
    expect(health.headers.get('x-ratelimit-limit')).toBeNull();

    await sleep(Number(limited.headers.get('retry-after')) * 1000);
    const afterReset = await api('/api/echo');
    expect(afterReset.status).toBe(200);
    expect(afterReset.headers.get('x-ratelimit-remaining')).toBe('1');
  });

  it('answers a scripted burst of 503s, then recovers', async () => {
    peer.failNext('/api/items', 3, 503, { 'Retry-After': '2' });

    const statuses: number[] = [];
    for (let attempt = 0; attempt < 4; attempt += 1) {
      const response = await api('/api/items', { method: 'POST', body: '{}' });
      statuses.push(response.status);
      if (response.status === 503) {
        expect(response.headers.get('retry-after')).toBe('2');
        expect(await response.json()).toEqual({ message: 'Service Unavailable' });
      }
    }

    expect(statuses).toEqual([503, 503, 503, 201]);
    expect(peer.count('/api/items')).toBe(4);
    expect(peer.pendingBehaviours).toBe(0);
  });

  it('consumes scripted behaviours first-in first-out by matching path prefix', async () => {
    peer.enqueue('/api/echo', { status: 500, body: 'boom', headers: { 'x-fault': 'scripted' } }, { delayMs: 150 });
    peer.enqueue('/api', { status: 502, body: { message: 'Bad Gateway' } });
    peer.enqueue('/oauth/token', { status: 503 });

    const items = await api('/api/items');
    expect(items.status).toBe(502);

    const scripted = await api('/api/echo');
    expect(scripted.status).toBe(500);
    expect(scripted.headers.get('x-fault')).toBe('scripted');
    expect(await scripted.text()).toBe('boom');

    const started = Date.now();
    const delayed = await api('/api/echo');
    expect(delayed.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);

    const token = await fetch(`${peer.url}/oauth/token`, { method: 'POST' });
    expect(token.status).toBe(503);
    expect(await token.text()).toBe('');
    expect((await api('/api/echo')).status).toBe(200);
    expect(peer.pendingBehaviours).toBe(0);
    expect(() => peer.enqueue('/api', {} as never)).toThrow(/Not a scripted behaviour/);
  });

  it('destroys the socket without answering, and serves the next request', async () => {
    peer.enqueue('/api/echo', { destroy: true });

    await expect(api('/api/echo')).rejects.toThrow(/fetch failed/);
    expect((await api('/api/echo')).status).toBe(200);
    expect(peer.count('/api/echo')).toBe(2);
  });

  it('answers 503 while down, slowly while slow, and normally when up again', async () => {
    peer.setHealth('down', 30);
    for (const path of ['/health', '/api/echo']) {
      const response = await api(path);
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('30');
      expect(await response.json()).toEqual({ message: 'Service Unavailable' });
    }
    // The authorization server is not the API.
    const token = await tokenRequest(peer, { grant_type: 'client_credentials', client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret });
    expect(token.response.status).toBe(200);

    peer.setHealth('down');
    expect((await api('/health')).headers.get('retry-after')).toBeNull();

    peer.setHealth('slow', 200);
    const started = Date.now();
    const slow = await api('/health');
    expect(slow.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);

    peer.setHealth('up');
    const up = Date.now();
    expect((await api('/health')).status).toBe(200);
    expect(Date.now() - up).toBeLessThan(150);
  });

  it('resets requests, scripts, counters, rate limit and health', async () => {
    await api('/api/echo');
    peer.failNext('/api', 1);
    peer.rateLimit({ limit: 1, windowMs: 60_000 });
    peer.setHealth('down');
    await tokenRequest(peer, { grant_type: 'client_credentials', client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret });

    peer.reset();

    expect(peer.requests).toEqual([]);
    expect(peer.count()).toBe(0);
    expect(peer.pendingBehaviours).toBe(0);
    expect(peer.tokenGrants).toEqual({ client_credentials: 0, refresh_token: 0 });
    const response = await api('/api/echo');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-ratelimit-limit')).toBeNull();
  });
});
