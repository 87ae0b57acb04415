import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every depth: the same record always serialises (and hashes) the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sorted(value));
}

/** sha256 (hex) of the canonical JSON. */
export function contentHash(canonical: string): string {
  return createHash('sha256').update(canonical).digest('hex');
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value === null || typeof value !== 'object') return value;
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(value as Record<string, unknown>).sort()) {
    const entry = (value as Record<string, unknown>)[key];
    if (entry !== undefined) result[key] = sorted(entry);
  }
  return result;
}
