import { randomBytes } from 'node:crypto';

const POOL_SIZE = 4096;
let pool = randomBytes(POOL_SIZE);
let offset = 0;

/**
 * Aggregate ids: a readable prefix (`conn`, `cred`, `run`, …) and 32 hex digits laid out like a UUIDv7:
 * 12 digits of milliseconds since the epoch, then 80 random bits. Ids of one table sort by creation time,
 * so new rows land at the end of the primary-key index instead of on a random page (a batch of inserts
 * touches a page or two, not one page per row), and they stay unguessable.
 */
export function newId(prefix: string): string {
  if (offset + 10 > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  const random = pool.toString('hex', offset, offset + 10);
  offset += 10;
  return `${prefix}-${Date.now().toString(16).padStart(12, '0')}${random}`;
}
