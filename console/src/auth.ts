/**
 * Sign-in. Tokens live in memory only (never localStorage, sessionStorage or cookies): a reload signs out.
 * (a) development: `/console/#token=<jwt>` from the start banner, taken out of the address bar at once;
 * (b) production: OpenID Connect authorization code + PKCE (S256) against the issuer of /console/config.json;
 * (c) a pasted token.
 */

export interface Session {
  token: string;
  tenantId: string;
  subject: string;
  scopes: string[];
  expiresAt: string | null;
  /** Where the session facts came from: the server's /auth/session, or the token's own claims when that failed. */
  source: 'server' | 'token';
}

export interface OidcSettings {
  issuer: string;
  clientId: string;
  scope: string;
  audience?: string;
}

export interface ConsoleConfig {
  oidc: OidcSettings | null;
}

function base64UrlDecode(text: string): string {
  const padded = text
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(text.length / 4) * 4, '=');
  const binary = atob(padded);
  const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

function base64UrlEncode(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A JWT's payload, unverified (the server verifies; the console only reads what to show). */
export function decodeJwtPayload(token: string): Record<string, unknown> | null {
  const parts = token.split('.');
  if (parts.length < 2) return null;
  try {
    const payload = JSON.parse(base64UrlDecode(parts[1])) as unknown;
    return payload && typeof payload === 'object' ? (payload as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The session a token's claims describe: `scope` (space separated) or `scp` (array), `tenantId`, `sub`, `exp`. */
export function sessionFromToken(token: string): Session | null {
  const claims = decodeJwtPayload(token);
  if (!claims) return null;
  const scopes =
    typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : Array.isArray(claims.scp) ? claims.scp.filter((s): s is string => typeof s === 'string') : [];
  return {
    token,
    tenantId: typeof claims.tenantId === 'string' ? claims.tenantId : '',
    subject: typeof claims.sub === 'string' ? claims.sub : '',
    scopes,
    expiresAt: typeof claims.exp === 'number' ? new Date(claims.exp * 1000).toISOString() : null,
    source: 'token',
  };
}

/** The session: the server's `GET /auth/session` when it answers, else the token's claims. Throws on 401. */
export async function loadSession(token: string, fetchImpl: typeof fetch = (...args) => fetch(...args)): Promise<Session> {
  const fallback = sessionFromToken(token);
  let response: Response | undefined;
  try {
    response = await fetchImpl('/auth/session', { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
  } catch {
    response = undefined;
  }
  if (response?.status === 401) throw new Error('The token was refused (401): it is invalid or expired.');
  if (response?.ok) {
    const body = (await response.json()) as Partial<Session>;
    if (body && Array.isArray(body.scopes)) {
      return {
        token,
        tenantId: String(body.tenantId ?? fallback?.tenantId ?? ''),
        subject: String(body.subject ?? fallback?.subject ?? ''),
        scopes: body.scopes.map(String),
        expiresAt: body.expiresAt ?? null,
        source: 'server',
      };
    }
  }
  if (!fallback) throw new Error('That is not a JWT, and /auth/session did not describe it.');
  return fallback;
}

/** The `#token=` of a development sign-in link, removed from the address bar (and so from history) at once. */
export function takeTokenFromFragment(location: Location = window.location, history: History = window.history): string | null {
  const fragment = location.hash.replace(/^#/, '');
  if (!fragment) return null;
  const params = new URLSearchParams(fragment.includes('=') && !fragment.startsWith('/') ? fragment : '');
  const token = params.get('token') ?? params.get('access_token');
  if (!token) return null;
  history.replaceState(null, '', `${location.pathname}${location.search}#/overview`);
  return token;
}

export async function loadConfig(fetchImpl: typeof fetch = (...args) => fetch(...args)): Promise<ConsoleConfig> {
  try {
    const response = await fetchImpl('/console/config.json', { headers: { accept: 'application/json' } });
    if (!response.ok) return { oidc: null };
    const body = (await response.json()) as Partial<ConsoleConfig>;
    const oidc = body?.oidc;
    if (oidc && typeof oidc.issuer === 'string' && typeof oidc.clientId === 'string') return { oidc: { ...oidc, scope: oidc.scope || 'openid' } };
  } catch {
    // no config: the paste-a-token form
  }
  return { oidc: null };
}

// --- OpenID Connect: authorization code + PKCE -------------------------------------------------------

interface Discovery {
  authorization_endpoint: string;
  token_endpoint: string;
}

/**
 * The one thing that must outlive the redirect to the issuer is the request's state, nonce and PKCE verifier
 * (not a token): kept in sessionStorage under one key for that trip only, and deleted on the way back.
 */
const PENDING_KEY = 'console.oidc.pending';

function randomText(bytes = 32): string {
  return base64UrlEncode(crypto.getRandomValues(new Uint8Array(bytes)));
}

export async function pkceChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64UrlEncode(new Uint8Array(digest));
}

export function redirectUri(location: Location = window.location): string {
  return `${location.origin}/console/`;
}

async function discover(issuer: string, fetchImpl: typeof fetch): Promise<Discovery> {
  const response = await fetchImpl(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  if (!response.ok) throw new Error(`OpenID discovery at ${issuer} answered ${response.status}`);
  return (await response.json()) as Discovery;
}

/** Sends the browser to the issuer's authorization endpoint. */
export async function beginOidcSignIn(
  oidc: OidcSettings,
  go: (url: string) => void = (url) => window.location.assign(url),
  fetchImpl: typeof fetch = (...args) => fetch(...args),
): Promise<void> {
  const discovery = await discover(oidc.issuer, fetchImpl);
  const state = randomText();
  const nonce = randomText();
  const verifier = randomText(48);
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ state, nonce, verifier }));
  const url = new URL(discovery.authorization_endpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', oidc.clientId);
  url.searchParams.set('redirect_uri', redirectUri());
  url.searchParams.set('scope', oidc.scope);
  url.searchParams.set('state', state);
  url.searchParams.set('nonce', nonce);
  url.searchParams.set('code_challenge', await pkceChallenge(verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  if (oidc.audience) url.searchParams.set('audience', oidc.audience);
  go(url.toString());
}

/** On the way back from the issuer (`?code=&state=`): checks state and nonce, exchanges the code; null when this is not a return. */
export async function completeOidcSignIn(oidc: OidcSettings | null, fetchImpl: typeof fetch = (...args) => fetch(...args)): Promise<string | null> {
  const params = new URLSearchParams(window.location.search);
  const code = params.get('code');
  const error = params.get('error');
  if (!code && !error) return null;
  const pendingText = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  window.history.replaceState(null, '', `${window.location.pathname}#/overview`);
  if (error) throw new Error(`Sign-in failed: ${error}${params.get('error_description') ? `: ${params.get('error_description')}` : ''}`);
  if (!oidc) throw new Error('Sign-in answer received, but the console has no OpenID Connect settings');
  const pending = pendingText ? (JSON.parse(pendingText) as { state: string; nonce: string; verifier: string }) : null;
  if (!pending || pending.state !== params.get('state')) throw new Error('Sign-in failed: the state does not match the request (start again)');
  const discovery = await discover(oidc.issuer, fetchImpl);
  const body = new URLSearchParams({ grant_type: 'authorization_code', code: code!, redirect_uri: redirectUri(), client_id: oidc.clientId, code_verifier: pending.verifier });
  const response = await fetchImpl(discovery.token_endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  if (!response.ok) throw new Error(`The token endpoint answered ${response.status}`);
  const tokens = (await response.json()) as { access_token?: string; id_token?: string };
  if (tokens.id_token) {
    const claims = decodeJwtPayload(tokens.id_token);
    if (!claims || claims.nonce !== pending.nonce) throw new Error('Sign-in failed: the ID token nonce does not match the request');
  }
  if (!tokens.access_token) throw new Error('The token endpoint answered no access token');
  return tokens.access_token;
}
