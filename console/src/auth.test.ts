import { describe, expect, it, vi } from 'vitest';
import { beginOidcSignIn, completeOidcSignIn, loadConfig, loadSession, pkceChallenge, sessionFromToken, takeTokenFromFragment } from './auth';

const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });

function jwt(payload: Record<string, unknown>): string {
  const encode = (value: unknown) => btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return `${encode({ alg: 'HS256' })}.${encode(payload)}.sig`;
}

describe('sign-in', () => {
  it('takes the token from the URL fragment and removes it from the address bar', () => {
    window.history.replaceState(null, '', '/console/#token=abc.def.ghi');
    expect(takeTokenFromFragment()).toBe('abc.def.ghi');
    expect(window.location.hash).toBe('#/overview');
    expect(window.location.href).not.toContain('abc.def');
    expect(takeTokenFromFragment()).toBeNull();
  });

  it('reads scopes and tenant from the token claims', () => {
    const session = sessionFromToken(jwt({ tenantId: 't1', sub: 'me', scope: 'a b', exp: 2_000_000_000 }));
    expect(session).toMatchObject({ tenantId: 't1', subject: 'me', scopes: ['a', 'b'], expiresAt: new Date(2_000_000_000_000).toISOString(), source: 'token' });
    expect(sessionFromToken(jwt({ tenantId: 't1', scp: ['x'] }))?.scopes).toEqual(['x']);
    expect(sessionFromToken('nonsense')).toBeNull();
  });

  it('prefers GET /auth/session, falls back to the claims when it is not there, refuses on 401', async () => {
    const token = jwt({ tenantId: 't1', scope: 'a' });
    const server = vi.fn(async () => new Response(JSON.stringify({ tenantId: 't1', subject: 's', scopes: ['b', 'c'], expiresAt: null }), { status: 200 }));
    expect(await loadSession(token, server as unknown as typeof fetch)).toMatchObject({ scopes: ['b', 'c'], source: 'server' });
    expect(server).toHaveBeenCalledWith('/auth/session', expect.objectContaining({ headers: expect.objectContaining({ authorization: `Bearer ${token}` }) }));
    const missing = vi.fn(async () => new Response('nope', { status: 404 }));
    expect(await loadSession(token, missing as unknown as typeof fetch)).toMatchObject({ scopes: ['a'], source: 'token' });
    const refused = vi.fn(async () => new Response('no', { status: 401 }));
    await expect(loadSession(token, refused as unknown as typeof fetch)).rejects.toThrow(/401/);
  });

  it('reads the OpenID Connect settings from /console/config.json, none when absent', async () => {
    const config = vi.fn(async () => new Response(JSON.stringify({ oidc: { issuer: 'https://id.example', clientId: 'console', scope: 'openid api' } })));
    expect((await loadConfig(config as unknown as typeof fetch)).oidc).toEqual({ issuer: 'https://id.example', clientId: 'console', scope: 'openid api' });
    const absent = vi.fn(async () => new Response('', { status: 404 }));
    expect((await loadConfig(absent as unknown as typeof fetch)).oidc).toBeNull();
  });

  it('derives the S256 PKCE challenge (RFC 7636 appendix B)', async () => {
    expect(await pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });
});

describe('OpenID Connect sign-in (authorization code + PKCE)', () => {
  const oidc = { issuer: 'https://id.example/realm', clientId: 'console', scope: 'openid integration', audience: 'platform' };
  const discovery = { authorization_endpoint: 'https://id.example/authorize', token_endpoint: 'https://id.example/token' };

  async function begin(): Promise<URL> {
    let target = '';
    const fetchImpl = vi.fn(async (url: RequestInfo | URL) => {
      expect(String(url)).toBe('https://id.example/realm/.well-known/openid-configuration');
      return json(discovery);
    });
    window.history.replaceState(null, '', '/console/');
    await beginOidcSignIn(oidc, (url) => (target = url), fetchImpl as unknown as typeof fetch);
    return new URL(target);
  }

  function returnWith(query: string) {
    window.history.replaceState(null, '', `/console/?${query}`);
  }

  it('sends the browser to the issuer with client, redirect URI, scope, audience, state, nonce and an S256 challenge', async () => {
    const url = await begin();
    expect(url.origin + url.pathname).toBe('https://id.example/authorize');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: 'console',
      redirect_uri: `${window.location.origin}/console/`,
      scope: 'openid integration',
      audience: 'platform',
      code_challenge_method: 'S256',
    });
    const pending = JSON.parse(sessionStorage.getItem('console.oidc.pending')!) as { state: string; nonce: string; verifier: string };
    expect(url.searchParams.get('state')).toBe(pending.state);
    expect(url.searchParams.get('nonce')).toBe(pending.nonce);
    expect(url.searchParams.get('code_challenge')).toBe(await pkceChallenge(pending.verifier));
  });

  it('exchanges the code with the verifier, checks the nonce, keeps nothing in storage, answers the access token', async () => {
    const url = await begin();
    const pending = JSON.parse(sessionStorage.getItem('console.oidc.pending')!) as { nonce: string; verifier: string };
    returnWith(`code=the-code&state=${url.searchParams.get('state')}`);
    const exchange = vi.fn(async (target: RequestInfo | URL, init?: RequestInit) => {
      if (String(target).endsWith('openid-configuration')) return json(discovery);
      expect(String(target)).toBe('https://id.example/token');
      const body = new URLSearchParams(String(init?.body));
      expect(Object.fromEntries(body)).toEqual({
        grant_type: 'authorization_code',
        code: 'the-code',
        redirect_uri: `${window.location.origin}/console/`,
        client_id: 'console',
        code_verifier: pending.verifier,
      });
      return json({ access_token: 'access-1', id_token: jwt({ nonce: pending.nonce }) });
    });
    expect(await completeOidcSignIn(oidc, exchange as unknown as typeof fetch)).toBe('access-1');
    expect(sessionStorage.getItem('console.oidc.pending')).toBeNull();
    expect(window.location.search).toBe('');
  });

  it('refuses a state that does not match, and an ID token with another nonce', async () => {
    await begin();
    returnWith('code=c&state=forged');
    await expect(completeOidcSignIn(oidc, vi.fn() as unknown as typeof fetch)).rejects.toThrow(/state does not match/);
    const url = await begin();
    returnWith(`code=c&state=${url.searchParams.get('state')}`);
    const exchange = vi.fn(async (target: RequestInfo | URL) =>
      String(target).endsWith('openid-configuration') ? json(discovery) : json({ access_token: 'a', id_token: jwt({ nonce: 'other' }) }),
    );
    await expect(completeOidcSignIn(oidc, exchange as unknown as typeof fetch)).rejects.toThrow(/nonce does not match/);
  });

  it('is not a return from the issuer without code or error', async () => {
    window.history.replaceState(null, '', '/console/');
    expect(await completeOidcSignIn(oidc)).toBeNull();
  });
});
