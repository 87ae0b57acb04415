import { createServer, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { VendorApi } from './api';
import { ApiAuthenticator, unauthorized, VendorAuthConfig } from './auth';
import { failure, FaultScript, ScriptedBehaviour } from './faults';
import { closeServer, messageResponse, PeerRequest, PeerResponse, QueryObject, queryToObject, readBody, withHeaders, writeResponse } from '../peer-http';
import { GrantType, OAuthAuthorizationServer, OAuthClientRegistration, TOKEN_ENDPOINT_PATH, TokenEndpointSettings } from './oauth';
import { RateLimitConfig, RateLimiter, rateLimitExceeded } from './rate-limit';

export interface VendorPeerOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** The credentials the protected API accepts; by default only access tokens from `/oauth/token`. */
  auth?: VendorAuthConfig;
  oauthClients?: OAuthClientRegistration[];
  /** `expires_in` of issued access tokens; 3600 by default. */
  tokenLifetimeSeconds?: number;
  /** Refresh grants invalidate the refresh token they use and return a new one; off by default. */
  rotateRefreshTokens?: boolean;
  /** An artificial delay before each token request is handled; 0 by default. */
  tokenEndpointDelayMs?: number;
}

/** A request as it reached the peer, credentials included (tests check what was injected). */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: QueryObject;
  readonly headers: IncomingHttpHeaders;
  /** The body as UTF-8 text. */
  readonly body: string;
  /** When it arrived, in epoch milliseconds. */
  readonly at: number;
}

export type HealthState = 'up' | 'down' | 'slow';

type Health = { state: 'up' } | { state: 'down'; retryAfterSeconds?: number } | { state: 'slow'; delayMs: number };

const DEFAULT_TOKEN_LIFETIME_S = 3600;
const DEFAULT_SLOW_MS = 1_000;

/**
 * A test-only HTTP stand-in for a vendor's API, speaking documented wire formats: an RFC 6749 token endpoint,
 * a protected API (static Bearer tokens, API keys, HTTP Basic and/or the OAuth access tokens it issued) with
 * GitHub-style errors, rate-limit headers and Link pagination. Tests script faults and health, change the
 * accepted credentials at runtime, and observe every request instead of mocking.
 *
 *   const peer = await startVendorPeer({ auth: { bearer: ['t1'] } });
 *   peer.failNext('/api/items', 2);            // two 503s, then normal answers
 *   await fetch(`${peer.url}/api/items`, { headers: { authorization: 'Bearer t1' } });
 *   expect(peer.count('/api/items')).toBe(1);
 *   await peer.close();
 *
 * Every request first consumes a matching scripted behaviour, if any. `/health` and `/api/*` then pass the
 * health state, authentication and (for `/api/*`) the rate limit, in that order; `POST /oauth/token` waits
 * the configured delay and answers as the authorization server.
 */
export class VendorPeer {
  readonly requests: RecordedRequest[] = [];
  private readonly oauth: OAuthAuthorizationServer;
  private readonly auth: ApiAuthenticator;
  private readonly limiter = new RateLimiter();
  private readonly faults = new FaultScript();
  private readonly api: VendorApi;
  private readonly timers = new Set<NodeJS.Timeout>();
  private health: Health = { state: 'up' };

  private constructor(
    private readonly server: Server,
    private readonly host: string,
    private readonly initialAuth: VendorAuthConfig,
    options: VendorPeerOptions,
  ) {
    this.oauth = new OAuthAuthorizationServer(options.oauthClients ?? [], {
      tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME_S,
      delayMs: options.tokenEndpointDelayMs ?? 0,
      rotateRefreshTokens: options.rotateRefreshTokens ?? false,
    });
    this.auth = new ApiAuthenticator(initialAuth, (token) => this.oauth.accessTokenStatus(token));
    this.api = new VendorApi(
      () => this.url,
      () => this.auth.credentialHeaders(),
    );
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      this.onRequest(request, response).catch((error: unknown) => writeResponse(response, messageResponse(500, String(error))));
    });
  }

  static async start(options: VendorPeerOptions = {}): Promise<VendorPeer> {
    const host = options.host ?? '127.0.0.1';
    const server = createServer();
    const peer = new VendorPeer(server, host, options.auth ?? { oauth: true }, options);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
    return peer;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** `http://127.0.0.1:<port>` (or the configured host), without a trailing slash. */
  get url(): string {
    const host = this.host === '0.0.0.0' || this.host === '::' ? '127.0.0.1' : this.host;
    return `http://${host.includes(':') ? `[${host}]` : host}:${this.port}`;
  }

  // --- Authentication ---------------------------------------------------------------------------------

  /** A copy of the credentials the protected API accepts now. */
  get authConfig(): VendorAuthConfig {
    return this.auth.current;
  }

  /** Replaces the accepted credentials (e.g. to rotate keys); takes effect with the next request. */
  setAuth(config: VendorAuthConfig): void {
    this.auth.replace(config);
  }

  /** Stops accepting a static bearer token, an API key, or an issued OAuth access or refresh token. */
  revokeKey(credential: string): boolean {
    const revokedStatic = this.auth.revoke(credential);
    const revokedIssued = this.oauth.revoke(credential);
    return revokedStatic || revokedIssued;
  }

  // --- OAuth token endpoint ---------------------------------------------------------------------------

  /** Successful grants by grant type, e.g. `{ client_credentials: 1, refresh_token: 0 }`. */
  get tokenGrants(): Readonly<Record<GrantType, number>> {
    return this.oauth.grants;
  }

  /** A refresh token for a registered client, as if it had been issued by an earlier authorization grant. */
  issueRefreshToken(clientId: string, scopes?: string[]): string {
    return this.oauth.issueRefreshToken(clientId, scopes);
  }

  /** Every access token issued so far is now expired (401 with `error="invalid_token"`); returns how many. */
  expireAccessTokens(): number {
    return this.oauth.expireAccessTokens();
  }

  /** Changes token lifetime, delay or refresh-token rotation for the following token requests. */
  configureTokenEndpoint(settings: Partial<TokenEndpointSettings>): void {
    this.oauth.configure(settings);
  }

  // --- Rate limit, faults, health ---------------------------------------------------------------------

  /** Limits `/api/*` to `limit` requests per window, with GitHub's headers; `null` turns it off. */
  rateLimit(config: RateLimitConfig | null): void {
    this.limiter.configure(config);
  }

  /** Queues behaviours for requests whose path starts with `pathPrefix`, consumed first-in first-out. */
  enqueue(pathPrefix: string, ...behaviours: ScriptedBehaviour[]): void {
    this.faults.enqueue(pathPrefix, behaviours);
  }

  /** The next `count` matching requests answer `status` with a `{"message": ...}` body. */
  failNext(pathPrefix: string, count: number, status = 503, headers?: Record<string, string>): void {
    this.enqueue(pathPrefix, ...Array.from({ length: count }, () => failure(status, headers)));
  }

  /** Scripted behaviours not consumed yet. */
  get pendingBehaviours(): number {
    return this.faults.pending;
  }

  /**
   * `down`: `/health` and `/api/*` answer 503 (with `Retry-After: <retryAfterSeconds>` when given).
   * `slow`: they answer after `slowMs` (1 s by default). `up`: normal.
   */
  setHealth(state: 'up'): void;
  setHealth(state: 'down', retryAfterSeconds?: number): void;
  setHealth(state: 'slow', slowMs?: number): void;
  setHealth(state: HealthState, value?: number): void {
    if (state === 'down') this.health = { state, retryAfterSeconds: value };
    else if (state === 'slow') this.health = { state, delayMs: value ?? DEFAULT_SLOW_MS };
    else this.health = { state };
  }

  // --- Resources and observation ----------------------------------------------------------------------

  /** Adds items to `GET /api/items` as if created through the API; returns their ids. */
  seedItems(count: number): string[] {
    return this.api.seedItems(count);
  }

  /** Requests received whose path starts with `pathPrefix` (all of them without one). */
  count(pathPrefix = ''): number {
    return this.requests.filter((request) => request.path.startsWith(pathPrefix)).length;
  }

  /**
   * Back to the state at start: no requests, scripts, items, grant counts or rate limit, health up, token
   * endpoint settings as started. The accepted credentials and issued tokens stay, unless `auth` is true.
   */
  reset(options: { auth?: boolean } = {}): void {
    this.requests.length = 0;
    this.faults.clear();
    this.api.reset();
    this.oauth.resetCounters();
    this.limiter.configure(null);
    this.health = { state: 'up' };
    if (options.auth) {
      this.auth.replace(this.initialAuth);
      this.oauth.forgetTokens();
    }
  }

  async close(): Promise<void> {
    this.timers.forEach((timer) => clearTimeout(timer));
    this.timers.clear();
    await closeServer(this.server);
  }

  // --- Request pipeline -------------------------------------------------------------------------------

  private async onRequest(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    const at = Date.now();
    const body = await readBody(incoming);
    const url = requestUrl(incoming.url);
    const request: PeerRequest = { method: incoming.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: incoming.headers, body };
    this.requests.push({ method: request.method, path: request.path, query: queryToObject(url.searchParams), headers: { ...incoming.headers }, body: body.toString('utf8'), at });

    const scripted = this.faults.take(request.path);
    if (scripted && 'destroy' in scripted) {
      incoming.socket.destroy();
      return;
    }
    if (scripted && 'status' in scripted) {
      writeResponse(response, scripted);
      return;
    }
    if (scripted) await this.sleep(scripted.delayMs);
    writeResponse(response, await this.answer(request));
  }

  private async answer(request: PeerRequest): Promise<PeerResponse> {
    if (request.path === TOKEN_ENDPOINT_PATH) {
      await this.sleep(this.oauth.settings.delayMs);
      return this.oauth.handleTokenRequest(request);
    }
    if (isProtected(request.path)) return this.protectedResource(request);
    return messageResponse(404, 'Not Found');
  }

  private async protectedResource(request: PeerRequest): Promise<PeerResponse> {
    const health = this.health;
    if (health.state === 'down') {
      return messageResponse(503, 'Service Unavailable', health.retryAfterSeconds !== undefined ? { 'retry-after': String(health.retryAfterSeconds) } : {});
    }
    if (health.state === 'slow') await this.sleep(health.delayMs);

    const isApi = request.path !== '/health';
    const outcome = this.auth.authenticate(request);
    // A rejected request does not count against the limit, but reports where it stands.
    if (!outcome.authenticated) return withHeaders(unauthorized(outcome), isApi ? this.limiter.snapshot() : {});
    if (!isApi) return this.api.handle(request);

    const decision = this.limiter.consume();
    if (!decision.allowed) return rateLimitExceeded(decision);
    return withHeaders(this.api.handle(request), decision.headers);
  }

  /** A delay that `close()` cancels, so that no timer outlives the peer. */
  private sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }
}

export function startVendorPeer(options: VendorPeerOptions = {}): Promise<VendorPeer> {
  return VendorPeer.start(options);
}

function isProtected(path: string): boolean {
  return path === '/health' || path === '/api' || path.startsWith('/api/');
}

/** The request target in origin form (`/path?query`); a leading `//` must not read as a host. */
function requestUrl(target = '/'): URL {
  const base = 'http://vendor-peer.invalid';
  return target.startsWith('/') ? new URL(`${base}${target}`) : new URL(target, base);
}
