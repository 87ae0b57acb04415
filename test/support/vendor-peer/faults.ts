import { STATUS_CODES } from 'node:http';

/** What the peer does with the next request to a path, instead of (or before) handling it normally. */
export type ScriptedBehaviour =
  /** Answer with this instead of handling the request; `body` as in a peer response (JSON unless string or Buffer). */
  | { status: number; headers?: Record<string, string>; body?: unknown }
  /** Wait, then handle the request normally. */
  | { delayMs: number }
  /** Destroy the socket without answering. */
  | { destroy: true };

interface ScriptEntry {
  readonly pathPrefix: string;
  readonly behaviour: ScriptedBehaviour;
}

/** Scripted behaviours, each consumed by the first request whose path starts with its prefix, in the order queued. */
export class FaultScript {
  private entries: ScriptEntry[] = [];

  get pending(): number {
    return this.entries.length;
  }

  enqueue(pathPrefix: string, behaviours: ScriptedBehaviour[]): void {
    for (const behaviour of behaviours) {
      assertBehaviour(behaviour);
      this.entries.push({ pathPrefix, behaviour });
    }
  }

  take(path: string): ScriptedBehaviour | undefined {
    const index = this.entries.findIndex((entry) => path.startsWith(entry.pathPrefix));
    return index < 0 ? undefined : this.entries.splice(index, 1)[0].behaviour;
  }

  clear(): void {
    this.entries = [];
  }
}

/** An error answer with a GitHub-style `{"message": ...}` body, e.g. `failure(503, { 'Retry-After': '1' })`. */
export function failure(status: number, headers?: Record<string, string>): ScriptedBehaviour {
  return { status, headers, body: { message: STATUS_CODES[status] ?? 'Error' } };
}

function assertBehaviour(behaviour: ScriptedBehaviour): void {
  const valid =
    ('destroy' in behaviour && behaviour.destroy === true) ||
    ('delayMs' in behaviour && behaviour.delayMs >= 0) ||
    ('status' in behaviour && Number.isInteger(behaviour.status) && behaviour.status >= 100 && behaviour.status <= 599);
  if (!valid) throw new Error(`Not a scripted behaviour: ${JSON.stringify(behaviour)}`);
}
