import { randomBytes } from 'node:crypto';
import type { PeerRequest, PeerResponse } from '../peer-http';

export interface ClientRegistration {
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

interface IssuedToken {
  readonly clientId: string;
  readonly scope: string;
  readonly expiresAt: number;
}

const TOKEN_LIFETIME_S = 3599;

/**
 * The Microsoft identity platform endpoints MSAL (behind @azure/identity's ClientSecretCredential) uses
 * for the client-credentials grant against an authority host of our own, i.e. AZURE_AUTHORITY_HOST:
 *   GET  /{tenant}/v2.0/.well-known/openid-configuration  (endpoint discovery)
 *   POST /{tenant}/oauth2/v2.0/token                       (grant_type=client_credentials)
 * Instance discovery (a call to login.microsoftonline.com) is skipped by the credential's
 * `disableInstanceDiscovery`, which the platform exposes as AZURE_DISABLE_INSTANCE_DISCOVERY.
 */
export class EntraIdPeer {
  private readonly issued = new Map<string, IssuedToken>();

  constructor(
    private readonly client: ClientRegistration,
    private readonly authorityHost: () => string,
  ) {}

  /** True for a token this peer issued, unexpired, for `audience` (e.g. https://vault.azure.net, or an application id). */
  accepts(token: string, audience: string): boolean {
    const issued = this.issued.get(token);
    return !!issued && issued.expiresAt > Date.now() && issued.scope === `${audience}/.default`;
  }

  handle(request: PeerRequest): PeerResponse | undefined {
    const match = /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|oauth2\/v2\.0\/token)$/.exec(request.path);
    if (!match) return undefined;
    const [, tenant, endpoint] = match;
    if (tenant !== this.client.tenantId) {
      return oauthError(400, 'invalid_request', `AADSTS90002: Tenant '${tenant}' not found.`);
    }
    if (endpoint.startsWith('v2.0') && request.method === 'GET') return { status: 200, body: this.openIdConfiguration() };
    if (endpoint.startsWith('oauth2') && request.method === 'POST') return this.token(request);
    return oauthError(405, 'invalid_request', 'AADSTS900561: The endpoint only accepts POST requests.');
  }

  private openIdConfiguration(): Record<string, unknown> {
    const base = `${this.authorityHost()}/${this.client.tenantId}`;
    return {
      issuer: `${base}/v2.0`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      token_endpoint: `${base}/oauth2/v2.0/token`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      jwks_uri: `${base}/discovery/v2.0/keys`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      tenant_region_scope: null,
      cloud_instance_name: 'microsoftonline.com',
    };
  }

  private token(request: PeerRequest): PeerResponse {
    const form = new URLSearchParams(request.body.toString('utf8'));
    if (form.get('grant_type') !== 'client_credentials') {
      return oauthError(400, 'unsupported_grant_type', 'AADSTS70003: The app requested an unsupported grant type.');
    }
    if (form.get('client_id') !== this.client.clientId) {
      return oauthError(400, 'unauthorized_client', `AADSTS700016: Application with identifier '${form.get('client_id')}' was not found.`);
    }
    if (form.get('client_secret') !== this.client.clientSecret) {
      return oauthError(401, 'invalid_client', 'AADSTS7000215: Invalid client secret provided.');
    }
    const scope = form.get('scope') ?? '';
    // A resource by its application id URI (https://vault.azure.net) or by its application id (a GUID).
    if (!/^(https:\/\/\S+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/\.default$/.test(scope)) {
      return oauthError(400, 'invalid_scope', `AADSTS1002012: The provided value for scope ${scope} is not valid.`);
    }
    const accessToken = randomBytes(32).toString('base64url');
    this.issued.set(accessToken, { clientId: this.client.clientId, scope, expiresAt: Date.now() + TOKEN_LIFETIME_S * 1000 });
    return {
      status: 200,
      body: { token_type: 'Bearer', expires_in: TOKEN_LIFETIME_S, ext_expires_in: TOKEN_LIFETIME_S, access_token: accessToken },
    };
  }
}

function oauthError(status: number, error: string, description: string): PeerResponse {
  return {
    status,
    body: { error, error_description: description, error_codes: [Number(/AADSTS(\d+)/.exec(description)?.[1] ?? 0)], timestamp: new Date().toISOString() },
  };
}
