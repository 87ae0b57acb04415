import { randomBytes } from 'node:crypto';
import { headerValue, jsonResponse, PeerRequest, PeerResponse } from '../peer-http';

export const TOKEN_ENDPOINT_PATH = '/oauth/token';

export interface OAuthClientRegistration {
  clientId: string;
  clientSecret: string;
  /** The scopes the client may be granted; without it any scope is granted as requested. */
  scopes?: string[];
}

export type GrantType = 'client_credentials' | 'refresh_token';

export interface TokenEndpointSettings {
  /** `expires_in` of issued access tokens, and how long the protected API accepts them. */
  tokenLifetimeSeconds: number;
  /** An artificial delay before each token request is handled, to make concurrent refreshes overlap. */
  delayMs: number;
  /** A refresh grant then invalidates the refresh token it used and returns a new one. */
  rotateRefreshTokens: boolean;
}

export type AccessTokenStatus = 'valid' | 'expired' | 'unknown';

interface AccessTokenRecord {
  readonly clientId: string;
  readonly scope: string[];
  expiresAt: number;
}

interface RefreshTokenRecord {
  readonly clientId: string;
  readonly scope: string[];
}

type ErrorCode = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type' | 'invalid_scope';

/** An RFC 6749 §5.2 error answer. */
class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    description: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
  }

  toResponse(): PeerResponse {
    return jsonResponse(this.status, { error: this.code, error_description: this.message }, { ...NO_STORE, ...this.headers });
  }
}

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };
const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

const invalidRequest = (description: string) => new OAuthError(400, 'invalid_request', description);
const invalidClient = (description: string) => new OAuthError(401, 'invalid_client', description, { 'www-authenticate': 'Basic realm="vendor"' });
const invalidGrant = (description: string) => new OAuthError(400, 'invalid_grant', description);
const invalidScope = (description: string) => new OAuthError(400, 'invalid_scope', description);

/**
 * The authorization server behind `POST /oauth/token` (RFC 6749 §3.2): confidential clients authenticate by
 * `client_secret_basic` or `client_secret_post` (§2.3.1) and use the client-credentials (§4.4) or refresh-token
 * (§6) grant. It also remembers the access tokens it issued, for the protected API to check.
 */
export class OAuthAuthorizationServer {
  private readonly clients: Map<string, OAuthClientRegistration>;
  private readonly accessTokens = new Map<string, AccessTokenRecord>();
  private readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  private grantCounts = zeroGrantCounts();
  private currentSettings: TokenEndpointSettings;

  constructor(
    clients: OAuthClientRegistration[],
    private readonly initialSettings: TokenEndpointSettings,
  ) {
    this.clients = new Map(clients.map((client) => [client.clientId, client]));
    this.currentSettings = { ...initialSettings };
  }

  get settings(): Readonly<TokenEndpointSettings> {
    return this.currentSettings;
  }

  /** Successful grants by grant type since the start or the last reset. */
  get grants(): Readonly<Record<GrantType, number>> {
    return { ...this.grantCounts };
  }

  configure(settings: Partial<TokenEndpointSettings>): void {
    this.currentSettings = { ...this.currentSettings, ...settings };
  }

  handleTokenRequest(request: PeerRequest): PeerResponse {
    if (request.method !== 'POST') {
      return new OAuthError(405, 'invalid_request', 'The token endpoint only accepts POST', { allow: 'POST' }).toResponse();
    }
    try {
      const form = parseForm(request);
      const client = this.authenticateClient(request, form);
      const grantType = form.get('grant_type');
      if (!grantType) throw invalidRequest('Missing grant_type');
      if (grantType === 'client_credentials') return this.clientCredentialsGrant(client, form);
      if (grantType === 'refresh_token') return this.refreshTokenGrant(client, form);
      throw new OAuthError(400, 'unsupported_grant_type', `The grant type ${grantType} is not supported`);
    } catch (error) {
      if (error instanceof OAuthError) return error.toResponse();
      throw error;
    }
  }

  accessTokenStatus(token: string): AccessTokenStatus {
    const record = this.accessTokens.get(token);
    if (!record) return 'unknown';
    return record.expiresAt > Date.now() ? 'valid' : 'expired';
  }

  /** A refresh token as if the client had been through an authorization grant earlier. */
  issueRefreshToken(clientId: string, scope?: string[]): string {
    const client = this.clients.get(clientId);
    if (!client) throw new Error(`No OAuth client ${clientId} is registered with the vendor peer`);
    return this.newRefreshToken({ clientId, scope: scope ?? client.scopes ?? [] });
  }

  /** Every access token issued so far now counts as expired; returns how many. */
  expireAccessTokens(): number {
    const now = Date.now();
    for (const record of this.accessTokens.values()) record.expiresAt = Math.min(record.expiresAt, now - 1);
    return this.accessTokens.size;
  }

  /** Forgets an issued access or refresh token, which then reads as unknown (not expired). */
  revoke(token: string): boolean {
    const revokedAccess = this.accessTokens.delete(token);
    const revokedRefresh = this.refreshTokens.delete(token);
    return revokedAccess || revokedRefresh;
  }

  /** Grant counts back to zero and settings back to the start options; issued tokens stay valid. */
  resetCounters(): void {
    this.grantCounts = zeroGrantCounts();
    this.currentSettings = { ...this.initialSettings };
  }

  forgetTokens(): void {
    this.accessTokens.clear();
    this.refreshTokens.clear();
  }

  private authenticateClient(request: PeerRequest, form: URLSearchParams): OAuthClientRegistration {
    const basic = basicClientCredentials(request);
    const postedSecret = form.get('client_secret');
    if (basic && postedSecret !== null) throw invalidRequest('The client used more than one authentication method');
    if (basic && form.has('client_id') && form.get('client_id') !== basic.clientId) {
      throw invalidClient('client_id does not match the client authentication');
    }
    const credentials = basic ?? (form.has('client_id') ? { clientId: form.get('client_id')!, clientSecret: postedSecret } : undefined);
    if (!credentials) throw invalidClient('Client authentication is required');
    const client = this.clients.get(credentials.clientId);
    if (!client || credentials.clientSecret !== client.clientSecret) throw invalidClient('Client authentication failed');
    return client;
  }

  private clientCredentialsGrant(client: OAuthClientRegistration, form: URLSearchParams): PeerResponse {
    const scope = grantedScope(parseScope(form.get('scope')), client.scopes);
    this.grantCounts.client_credentials += 1;
    // RFC 6749 §4.4.3: a refresh token SHOULD NOT be included.
    return this.tokenResponse(this.newAccessToken(client.clientId, scope), scope);
  }

  private refreshTokenGrant(client: OAuthClientRegistration, form: URLSearchParams): PeerResponse {
    const refreshToken = form.get('refresh_token');
    if (!refreshToken) throw invalidRequest('Missing refresh_token');
    const record = this.refreshTokens.get(refreshToken);
    if (!record || record.clientId !== client.clientId) throw invalidGrant('The refresh token is invalid, expired or revoked');
    const scope = grantedScope(parseScope(form.get('scope')), record.scope.length > 0 ? record.scope : undefined);
    const accessToken = this.newAccessToken(client.clientId, scope);
    this.grantCounts.refresh_token += 1;
    if (!this.currentSettings.rotateRefreshTokens) return this.tokenResponse(accessToken, scope);
    this.refreshTokens.delete(refreshToken);
    return this.tokenResponse(accessToken, scope, this.newRefreshToken(record));
  }

  private tokenResponse(accessToken: string, scope: string[], refreshToken?: string): PeerResponse {
    return jsonResponse(
      200,
      {
        access_token: accessToken,
        token_type: 'Bearer',
        expires_in: this.currentSettings.tokenLifetimeSeconds,
        ...(scope.length > 0 ? { scope: scope.join(' ') } : {}),
        ...(refreshToken ? { refresh_token: refreshToken } : {}),
      },
      NO_STORE,
    );
  }

  private newAccessToken(clientId: string, scope: string[]): string {
    const token = `vat_${randomBytes(24).toString('base64url')}`;
    this.accessTokens.set(token, { clientId, scope, expiresAt: Date.now() + this.currentSettings.tokenLifetimeSeconds * 1000 });
    return token;
  }

  private newRefreshToken(record: RefreshTokenRecord): string {
    const token = `vrt_${randomBytes(24).toString('base64url')}`;
    this.refreshTokens.set(token, { clientId: record.clientId, scope: [...record.scope] });
    return token;
  }
}

function zeroGrantCounts(): Record<GrantType, number> {
  return { client_credentials: 0, refresh_token: 0 };
}

/** RFC 6749 §3.2: form-encoded parameters, none of them repeated. */
function parseForm(request: PeerRequest): URLSearchParams {
  const contentType = headerValue(request.headers, 'content-type')?.split(';')[0].trim().toLowerCase();
  if (contentType !== FORM_CONTENT_TYPE) throw invalidRequest(`The request body must be ${FORM_CONTENT_TYPE}`);
  const form = new URLSearchParams(request.body.toString('utf8'));
  const names = [...form.keys()];
  const repeated = names.find((name, index) => names.indexOf(name) !== index);
  if (repeated) throw invalidRequest(`The parameter ${repeated} is repeated`);
  return form;
}

/**
 * `client_secret_basic` (RFC 6749 §2.3.1): the client id and secret are each form-urlencoded, then sent as
 * the user-id and password of HTTP Basic authentication.
 */
function basicClientCredentials(request: PeerRequest): { clientId: string; clientSecret: string } | undefined {
  const authorization = headerValue(request.headers, 'authorization');
  if (!authorization) return undefined;
  const match = /^basic\s+(\S+)\s*$/i.exec(authorization);
  if (!match) throw invalidClient('Unsupported client authentication scheme');
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const separator = decoded.indexOf(':');
  if (separator < 0) throw invalidClient('Malformed Basic credentials');
  try {
    return { clientId: formDecode(decoded.slice(0, separator)), clientSecret: formDecode(decoded.slice(separator + 1)) };
  } catch {
    throw invalidClient('Malformed Basic credentials');
  }
}

function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}

function parseScope(scope: string | null): string[] {
  return scope ? scope.split(' ').filter((token) => token.length > 0) : [];
}

/** The requested scope when allowed (or the whole allowed scope when none is requested). */
function grantedScope(requested: string[], allowed: string[] | undefined): string[] {
  if (!allowed) return requested;
  if (requested.length === 0) return [...allowed];
  const refused = requested.filter((scope) => !allowed.includes(scope));
  if (refused.length > 0) throw invalidScope(`The scope ${refused.join(' ')} is not allowed`);
  return requested;
}
