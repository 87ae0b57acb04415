/** What a console sees of something that happened in its tenant: enough to know what to refetch. */
export interface LiveEvent {
  readonly id: string;
  /** A platform event type (`IntegrationConnectionEstablished`, a vendor's `com.<vendor>.<event>`…) or `DeliveryAttempted`. */
  readonly type: string;
  readonly subject?: string;
  readonly time: string;
  readonly data?: unknown;
}

export type LiveListener = (event: LiveEvent) => void;

/**
 * The tenant-scoped feed behind the console's live pages. Best effort by design: an event a listener
 * misses is recovered by the listener refetching (on reconnect, and on the next event), so publishing
 * never waits, never throws, and costs nothing for a tenant nobody is watching.
 */
export abstract class LiveEvents {
  abstract publish(tenantId: string, event: LiveEvent): void;
  /** Returns the unsubscribe. */
  abstract subscribe(tenantId: string, listener: LiveListener): () => void;
}

/** One process: listeners by tenant. */
export class InProcessLiveEvents extends LiveEvents {
  private readonly listeners = new Map<string, Set<LiveListener>>();

  publish(tenantId: string, event: LiveEvent): void {
    const listeners = this.listeners.get(tenantId);
    if (!listeners) return;
    for (const listener of listeners) {
      try {
        listener(event);
      } catch {
        // A listener is a socket write; one broken stream must not keep the event from the others.
      }
    }
  }

  subscribe(tenantId: string, listener: LiveListener): () => void {
    let listeners = this.listeners.get(tenantId);
    if (!listeners) this.listeners.set(tenantId, (listeners = new Set()));
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && this.listeners.get(tenantId) === listeners) this.listeners.delete(tenantId);
    };
  }

  watching(tenantId: string): boolean {
    return this.listeners.has(tenantId);
  }

  tenants(): string[] {
    return [...this.listeners.keys()];
  }
}
