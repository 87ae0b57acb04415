import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * Prefixed, URL-safe, sortable-by-time ids such as `conn-01knz3m4c8x2q7v9w3fk5h0t1a`: 10 characters of
 * millisecond time (base36, zero padded) and 16 random base36 characters (~82 bits).
 */
export function newId(prefix: string, now: number = Date.now()): string {
  const time = now.toString(36).padStart(10, '0');
  const bytes = randomBytes(16);
  let random = '';
  for (const byte of bytes) random += ALPHABET[byte % 36];
  return `${prefix}-${time}${random}`;
}
