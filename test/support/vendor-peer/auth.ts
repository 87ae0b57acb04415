import { headerValue, messageResponse, PeerRequest, PeerResponse } from '../peer-http';
import type { AccessTokenStatus } from './oauth';

/** The credentials the protected API accepts; any one valid credential authenticates a request. */
export interface VendorAuthConfig {
  /** Static tokens accepted as `Authorization: Bearer <token>`. */
  bearer?: string[];
  /** Keys accepted in a header of their own, e.g. `{ header: 'X-Api-Key', keys: ['k1'] }`. */
  apiKey?: { header: string; keys: string[] };
  /** Users accepted by HTTP Basic authentication (RFC 7617). */
  basic?: Array<{ user: string; password: string }>;
  /** Access tokens issued by this peer's `/oauth/token`, as Bearer tokens, until they expire. */
  oauth?: boolean;
  /** Requests need no credentials at all. */
  anonymous?: boolean;
}

export type AuthMethod = 'bearer' | 'apiKey' | 'basic' | 'oauth' | 'anonymous';

export type AuthOutcome = { authenticated: true; method: AuthMethod } | { authenticated: false; expiredToken: boolean };

const REALM = 'vendor';

/** Checks a request's credentials against the configured sets, which tests may change at any time. */
export class ApiAuthenticator {
  private config: VendorAuthConfig;

  constructor(
    config: VendorAuthConfig,
    private readonly accessTokenStatus: (token: string) => AccessTokenStatus,
  ) {
    this.config = copyConfig(config);
  }

  get current(): VendorAuthConfig {
    return copyConfig(this.config);
  }

  replace(config: VendorAuthConfig): void {
    this.config = copyConfig(config);
  }

  /** Removes a static bearer token or API key from the accepted sets; returns whether it was there. */
  revoke(credential: string): boolean {
    const { bearer, apiKey } = this.config;
    const revoked = !!bearer?.includes(credential) || !!apiKey?.keys.includes(credential);
    const without = (values: string[]) => values.filter((value) => value !== credential);
    if (bearer) this.config.bearer = without(bearer);
    if (apiKey) this.config.apiKey = { ...apiKey, keys: without(apiKey.keys) };
    return revoked;
  }

  /** Header names that carry credentials (lower case), which the echo route does not repeat back. */
  credentialHeaders(): string[] {
    return ['authorization', 'cookie', ...(this.config.apiKey ? [this.config.apiKey.header.toLowerCase()] : [])];
  }

  authenticate(request: PeerRequest): AuthOutcome {
    if (this.config.anonymous) return { authenticated: true, method: 'anonymous' };
    const apiKeyMethod = this.apiKeyMethod(request);
    if (apiKeyMethod) return apiKeyMethod;
    const authorization = parseAuthorization(headerValue(request.headers, 'authorization'));
    if (authorization?.scheme === 'basic' && this.acceptsBasic(authorization.credentials)) return { authenticated: true, method: 'basic' };
    if (authorization?.scheme === 'bearer') {
      const token = authorization.credentials;
      if (this.config.bearer?.includes(token)) return { authenticated: true, method: 'bearer' };
      if (this.config.oauth) {
        const status = this.accessTokenStatus(token);
        if (status === 'valid') return { authenticated: true, method: 'oauth' };
        return { authenticated: false, expiredToken: status === 'expired' };
      }
    }
    return { authenticated: false, expiredToken: false };
  }

  private apiKeyMethod(request: PeerRequest): AuthOutcome | undefined {
    const apiKey = this.config.apiKey;
    if (!apiKey) return undefined;
    const presented = headerValue(request.headers, apiKey.header);
    return presented !== undefined && apiKey.keys.includes(presented) ? { authenticated: true, method: 'apiKey' } : undefined;
  }

  private acceptsBasic(encoded: string): boolean {
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const separator = decoded.indexOf(':');
    if (separator < 0) return false;
    const user = decoded.slice(0, separator);
    const password = decoded.slice(separator + 1);
    return (this.config.basic ?? []).some((entry) => entry.user === user && entry.password === password);
  }
}

/** 401 as GitHub answers it; an expired OAuth token is told so the RFC 6750 way (§3.1). */
export function unauthorized(outcome: AuthOutcome): PeerResponse {
  const challenge = !outcome.authenticated && outcome.expiredToken ? 'Bearer error="invalid_token", error_description="The access token expired"' : `Bearer realm="${REALM}"`;
  return messageResponse(401, 'Bad credentials', { 'www-authenticate': challenge });
}

/** RFC 7235: `<scheme> <credentials>`, the scheme case-insensitive. */
function parseAuthorization(header: string | undefined): { scheme: string; credentials: string } | undefined {
  const match = header ? /^(\S+)\s+(\S+)\s*$/.exec(header) : null;
  return match ? { scheme: match[1].toLowerCase(), credentials: match[2] } : undefined;
}

function copyConfig(config: VendorAuthConfig): VendorAuthConfig {
  return {
    ...config,
    ...(config.bearer ? { bearer: [...config.bearer] } : {}),
    ...(config.apiKey ? { apiKey: { header: config.apiKey.header, keys: [...config.apiKey.keys] } } : {}),
    ...(config.basic ? { basic: config.basic.map((entry) => ({ ...entry })) } : {}),
  };
}
