import type { Readable } from 'node:stream';

/** What is known about a stored blob besides its bytes. */
export interface BlobProperties {
  /** The name as the caller gave it (without the tenant prefix). */
  readonly name: string;
  readonly contentType: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly size: number;
  readonly etag?: string;
  readonly lastModified?: Date;
}

export interface PutBlobOptions {
  contentType?: string;
  /** Keys: letters, digits and `_` (Azure's rule for metadata names); values: printable ASCII. */
  metadata?: Record<string, string>;
}

/**
 * The payload store (the blob port). Every blob belongs to a tenant: names are stored under
 * `tenants/<tenantId>/<name>`, so one tenant can never address another's payloads.
 * Production: Azure Blob Storage. Embedded default: files under DATA_DIR/blobs.
 */
export abstract class BlobStore {
  abstract put(tenantId: string, name: string, data: Buffer | Readable, options?: PutBlobOptions): Promise<BlobProperties>;
  /** The whole blob, or null when it does not exist. */
  abstract get(tenantId: string, name: string): Promise<{ data: Buffer; properties: BlobProperties } | null>;
  /** A stream of the blob, or null when it does not exist. */
  abstract stream(tenantId: string, name: string): Promise<{ stream: Readable; properties: BlobProperties } | null>;
  abstract exists(tenantId: string, name: string): Promise<boolean>;
  /** True when a blob was deleted, false when there was none. */
  abstract delete(tenantId: string, name: string): Promise<boolean>;
  /** Resolves when the backend is usable (readiness). */
  abstract ping(): Promise<void>;
}
