export type CacheBackendState = 'connecting' | 'ready' | 'unavailable' | 'closed';

export interface CacheBackendStatus {
  readonly backend: 'redis' | 'in-process';
  readonly state: CacheBackendState;
  /** host:port of Redis; never the URL, which may hold a password. */
  readonly endpoint?: string;
  /** Why Redis is unavailable, while it is. */
  readonly lastError?: string;
}

/**
 * Informational only (an operator's health detail). The cache never gates readiness: every call site
 * has a fail mode for an unavailable backend.
 */
export abstract class CacheStatus {
  abstract status(): CacheBackendStatus;
}

export class InProcessCacheStatus extends CacheStatus {
  status(): CacheBackendStatus {
    return { backend: 'in-process', state: 'ready' };
  }
}
