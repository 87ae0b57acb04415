import type { IncomingHttpHeaders } from 'node:http';

/** A request as the peer's handlers see it: the path decoded, the body read whole. */
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
  /** Sent as JSON when present. */
  readonly body?: unknown;
}
