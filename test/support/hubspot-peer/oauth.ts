import { randomBytes } from 'node:crypto';
import { jsonResponse, PeerRequest, PeerResponse } from '../peer-http';

export interface HubSpotOAuthApp {
  clientId: string;
  clientSecret: string;
}

/**
 * HubSpot's `POST /oauth/v1/token` refresh grant (developers.hubspot.com/docs/api/oauth/tokens): the form
 * carries grant_type, client_id, client_secret and refresh_token (no Basic header); the answer is
 * `{token_type: 'bearer', refresh_token, access_token, expires_in: 1800}`, the refresh token unchanged.
 * Refusals are 400 with `{status: 'BAD_REFRESH_TOKEN' | 'BAD_CLIENT_ID' | …, message, correlationId}`.
 */
export class HubSpotOAuth {
  readonly refreshTokens = new Map<string, string>();
  private readonly accessTokens = new Map<string, number>();
  grants = 0;
  delayMs = 0;

  constructor(
    private readonly apps: readonly HubSpotOAuthApp[],
    private readonly lifetimeSeconds = 1800,
  ) {}

  issueRefreshToken(clientId: string): string {
    const token = `na1-${randomBytes(12).toString('hex')}`;
    this.refreshTokens.set(token, clientId);
    return token;
  }

  /** Every access token issued so far ends now (as if its 30 minutes were up). */
  expireAccessTokens(): void {
    for (const token of this.accessTokens.keys()) this.accessTokens.set(token, 0);
  }

  issuedAccessTokens(): string[] {
    return [...this.accessTokens.keys()];
  }

  accessTokenStatus(token: string): 'valid' | 'expired' | 'unknown' {
    const expiresAt = this.accessTokens.get(token);
    if (expiresAt === undefined) return 'unknown';
    return expiresAt > Date.now() ? 'valid' : 'expired';
  }

  async token(request: PeerRequest): Promise<PeerResponse> {
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    const refused = (status: string, message: string) => jsonResponse(400, { status, message, correlationId: randomBytes(8).toString('hex') });
    if (request.method !== 'POST') return jsonResponse(405, { status: 'error', message: 'Method not allowed' });
    if (!String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return refused('BAD_GRANT_TYPE', 'missing or unknown grant type');
    if (request.headers.authorization !== undefined) return refused('BAD_CLIENT_ID', 'client credentials belong in the form');
    const form = new URLSearchParams(request.body.toString('utf8'));
    if (form.get('grant_type') !== 'refresh_token') return refused('BAD_GRANT_TYPE', 'missing or unknown grant type');
    const app = this.apps.find((candidate) => candidate.clientId === form.get('client_id'));
    if (!app) return refused('BAD_CLIENT_ID', 'missing or invalid client_id');
    if (form.get('client_secret') !== app.clientSecret) return refused('BAD_CLIENT_SECRET', 'missing or invalid client_secret');
    const refreshToken = form.get('refresh_token') ?? '';
    if (this.refreshTokens.get(refreshToken) !== app.clientId) return refused('BAD_REFRESH_TOKEN', 'missing or unknown refresh token');
    this.grants += 1;
    const accessToken = `CJ${randomBytes(24).toString('base64url')}`;
    this.accessTokens.set(accessToken, Date.now() + this.lifetimeSeconds * 1000);
    return jsonResponse(200, { token_type: 'bearer', refresh_token: refreshToken, access_token: accessToken, expires_in: this.lifetimeSeconds });
  }
}
