// The HTTP plumbing shared by the test peers that stand in for vendor APIs and Azure Key Vault.
import { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse, STATUS_CODES } from 'node:http';

/** A request as a test peer's handlers see it (the peer says whether `path` is decoded), the body read whole. */
export interface PeerRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface PeerResponse {
  readonly status: number;
  readonly headers?: Record<string, string>;
  /** A string or Buffer is sent as is; anything else as JSON. */
  readonly body?: unknown;
}

/** Query parameters as a plain object: a repeated parameter becomes an array. */
export type QueryObject = Record<string, string | string[]>;

export function queryToObject(query: URLSearchParams): QueryObject {
  const result: QueryObject = {};
  for (const name of new Set(query.keys())) {
    const values = query.getAll(name);
    result[name] = values.length === 1 ? values[0] : values;
  }
  return result;
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): PeerResponse {
  return { status, headers, body };
}

/** `{"message": "<reason phrase>"}`, the GitHub-style error body. */
export function messageResponse(status: number, message = STATUS_CODES[status] ?? 'Error', headers: Record<string, string> = {}): PeerResponse {
  return jsonResponse(status, { message }, headers);
}

/** Adds headers the response does not already set itself. */
export function withHeaders(response: PeerResponse, headers: Record<string, string>): PeerResponse {
  return { ...response, headers: { ...lowerCaseKeys(headers), ...lowerCaseKeys(response.headers ?? {}) } };
}

/** One header's value; a repeated header yields its first value. */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

export function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** Writes the answer unless the client has gone away meanwhile (e.g. it timed out during a delay). */
export function writeResponse(response: ServerResponse, answer: PeerResponse): void {
  if (response.destroyed || response.writableEnded) return;
  const { payload, contentType } = encodeBody(answer.body);
  const headers = lowerCaseKeys(answer.headers ?? {});
  if (contentType && !headers['content-type']) headers['content-type'] = contentType;
  response.writeHead(answer.status, headers);
  response.end(payload);
}

function encodeBody(body: unknown): { payload: Buffer | string; contentType?: string } {
  if (body === undefined) return { payload: '' };
  if (Buffer.isBuffer(body)) return { payload: body, contentType: 'application/octet-stream' };
  if (typeof body === 'string') return { payload: body, contentType: 'text/plain; charset=utf-8' };
  return { payload: JSON.stringify(body), contentType: 'application/json; charset=utf-8' };
}

/** Header names are case-insensitive; one spelling per name keeps a header from going out twice. */
function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

/** Listens on a free loopback port. */
export function listenLocally(server: Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
}

/** Stops the server, cutting its keep-alive connections instead of waiting for them. */
export async function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}
