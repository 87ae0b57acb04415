import type { Readable } from 'node:stream';
import type { ConnectionProfile } from '../../../platform/integrations/connections/connection-profile';

/** One object of a connection's store, by its full key (the connection's key prefix included). */
export interface ObjectLocation {
  readonly tenantId: string;
  readonly profile: ConnectionProfile;
  readonly key: string;
}

export interface ObjectProperties {
  /** The full key; the service strips the connection's prefix before answering. */
  readonly key: string;
  readonly size: number;
  readonly contentType: string | null;
  readonly etag: string | null;
  readonly lastModified: string | null;
}

export interface PutObject {
  /** The bytes, read once as they arrive: a provider never holds more than a part of them. */
  readonly body: Readable;
  readonly contentType: string;
  /** When the client declared it: a small object goes up in one call, a large one in parts. */
  readonly contentLength?: number;
}

export interface StoredObject extends ObjectProperties {
  /** SHA-256 (hex) of the bytes stored, computed as they streamed through. */
  readonly sha256: string;
}

export interface ByteRange {
  readonly start: number;
  /** Inclusive; undefined: to the end. */
  readonly end?: number;
}

export interface ObjectDownload {
  readonly properties: ObjectProperties;
  /** 206 for a range. */
  readonly status: 200 | 206;
  /** `bytes start-end/total`, for a range. */
  readonly contentRange?: string;
  readonly contentLength: number;
  /** The bytes as the provider sends them; must be consumed or destroyed. */
  readonly body: Readable;
}

export interface ObjectPage {
  readonly items: ObjectProperties[];
  readonly nextCursor: string | null;
}

export interface PresignedUrl {
  readonly url: string;
  readonly method: 'GET' | 'PUT';
  readonly expiresAt: string;
  /** Headers the request on the URL must carry (Azure's Put Blob needs `x-ms-blob-type`); none when absent. */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * One cloud's object storage behind the port (`/cloud/connections/{id}/objects`). Every exchange is a
 * governed call on the connection (credential, budgets, breaker, egress policy, a run). Throws an
 * IntegrationError classifying a failure; a missing object is `null`, not an error.
 */
export interface ObjectStoreProvider {
  readonly providerId: string;
  put(location: ObjectLocation, object: PutObject): Promise<StoredObject>;
  get(location: ObjectLocation, range?: ByteRange): Promise<ObjectDownload | null>;
  head(location: ObjectLocation): Promise<ObjectProperties | null>;
  /** True when an object was deleted; false when there was none (where the cloud tells). */
  delete(location: ObjectLocation): Promise<boolean>;
  list(tenantId: string, profile: ConnectionProfile, query: { prefix: string; cursor?: string; limit: number }): Promise<ObjectPage>;
  presign(location: ObjectLocation, request: { method: 'GET' | 'PUT'; expiresInSeconds: number }): Promise<PresignedUrl>;
}
