import { randomUUID } from 'node:crypto';

/** Aggregate ids: a readable prefix (`conn`, `cred`, `run`, …) and 32 random hex digits, e.g. `conn-3f2a…`. */
export function newId(prefix: string): string {
  return `${prefix}-${randomUUID().replace(/-/g, '')}`;
}
