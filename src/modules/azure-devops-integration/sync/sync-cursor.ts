import { IntegrationError } from '../../../platform/resilience/failure-classifier';

/** Page tokens are JSON the source wrote itself; one that does not parse is a cursor from elsewhere. */
export function parseCursor<T>(page: string, valid: (value: unknown) => value is T): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(page);
  } catch {
    parsed = undefined;
  }
  if (!valid(parsed)) throw IntegrationError.validation('sync_cursor_invalid', 'The sync cursor is not one this source wrote');
  return parsed;
}

export function projectOf(configuration: Readonly<Record<string, unknown>>): string | undefined {
  return typeof configuration.project === 'string' && configuration.project.trim() !== '' ? configuration.project : undefined;
}

export const isNonNegativeInteger = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;
