import { randomUUID } from 'node:crypto';
import type { PeerRequest } from '../peer-http';

/** What the peer's resources know of where they are served: API URLs in answers point back at the peer. */
export interface PeerLocation {
  /** `http://127.0.0.1:<port>/<organization>`. */
  readonly collectionUrl: string;
}

export interface Project {
  readonly id: string;
  readonly name: string;
}

export const IDENTITY = { id: 'd6245f20-2af8-44f4-9451-8107cb2767db', displayName: 'Platform Automation', uniqueName: 'automation@fabrikam.example' };

export function newProject(name: string): Project {
  return { id: randomUUID(), name };
}

/** Finds a project or repository by name (case-insensitively, as Azure DevOps does) or by id. */
export function byNameOrId<T extends { id: string; name: string }>(items: Iterable<T>, key: string): T | undefined {
  const wanted = key.toLowerCase();
  for (const item of items) if (item.id === key || item.name.toLowerCase() === wanted) return item;
  return undefined;
}

/** The request body as a JSON object; undefined when it is not one. */
export function jsonObjectBody(request: PeerRequest): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(request.body.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
