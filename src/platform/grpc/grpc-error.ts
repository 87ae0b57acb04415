import { Metadata, status } from '@grpc/grpc-js';

/** A call that ends with a non-OK status: its code, a message safe to show the caller, and trailing metadata. */
export class GrpcError extends Error {
  constructor(
    readonly code: status,
    message: string,
    readonly trailers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'GrpcError';
  }

  metadata(): Metadata {
    return toMetadata(this.trailers);
  }
}

export function toMetadata(values: Readonly<Record<string, string>>): Metadata {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(values)) metadata.set(key.toLowerCase(), value);
  return metadata;
}

export function statusName(code: status): string {
  return status[code] ?? String(code);
}
