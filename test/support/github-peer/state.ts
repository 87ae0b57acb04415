import { createHash } from 'node:crypto';
import { GitHubOpenApi } from './openapi';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- GitHub's resources as plain JSON
export type Json = Record<string, any>;

export interface SeededRepository {
  owner: string;
  name: string;
  defaultBranch?: string;
  branches?: string[];
  private?: boolean;
  /** Files by path: their text. */
  files?: Record<string, string>;
  /** Workflow file names (`ci.yml`). */
  workflows?: string[];
}

export interface RepositoryState {
  json: Json;
  branches: Map<string, string>;
  pulls: Json[];
  issues: Json[];
  comments: Json[];
  reviews: Json[];
  reviewComments: Json[];
  checkRuns: Json[];
  statuses: Json[];
  workflows: Json[];
  runs: Json[];
  dispatches: Array<{ workflow: Json; ref: string; inputs: Json }>;
  files: Map<string, string>;
}

const WEB = 'https://github.com';

/**
 * The peer's repositories and what lives in them, shaped as GitHub's documented answers: each resource
 * starts from the OpenAPI description's example and carries the peer's own identity and state.
 */
export class GitHubState {
  readonly repositories = new Map<string, RepositoryState>();
  private lastId = 1000;
  private clock = Date.parse('2026-01-01T00:00:00Z');

  constructor(private readonly apiUrl: () => string) {}

  private get openApi(): GitHubOpenApi {
    return GitHubOpenApi.load();
  }

  /** Later than anything before: GitHub's timestamps are whole seconds. */
  now(): string {
    this.clock = Math.max(this.clock + 1000, Math.floor(Date.now() / 1000) * 1000);
    return new Date(this.clock).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  nextId(): number {
    return ++this.lastId;
  }

  seed(seeded: SeededRepository): RepositoryState {
    const fullName = `${seeded.owner}/${seeded.name}`;
    const defaultBranch = seeded.defaultBranch ?? 'main';
    const json = this.openApi.namedExample('full-repository');
    const id = this.nextId();
    Object.assign(json, {
      id,
      node_id: `R_${id}`,
      name: seeded.name,
      full_name: fullName,
      private: seeded.private ?? false,
      owner: this.user(seeded.owner),
      html_url: `${WEB}/${fullName}`,
      url: `${this.apiUrl()}/repos/${fullName}`,
      default_branch: defaultBranch,
      archived: false,
      has_discussions: false,
      description: `The ${seeded.name} repository`,
      updated_at: this.now(),
    });
    const branches = new Map<string, string>();
    for (const branch of new Set([defaultBranch, ...(seeded.branches ?? [])])) branches.set(branch, sha(`${fullName}:${branch}`));
    const state: RepositoryState = {
      json,
      branches,
      pulls: [],
      issues: [],
      comments: [],
      reviews: [],
      reviewComments: [],
      checkRuns: [],
      statuses: [],
      workflows: (seeded.workflows ?? []).map((file) => this.workflow(fullName, file)),
      runs: [],
      dispatches: [],
      files: new Map(Object.entries(seeded.files ?? {})),
    };
    this.repositories.set(fullName.toLowerCase(), state);
    return state;
  }

  repository(owner: string, name: string): RepositoryState | undefined {
    return this.repositories.get(`${owner}/${name}`.toLowerCase());
  }

  user(login: string): Json {
    return { ...this.openApi.namedExample('simple-user'), login, html_url: `${WEB}/${login}`, url: `${this.apiUrl()}/users/${login}` };
  }

  pull(repo: RepositoryState, fields: { number: number; title: string; body: string | null; head: string; base: string; draft: boolean; author: string }): Json {
    const example = this.openApi.namedExample('pull-request');
    const at = this.now();
    const fullName = repo.json.full_name as string;
    const side = (ref: string) => ({
      ...example.head,
      label: `${repo.json.owner.login}:${ref}`,
      ref,
      sha: repo.branches.get(ref) ?? sha(ref),
      repo: repo.json,
      user: repo.json.owner,
    });
    return Object.assign(example, {
      id: this.nextId(),
      number: fields.number,
      title: fields.title,
      body: fields.body,
      state: 'open',
      draft: fields.draft,
      merged: false,
      merged_at: null,
      closed_at: null,
      mergeable: true,
      // GitHub's example team lacks the `type` its schema requires.
      requested_teams: [],
      user: this.user(fields.author),
      head: side(fields.head),
      base: side(fields.base),
      html_url: `${WEB}/${fullName}/pull/${fields.number}`,
      url: `${this.apiUrl()}/repos/${fullName}/pulls/${fields.number}`,
      created_at: at,
      updated_at: at,
    });
  }

  issue(repo: RepositoryState, fields: { number: number; title: string; body: string | null; labels: string[]; assignees: string[]; author: string; pullRequest?: boolean }): Json {
    const example = this.openApi.namedExample('issue');
    const at = this.now();
    const fullName = repo.json.full_name as string;
    const issue = Object.assign(example, {
      id: this.nextId(),
      number: fields.number,
      title: fields.title,
      body: fields.body,
      state: 'open',
      labels: fields.labels.map((name) => ({ ...example.labels[0], id: this.nextId(), name })),
      assignees: fields.assignees.map((login) => this.user(login)),
      assignee: fields.assignees[0] ? this.user(fields.assignees[0]) : null,
      user: this.user(fields.author),
      html_url: `${WEB}/${fullName}/issues/${fields.number}`,
      url: `${this.apiUrl()}/repos/${fullName}/issues/${fields.number}`,
      created_at: at,
      updated_at: at,
      closed_at: null,
    });
    if (fields.pullRequest) issue.pull_request = { ...example.pull_request, html_url: `${WEB}/${fullName}/pull/${fields.number}` };
    else delete issue.pull_request;
    return issue;
  }

  /** The next issue or pull request number: they share one sequence per repository, as on GitHub. */
  nextNumber(repo: RepositoryState): number {
    return repo.issues.length + 1;
  }

  workflow(fullName: string, file: string): Json {
    return { id: this.nextId(), name: file.replace(/\.ya?ml$/, ''), path: `.github/workflows/${file}`, state: 'active', html_url: `${WEB}/${fullName}/actions/workflows/${file}` };
  }

  workflowRun(repo: RepositoryState, workflow: Json, ref: string, event: string): Json {
    const example = this.openApi.namedExample('workflow-run');
    const id = this.nextId();
    const at = this.now();
    const fullName = repo.json.full_name as string;
    return Object.assign(example, {
      id,
      name: workflow.name,
      workflow_id: workflow.id,
      run_number: repo.runs.length + 1,
      event,
      status: 'queued',
      conclusion: null,
      head_branch: ref,
      head_sha: repo.branches.get(ref) ?? sha(ref),
      actor: this.user('octo-bot'),
      html_url: `${WEB}/${fullName}/actions/runs/${id}`,
      url: `${this.apiUrl()}/repos/${fullName}/actions/runs/${id}`,
      repository: repo.json,
      head_repository: repo.json,
      created_at: at,
      updated_at: at,
    });
  }

  example(name: string): Json {
    return this.openApi.namedExample(name);
  }
}

export function sha(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}
