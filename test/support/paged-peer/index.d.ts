import type { VendorDescriptor } from '../../../src/platform/vendors/vendor-descriptor';

export interface PagedPeerItem {
  id: string;
  name: string;
  version: number;
  updatedAt: string;
  [field: string]: unknown;
}

export interface PagedPeer {
  readonly url: string;
  readonly token: string;
  readonly state: { delayMs: number; etags: boolean; notModified: number; requests: number; inFlight: number; maxInFlight: number; failPages: Set<number> };
  /** How often each page was fetched, by `since#page`. */
  readonly fetches: Map<string, number>;
  readonly size: number;
  ids(): string[];
  put(id: string, fields?: Record<string, unknown>): PagedPeerItem;
  remove(id: string): void;
  resetCounts(): void;
  close(): Promise<void>;
}

export function startPagedPeer(options?: { records?: number; delayMs?: number; etags?: boolean; token?: string }): Promise<PagedPeer>;
export function pagedPeerDescriptor(perPage?: number): VendorDescriptor;
export const DEFAULT_PER_PAGE: number;
