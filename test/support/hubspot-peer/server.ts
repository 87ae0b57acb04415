import { createServer, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer, listenLocally, PeerRequest, PeerResponse, readBody, withHeaders, writeResponse } from '../peer-http';
import { HubSpotCrm } from './crm';
import { HubSpotErrorCategory, hubspotError, RateLimitPolicy, rateLimited } from './errors';
import { HubSpotOAuth, HubSpotOAuthApp } from './oauth';

export interface HubSpotPeerOptions {
  /** Private app access tokens the API accepts. */
  tokens?: string[];
  /** OAuth apps whose refresh tokens `POST /oauth/v1/token` exchanges. */
  apps?: HubSpotOAuthApp[];
  /** The search window (HubSpot: 10,000 results); small to simulate it. */
  searchResultLimit?: number;
  /** Requests per token per ten-second window (X-HubSpot-RateLimit-Max); default 190. */
  maxPerInterval?: number;
  /** Requests per token per day (X-HubSpot-RateLimit-Daily); default 250,000. */
  dailyLimit?: number;
}

export interface RecordedHubSpotRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

const INTERVAL_MS = 10_000;

/**
 * A local server speaking HubSpot's wire format for what the HubSpot module uses: the CRM v3 objects API
 * (contacts, companies, deals: create, read, update, archive, search), v4 associations, the account
 * details probe, `Authorization: Bearer` with private app tokens or the access tokens its OAuth token
 * endpoint issues (expired ones refused as HubSpot does), HubSpot's error bodies, and its rate limits:
 * `X-HubSpot-RateLimit-*` headers on every answer but searches (HubSpot's search endpoints send none),
 * and 429s with HubSpot's body and headers.
 */
export class HubSpotPeer {
  readonly requests: RecordedHubSpotRequest[] = [];
  readonly crm: HubSpotCrm;
  readonly oauth: HubSpotOAuth;
  private readonly tokens: Set<string>;
  private readonly maxPerInterval: number;
  private readonly dailyLimit: number;
  private readonly spent = new Map<string, { window: number[]; daily: number }>();
  private readonly scripted: Array<{ pathPrefix: string; answer: PeerResponse }> = [];
  private limitedNext: Array<RateLimitPolicy> = [];

  private constructor(
    private readonly server: Server,
    options: HubSpotPeerOptions,
  ) {
    this.tokens = new Set(options.tokens ?? []);
    this.crm = new HubSpotCrm(options.searchResultLimit);
    this.oauth = new HubSpotOAuth(options.apps ?? []);
    this.maxPerInterval = options.maxPerInterval ?? 190;
    this.dailyLimit = options.dailyLimit ?? 250_000;
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      this.onRequest(request, response).catch((error: unknown) => writeResponse(response, hubspotError(500, String(error), 'INTERNAL_ERROR')));
    });
  }

  static async start(options: HubSpotPeerOptions = {}): Promise<HubSpotPeer> {
    const server = createServer();
    const peer = new HubSpotPeer(server, options);
    await listenLocally(server);
    return peer;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get tokenUrl(): string {
    return `${this.url}/oauth/v1/token`;
  }

  /** The next `count` API calls are refused with a 429 of this policy. */
  rateLimitNext(policy: RateLimitPolicy, count = 1): void {
    for (let index = 0; index < count; index++) this.limitedNext.push(policy);
  }

  /** The next request to a path starting with `pathPrefix` gets a HubSpot error instead. */
  failNext(pathPrefix: string, status: number, message: string, category: HubSpotErrorCategory = 'INTERNAL_ERROR'): void {
    this.scripted.push({ pathPrefix, answer: hubspotError(status, message, category) });
  }

  revokeToken(token: string): void {
    this.tokens.delete(token);
  }

  requestsTo(prefix: string, method?: string): RecordedHubSpotRequest[] {
    return this.requests.filter((request) => request.path.startsWith(prefix) && (!method || request.method === method));
  }

  clearRequests(): void {
    this.requests.length = 0;
    this.scripted.length = 0;
    this.limitedNext = [];
  }

  async close(): Promise<void> {
    await closeServer(this.server);
  }

  private async onRequest(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(incoming);
    const url = new URL(incoming.url ?? '/', 'http://hubspot-peer.invalid');
    const method = incoming.method ?? 'GET';
    this.requests.push({ method, path: url.pathname, query: url.searchParams, headers: { ...incoming.headers }, body: body.toString('utf8') });
    const request: PeerRequest = { method, path: url.pathname, query: url.searchParams, headers: incoming.headers, body };
    writeResponse(response, await this.answer(request));
  }

  private async answer(request: PeerRequest): Promise<PeerResponse> {
    if (request.path === '/oauth/v1/token') return this.oauth.token(request);

    const scripted = this.scripted.findIndex((entry) => request.path.startsWith(entry.pathPrefix));
    if (scripted >= 0) return this.scripted.splice(scripted, 1)[0].answer;

    const match = /^Bearer (\S+)$/.exec(String(request.headers.authorization ?? ''));
    const token = match?.[1];
    if (!token) {
      return hubspotError(
        401,
        'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
        'INVALID_AUTHENTICATION',
      );
    }
    const oauthStatus = this.oauth.accessTokenStatus(token);
    if (oauthStatus === 'expired') return hubspotError(401, 'The OAuth token used to make this call expired 1 second(s) ago.', 'EXPIRED_AUTHENTICATION');
    if (oauthStatus === 'unknown' && !this.tokens.has(token)) {
      return hubspotError(401, 'Authentication credentials not found. This API supports OAuth 2.0 authentication.', 'INVALID_AUTHENTICATION');
    }

    const search = request.method === 'POST' && request.path.endsWith('/search');
    const limited = this.limitedNext.shift();
    if (limited) return rateLimited(limited, this.rateHeaders(token, limited));
    const usage = this.spent.get(token);
    if (usage && usage.window.filter((at) => at > Date.now() - INTERVAL_MS).length >= this.maxPerInterval) {
      return rateLimited('TEN_SECONDLY_ROLLING', this.rateHeaders(token, 'TEN_SECONDLY_ROLLING'));
    }
    this.spend(token);

    const answer = this.crm.handle(request) ?? hubspotError(404, `Unable to route ${request.method} request for ${request.path}`, 'OBJECT_NOT_FOUND');
    return search ? answer : withHeaders(answer, this.rateHeaders(token));
  }

  private spend(token: string): void {
    const now = Date.now();
    const usage = this.spent.get(token) ?? { window: [], daily: 0 };
    usage.window = usage.window.filter((at) => at > now - INTERVAL_MS);
    usage.window.push(now);
    usage.daily += 1;
    this.spent.set(token, usage);
  }

  /** HubSpot's rate-limit headers for the token; a spent policy shows its remaining count as 0. */
  private rateHeaders(token: string, spent?: RateLimitPolicy): Record<string, string> {
    const usage = this.spent.get(token) ?? { window: [], daily: 0 };
    const now = Date.now();
    const inWindow = usage.window.filter((at) => at > now - INTERVAL_MS).length;
    return {
      'x-hubspot-ratelimit-max': String(this.maxPerInterval),
      'x-hubspot-ratelimit-remaining': String(spent === 'TEN_SECONDLY_ROLLING' ? 0 : Math.max(0, this.maxPerInterval - inWindow)),
      'x-hubspot-ratelimit-interval-milliseconds': String(INTERVAL_MS),
      'x-hubspot-ratelimit-daily': String(this.dailyLimit),
      'x-hubspot-ratelimit-daily-remaining': String(spent === 'DAILY' ? 0 : Math.max(0, this.dailyLimit - usage.daily)),
    };
  }
}

export function startHubSpotPeer(options: HubSpotPeerOptions = {}): Promise<HubSpotPeer> {
  return HubSpotPeer.start(options);
}
