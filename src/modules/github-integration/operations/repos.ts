import type { VendorOperation } from '../../../platform/vendors/vendor-descriptor';
import {
  bodyOf,
  GitHubJson,
  listOf,
  login,
  nextPageOf,
  NULLABLE_STRING,
  objectSchema,
  OWNER,
  PAGING,
  pageQuery,
  pageSchema,
  query,
  repoInput,
  repoPath,
  USER_LOGIN,
  WEB_URL,
} from './shared';

export const REPOSITORY_OUTPUT = objectSchema({
  id: { type: 'integer' },
  name: { type: 'string' },
  fullName: { type: 'string' },
  owner: USER_LOGIN,
  private: { type: 'boolean' },
  defaultBranch: NULLABLE_STRING,
  description: NULLABLE_STRING,
  archived: { type: 'boolean' },
  url: WEB_URL,
  updatedAt: NULLABLE_STRING,
});

export function toRepository(repo: GitHubJson) {
  return {
    id: repo.id,
    name: repo.name,
    fullName: repo.full_name,
    owner: login(repo.owner),
    private: repo.private === true,
    defaultBranch: repo.default_branch ?? null,
    description: repo.description ?? null,
    archived: repo.archived === true,
    url: repo.html_url,
    updatedAt: repo.updated_at ?? null,
  };
}

interface ListRepositoriesInput {
  org?: string;
  type?: string;
  sort?: string;
  direction?: string;
  perPage?: number;
  page?: number;
}

export const LIST_REPOSITORIES: VendorOperation<ListRepositoriesInput> = {
  name: 'github.repos.list',
  description: 'Lists the repositories of an organisation (org), or those the authenticated user can reach',
  effect: 'read',
  input: {
    type: 'object',
    additionalProperties: false,
    properties: {
      org: { ...OWNER, description: 'The organisation; without it, the authenticated user’s repositories' },
      type: { type: 'string', enum: ['all', 'owner', 'public', 'private', 'member', 'forks', 'sources'] },
      sort: { type: 'string', enum: ['created', 'updated', 'pushed', 'full_name'] },
      direction: { type: 'string', enum: ['asc', 'desc'] },
      ...PAGING,
    },
  },
  output: pageSchema(REPOSITORY_OUTPUT),
  request: (input) => ({
    method: 'GET',
    path: input.org ? `/orgs/${encodeURIComponent(input.org)}/repos` : '/user/repos',
    query: { ...query({ type: input.type, sort: input.sort, direction: input.direction }), ...pageQuery(input) },
  }),
  result: (answer) => ({ items: listOf(answer).map(toRepository), nextPage: nextPageOf(answer) }),
};

export const GET_REPOSITORY: VendorOperation<{ owner: string; repo: string }> = {
  name: 'github.repos.get',
  description: 'Gets a repository',
  effect: 'read',
  input: repoInput({}),
  output: REPOSITORY_OUTPUT,
  request: (input) => ({ method: 'GET', path: repoPath(input) }),
  result: (answer) => toRepository(bodyOf(answer)),
};
