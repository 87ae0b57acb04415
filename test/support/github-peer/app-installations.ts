import { createPublicKey, randomBytes, verify } from 'node:crypto';
import { jsonResponse, PeerRequest, PeerResponse } from '../peer-http';
import { githubError } from './errors';

export interface GitHubAppRegistration {
  appId: string;
  /** PEM of the app's public key: the peer verifies app JWTs with it. */
  publicKey: string;
  installations: number[];
}

export interface IssuedInstallationToken {
  token: string;
  installationId: number;
  expiresAt: number;
}

/** GitHub rejects app JWTs whose lifetime exceeds ten minutes. */
const MAX_JWT_LIFETIME_S = 600;
const CLOCK_DRIFT_S = 60;

/**
 * `POST /app/installations/{installation_id}/access_tokens`, authenticated with the app's JWT (RS256,
 * `iss` = app id, `exp − iat` ≤ 600 s, not expired): 201 `{token, expires_at, permissions, repository_selection}`.
 */
export class AppInstallations {
  readonly issued: IssuedInstallationToken[] = [];
  /** Token requests per installation, refused ones included. */
  readonly requests = new Map<number, number>();
  tokenLifetimeSeconds = 3600;

  constructor(private readonly apps: readonly GitHubAppRegistration[]) {}

  mint(request: PeerRequest, installationId: number, now = Date.now()): PeerResponse {
    this.requests.set(installationId, (this.requests.get(installationId) ?? 0) + 1);
    const jwt = /^Bearer (.+)$/i.exec(String(request.headers.authorization ?? ''))?.[1];
    if (!jwt) return githubError(401, 'A JSON web token could not be decoded');
    const verdict = this.verifyJwt(jwt, now);
    if ('problem' in verdict) return githubError(401, verdict.problem);
    if (!verdict.app.installations.includes(installationId)) return githubError(404, 'Not Found');
    const token: IssuedInstallationToken = { token: `ghs_${randomBytes(18).toString('base64url')}`, installationId, expiresAt: now + this.tokenLifetimeSeconds * 1000 };
    this.issued.push(token);
    return jsonResponse(201, {
      token: token.token,
      expires_at: new Date(token.expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      permissions: { contents: 'read', pull_requests: 'write', checks: 'write' },
      repository_selection: 'all',
    });
  }

  /** The installation a token was issued for, while it is valid. */
  installationOf(token: string, now = Date.now()): number | undefined {
    const issued = this.issued.find((candidate) => candidate.token === token);
    return issued && issued.expiresAt > now ? issued.installationId : undefined;
  }

  revokeAll(): void {
    for (const token of this.issued) token.expiresAt = 0;
  }

  reset(): void {
    this.requests.clear();
  }

  private verifyJwt(jwt: string, now: number): { app: GitHubAppRegistration } | { problem: string } {
    const [header, payload, signature, ...rest] = jwt.split('.');
    if (!header || !payload || !signature || rest.length > 0) return { problem: 'A JSON web token could not be decoded' };
    let claims: { iat?: unknown; exp?: unknown; iss?: unknown };
    let alg: unknown;
    try {
      alg = (JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: unknown }).alg;
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
    } catch {
      return { problem: 'A JSON web token could not be decoded' };
    }
    if (alg !== 'RS256') return { problem: "'Issuer' claim ('iss') must be an Integer" };
    const app = this.apps.find((candidate) => candidate.appId === String(claims.iss));
    if (!app) return { problem: 'Integration not found' };
    const valid = verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), createPublicKey(app.publicKey), Buffer.from(signature, 'base64url'));
    if (!valid) return { problem: 'A JSON web token could not be decoded' };
    const nowS = Math.floor(now / 1000);
    if (typeof claims.iat !== 'number' || typeof claims.exp !== 'number') return { problem: "Missing 'issued at' or 'expiration time' claim" };
    if (claims.exp - claims.iat > MAX_JWT_LIFETIME_S) return { problem: "'Expiration time' claim ('exp') is too far in the future" };
    if (claims.exp <= nowS) return { problem: "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires" };
    if (claims.iat > nowS + CLOCK_DRIFT_S) return { problem: "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued" };
    return { app };
  }
}
