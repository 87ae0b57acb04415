import { generateKeyPairSync, sign } from 'node:crypto';
import { GitHubOpenApi, GitHubPeer, startGitHubPeer } from './support/github-peer';

/**
 * The GitHub peer itself: the wire format the GitHub module's tests rely on (its answers checked against
 * GitHub's response schemas), and a request checker that does catch mismatches.
 */

const PAT = 'ghp_peerSelfTest000000000000001';
const APP_ID = '4242';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

function jwt(claims: Record<string, unknown>, key = privateKey): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ alg: 'RS256', typ: 'JWT' })}.${encode(claims)}`;
  return `${unsigned}.${sign('RSA-SHA256', Buffer.from(unsigned), key).toString('base64url')}`;
}

describe('GitHub peer', () => {
  let peer: GitHubPeer;
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${peer.apiUrl}${path}`, { headers: { authorization: `Bearer ${PAT}`, ...headers } });

  beforeAll(async () => {
    peer = await startGitHubPeer({
      tokens: [PAT],
      basePath: '/api/v3',
      apps: [{ appId: APP_ID, publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(), installations: [7] }],
    });
    peer.seedRepository({ owner: 'octo', name: 'hello' });
    for (let index = 0; index < 5; index++) {
      await fetch(`${peer.apiUrl}/repos/octo/hello/issues`, {
        method: 'POST',
        headers: { authorization: `token ${PAT}`, 'content-type': 'application/json' },
        body: JSON.stringify({ title: `Issue ${index}` }),
      });
    }
  });
  afterAll(() => peer?.close());
  afterEach(() => {
    // The peer's own answers are what GitHub documents.
    expect(peer.answerProblems).toEqual([]);
    peer.clearRequests();
    peer.rateLimits.reset();
  });

  it('pages with absolute Link URLs under the base path', async () => {
    const first = await get('/repos/octo/hello/issues?per_page=2');
    expect(first.headers.get('link')).toBe(
      `<${peer.apiUrl}/repos/octo/hello/issues?per_page=2&page=2>; rel="next", <${peer.apiUrl}/repos/octo/hello/issues?per_page=2&page=3>; rel="last"`,
    );
    const last = await get('/repos/octo/hello/issues?per_page=2&page=3');
    expect(((await last.json()) as unknown[]).length).toBe(1);
    expect(last.headers.get('link')).toContain('rel="prev"');
    expect(last.headers.get('link')).not.toContain('rel="next"');
  });

  it('answers a matching If-None-Match with 304 and does not count it', async () => {
    const first = await get('/repos/octo/hello');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"[0-9a-f]{32}"$/);
    expect(first.headers.get('x-ratelimit-remaining')).toBe('4999');
    const again = await get('/repos/octo/hello', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.headers.get('x-ratelimit-remaining')).toBe('4999');
    expect((await get('/repos/octo/hello', { 'if-none-match': 'W/"stale"' })).headers.get('x-ratelimit-remaining')).toBe('4998');
  });

  it('refuses with 403 and remaining 0 once the primary limit is spent, until reset', async () => {
    peer.rateLimits.exhaust(PAT, 120);
    const refused = await get('/repos/octo/hello');
    expect(refused.status).toBe(403);
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(refused.headers.get('x-ratelimit-reset')) - Date.now() / 1000).toBeGreaterThan(100);
    expect(((await refused.json()) as { message: string }).message).toMatch(/^API rate limit exceeded/);
    expect((await get('/rate_limit')).status).toBe(200);
  });

  it('answers a secondary limit as GitHub documents it', async () => {
    peer.rateLimits.secondaryLimitNext(1, 60);
    const refused = await get('/repos/octo/hello');
    expect(refused.status).toBe(403);
    expect(refused.headers.get('retry-after')).toBe('60');
    expect(await refused.json()).toMatchObject({
      message: expect.stringMatching(/^You have exceeded a secondary rate limit/),
      documentation_url: expect.stringContaining('secondary-rate-limits'),
    });
  });

  it('answers GitHub’s error bodies: 401 bad credentials, 404, 422 with errors, 400 for an unknown API version', async () => {
    expect(await (await fetch(`${peer.apiUrl}/repos/octo/hello`, { headers: { authorization: 'Bearer wrong' } })).json()).toMatchObject({
      message: 'Bad credentials',
      documentation_url: expect.any(String),
    });
    expect((await get('/repos/octo/missing')).status).toBe(404);
    const invalid = await fetch(`${peer.apiUrl}/repos/octo/hello/pulls`, {
      method: 'POST',
      headers: { authorization: `Bearer ${PAT}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 't', head: 'nope', base: 'main' }),
    });
    expect(invalid.status).toBe(422);
    expect(await invalid.json()).toMatchObject({ message: 'Validation Failed', errors: [{ resource: 'PullRequest', field: 'head', code: 'invalid' }] });
    expect((await get('/repos/octo/hello', { 'x-github-api-version': '1999-01-01' })).status).toBe(400);
  });

  it('exchanges a valid app JWT for an installation token, and refuses long-lived, foreign or unknown-installation JWTs', async () => {
    const now = Math.floor(Date.now() / 1000);
    const exchange = (token: string, installation = 7) =>
      fetch(`${peer.apiUrl}/app/installations/${installation}/access_tokens`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    const granted = await exchange(jwt({ iat: now - 60, exp: now + 540, iss: APP_ID }));
    expect(granted.status).toBe(201);
    const body = (await granted.json()) as { token: string; expires_at: string };
    expect(body.token).toMatch(/^ghs_/);
    expect(Date.parse(body.expires_at) - Date.now()).toBeGreaterThan(3_500_000);
    expect((await get('/repos/octo/hello', { authorization: `token ${body.token}` })).status).toBe(200);

    expect((await exchange(jwt({ iat: now - 60, exp: now + 600, iss: APP_ID }))).status).toBe(401);
    expect((await exchange(jwt({ iat: now - 60, exp: now + 540, iss: APP_ID }, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey))).status).toBe(401);
    expect((await exchange(jwt({ iat: now - 700, exp: now - 100, iss: APP_ID }))).status).toBe(401);
    expect((await exchange(jwt({ iat: now - 60, exp: now + 540, iss: APP_ID }), 8)).status).toBe(404);
  });

  it('checks answers against GitHub’s response schemas too', async () => {
    const openApi = GitHubOpenApi.load();
    const answered = await (await get('/repos/octo/hello')).json();
    expect(openApi.answerProblems('GET', '/repos/octo/hello', 200, answered)).toEqual([]);
    expect(openApi.answerProblems('GET', '/repos/octo/hello', 200, { ...(answered as object), id: 'not-a-number' })).toEqual([
      'GET /repos/{owner}/{repo} → 200: body/id must be integer',
    ]);
  });

  it('checks every request against GitHub’s OpenAPI description, and names what is wrong', async () => {
    await get('/repos/octo/hello/pulls?state=everything&colour=red');
    await fetch(`${peer.apiUrl}/repos/octo/hello/issues`, {
      method: 'POST',
      headers: { authorization: `Bearer ${PAT}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Wrong labels', labels: 'bug' }),
    });
    await get('/repos/octo/hello/no-such-endpoint');
    await fetch(`${peer.url}/repos/octo/hello`, { headers: { authorization: `Bearer ${PAT}` } });
    expect(peer.openApiProblems()).toEqual([
      'GET /repos/{owner}/{repo}/pulls: query state=everything is not one of open, closed, all',
      'GET /repos/{owner}/{repo}/pulls: query parameter colour is not declared',
      'POST /repos/{owner}/{repo}/issues: body/labels must be array',
      "GET /repos/octo/hello/no-such-endpoint matches no path of GitHub's REST API",
      'GET /repos/octo/hello is outside the API root /api/v3',
    ]);
  });
});
