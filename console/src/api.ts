/** The public API, same origin, relative URLs, `Authorization: Bearer` on every call. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** What an operator reads: the status and the server's message. */
  describe(): string {
    if (this.status === 0) return `Network error: ${this.message}`;
    if (this.status === 401) return `401 Unauthorized: ${this.message} (sign in again)`;
    if (this.status === 403) return `403 Forbidden: ${this.message} (the token lacks the scope this needs)`;
    return `${this.status}: ${this.message}`;
  }
}

export type Query = Record<string, string | number | boolean | undefined | null>;

/** `path?k=v` without the empty ones. */
export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export interface ApiClient {
  readonly token: string;
  get<T>(path: string, query?: Query): Promise<T>;
  send<T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T>;
}

type Fetch = typeof fetch;

export function createApi(token: string, onUnauthorized?: () => void, fetchImpl: Fetch = (...args) => fetch(...args)): ApiClient {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetchImpl(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (error) {
      throw new ApiError(0, error instanceof Error ? error.message : String(error));
    }
    const text = await response.text();
    let parsed: unknown = null;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    if (!response.ok) {
      if (response.status === 401) onUnauthorized?.();
      throw new ApiError(response.status, messageOf(parsed) ?? response.statusText ?? 'request failed', parsed);
    }
    return parsed as T;
  }
  return {
    token,
    get: (path, query) => call('GET', withQuery(path, query)),
    send: (method, path, body) => call(method, path, body),
  };
}

function messageOf(body: unknown): string | undefined {
  if (typeof body === 'string') return body.slice(0, 500);
  if (body && typeof body === 'object' && 'message' in body) {
    const message = (body as { message: unknown }).message;
    if (Array.isArray(message)) return message.join('; ');
    if (typeof message === 'string') return message;
  }
  return undefined;
}

export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.describe();
  return error instanceof Error ? error.message : String(error);
}
