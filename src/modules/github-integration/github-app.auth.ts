import { createPrivateKey, KeyObject, sign } from 'node:crypto';
import { classifyStatus, IntegrationError } from '../../platform/resilience/failure-classifier';
import type { AuthContext, AuthStrategy, MintedToken } from '../../platform/vendors/vendor-descriptor';
import { apiVersionOf, installationIdOf } from './github.configuration';

export const GITHUB_APP_AUTH_MODE = 'github-app';

/** GitHub refuses app JWTs living longer than 10 minutes, and ones issued "in the future" by a skewed clock. */
const JWT_BACKDATE_S = 60;
const JWT_LIFETIME_S = 540;

export interface GitHubAppCredential {
  appId: string;
  privateKey: KeyObject;
}

/**
 * A GitHub App installation (docs.github.com/apps/creating-github-apps/authenticating-with-a-github-app):
 * the credential holds `{appId, privateKey}` (PEM); an app JWT signed RS256 with the key buys an
 * installation access token (`POST /app/installations/{id}/access_tokens`), valid an hour, shared by
 * every replica and minted by one of them at a time.
 */
export const GITHUB_APP_AUTH: AuthStrategy = {
  mode: GITHUB_APP_AUTH_MODE,
  description: 'GitHub App installation: the credential is JSON {appId, privateKey (PEM)}; configuration.installationId names the installation',
  needsCredential: true,
  configurationProblems: (configuration) =>
    installationIdOf(configuration) === undefined ? ['configuration.installationId (the GitHub App installation id) is required with auth github-app'] : [],
  headers: async (context) => ({ authorization: `Bearer ${await installationToken(context)}` }),
  rejected: async (context, sent) => {
    const token = /^Bearer (.+)$/.exec(sent.authorization ?? '')?.[1];
    if (!token) return false;
    await context.forgetSharedToken(tokenKey(context), token);
    return true;
  },
};

function tokenKey(context: AuthContext): string {
  return `github-app:installation:${requireInstallationId(context)}`;
}

function installationToken(context: AuthContext): Promise<string> {
  return context.sharedToken(tokenKey(context), () => mintInstallationToken(context));
}

async function mintInstallationToken(context: AuthContext): Promise<MintedToken> {
  const installationId = requireInstallationId(context);
  const app = parseGitHubAppCredential(await context.secret());
  const response = await context.exchange({
    url: context.vendorUrl(`/app/installations/${encodeURIComponent(installationId)}/access_tokens`),
    method: 'POST',
    headers: {
      authorization: `Bearer ${appJwt(app)}`,
      accept: 'application/vnd.github+json',
      'x-github-api-version': apiVersionOf(context.configuration),
      'user-agent': 'integration-platform',
    },
    maxResponseBytes: 64 * 1024,
  });
  if (response.status !== 201 && response.status !== 200) {
    const classification = classifyStatus(response.status, response.headers);
    if (response.status === 401 || response.status === 403 || response.status === 404) {
      throw IntegrationError.auth(
        'github_app_token_refused',
        `GitHub refused the app's installation token request (HTTP ${response.status}): check the app id, private key and installation id`,
      );
    }
    throw new IntegrationError(classification.category, `github_app_${classification.code}`, `GitHub answered the installation token request with HTTP ${response.status}`, {
      retryAfterMs: classification.retryAfterMs,
    });
  }
  return parseAccessToken(response.body);
}

/** The app's JWT: RS256 over `{iat: now − 60 s, exp: now + 540 s, iss: appId}`. */
export function appJwt(app: GitHubAppCredential, nowMs = Date.now()): string {
  const now = Math.floor(nowMs / 1000);
  const header = base64Url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const claims = base64Url(JSON.stringify({ iat: now - JWT_BACKDATE_S, exp: now + JWT_LIFETIME_S, iss: app.appId }));
  const signature = sign('RSA-SHA256', Buffer.from(`${header}.${claims}`), app.privateKey).toString('base64url');
  return `${header}.${claims}.${signature}`;
}

/** `{appId, privateKey}`; the app id is a number or its digits (GitHub also accepts the app's client id). */
export function parseGitHubAppCredential(value: string): GitHubAppCredential {
  const malformed = () =>
    IntegrationError.validation('github_app_credential_malformed', 'A github-app credential must hold JSON {appId, privateKey} with the app’s PEM private key');
  let parsed: { appId?: unknown; privateKey?: unknown };
  try {
    parsed = JSON.parse(value) as typeof parsed;
  } catch {
    throw malformed();
  }
  const appId = typeof parsed?.appId === 'number' ? String(parsed.appId) : parsed?.appId;
  if (typeof appId !== 'string' || !/^[A-Za-z0-9.]{1,64}$/.test(appId) || typeof parsed.privateKey !== 'string') throw malformed();
  try {
    const privateKey = createPrivateKey(parsed.privateKey);
    if (privateKey.asymmetricKeyType !== 'rsa') throw malformed();
    return { appId, privateKey };
  } catch {
    throw malformed();
  }
}

function requireInstallationId(context: AuthContext): string {
  const id = installationIdOf(context.configuration);
  if (!id) throw IntegrationError.validation('github_installation_missing', `Connection ${context.connectionId} has no configuration.installationId for auth github-app`);
  return id;
}

function parseAccessToken(body: Buffer): MintedToken {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { token?: unknown; expires_at?: unknown };
    const expiresAt = typeof parsed.expires_at === 'string' ? Date.parse(parsed.expires_at) : NaN;
    if (typeof parsed.token === 'string' && parsed.token.length > 0 && Number.isFinite(expiresAt)) return { value: parsed.token, expiresAt };
  } catch {
    // not JSON: no usable token either
  }
  throw IntegrationError.poison('github_app_malformed_token_response', 'GitHub answered the installation token request without a usable token and expires_at');
}

function base64Url(text: string): string {
  return Buffer.from(text).toString('base64url');
}
