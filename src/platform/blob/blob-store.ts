import type { Readable } from 'node:stream';
import { TENANT_ID_PATTERN } from '../context/tenant-id';

/** What is known about a stored blob besides its bytes. */
export interface BlobProperties {
  /** The name as the caller gave it (without the tenant prefix). */
  readonly name: string;
  readonly contentType: string;
  /** Keys are lower-case (see PutBlobOptions.metadata). */
  readonly metadata: Readonly<Record<string, string>>;
  readonly size: number;
  readonly etag?: string;
  readonly lastModified?: Date;
}

export interface PutBlobOptions {
  /** Printable ASCII, at most 255 characters; `application/octet-stream` when omitted. */
  contentType?: string;
  /**
   * Keys: a letter or `_`, then letters, digits and `_` (Azure's rule for metadata names), stored
   * lower-case because Azure returns them so. Values: non-empty printable ASCII without surrounding
   * spaces (Azure drops empty values and trims spaces).
   * At most 8 KiB of keys and values together.
   */
  metadata?: Record<string, string>;
}

/** A tenant id, blob name, content type or metadata the port refuses: a client error (HTTP 400). */
export abstract class InvalidBlobInputError extends Error {}

export class InvalidBlobNameError extends InvalidBlobInputError {
  constructor(
    readonly field: 'tenantId' | 'name',
    readonly value: string,
    reason: string,
  ) {
    super(`Invalid blob ${field} ${JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)}: ${reason}`);
    this.name = 'InvalidBlobNameError';
  }
}

export class InvalidBlobMetadataError extends InvalidBlobInputError {
  constructor(reason: string) {
    super(`Invalid blob properties: ${reason}`);
    this.name = 'InvalidBlobMetadataError';
  }
}

/** A streamed put lost a race with a concurrent put to the same name and was not stored; retry it (HTTP 409). */
export class BlobWriteConflictError extends Error {
  constructor(
    readonly tenantId: string,
    readonly blobName: string,
  ) {
    super(`Blob ${JSON.stringify(blobName)} was written concurrently; this put was not stored`);
    this.name = 'BlobWriteConflictError';
  }
}

/**
 * The payload store (the blob port). Every blob belongs to a tenant: names are stored under
 * `tenants/<tenantId>/<name>`, so one tenant can never address another's payloads.
 * Production: Azure Blob Storage. Embedded default: files under DATA_DIR/blobs.
 *
 * Names are `/`-separated paths (see `blobKey`), case-sensitive, in a flat namespace: `a` and `a/b`
 * are two independent blobs. A put replaces the blob as a whole (bytes, content type and metadata);
 * readers see the old or the new version, never a mix. Concurrent puts to one name leave one
 * complete version (the last to finish); on Azure, a streamed put that loses such a race rejects
 * with BlobWriteConflictError (its staged blocks were discarded by the winner's commit).
 * Every method throws an InvalidBlobInputError for input the port refuses.
 */
export abstract class BlobStore {
  /** Stores (or replaces) a blob; a Readable is consumed as it arrives, never buffered whole. */
  abstract put(tenantId: string, name: string, data: Buffer | Readable, options?: PutBlobOptions): Promise<BlobProperties>;
  /** The whole blob, or null when it does not exist. */
  abstract get(tenantId: string, name: string): Promise<{ data: Buffer; properties: BlobProperties } | null>;
  /** A stream of the blob, or null when it does not exist. The caller must consume or destroy the stream. */
  abstract stream(tenantId: string, name: string): Promise<{ stream: Readable; properties: BlobProperties } | null>;
  abstract exists(tenantId: string, name: string): Promise<boolean>;
  /** True when a blob was deleted, false when there was none. */
  abstract delete(tenantId: string, name: string): Promise<boolean>;
  /** Resolves when the backend is usable (readiness). */
  abstract ping(): Promise<void>;
}

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';
export const MAX_BLOB_NAME_LENGTH = 512;

/** Unicode letters, marks and digits plus `_ - . + = @ ~`: unambiguous in URLs and in file names. */
const NAME_SEGMENT = /^[\p{L}\p{M}\p{N}_\-.+=@~]+$/u;
const METADATA_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const MAX_METADATA_BYTES = 8 * 1024;

/**
 * Validates a tenant id and blob name and returns the storage key `tenants/<tenantId>/<name>`.
 * A name is 1–512 characters of `/`-separated segments; no empty, `.` or `..` segment, no segment
 * ending in `.` (Azure and Windows drop trailing dots), no leading or trailing `/`, no backslash.
 */
export function blobKey(tenantId: string, name: string): string {
  if (typeof tenantId !== 'string' || !TENANT_ID_PATTERN.test(tenantId)) {
    throw new InvalidBlobNameError('tenantId', String(tenantId), 'must be 1-128 letters, digits, `.`, `_`, `:` or `-`, starting with a letter or digit');
  }
  if (typeof name !== 'string' || name.length === 0) throw new InvalidBlobNameError('name', String(name ?? ''), 'must not be empty');
  if (name.length > MAX_BLOB_NAME_LENGTH) throw new InvalidBlobNameError('name', name, `must be at most ${MAX_BLOB_NAME_LENGTH} characters`);
  if (name.includes('\\')) throw new InvalidBlobNameError('name', name, 'must not contain a backslash');
  if (name.startsWith('/')) throw new InvalidBlobNameError('name', name, 'must not start with `/`');
  for (const segment of name.split('/')) {
    if (segment === '') throw new InvalidBlobNameError('name', name, 'must not contain empty segments (`//` or a trailing `/`)');
    if (segment === '.' || segment === '..') throw new InvalidBlobNameError('name', name, 'must not contain `.` or `..` segments');
    if (segment.endsWith('.')) throw new InvalidBlobNameError('name', name, 'segments must not end with `.`');
    if (!NAME_SEGMENT.test(segment)) {
      throw new InvalidBlobNameError('name', name, 'may only contain letters, digits, `/` and `_ - . + = @ ~`');
    }
  }
  return `tenants/${tenantId}/${name}`;
}

/** Validates content type and metadata and returns them normalized (default content type, lower-case keys). */
export function blobWriteProperties(options: PutBlobOptions = {}): { contentType: string; metadata: Record<string, string> } {
  const contentType = options.contentType ?? DEFAULT_CONTENT_TYPE;
  if (contentType.length === 0 || contentType.length > 255 || !PRINTABLE_ASCII.test(contentType) || contentType.trim() !== contentType) {
    throw new InvalidBlobMetadataError('the content type must be 1-255 printable ASCII characters without surrounding spaces');
  }
  const metadata = new Map<string, string>();
  let bytes = 0;
  for (const [key, value] of Object.entries(options.metadata ?? {})) {
    if (!METADATA_KEY.test(key)) throw new InvalidBlobMetadataError(`metadata key ${JSON.stringify(key)} must be a letter or _ followed by letters, digits or _`);
    if (typeof value !== 'string' || value.length === 0 || !PRINTABLE_ASCII.test(value) || value.trim() !== value) {
      throw new InvalidBlobMetadataError(`metadata value of ${JSON.stringify(key)} must be non-empty printable ASCII without surrounding spaces`);
    }
    const normalized = key.toLowerCase();
    if (metadata.has(normalized)) throw new InvalidBlobMetadataError(`metadata key ${JSON.stringify(key)} is given twice (keys are case-insensitive)`);
    metadata.set(normalized, value);
    bytes += key.length + value.length;
  }
  if (bytes > MAX_METADATA_BYTES) throw new InvalidBlobMetadataError(`metadata must be at most ${MAX_METADATA_BYTES} bytes of keys and values`);
  return { contentType, metadata: Object.fromEntries(metadata) };
}
