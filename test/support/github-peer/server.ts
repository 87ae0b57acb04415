import { createHash } from 'node:crypto';
import { createServer, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer, headerValue, listenLocally, PeerRequest, PeerResponse, QueryObject, queryToObject, readBody, withHeaders, writeResponse } from '../peer-http';
import { GitHubApi } from './api';
import { AppInstallations, GitHubAppRegistration } from './app-installations';
import { githubError } from './errors';
import { GitHubOpenApi } from './openapi';
import { GitHubRateLimits } from './rate-limit';
import { GitHubState, SeededRepository } from './state';

export interface GitHubPeerOptions {
  /** The API root under the server: '' for github.com's layout, '/api/v3' for GitHub Enterprise Server's. */
  basePath?: string;
  /** Personal access (or OAuth app) tokens the API accepts. */
  tokens?: string[];
  apps?: GitHubAppRegistration[];
  /** A delay before each installation token request is answered. */
  tokenDelayMs?: number;
}

export interface RecordedGitHubRequest {
  readonly method: string;
  /** As sent, base path included. */
  readonly path: string;
  /** Relative to the API root. */
  readonly apiPath: string;
  readonly query: QueryObject;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly at: number;
  /** What GitHub's OpenAPI description says is wrong with it (empty: nothing). */
  readonly openApiProblems: readonly string[];
}

/** The API versions GitHub serves (docs.github.com/rest/about-the-rest-api/api-versions). */
const SUPPORTED_API_VERSIONS = new Set(['2022-11-28', '2026-03-10']);
const TOKEN_PATH = /^\/app\/installations\/(\d+)\/access_tokens$/;

/**
 * A local server speaking GitHub's REST wire format for what the GitHub module uses: Bearer/`token`
 * auth (PATs and the installation tokens it issues to GitHub Apps), `X-GitHub-Api-Version`, primary
 * and secondary rate limits with GitHub's headers and bodies, ETag / `If-None-Match` → 304 (free),
 * Link pagination, GitHub's error bodies, and the App installation token exchange. Every request is
 * recorded and checked against GitHub's published OpenAPI description.
 */
export class GitHubPeer {
  readonly requests: RecordedGitHubRequest[] = [];
  /** What GitHub's OpenAPI description says is wrong with the peer's own answers (the peer's fidelity). */
  readonly answerProblems: string[] = [];
  readonly state: GitHubState;
  readonly rateLimits = new GitHubRateLimits();
  readonly installations: AppInstallations;
  private readonly api: GitHubApi;
  private readonly tokens: Set<string>;
  private readonly basePath: string;
  private tokenDelayMs: number;
  private readonly scripted: Array<{ pathPrefix: string; answer: PeerResponse }> = [];

  private constructor(
    private readonly server: Server,
    options: GitHubPeerOptions,
  ) {
    this.basePath = (options.basePath ?? '').replace(/\/+$/, '');
    this.tokens = new Set(options.tokens ?? []);
    this.tokenDelayMs = options.tokenDelayMs ?? 0;
    this.installations = new AppInstallations(options.apps ?? []);
    this.state = new GitHubState(() => this.apiUrl);
    this.api = new GitHubApi(this.state, () => this.apiUrl);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      this.onRequest(request, response).catch((error: unknown) => writeResponse(response, githubError(500, String(error))));
    });
  }

  static async start(options: GitHubPeerOptions = {}): Promise<GitHubPeer> {
    const server = createServer();
    const peer = new GitHubPeer(server, options);
    await listenLocally(server);
    return peer;
  }

  /** The server's origin. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** What a connection's `configuration.baseUrl` is: the origin and the base path. */
  get apiUrl(): string {
    return `${this.url}${this.basePath}`;
  }

  seedRepository(repository: SeededRepository): void {
    this.state.seed(repository);
  }

  /** Opens `count` issues (or pull requests from fresh branches) in a seeded repository, as if created through the API. */
  seedIssues(owner: string, name: string, count: number, kind: 'issue' | 'pull' = 'issue'): void {
    const repository = this.state.repository(owner, name);
    if (!repository) throw new Error(`Seed ${owner}/${name} first`);
    for (let index = 0; index < count; index++) {
      const number = this.state.nextNumber(repository);
      const title = `${kind === 'pull' ? 'Pull request' : 'Issue'} ${number}`;
      if (kind === 'pull') {
        const head = `topic-${number}`;
        repository.branches.set(head, `${number}`.padStart(40, 'b'));
        repository.pulls.push(this.state.pull(repository, { number, title, body: null, head, base: repository.json.default_branch, draft: false, author: 'octo-dev' }));
      }
      repository.issues.push(this.state.issue(repository, { number, title, body: null, labels: [], assignees: [], author: 'octo-dev', pullRequest: kind === 'pull' }));
    }
  }

  /** Edits an issue (and its pull request), moving its `updated_at` on. */
  touchIssue(owner: string, name: string, number: number, changes: { title?: string; state?: 'open' | 'closed' }): void {
    const repository = this.state.repository(owner, name);
    const updatedAt = this.state.now();
    for (const item of [repository?.issues.find((issue) => issue.number === number), repository?.pulls.find((pull) => pull.number === number)]) {
      if (item) Object.assign(item, changes, { updated_at: updatedAt });
    }
  }

  /** Accepts another personal access token from now on. */
  acceptToken(token: string): void {
    this.tokens.add(token);
  }

  /** Stops accepting a personal access token (revoked on GitHub's side). */
  revokeToken(token: string): void {
    this.tokens.delete(token);
  }

  /** The next request to an API path starting with `pathPrefix` gets this answer instead (a GitHub error body by default). */
  failNext(pathPrefix: string, status: number, message = 'Server Error'): void {
    this.scripted.push({ pathPrefix, answer: githubError(status, message) });
  }

  setTokenDelay(ms: number): void {
    this.tokenDelayMs = ms;
  }

  /** Requests to API paths (relative to the root) starting with `prefix`. */
  requestsTo(prefix: string, method?: string): RecordedGitHubRequest[] {
    return this.requests.filter((request) => request.apiPath.startsWith(prefix) && (!method || request.method === method));
  }

  /** Every OpenAPI problem of every recorded request. */
  openApiProblems(): string[] {
    return this.requests.flatMap((request) => request.openApiProblems);
  }

  clearRequests(): void {
    this.requests.length = 0;
    this.scripted.length = 0;
  }

  async close(): Promise<void> {
    await closeServer(this.server);
  }

  private async onRequest(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(incoming);
    const url = new URL(incoming.url ?? '/', 'http://github-peer.invalid');
    const method = incoming.method ?? 'GET';
    const underBase = url.pathname === this.basePath || url.pathname.startsWith(`${this.basePath}/`);
    const apiPath = underBase ? url.pathname.slice(this.basePath.length) || '/' : url.pathname;
    const query = queryToObject(url.searchParams);
    const openApiProblems = underBase
      ? GitHubOpenApi.load().problems({ method, path: apiPath, query, contentType: headerValue(incoming.headers, 'content-type'), body: body.toString('utf8') })
      : [`${method} ${url.pathname} is outside the API root ${this.basePath}`];
    this.requests.push({ method, path: url.pathname, apiPath, query, headers: { ...incoming.headers }, body: body.toString('utf8'), at: Date.now(), openApiProblems });
    const request: PeerRequest = { method, path: apiPath, query: url.searchParams, headers: incoming.headers, body };
    const answer = underBase ? await this.answer(request) : githubError(404, 'Not Found');
    if (underBase && answer.status < 300 && typeof answer.body === 'object') {
      this.answerProblems.push(...GitHubOpenApi.load().answerProblems(method, apiPath, answer.status, answer.body));
    }
    writeResponse(response, withHeaders(answer, { 'x-github-request-id': `PEER:${this.requests.length}`, 'x-github-media-type': 'github.v3; format=json' }));
  }

  private async answer(request: PeerRequest): Promise<PeerResponse> {
    const version = headerValue(request.headers, 'x-github-api-version');
    if (version !== undefined && !SUPPORTED_API_VERSIONS.has(version)) return githubError(400, `Unsupported 'X-GitHub-Api-Version' header value: ${version}`);
    const versionHeaders = { 'x-github-api-version-selected': version ?? '2022-11-28' };

    const tokenRequest = TOKEN_PATH.exec(request.path);
    if (tokenRequest && request.method === 'POST') {
      if (this.tokenDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.tokenDelayMs));
      return withHeaders(this.installations.mint(request, Number(tokenRequest[1])), versionHeaders);
    }

    const scripted = this.scripted.findIndex((entry) => request.path.startsWith(entry.pathPrefix));
    if (scripted >= 0) return withHeaders(this.scripted.splice(scripted, 1)[0].answer, versionHeaders);

    const credential = this.credentialOf(request);
    if (!credential) return githubError(401, 'Bad credentials', { documentationUrl: 'https://docs.github.com/rest' });
    // GET /rate_limit does not count against the limit.
    const free = request.path === '/rate_limit';
    const refused = free ? undefined : this.rateLimits.refusal(credential);
    if (refused) return withHeaders(refused, versionHeaders);

    const answer = this.api.handle(request, request.path);
    const etag =
      request.method === 'GET' && answer.status === 200
        ? `W/"${createHash('sha256')
            .update(JSON.stringify(answer.body ?? null))
            .digest('hex')
            .slice(0, 32)}"`
        : undefined;
    // A conditional request answered 304 is free (docs.github.com/rest/using-the-rest-api/best-practices-for-using-the-rest-api).
    if (etag && headerValue(request.headers, 'if-none-match') === etag) {
      return { status: 304, headers: { etag, ...this.rateLimits.headers(credential), ...versionHeaders } };
    }
    if (!free) this.rateLimits.spend(credential);
    return withHeaders(answer, { ...(etag ? { etag } : {}), ...this.rateLimits.headers(credential), ...versionHeaders });
  }

  /** The credential a request authenticates with (`Bearer` or `token`), if the peer accepts it. */
  private credentialOf(request: PeerRequest): string | undefined {
    const match = /^(?:Bearer|token) (\S+)$/i.exec(headerValue(request.headers, 'authorization') ?? '');
    if (!match) return undefined;
    if (this.tokens.has(match[1])) return match[1];
    return this.installations.installationOf(match[1]) === undefined ? undefined : match[1];
  }
}

export function startGitHubPeer(options: GitHubPeerOptions = {}): Promise<GitHubPeer> {
  return GitHubPeer.start(options);
}
