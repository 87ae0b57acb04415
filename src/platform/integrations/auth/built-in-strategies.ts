import { classifyStatus, IntegrationError } from '../../resilience/failure-classifier';
import type { AuthContext, AuthStrategy } from '../../vendors/vendor-descriptor';
import { TOKEN_AUTH_METHODS, TokenAuthMethod } from '../connections/connection-configuration';

/** Raised when a token endpoint refuses the client or the grant: the credential needs attention. */
export class OAuthRefreshError extends IntegrationError {}

const DEFAULT_LIFETIME_S = 3600;
const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]{1,200}$/; // RFC 6749 scope-token

export const NO_AUTH: AuthStrategy = {
  mode: 'none',
  description: 'No credential: the API takes unauthenticated calls',
  needsCredential: false,
  headers: async () => ({}),
};

export const BEARER: AuthStrategy = {
  mode: 'bearer',
  description: 'The credential is a token sent as Authorization: Bearer',
  needsCredential: true,
  headers: async (context) => ({ authorization: `Bearer ${await context.secret()}` }),
};

export const API_KEY: AuthStrategy = {
  mode: 'api-key',
  description: 'The credential is a key sent in the provider’s API-key header (configuration.apiKeyHeader, default X-API-Key)',
  needsCredential: true,
  headers: async (context) => ({ [context.apiKeyHeader.toLowerCase()]: await context.secret() }),
};

export const BASIC: AuthStrategy = {
  mode: 'basic',
  description: 'The credential is `user:password`, sent as Authorization: Basic',
  needsCredential: true,
  headers: async (context) => ({ authorization: `Basic ${Buffer.from(await context.secret()).toString('base64')}` }),
};

interface ClientSecrets {
  clientId: string;
  clientSecret?: string;
  refreshToken?: string;
}

/** OAuth2 (RFC 6749) client credentials or refresh token grants; the access token shared by every replica until it expires. */
function oauth2(mode: 'oauth2-client-credentials' | 'oauth2-refresh-token'): AuthStrategy {
  const grantType = mode === 'oauth2-refresh-token' ? 'refresh_token' : 'client_credentials';
  const tokenKey = (context: AuthContext) => {
    const { tokenUrl, scopes } = oauthSettings(context);
    return [grantType, tokenUrl, [...scopes].sort().join(' ')].join('\n');
  };
  return {
    mode,
    description:
      mode === 'oauth2-refresh-token'
        ? 'OAuth2 refresh-token grant: JSON {clientId, clientSecret?, refreshToken}'
        : 'OAuth2 client-credentials grant: JSON {clientId, clientSecret}',
    needsCredential: true,
    credentialKinds: [mode === 'oauth2-refresh-token' ? 'oauth2-refresh-token' : 'oauth2-client'],
    configurationProblems: (configuration) => (configuration.tokenUrl === undefined ? [`configuration.tokenUrl is required with auth ${mode}`] : []),
    headers: async (context) => ({ authorization: `Bearer ${await context.sharedToken(tokenKey(context), () => requestToken(context, grantType))}` }),
    rejected: async (context, sent) => {
      const token = /^Bearer (.+)$/.exec(sent.authorization ?? '')?.[1];
      if (!token) return false;
      await context.forgetSharedToken(tokenKey(context), token);
      return true;
    },
  };
}

export const OAUTH2_CLIENT_CREDENTIALS = oauth2('oauth2-client-credentials');
export const OAUTH2_REFRESH_TOKEN = oauth2('oauth2-refresh-token');

export const BUILT_IN_AUTH_STRATEGIES: readonly AuthStrategy[] = [NO_AUTH, BEARER, API_KEY, BASIC, OAUTH2_CLIENT_CREDENTIALS, OAUTH2_REFRESH_TOKEN];

function oauthSettings(context: AuthContext): { tokenUrl: string; scopes: readonly string[]; tokenAuthMethod: TokenAuthMethod } {
  const { tokenUrl, scopes, tokenAuthMethod } = context.configuration;
  if (typeof tokenUrl !== 'string') throw IntegrationError.validation('token_url_missing', `Connection ${context.connectionId} has no configuration.tokenUrl`);
  return {
    tokenUrl,
    scopes: Array.isArray(scopes) ? scopes.filter((scope): scope is string => typeof scope === 'string' && SCOPE.test(scope)) : [],
    tokenAuthMethod: (TOKEN_AUTH_METHODS as readonly unknown[]).includes(tokenAuthMethod) ? (tokenAuthMethod as TokenAuthMethod) : 'client_secret_basic',
  };
}

async function requestToken(context: AuthContext, grantType: 'client_credentials' | 'refresh_token'): Promise<{ value: string; expiresAt: number }> {
  const { tokenUrl, scopes, tokenAuthMethod } = oauthSettings(context);
  const secrets = parseClientSecrets(await context.secret());
  const form = new URLSearchParams({ grant_type: grantType });
  if (grantType === 'refresh_token') {
    if (!secrets.refreshToken) throw new OAuthRefreshError('Auth', 'oauth_refresh_token_missing', 'The credential holds no refreshToken');
    form.set('refresh_token', secrets.refreshToken);
  }
  if (scopes.length > 0) form.set('scope', scopes.join(' '));
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if (tokenAuthMethod === 'client_secret_basic' && secrets.clientSecret !== undefined) {
    // RFC 6749 §2.3.1: id and secret are form-urlencoded before they are joined and base64-encoded.
    headers.authorization = `Basic ${Buffer.from(`${formEncode(secrets.clientId)}:${formEncode(secrets.clientSecret)}`).toString('base64')}`;
  } else {
    form.set('client_id', secrets.clientId);
    if (secrets.clientSecret !== undefined) form.set('client_secret', secrets.clientSecret);
  }

  const requestedAt = Date.now();
  const response = await context.exchange({ url: tokenUrl, method: 'POST', headers, body: form.toString(), maxResponseBytes: 64 * 1024 });
  if (response.status < 200 || response.status >= 300) {
    const classification = classifyStatus(response.status, response.headers);
    const oauthError = oauthErrorCode(response.body);
    if (classification.category === 'Auth' || classification.category === 'Validation') {
      throw new OAuthRefreshError(
        'Auth',
        'oauth_refresh_failed',
        `The token endpoint refused the ${grantType} grant (HTTP ${response.status}${oauthError ? `, ${oauthError}` : ''})`,
      );
    }
    throw new IntegrationError(classification.category, `oauth_${classification.code}`, `The token endpoint answered HTTP ${response.status}`, {
      retryAfterMs: classification.retryAfterMs,
    });
  }
  const answer = parseTokenResponse(response.body);
  if (answer.refresh_token && answer.refresh_token !== secrets.refreshToken) {
    // A rotating refresh token: the old one is spent, so the credential moves to a version holding the new one.
    await context.replaceSecret(JSON.stringify({ ...secrets, refreshToken: answer.refresh_token }));
  }
  return { value: answer.access_token, expiresAt: requestedAt + (answer.expires_in ?? DEFAULT_LIFETIME_S) * 1000 };
}

/** `oauth2-client`: `{clientId, clientSecret}`; `oauth2-refresh-token`: `{clientId, clientSecret?, refreshToken}`. */
export function parseClientSecrets(value: string): ClientSecrets {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new OAuthRefreshError('Validation', 'oauth_credential_malformed', 'An OAuth2 credential must hold JSON {clientId, clientSecret?, refreshToken?}');
  }
  const candidate = parsed as Partial<ClientSecrets>;
  if (
    typeof candidate?.clientId !== 'string' ||
    (candidate.clientSecret !== undefined && typeof candidate.clientSecret !== 'string') ||
    (candidate.refreshToken !== undefined && typeof candidate.refreshToken !== 'string')
  ) {
    throw new OAuthRefreshError('Validation', 'oauth_credential_malformed', 'An OAuth2 credential must hold JSON {clientId, clientSecret?, refreshToken?}');
  }
  return { clientId: candidate.clientId, clientSecret: candidate.clientSecret, refreshToken: candidate.refreshToken };
}

function parseTokenResponse(body: Buffer): { access_token: string; expires_in?: number; refresh_token?: string } {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { access_token?: unknown; expires_in?: unknown; refresh_token?: unknown };
    if (typeof parsed.access_token === 'string' && parsed.access_token.length > 0) {
      const expiresIn = Number(parsed.expires_in);
      return {
        access_token: parsed.access_token,
        expires_in: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : undefined,
        refresh_token: typeof parsed.refresh_token === 'string' ? parsed.refresh_token : undefined,
      };
    }
  } catch {
    // not JSON: no usable token either
  }
  throw IntegrationError.poison('oauth_malformed_token_response', 'The token endpoint answered without a usable access_token');
}

/** RFC 6749 §5.2 `error` code; only a short known token is echoed, never a description. */
function oauthErrorCode(body: Buffer): string | undefined {
  try {
    const error = (JSON.parse(body.toString('utf8')) as { error?: unknown }).error;
    return typeof error === 'string' && /^[a-z_]{1,40}$/.test(error) ? error : undefined;
  } catch {
    return undefined;
  }
}

function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}
