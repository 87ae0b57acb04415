import { jsonResponse, PeerRequest, PeerResponse } from '../peer-http';
import { githubError, notFound, validationFailed } from './errors';
import { GitHubState, Json, RepositoryState, sha } from './state';

type Handler = (request: PeerRequest, params: string[]) => PeerResponse;

const DEFAULT_PER_PAGE = 30;
const MAX_PER_PAGE = 100;

/**
 * The REST endpoints the GitHub module uses, as GitHub documents them (paths relative to the API root;
 * GitHub Enterprise Server serves the same under `/api/v3`). Lists page with `page`/`per_page` and a
 * Link header of absolute URLs (`rel="next"`, `"last"`, `"first"`, `"prev"`).
 */
export class GitHubApi {
  private readonly routes: Array<{ method: string; pattern: RegExp; handler: Handler }> = [];

  constructor(
    private readonly state: GitHubState,
    private readonly apiUrl: () => string,
  ) {
    const repo = '/repos/([^/]+)/([^/]+)';
    this.route('GET', '/rate_limit', () => jsonResponse(200, this.state.example('rate-limit-overview')));
    this.route('GET', '/user/repos', (request) =>
      this.page(
        request,
        '/user/repos',
        [...this.state.repositories.values()].map((state) => state.json),
      ),
    );
    this.route('GET', '/orgs/([^/]+)/repos', (request, [org]) =>
      this.page(
        request,
        `/orgs/${org}/repos`,
        [...this.state.repositories.values()].map((state) => state.json).filter((json) => json.owner.login.toLowerCase() === org.toLowerCase()),
      ),
    );
    this.route('GET', repo, (_request, params) => this.withRepo(params, (state) => jsonResponse(200, state.json)));
    this.route('GET', `${repo}/pulls`, (request, params) => this.withRepo(params, (state) => this.listPulls(request, state)));
    this.route('POST', `${repo}/pulls`, (request, params) => this.withRepo(params, (state) => this.createPull(request, state)));
    this.route('GET', `${repo}/pulls/(\\d+)`, (_request, params) => this.withPull(params, (_state, pull) => jsonResponse(200, pull)));
    this.route('PUT', `${repo}/pulls/(\\d+)/merge`, (request, params) => this.withPull(params, (state, pull) => this.merge(request, state, pull)));
    this.route('POST', `${repo}/pulls/(\\d+)/reviews`, (request, params) => this.withPull(params, (state, pull) => this.review(request, state, pull)));
    this.route('POST', `${repo}/pulls/(\\d+)/comments`, (request, params) => this.withPull(params, (state, pull) => this.reviewComment(request, state, pull)));
    this.route('GET', `${repo}/issues`, (request, params) => this.withRepo(params, (state) => this.listIssues(request, state)));
    this.route('POST', `${repo}/issues`, (request, params) => this.withRepo(params, (state) => this.createIssue(request, state)));
    this.route('GET', `${repo}/issues/(\\d+)`, (_request, params) => this.withIssue(params, (_state, issue) => jsonResponse(200, issue)));
    this.route('POST', `${repo}/issues/(\\d+)/comments`, (request, params) => this.withIssue(params, (state, issue) => this.comment(request, state, issue)));
    this.route('POST', `${repo}/check-runs`, (request, params) => this.withRepo(params, (state) => this.createCheckRun(request, state)));
    this.route('PATCH', `${repo}/check-runs/(\\d+)`, (request, params) => this.withRepo(params, (state) => this.updateCheckRun(request, state, Number(params[2]))));
    this.route('POST', `${repo}/statuses/([0-9a-fA-F]{40})`, (request, params) => this.withRepo(params, (state) => this.createStatus(request, state, params[2])));
    this.route('POST', `${repo}/actions/workflows/([^/]+)/dispatches`, (request, params) =>
      this.withRepo(params, (state) => this.dispatch(request, state, decodeURIComponent(params[2]))),
    );
    this.route('GET', `${repo}/actions/runs`, (request, params) => this.withRepo(params, (state) => this.listRuns(request, state, state.runs, `${repoPath(state)}/actions/runs`)));
    this.route('GET', `${repo}/actions/workflows/([^/]+)/runs`, (request, params) =>
      this.withRepo(params, (state) => {
        const workflow = findWorkflow(state, decodeURIComponent(params[2]));
        return workflow
          ? this.listRuns(
              request,
              state,
              state.runs.filter((run) => run.workflow_id === workflow.id),
              `${repoPath(state)}/actions/workflows/${params[2]}/runs`,
            )
          : notFound();
      }),
    );
    this.route('GET', `${repo}/actions/runs/(\\d+)`, (_request, params) =>
      this.withRepo(params, (state) => {
        const run = state.runs.find((candidate) => candidate.id === Number(params[2]));
        return run ? jsonResponse(200, run) : notFound();
      }),
    );
    this.route('GET', `${repo}/contents/(.+)`, (request, params) =>
      this.withRepo(params, (state) => this.contents(request, state, params[2].split('/').map(decodeURIComponent).join('/'))),
    );
  }

  handle(request: PeerRequest, path: string): PeerResponse {
    for (const route of this.routes) {
      const match = route.method === request.method ? route.pattern.exec(path) : null;
      if (match)
        return route.handler(
          request,
          match.slice(1).map((param, index) => (index < 2 ? decodeURIComponent(param) : param)),
        );
    }
    return notFound();
  }

  private route(method: string, pattern: string, handler: Handler): void {
    this.routes.push({ method, pattern: new RegExp(`^${pattern}$`), handler });
  }

  private withRepo([owner, name]: string[], work: (state: RepositoryState) => PeerResponse): PeerResponse {
    const state = this.state.repository(owner, name);
    return state ? work(state) : notFound();
  }

  private withPull(params: string[], work: (state: RepositoryState, pull: Json) => PeerResponse): PeerResponse {
    return this.withRepo(params, (state) => {
      const pull = state.pulls.find((candidate) => candidate.number === Number(params[2]));
      return pull ? work(state, pull) : notFound();
    });
  }

  private withIssue(params: string[], work: (state: RepositoryState, issue: Json) => PeerResponse): PeerResponse {
    return this.withRepo(params, (state) => {
      const issue = state.issues.find((candidate) => candidate.number === Number(params[2]));
      return issue ? work(state, issue) : notFound();
    });
  }

  // --- Pull requests ----------------------------------------------------------------------------------

  private listPulls(request: PeerRequest, state: RepositoryState): PeerResponse {
    const wanted = request.query.get('state') ?? 'open';
    let pulls = state.pulls.filter((pull) => wanted === 'all' || pull.state === wanted);
    if (request.query.get('sort') === 'updated') pulls = sortBy(pulls, 'updated_at', request.query.get('direction') ?? 'desc');
    // The list endpoint answers pull-request-simple: no merged, mergeable or counts.
    const simple = pulls.map(
      ({ merged: _merged, mergeable: _mergeable, comments: _comments, commits: _commits, additions: _additions, deletions: _deletions, changed_files: _changed, ...rest }) => rest,
    );
    return this.page(request, `${repoPath(state)}/pulls`, simple);
  }

  private createPull(request: PeerRequest, state: RepositoryState): PeerResponse {
    const body = jsonOf(request);
    if (!body) return githubError(400, 'Problems parsing JSON');
    for (const field of ['title', 'head', 'base'] as const) if (typeof body[field] !== 'string') return validationFailed('PullRequest', field, 'missing_field');
    const head = String(body.head).includes(':') ? String(body.head).split(':')[1] : String(body.head);
    if (!state.branches.has(head)) return validationFailed('PullRequest', 'head', 'invalid');
    if (!state.branches.has(body.base)) return validationFailed('PullRequest', 'base', 'invalid');
    if (state.pulls.some((pull) => pull.state === 'open' && pull.head.ref === head && pull.base.ref === body.base)) {
      return validationFailed('PullRequest', 'head', 'custom', `A pull request already exists for ${state.json.owner.login}:${head}.`);
    }
    const number = this.state.nextNumber(state);
    const pull = this.state.pull(state, { number, title: body.title, body: body.body ?? null, head, base: body.base, draft: body.draft === true, author: 'octo-bot' });
    state.pulls.push(pull);
    state.issues.push(this.state.issue(state, { number, title: body.title, body: body.body ?? null, labels: [], assignees: [], author: 'octo-bot', pullRequest: true }));
    return jsonResponse(201, pull, { location: pull.url });
  }

  private merge(request: PeerRequest, state: RepositoryState, pull: Json): PeerResponse {
    const body = jsonOf(request) ?? {};
    if (pull.merged || pull.state !== 'open' || pull.mergeable === false) return githubError(405, 'Pull Request is not mergeable');
    if (body.sha !== undefined && body.sha !== pull.head.sha) return githubError(409, 'Head branch was modified. Review and try the merge again.');
    const mergeSha = sha(`${pull.head.sha}:${pull.base.sha}:merge`);
    Object.assign(pull, { merged: true, state: 'closed', merged_at: this.state.now(), closed_at: this.state.now(), merge_commit_sha: mergeSha, updated_at: this.state.now() });
    state.branches.set(pull.base.ref, mergeSha);
    return jsonResponse(200, { sha: mergeSha, merged: true, message: 'Pull Request successfully merged' });
  }

  private review(request: PeerRequest, state: RepositoryState, pull: Json): PeerResponse {
    const body = jsonOf(request) ?? {};
    if (body.event === 'REQUEST_CHANGES' && !body.body) return validationFailed('PullRequestReview', 'body', 'missing_field');
    const review = Object.assign(this.state.example('pull-request-review'), {
      id: this.state.nextId(),
      user: this.state.user('octo-bot'),
      body: body.body ?? '',
      state: { APPROVE: 'APPROVED', REQUEST_CHANGES: 'CHANGES_REQUESTED', COMMENT: 'COMMENTED' }[String(body.event)] ?? 'PENDING',
      html_url: `${pull.html_url}#pullrequestreview-${this.state.nextId()}`,
      commit_id: body.commit_id ?? pull.head.sha,
      submitted_at: this.state.now(),
    });
    state.reviews.push(review);
    return jsonResponse(200, review);
  }

  private reviewComment(request: PeerRequest, state: RepositoryState, pull: Json): PeerResponse {
    const body = jsonOf(request) ?? {};
    for (const field of ['body', 'commit_id', 'path'] as const) if (typeof body[field] !== 'string') return validationFailed('PullRequestReviewComment', field, 'missing_field');
    const id = this.state.nextId();
    const comment = Object.assign(this.state.example('pull-request-review-comment'), {
      id,
      body: body.body,
      path: body.path,
      line: body.line ?? null,
      side: body.side ?? 'RIGHT',
      commit_id: body.commit_id,
      user: this.state.user('octo-bot'),
      html_url: `${pull.html_url}#discussion_r${id}`,
      created_at: this.state.now(),
      updated_at: this.state.now(),
    });
    state.reviewComments.push(comment);
    return jsonResponse(201, comment);
  }

  // --- Issues -----------------------------------------------------------------------------------------

  private listIssues(request: PeerRequest, state: RepositoryState): PeerResponse {
    const wanted = request.query.get('state') ?? 'open';
    const since = request.query.get('since');
    let issues = state.issues.filter((issue) => (wanted === 'all' || issue.state === wanted) && (!since || Date.parse(issue.updated_at) >= Date.parse(since)));
    const labels = request.query.get('labels')?.split(',').filter(Boolean);
    if (labels?.length) issues = issues.filter((issue) => labels.every((label) => issue.labels.some((candidate: Json) => candidate.name === label)));
    issues = sortBy(issues, request.query.get('sort') === 'updated' ? 'updated_at' : 'created_at', request.query.get('direction') ?? 'desc');
    return this.page(request, `${repoPath(state)}/issues`, issues);
  }

  private createIssue(request: PeerRequest, state: RepositoryState): PeerResponse {
    const body = jsonOf(request);
    if (!body) return githubError(400, 'Problems parsing JSON');
    if (typeof body.title !== 'string' || body.title.length === 0) return validationFailed('Issue', 'title', 'missing_field');
    const issue = this.state.issue(state, {
      number: this.state.nextNumber(state),
      title: body.title,
      body: body.body ?? null,
      labels: body.labels ?? [],
      assignees: body.assignees ?? [],
      author: 'octo-bot',
    });
    state.issues.push(issue);
    return jsonResponse(201, issue, { location: issue.url });
  }

  private comment(request: PeerRequest, state: RepositoryState, issue: Json): PeerResponse {
    const body = jsonOf(request) ?? {};
    if (typeof body.body !== 'string' || body.body.length === 0) return validationFailed('IssueComment', 'body', 'missing_field');
    const id = this.state.nextId();
    const comment = Object.assign(this.state.example('issue-comment'), {
      id,
      body: body.body,
      user: this.state.user('octo-bot'),
      html_url: `${issue.html_url}#issuecomment-${id}`,
      issue_url: issue.url,
      created_at: this.state.now(),
      updated_at: this.state.now(),
    });
    state.comments.push(comment);
    issue.comments = (issue.comments ?? 0) + 1;
    issue.updated_at = this.state.now();
    return jsonResponse(201, comment);
  }

  // --- Checks and statuses ----------------------------------------------------------------------------

  private createCheckRun(request: PeerRequest, state: RepositoryState): PeerResponse {
    const body = jsonOf(request) ?? {};
    if (typeof body.name !== 'string') return validationFailed('CheckRun', 'name', 'missing_field');
    if (typeof body.head_sha !== 'string') return validationFailed('CheckRun', 'head_sha', 'missing_field');
    if (body.status === 'completed' && !body.conclusion) return validationFailed('CheckRun', 'conclusion', 'missing_field');
    const id = this.state.nextId();
    const run = Object.assign(this.state.example('check-run'), {
      id,
      name: body.name,
      head_sha: body.head_sha,
      status: body.status ?? 'queued',
      conclusion: body.conclusion ?? null,
      details_url: body.details_url ?? null,
      external_id: body.external_id ?? '',
      started_at: body.started_at ?? this.state.now(),
      completed_at: body.completed_at ?? null,
      html_url: `https://github.com/${state.json.full_name}/runs/${id}`,
      url: `${this.apiUrl()}${repoPath(state)}/check-runs/${id}`,
    });
    if (body.output) run.output = { ...run.output, ...body.output };
    state.checkRuns.push(run);
    return jsonResponse(201, run);
  }

  private updateCheckRun(request: PeerRequest, state: RepositoryState, id: number): PeerResponse {
    const run = state.checkRuns.find((candidate) => candidate.id === id);
    if (!run) return notFound();
    const body = jsonOf(request) ?? {};
    if (body.status === 'completed' && !body.conclusion && !run.conclusion) return validationFailed('CheckRun', 'conclusion', 'missing_field');
    for (const field of ['name', 'status', 'conclusion', 'details_url', 'external_id', 'started_at', 'completed_at'] as const)
      if (body[field] !== undefined) run[field] = body[field];
    if (body.conclusion && !body.status) run.status = 'completed';
    if (body.output) run.output = { ...run.output, ...body.output };
    return jsonResponse(200, run);
  }

  private createStatus(request: PeerRequest, state: RepositoryState, commit: string): PeerResponse {
    const body = jsonOf(request) ?? {};
    if (!['error', 'failure', 'pending', 'success'].includes(body.state)) return validationFailed('Status', 'state', 'invalid');
    const status = Object.assign(this.state.example('status'), {
      id: this.state.nextId(),
      state: body.state,
      context: body.context ?? 'default',
      description: body.description ?? null,
      target_url: body.target_url ?? null,
      url: `${this.apiUrl()}${repoPath(state)}/statuses/${commit}`,
      created_at: this.state.now(),
      updated_at: this.state.now(),
      creator: this.state.user('octo-bot'),
    });
    state.statuses.push({ ...status, sha: commit });
    return jsonResponse(201, status);
  }

  // --- Actions ----------------------------------------------------------------------------------------

  private dispatch(request: PeerRequest, state: RepositoryState, workflowId: string): PeerResponse {
    const workflow = findWorkflow(state, workflowId);
    if (!workflow) return notFound();
    const body = jsonOf(request) ?? {};
    if (typeof body.ref !== 'string') return validationFailed('Workflow', 'ref', 'missing_field');
    if (!state.branches.has(body.ref.replace(/^refs\/heads\//, ''))) return githubError(422, `No ref found for: ${body.ref}`);
    state.dispatches.push({ workflow, ref: body.ref, inputs: body.inputs ?? {} });
    state.runs.unshift(this.state.workflowRun(state, workflow, body.ref.replace(/^refs\/heads\//, ''), 'workflow_dispatch'));
    return { status: 204 };
  }

  private listRuns(request: PeerRequest, state: RepositoryState, runs: Json[], path: string): PeerResponse {
    const branch = request.query.get('branch');
    const filtered = runs.filter((run) => !branch || run.head_branch === branch);
    const page = this.slice(request, filtered);
    return jsonResponse(200, { total_count: filtered.length, workflow_runs: page.items }, page.link ? { link: this.linkHeader(request, path, page) } : {});
  }

  // --- Contents ---------------------------------------------------------------------------------------

  private contents(request: PeerRequest, state: RepositoryState, path: string): PeerResponse {
    const fullName = state.json.full_name as string;
    const ref = request.query.get('ref') ?? state.json.default_branch;
    if (!state.branches.has(ref)) return githubError(404, `No commit found for the ref ${ref}`);
    const file = state.files.get(path);
    const entry = (entryPath: string, type: 'file' | 'dir') => ({
      type,
      name: entryPath.split('/').pop(),
      path: entryPath,
      sha: sha(`${fullName}:${ref}:${entryPath}`),
      size: type === 'file' ? Buffer.byteLength(state.files.get(entryPath) ?? '') : 0,
      url: `${this.apiUrl()}${repoPath(state)}/contents/${entryPath}?ref=${ref}`,
      html_url: `https://github.com/${fullName}/blob/${ref}/${entryPath}`,
      git_url: `${this.apiUrl()}${repoPath(state)}/git/blobs/${sha(entryPath)}`,
      download_url: type === 'file' ? `https://raw.githubusercontent.com/${fullName}/${ref}/${entryPath}` : null,
      _links: { self: `${this.apiUrl()}${repoPath(state)}/contents/${entryPath}`, git: null, html: null },
    });
    if (file !== undefined) {
      // GitHub wraps base64 content at 60 characters.
      const content = Buffer.from(file).toString('base64').replace(/.{60}/g, '$&\n');
      return jsonResponse(200, { ...entry(path, 'file'), encoding: 'base64', content: `${content}\n` });
    }
    const children = new Map<string, 'file' | 'dir'>();
    for (const candidate of state.files.keys()) {
      if (!candidate.startsWith(`${path}/`)) continue;
      const [first, ...rest] = candidate.slice(path.length + 1).split('/');
      children.set(`${path}/${first}`, rest.length > 0 ? 'dir' : 'file');
    }
    if (children.size === 0) return notFound();
    return jsonResponse(
      200,
      [...children].map(([childPath, type]) => entry(childPath, type)),
    );
  }

  // --- Paging -----------------------------------------------------------------------------------------

  private page(request: PeerRequest, path: string, items: unknown[]): PeerResponse {
    const page = this.slice(request, items);
    return jsonResponse(200, page.items, page.link ? { link: this.linkHeader(request, path, page) } : {});
  }

  private slice<T>(request: PeerRequest, items: T[]): { items: T[]; page: number; perPage: number; last: number; link: boolean } {
    const page = positive(request.query.get('page')) ?? 1;
    const perPage = Math.min(positive(request.query.get('per_page')) ?? DEFAULT_PER_PAGE, MAX_PER_PAGE);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    return { items: items.slice((page - 1) * perPage, page * perPage), page, perPage, last, link: last > 1 };
  }

  /** GitHub's Link header: absolute URLs, the request's own query with `page` replaced. */
  private linkHeader(request: PeerRequest, path: string, page: { page: number; last: number }): string {
    const url = (number: number) => {
      const query = new URLSearchParams(request.query);
      query.set('page', String(number));
      return `<${this.apiUrl()}${path}?${query}>`;
    };
    const links: string[] = [];
    if (page.page > 1) links.push(`${url(page.page - 1)}; rel="prev"`);
    if (page.page < page.last) links.push(`${url(page.page + 1)}; rel="next"`, `${url(page.last)}; rel="last"`);
    if (page.page > 1) links.push(`${url(1)}; rel="first"`);
    return links.join(', ');
  }
}

function repoPath(state: RepositoryState): string {
  return `/repos/${state.json.full_name}`;
}

function findWorkflow(state: RepositoryState, id: string): Json | undefined {
  return state.workflows.find((workflow) => String(workflow.id) === id || workflow.path.endsWith(`/${id}`));
}

function jsonOf(request: PeerRequest): Json | undefined {
  try {
    const parsed = JSON.parse(request.body.toString('utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Json) : undefined;
  } catch {
    return undefined;
  }
}

function sortBy(items: Json[], field: string, direction: string): Json[] {
  const sorted = [...items].sort((a, b) => Date.parse(a[field]) - Date.parse(b[field]) || a.number - b.number);
  return direction === 'asc' ? sorted : sorted.reverse();
}

function positive(value: string | null): number | undefined {
  const number = Number(value);
  return value !== null && Number.isInteger(number) && number > 0 ? number : undefined;
}
