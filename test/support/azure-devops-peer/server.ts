import { createServer, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer, headerValue, listenLocally, PeerRequest, PeerResponse, QueryObject, queryToObject, readBody, writeResponse } from '../peer-http';
import { azureDevOpsError, notFound, SIGN_IN_PAGE } from './errors';
import { GitResources, PullRequest, Repository } from './git';
import { byNameOrId, IDENTITY, newProject, PeerLocation, Project } from './model';
import { Pipeline, PipelineResources } from './pipelines';
import { WorkItem, WorkItemResources } from './work-items';

export interface AzureDevOpsPeerOptions {
  /** The organisation the peer serves at `/{organization}`; `fabrikam` by default. */
  organization?: string;
  /** Personal access tokens the API accepts (as the password of HTTP Basic, any user name). */
  pats: readonly string[];
  /** Whether an Entra ID access token (`Authorization: Bearer`) is one Azure DevOps would accept; none are by default. */
  acceptsBearer?: (token: string) => boolean;
  /** Project names created at start; `['Fabrikam']` by default. */
  projects?: readonly string[];
  /**
   * How a request with missing or refused credentials is answered: 401 (what a client sending
   * `X-TFS-FedAuthRedirect: Suppress` gets), or 203 with the HTML sign-in page (what Azure DevOps
   * answers otherwise). Default 401.
   */
  unauthenticated?: '401' | 'sign-in-page';
}

export interface RecordedRequest {
  readonly method: string;
  /** The path as sent, percent-encoding kept. */
  readonly rawPath: string;
  /** The path decoded segment by segment. */
  readonly path: string;
  readonly query: QueryObject;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface ThrottleOptions {
  /** `Retry-After`, seconds; 2 by default. */
  retryAfterSeconds?: number;
  /** Send no `Retry-After`, only the `X-RateLimit-*` headers. */
  omitRetryAfter?: boolean;
}

const SUPPORTED_API_VERSION = /^(\d+)\.(\d+)(-preview(\.\d+)?)?$/;
const LATEST_API_VERSION = [7, 2] as const;

/**
 * A test-only stand-in for Azure DevOps Services' REST API, speaking its documented wire format for the
 * endpoints the platform uses: `/{organization}/{project}/_apis/...`, `api-version` required, HTTP Basic
 * with a PAT, `{count, value}` lists, `x-ms-continuationtoken` and `$top`/`$skip` paging, JSON Patch
 * work items, WIQL and `workitemsbatch`, 429 throttling with `Retry-After` and `X-RateLimit-*`, VSS error
 * bodies, and the 203 sign-in page. Every request is recorded as it arrived.
 */
export class AzureDevOpsPeer implements PeerLocation {
  readonly requests: RecordedRequest[] = [];
  readonly organization: string;
  readonly projects: Project[];
  readonly git: GitResources;
  readonly pipelines: PipelineResources;
  readonly workItems: WorkItemResources;
  private readonly pats: Set<string>;
  private readonly acceptsBearer: (token: string) => boolean;
  private unauthenticated: '401' | 'sign-in-page';
  private throttled: Array<ThrottleOptions> = [];

  private constructor(
    private readonly server: Server,
    options: AzureDevOpsPeerOptions,
  ) {
    this.organization = options.organization ?? 'fabrikam';
    this.pats = new Set(options.pats);
    this.acceptsBearer = options.acceptsBearer ?? (() => false);
    this.unauthenticated = options.unauthenticated ?? '401';
    this.projects = (options.projects ?? ['Fabrikam']).map(newProject);
    this.git = new GitResources(this);
    this.pipelines = new PipelineResources(this);
    this.workItems = new WorkItemResources(this);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      this.onRequest(request, response).catch((error: unknown) => writeResponse(response, azureDevOpsError(500, 'VssServiceException', String(error))));
    });
  }

  static async start(options: AzureDevOpsPeerOptions): Promise<AzureDevOpsPeer> {
    const server = createServer();
    const peer = new AzureDevOpsPeer(server, options);
    await listenLocally(server);
    return peer;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** What a connection's base URL is: `http://127.0.0.1:<port>/<organization>`. */
  get organizationUrl(): string {
    return `${this.url}/${this.organization}`;
  }

  /** Where the API URLs in answers point (PeerLocation). */
  get collectionUrl(): string {
    return this.organizationUrl;
  }

  project(name = this.projects[0].name): Project {
    const project = byNameOrId(this.projects, name);
    if (!project) throw new Error(`The peer has no project ${name}`);
    return project;
  }

  // --- Seeding ----------------------------------------------------------------------------------------

  addRepository(name: string, project = this.projects[0].name): Repository {
    return this.git.addRepository(this.project(project), name);
  }

  addPullRequests(repository: Repository, count: number, fields: Parameters<GitResources['addPullRequest']>[1] = {}): PullRequest[] {
    return Array.from({ length: count }, () => this.git.addPullRequest(repository, fields));
  }

  addPipeline(name: string, project = this.projects[0].name): Pipeline {
    return this.pipelines.addPipeline(this.project(project), name);
  }

  addWorkItem(type: string, fields: Record<string, unknown>, options: { project?: string; changedDate?: string } = {}): WorkItem {
    return this.workItems.add(this.project(options.project), type, fields, options.changedDate);
  }

  // --- Behaviour --------------------------------------------------------------------------------------

  /** The next `count` API requests are refused with 429, `Retry-After` and `X-RateLimit-*`, as Azure DevOps throttles. */
  throttleNext(count: number, options: ThrottleOptions = {}): void {
    this.throttled.push(...Array.from({ length: count }, () => options));
  }

  /** Stops (or starts again) accepting a PAT, as when a token is revoked or expires. */
  revokePat(pat: string): void {
    this.pats.delete(pat);
  }

  acceptPat(pat: string): void {
    this.pats.add(pat);
  }

  setUnauthenticatedAnswer(answer: '401' | 'sign-in-page'): void {
    this.unauthenticated = answer;
  }

  /** Requests whose decoded path starts with `prefix` (relative to the organisation when it starts with `/_apis` or a project). */
  requestsTo(prefix: string, method?: string): RecordedRequest[] {
    const full = `/${this.organization}${prefix}`;
    return this.requests.filter((request) => request.path.startsWith(full) && (!method || request.method === method));
  }

  /** Forgets recorded requests, pending throttles and every resource (projects stay). */
  reset(): void {
    this.requests.length = 0;
    this.throttled = [];
    this.git.reset();
    this.pipelines.reset();
    this.workItems.reset();
  }

  async close(): Promise<void> {
    await closeServer(this.server);
  }

  // --- Request pipeline -------------------------------------------------------------------------------

  private async onRequest(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(incoming);
    const url = new URL(`http://azure-devops-peer.invalid${(incoming.url ?? '/').startsWith('/') ? incoming.url : '/'}`);
    const segments = url.pathname.split('/').slice(1).map(decodeSegment);
    const path = `/${segments.join('/')}`;
    const request: PeerRequest = { method: incoming.method ?? 'GET', path, query: url.searchParams, headers: incoming.headers, body };
    this.requests.push({
      method: request.method,
      rawPath: url.pathname,
      path,
      query: queryToObject(url.searchParams),
      headers: { ...incoming.headers },
      body: body.toString('utf8'),
    });
    writeResponse(response, this.answer(segments, request));
  }

  private answer(segments: readonly string[], request: PeerRequest): PeerResponse {
    if (segments[0] !== this.organization) return notFound(`VS800075: The organization ${segments[0] ?? ''} could not be found.`);
    const apis = segments.indexOf('_apis');
    if (apis !== 1 && apis !== 2) return notFound('The resource could not be found.');

    const authFailure = this.authenticate(request);
    if (authFailure) return authFailure;
    const versionFailure = apiVersionProblem(request);
    if (versionFailure) return versionFailure;
    const throttle = this.throttled.shift();
    if (throttle) return throttledAnswer(throttle);

    const area = segments.slice(apis + 1);
    const project = apis === 2 ? byNameOrId(this.projects, segments[1]) : undefined;
    if (apis === 2 && !project)
      return azureDevOpsError(
        404,
        'ProjectDoesNotExistWithNameException',
        `TF200016: The following project does not exist: ${segments[1]}. Verify that the name of the project is correct and that the project exists on the specified Azure DevOps Server.`,
      );
    const answer = this.route(project, area, request);
    return answer ?? notFound(`The controller for path '${request.path}' was not found or does not implement IController.`);
  }

  private route(project: Project | undefined, area: readonly string[], request: PeerRequest): PeerResponse | undefined {
    const [name, ...rest] = area;
    if (!project && name === 'connectionData' && request.method === 'GET') {
      return {
        status: 200,
        body: {
          authenticatedUser: { id: IDENTITY.id, providerDisplayName: IDENTITY.displayName },
          authorizedUser: { id: IDENTITY.id },
          instanceId: '00000000-0000-0000-0000-000000000001',
        },
      };
    }
    if (name === 'wit') return this.workItems.handle(project, rest, request);
    if (!project) return undefined;
    if (name === 'git') return this.git.handle(project, rest, request);
    if (name === 'pipelines') return this.pipelines.handlePipelines(project, rest, request);
    if (name === 'build') return this.pipelines.handleBuilds(project, rest, request);
    return undefined;
  }

  /** HTTP Basic, the PAT as the password (the user name is not checked: Azure DevOps ignores it), or an Entra ID Bearer token. */
  private authenticate(request: PeerRequest): PeerResponse | undefined {
    const authorization = headerValue(request.headers, 'authorization') ?? '';
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (bearer && this.acceptsBearer(bearer[1])) return undefined;
    const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(authorization);
    const decoded = match ? Buffer.from(match[1], 'base64').toString('utf8') : '';
    const separator = decoded.indexOf(':');
    if (separator !== -1 && this.pats.has(decoded.slice(separator + 1))) return undefined;
    if (this.unauthenticated === 'sign-in-page') {
      return { status: 203, headers: { 'content-type': 'text/html; charset=utf-8' }, body: SIGN_IN_PAGE };
    }
    return {
      status: 401,
      headers: { 'www-authenticate': `Basic realm="${this.url}/"`, 'x-tfs-processid': '00000000-0000-0000-0000-000000000000', 'content-type': 'text/plain' },
      body: 'Access Denied: The Personal Access Token used has expired or is invalid.',
    };
  }
}

export function startAzureDevOpsPeer(options: AzureDevOpsPeerOptions): Promise<AzureDevOpsPeer> {
  return AzureDevOpsPeer.start(options);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function apiVersionProblem(request: PeerRequest): PeerResponse | undefined {
  const version = request.query.get('api-version');
  if (!version) {
    return azureDevOpsError(
      400,
      'VssVersionNotSpecifiedException',
      `No api-version was supplied for the "${request.method}" request. The version must be supplied either as part of the Accept header (e.g. "application/json; api-version=1.0") or as a query parameter (e.g. "?api-version=1.0").`,
    );
  }
  const match = SUPPORTED_API_VERSION.exec(version);
  const [major, minor] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN];
  if (!match || major > LATEST_API_VERSION[0] || (major === LATEST_API_VERSION[0] && minor > LATEST_API_VERSION[1])) {
    return azureDevOpsError(
      400,
      'VssVersionOutOfRangeException',
      `The requested REST API version of ${version} is out of range for this server. The latest REST API version for this server is ${LATEST_API_VERSION.join('.')}.`,
    );
  }
  return undefined;
}

/** https://learn.microsoft.com/azure/devops/integrate/concepts/rate-limits: a blocked request's answer. */
function throttledAnswer(options: ThrottleOptions): PeerResponse {
  const retryAfter = options.retryAfterSeconds ?? 2;
  const headers: Record<string, string> = {
    'x-ratelimit-resource': 'Core',
    'x-ratelimit-delay': '0.000',
    'x-ratelimit-limit': '200',
    'x-ratelimit-remaining': '0',
    'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + retryAfter),
  };
  if (!options.omitRetryAfter) headers['retry-after'] = String(retryAfter);
  return azureDevOpsError(429, 'RequestBlockedException', "TF400733: The request has been blocked: usage of resource 'Core' in namespace 'User' is over its limit.", headers);
}
