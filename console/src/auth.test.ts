import { describe, expect, it, vi } from 'vitest';
import { loadConfig, loadSession, pkceChallenge, sessionFromToken, takeTokenFromFragment } from './auth';

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
