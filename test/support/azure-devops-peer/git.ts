import { randomUUID } from 'node:crypto';
import { jsonResponse, PeerRequest, PeerResponse } from '../peer-http';
import { azureDevOpsError, badRequest } from './errors';
import { byNameOrId, IDENTITY, jsonObjectBody, PeerLocation, Project } from './model';
import { listEnvelope, skipPage } from './paging';

export interface Repository {
  readonly id: string;
  readonly name: string;
  readonly project: Project;
}

export interface PullRequest {
  readonly pullRequestId: number;
  readonly repository: Repository;
  title: string;
  description?: string;
  status: 'active' | 'abandoned' | 'completed';
  isDraft: boolean;
  sourceRefName: string;
  targetRefName: string;
  creationDate: string;
  reviewers: Array<{ id: string }>;
  threads: Array<Record<string, unknown>>;
}

const DEFAULT_PULL_REQUEST_TOP = 101;

/** Git repositories, pull requests and their threads, as `/{project}/_apis/git/...` serves them. */
export class GitResources {
  readonly repositories: Repository[] = [];
  readonly pullRequests: PullRequest[] = [];
  private nextPullRequestId = 1;

  constructor(private readonly location: PeerLocation) {}

  addRepository(project: Project, name: string): Repository {
    const repository = { id: randomUUID(), name, project };
    this.repositories.push(repository);
    return repository;
  }

  addPullRequest(repository: Repository, fields: Partial<Pick<PullRequest, 'title' | 'status' | 'sourceRefName' | 'targetRefName'>> = {}): PullRequest {
    const id = this.nextPullRequestId++;
    const pullRequest: PullRequest = {
      pullRequestId: id,
      repository,
      title: fields.title ?? `Pull request ${id}`,
      status: fields.status ?? 'active',
      isDraft: false,
      sourceRefName: fields.sourceRefName ?? `refs/heads/topic-${id}`,
      targetRefName: fields.targetRefName ?? 'refs/heads/main',
      creationDate: new Date().toISOString(),
      reviewers: [],
      threads: [],
    };
    this.pullRequests.push(pullRequest);
    return pullRequest;
  }

  reset(): void {
    this.repositories.length = 0;
    this.pullRequests.length = 0;
    this.nextPullRequestId = 1;
  }

  /** `segments`: what follows `/_apis/git/`, decoded. */
  handle(project: Project, segments: readonly string[], request: PeerRequest): PeerResponse | undefined {
    const [collection, repositoryKey, child, pullRequestKey, grandchild] = segments;
    if (collection === 'pullrequests' && segments.length === 1 && request.method === 'GET') {
      return this.listPullRequests(
        this.pullRequests.filter((pullRequest) => pullRequest.repository.project === project),
        request,
      );
    }
    if (collection !== 'repositories') return undefined;
    const projectRepositories = this.repositories.filter((repository) => repository.project === project);
    if (segments.length === 1 && request.method === 'GET') return jsonResponse(200, listEnvelope(projectRepositories.map((repository) => this.repositoryJson(repository))));
    const repository = byNameOrId(projectRepositories, repositoryKey);
    if (!repository)
      return azureDevOpsError(
        404,
        'GitRepositoryNotFoundException',
        `TF401019: The Git repository with name or identifier ${repositoryKey} does not exist or you do not have permissions for the operation you are attempting.`,
      );
    if (segments.length === 2 && request.method === 'GET') return jsonResponse(200, this.repositoryJson(repository));
    if (child?.toLowerCase() !== 'pullrequests') return undefined;
    const ofRepository = this.pullRequests.filter((pullRequest) => pullRequest.repository === repository);
    if (segments.length === 3) {
      if (request.method === 'GET') return this.listPullRequests(ofRepository, request);
      if (request.method === 'POST') return this.createPullRequest(repository, request);
      return undefined;
    }
    const pullRequest = ofRepository.find((candidate) => String(candidate.pullRequestId) === pullRequestKey);
    if (!pullRequest) return azureDevOpsError(404, 'GitPullRequestNotFoundException', `TF401180: The requested pull request was not found.`);
    if (segments.length === 4 && request.method === 'GET') return jsonResponse(200, this.pullRequestJson(pullRequest));
    if (segments.length === 5 && grandchild === 'threads' && request.method === 'POST') return this.createThread(pullRequest, request);
    return undefined;
  }

  private listPullRequests(candidates: readonly PullRequest[], request: PeerRequest): PeerResponse {
    const status = request.query.get('searchCriteria.status') ?? 'active';
    const filters: Array<[string, (pullRequest: PullRequest) => string]> = [
      ['searchCriteria.sourceRefName', (pullRequest) => pullRequest.sourceRefName],
      ['searchCriteria.targetRefName', (pullRequest) => pullRequest.targetRefName],
      ['searchCriteria.repositoryId', (pullRequest) => pullRequest.repository.id],
    ];
    const matching = candidates
      .filter((pullRequest) => status === 'all' || pullRequest.status === status)
      .filter((pullRequest) => filters.every(([name, field]) => request.query.get(name) === null || field(pullRequest) === request.query.get(name)))
      // Newest first, as Azure DevOps lists them.
      .sort((a, b) => b.pullRequestId - a.pullRequestId);
    return jsonResponse(200, listEnvelope(skipPage(matching, request, DEFAULT_PULL_REQUEST_TOP).map((pullRequest) => this.pullRequestJson(pullRequest))));
  }

  private createPullRequest(repository: Repository, request: PeerRequest): PeerResponse {
    const body = jsonObjectBody(request);
    if (!body || typeof body.sourceRefName !== 'string' || typeof body.targetRefName !== 'string' || typeof body.title !== 'string') {
      return badRequest('TF401178: The pull request needs sourceRefName, targetRefName and title.', 'InvalidArgumentValueException');
    }
    for (const ref of [body.sourceRefName, body.targetRefName]) {
      if (!ref.startsWith('refs/'))
        return badRequest(
          `TF401398: The pull request cannot be activated because the source and/or the target branch no longer exists, or the requested refs are not branches: ${ref}`,
          'GitPullRequestCannotBeActivated',
        );
    }
    const pullRequest = this.addPullRequest(repository, { title: body.title, sourceRefName: body.sourceRefName, targetRefName: body.targetRefName });
    if (typeof body.description === 'string') pullRequest.description = body.description;
    pullRequest.isDraft = body.isDraft === true;
    if (Array.isArray(body.reviewers)) pullRequest.reviewers = body.reviewers as Array<{ id: string }>;
    return jsonResponse(201, this.pullRequestJson(pullRequest));
  }

  private createThread(pullRequest: PullRequest, request: PeerRequest): PeerResponse {
    const body = jsonObjectBody(request);
    const comments = Array.isArray(body?.comments) ? (body!.comments as Array<Record<string, unknown>>) : [];
    if (comments.length === 0 || typeof comments[0].content !== 'string') return badRequest('The thread needs at least one comment with content.', 'InvalidArgumentValueException');
    const id = pullRequest.threads.length + 1;
    const now = new Date().toISOString();
    const thread = {
      id,
      publishedDate: now,
      lastUpdatedDate: now,
      status: typeof body!.status === 'string' ? body!.status : 'active',
      comments: comments.map((comment, index) => ({
        id: index + 1,
        parentCommentId: comment.parentCommentId ?? 0,
        content: comment.content,
        commentType: comment.commentType ?? 'text',
        author: IDENTITY,
        publishedDate: now,
      })),
      _links: { self: { href: `${this.pullRequestUrl(pullRequest)}/threads/${id}` } },
    };
    pullRequest.threads.push(thread);
    return jsonResponse(200, thread);
  }

  private repositoryJson(repository: Repository): Record<string, unknown> {
    const base = this.location.collectionUrl;
    return {
      id: repository.id,
      name: repository.name,
      url: `${base}/${repository.project.id}/_apis/git/repositories/${repository.id}`,
      project: { id: repository.project.id, name: repository.project.name, state: 'wellFormed', visibility: 'private' },
      defaultBranch: 'refs/heads/main',
      size: 1024,
      remoteUrl: `${base}/${encodeURIComponent(repository.project.name)}/_git/${encodeURIComponent(repository.name)}`,
      webUrl: `${base}/${encodeURIComponent(repository.project.name)}/_git/${encodeURIComponent(repository.name)}`,
      isDisabled: false,
    };
  }

  private pullRequestUrl(pullRequest: PullRequest): string {
    return `${this.location.collectionUrl}/${pullRequest.repository.project.id}/_apis/git/repositories/${pullRequest.repository.id}/pullRequests/${pullRequest.pullRequestId}`;
  }

  private pullRequestJson(pullRequest: PullRequest): Record<string, unknown> {
    return {
      repository: this.repositoryJson(pullRequest.repository),
      pullRequestId: pullRequest.pullRequestId,
      codeReviewId: pullRequest.pullRequestId,
      status: pullRequest.status,
      createdBy: IDENTITY,
      creationDate: pullRequest.creationDate,
      title: pullRequest.title,
      ...(pullRequest.description !== undefined ? { description: pullRequest.description } : {}),
      sourceRefName: pullRequest.sourceRefName,
      targetRefName: pullRequest.targetRefName,
      mergeStatus: 'succeeded',
      isDraft: pullRequest.isDraft,
      mergeId: randomUUID(),
      reviewers: pullRequest.reviewers.map((reviewer) => ({ ...reviewer, vote: 0 })),
      url: this.pullRequestUrl(pullRequest),
      supportsIterations: true,
    };
  }
}
