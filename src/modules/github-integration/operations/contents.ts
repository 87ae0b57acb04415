import type { VendorOperation } from '../../../platform/vendors/vendor-descriptor';
import { GitHubJson, NULLABLE_STRING, objectSchema, query, REF, repoInput, repoPath, stringOrNull } from './shared';

/** A path in the repository: segments without `.`/`..`, no leading or doubled slash. */
const CONTENT_PATH = { type: 'string', maxLength: 4096, pattern: '^(?:(?!\\.\\.?(?:/|$))[^/\\u0000]+)(?:/(?!\\.\\.?(?:/|$))[^/\\u0000]+)*$' } as const;

const ENTRY = objectSchema({
  type: { type: 'string', enum: ['file', 'dir', 'symlink', 'submodule'] },
  name: { type: 'string' },
  path: { type: 'string' },
  sha: { type: 'string' },
  size: { type: 'integer' },
});

export const CONTENT_OUTPUT = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'path', 'name', 'sha', 'size'],
  properties: {
    type: { type: 'string', enum: ['file', 'dir', 'symlink', 'submodule'] },
    path: { type: 'string' },
    name: { type: 'string' },
    sha: { type: 'string' },
    size: { type: 'integer' },
    encoding: { type: 'string', description: 'For a file: how content is encoded (base64; "none" for files over 1 MB, which carry no content)' },
    content: { type: 'string', description: 'For a file: its bytes in the given encoding, without line breaks' },
    target: NULLABLE_STRING,
    entries: { type: 'array', items: ENTRY, description: 'For a directory: what it holds' },
  },
} as const;

function toEntry(entry: GitHubJson) {
  return { type: entry.type, name: entry.name, path: entry.path, sha: entry.sha, size: typeof entry.size === 'number' ? entry.size : 0 };
}

export function toContent(body: unknown, path: string) {
  if (Array.isArray(body)) {
    const name = path.split('/').pop() ?? path;
    return { type: 'dir', path, name, sha: '', size: 0, entries: body.filter((item) => typeof item === 'object' && item !== null).map(toEntry) };
  }
  const item = (typeof body === 'object' && body !== null ? body : {}) as GitHubJson;
  const content = { ...toEntry(item) };
  if (item.type === 'file') return { ...content, encoding: item.encoding ?? 'base64', content: typeof item.content === 'string' ? item.content.replace(/\s+/g, '') : '' };
  if (item.type === 'symlink') return { ...content, target: stringOrNull(item.target) };
  return content;
}

export const GET_CONTENT: VendorOperation<{ owner: string; repo: string; path: string; ref?: string }> = {
  name: 'github.contents.get',
  description: 'Gets a file (base64 content) or a directory listing at a path, on a ref (default: the default branch)',
  effect: 'read',
  input: repoInput({ path: CONTENT_PATH, ref: REF }, ['path']),
  output: CONTENT_OUTPUT,
  request: (input) => ({ method: 'GET', path: `${repoPath(input, 'contents')}/${input.path.split('/').map(encodeURIComponent).join('/')}`, query: query({ ref: input.ref }) }),
  result: (answer, input) => toContent(answer.body, input.path),
};
