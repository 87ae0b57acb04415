import { IntegrationError } from '../../../platform/resilience/failure-classifier';

const MAX_KEY_BYTES = 1024;
// Control characters make keys that tools cannot show or type; both clouds refuse some of them.
// eslint-disable-next-line no-control-regex -- the class is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * An object key as the caller gave it (`reports/2026/build.json`), checked: not empty, at most 1,024
 * bytes with the connection's prefix, no control characters, and no `.` / `..` segment, so a key can
 * never name something outside the connection's prefix once a tool normalises the path.
 */
export function checkedKey(key: string, field = 'key'): string {
  if (key.length === 0) throw IntegrationError.validation('object_key_invalid', `${field} must not be empty`);
  if (CONTROL.test(key)) throw IntegrationError.validation('object_key_invalid', `${field} must not contain control characters`);
  if (key.split('/').some((segment) => segment === '.' || segment === '..')) throw IntegrationError.validation('object_key_invalid', `${field} must not have . or .. segments`);
  if (key.startsWith('/')) throw IntegrationError.validation('object_key_invalid', `${field} must not start with /`);
  return key;
}

/** The connection's key prefix (`configuration.keyPrefix`, `tenants/acme/`): every key of the connection lives under it. */
export function keyPrefixOf(configuration: Readonly<Record<string, unknown>>): string {
  const prefix = configuration.keyPrefix;
  return typeof prefix === 'string' ? prefix : '';
}

export function keyPrefixProblems(configuration: Readonly<Record<string, unknown>>): string[] {
  const prefix = configuration.keyPrefix;
  if (prefix === undefined) return [];
  if (typeof prefix !== 'string' || prefix.length === 0 || prefix.length > 512) return ['configuration.keyPrefix must be a non-empty string of at most 512 characters'];
  try {
    checkedKey(prefix, 'configuration.keyPrefix');
  } catch (error) {
    return [(error as Error).message];
  }
  return prefix.endsWith('/') ? [] : ['configuration.keyPrefix must end with /'];
}

export function fullKey(prefix: string, key: string): string {
  const full = `${prefix}${checkedKey(key)}`;
  if (Buffer.byteLength(full) > MAX_KEY_BYTES) throw IntegrationError.validation('object_key_invalid', `key is longer than ${MAX_KEY_BYTES} bytes with the connection's prefix`);
  return full;
}
