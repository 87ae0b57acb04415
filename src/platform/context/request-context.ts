import { AsyncLocalStorage } from 'node:async_hooks';
import type { TraceContext } from '../observability/tracing';

/**
 * What is in scope for the unit of work being handled (an HTTP request, a bus message, a scheduled
 * tick): the tenant once authenticated, the trace, and ids worth having on every log line.
 */
export interface ContextStore {
  tenantId?: string;
  subject?: string;
  scopes?: ReadonlySet<string>;
  tokenExpiresAt?: Date;
  trace?: TraceContext;
  /** Ties the messages caused by one request or message together (sent onwards as correlationId). */
  correlationId?: string;
  /** Ids of the domain objects in scope (connectionId, runId, deliveryId, ...), copied into every log line. */
  ids: Record<string, string>;
}

const storage = new AsyncLocalStorage<ContextStore>();

export const RequestContext = {
  run<T>(store: Partial<ContextStore>, work: () => T): T {
    return storage.run({ ids: {}, ...store }, work);
  },

  /** Runs `work` in this very store, so what the work adds to it (the tenant, ids) stays visible to the caller. */
  runIn<T>(store: ContextStore, work: () => T): T {
    return storage.run(store, work);
  },

  current(): ContextStore | undefined {
    return storage.getStore();
  },

  /** Adds ids to the current scope's log fields (no-op outside a scope). */
  bindIds(ids: Record<string, string | undefined | null>): void {
    const store = storage.getStore();
    if (!store) return;
    for (const [key, value] of Object.entries(ids)) {
      if (value) store.ids[key] = value;
    }
  },
};
