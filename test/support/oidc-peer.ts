import { createHash, randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, JWK, KeyLike, SignJWT } from 'jose';

export interface OidcPeerOptions {
  readonly clientId: string;
  /** The `aud` of the access tokens it issues. */
  readonly audience: string;
  /** Claims of the signed-in user's access token besides iss, aud, sub and exp. */
  readonly accessClaims: Record<string, unknown>;
}

interface PendingCode {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly challenge: string;
  readonly nonce: string;
}

/**
 * An OpenID Connect provider as the console meets one: discovery, an authorization endpoint that signs the
 * user in at once (authorization code flow, PKCE S256 required), a token endpoint that checks the code, the
 * client, the redirect URI and the verifier, RS256 tokens and their JWKS. CORS is open, as providers' token
 * endpoints are for public clients.
 */
export class OidcPeer {
  readonly authorizeRequests: URLSearchParams[] = [];
  readonly tokenRequests: Array<{ params: URLSearchParams; status: number }> = [];
  private readonly codes = new Map<string, PendingCode>();
  private server!: Server;
  private privateKey!: KeyLike;
  private publicJwk!: JWK;

  private constructor(private readonly options: OidcPeerOptions) {}

  static async start(options: OidcPeerOptions): Promise<OidcPeer> {
    const peer = new OidcPeer(options);
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    peer.privateKey = privateKey;
    peer.publicJwk = { ...(await exportJWK(publicKey)), kid: 'oidc-peer-1', alg: 'RS256', use: 'sig' };
    peer.server = createServer((request, response) => void peer.handle(request, response));
    await new Promise<void>((resolve) => peer.server.listen(0, '127.0.0.1', resolve));
    return peer;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.url);
    response.setHeader('access-control-allow-origin', '*');
    if (request.method === 'GET' && url.pathname === '/.well-known/openid-configuration') {
      return json(response, 200, {
        issuer: this.url,
        authorization_endpoint: `${this.url}/authorize`,
        token_endpoint: `${this.url}/token`,
        jwks_uri: `${this.url}/jwks`,
        response_types_supported: ['code'],
        grant_types_supported: ['authorization_code'],
        code_challenge_methods_supported: ['S256'],
        id_token_signing_alg_values_supported: ['RS256'],
      });
    }
    if (request.method === 'GET' && url.pathname === '/jwks') return json(response, 200, { keys: [this.publicJwk] });
    if (request.method === 'GET' && url.pathname === '/authorize') return this.authorize(url.searchParams, response);
    if (request.method === 'POST' && url.pathname === '/token') {
      let body = '';
      for await (const chunk of request) body += chunk;
      return this.token(new URLSearchParams(body), response);
    }
    json(response, 404, { error: 'not_found' });
  }

  private authorize(params: URLSearchParams, response: ServerResponse): void {
    this.authorizeRequests.push(params);
    const redirectUri = params.get('redirect_uri');
    if (params.get('client_id') !== this.options.clientId || !redirectUri) return json(response, 400, { error: 'invalid_request' });
    const back = new URL(redirectUri);
    if (params.get('response_type') !== 'code' || params.get('code_challenge_method') !== 'S256' || !params.get('code_challenge')) {
      back.searchParams.set('error', 'invalid_request');
      back.searchParams.set('error_description', 'PKCE S256 is required');
    } else {
      const code = randomBytes(16).toString('base64url');
      this.codes.set(code, { clientId: this.options.clientId, redirectUri, challenge: params.get('code_challenge')!, nonce: params.get('nonce') ?? '' });
      back.searchParams.set('code', code);
    }
    if (params.get('state')) back.searchParams.set('state', params.get('state')!);
    response.writeHead(302, { location: back.toString() }).end();
  }

  private async token(params: URLSearchParams, response: ServerResponse): Promise<void> {
    const code = params.get('code') ?? '';
    const pending = this.codes.get(code);
    this.codes.delete(code);
    const verifier = params.get('code_verifier') ?? '';
    const valid =
      pending !== undefined &&
      params.get('grant_type') === 'authorization_code' &&
      params.get('client_id') === pending.clientId &&
      params.get('redirect_uri') === pending.redirectUri &&
      createHash('sha256').update(verifier).digest('base64url') === pending.challenge;
    this.tokenRequests.push({ params, status: valid ? 200 : 400 });
    if (!valid) return json(response, 400, { error: 'invalid_grant' });
    const sign = (claims: Record<string, unknown>, audience: string) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: this.publicJwk.kid })
        .setIssuer(this.url)
        .setAudience(audience)
        .setSubject('operator@example.com')
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(this.privateKey);
    json(response, 200, {
      token_type: 'Bearer',
      expires_in: 600,
      access_token: await sign(this.options.accessClaims, this.options.audience),
      id_token: await sign({ nonce: pending!.nonce }, this.options.clientId),
    });
  }
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}
