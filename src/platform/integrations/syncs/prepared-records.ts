import { IntegrationError } from '../../resilience/failure-classifier';
import type { SyncRecordInput } from '../../vendors/vendor-descriptor';
import { canonicalJson, contentHash } from './content-hash';

const MAX_EXTERNAL_ID = 256;

/** A record of a page as the store keeps it: its canonical JSON and that JSON's hash. */
export interface PreparedRecord {
  externalId: string;
  canonical: string;
  hash: string;
  /** ISO, normalised; null when the source gave none (or none that parses). */
  updatedAt: string | null;
  deleted: boolean;
}

/** Validated, hashed, and one entry per id (a page that lists a record twice keeps its last copy). */
export function prepareRecords(inputs: readonly SyncRecordInput[]): PreparedRecord[] {
  const byId = new Map<string, PreparedRecord>();
  for (const input of inputs) {
    if (typeof input?.id !== 'string' || input.id.length === 0 || input.id.length > MAX_EXTERNAL_ID) {
      throw IntegrationError.validation('sync_record_invalid', `A sync source answered a record whose id is not a string of 1 to ${MAX_EXTERNAL_ID} characters`);
    }
    const canonical = canonicalJson(input.data ?? null);
    const updatedAt = typeof input.updatedAt === 'string' && !Number.isNaN(Date.parse(input.updatedAt)) ? new Date(input.updatedAt).toISOString() : null;
    byId.delete(input.id);
    byId.set(input.id, { externalId: input.id, canonical, hash: contentHash(canonical), updatedAt, deleted: input.deleted === true });
  }
  return [...byId.values()];
}
