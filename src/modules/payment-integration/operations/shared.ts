import type { JsonSchema, VendorAnswer } from '../../../platform/vendors/vendor-descriptor';

/** Stripe JSON as it comes: fields are read defensively and mapped to the operation's own shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Stripe's objects are read field by field
export type StripeJson = Record<string, any>;

export const AMOUNT = { type: 'integer', minimum: 0, maximum: 99_999_999_999, description: "In the currency's smallest unit (cents)" } as const;
export const CURRENCY = { type: 'string', pattern: '^[a-z]{3}$', description: 'ISO 4217, lower-case (usd, eur)' } as const;
export const TEXT = { type: 'string', maxLength: 5000 } as const;
export const EMAIL = { type: 'string', maxLength: 512, format: 'email' } as const;
export const METADATA = {
  type: 'object',
  maxProperties: 50,
  additionalProperties: { type: ['string', 'null'], maxLength: 500 },
  propertyNames: { maxLength: 40 },
  description: 'Up to 50 keys; a null value removes the key',
} as const;
export const NULLABLE_STRING = { type: ['string', 'null'] } as const;
export const NULLABLE_INTEGER = { type: ['integer', 'null'] } as const;
export const CREATED = { type: 'string', format: 'date-time', description: 'When Stripe created it' } as const;

/** A Stripe object id with its prefix (`pi_`, `re_`, `cus_`, `cs_`). */
export function idOf(prefix: string, description: string): JsonSchema {
  return { type: 'string', pattern: `^${prefix}_[A-Za-z0-9_]+$`, maxLength: 255, description };
}

export function objectSchema(properties: Record<string, JsonSchema>, required: readonly string[] = Object.keys(properties)): JsonSchema {
  return { type: 'object', additionalProperties: false, required: [...required], properties };
}

export function bodyOf(answer: VendorAnswer): StripeJson {
  return typeof answer.body === 'object' && answer.body !== null ? (answer.body as StripeJson) : {};
}

/** An expandable field (`customer: "cus_…"` or the expanded object): its id. */
export function idOrNull(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && typeof (value as StripeJson).id === 'string') return (value as StripeJson).id as string;
  return null;
}

export function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

export function isoOf(epochSeconds: unknown): string | null {
  return typeof epochSeconds === 'number' ? new Date(epochSeconds * 1000).toISOString() : null;
}

/** `/v1/<resource>/<id>[/<action>]`, each segment percent-encoded. */
export function path(...segments: string[]): string {
  return `/v1/${segments.map((segment) => encodeURIComponent(segment)).join('/')}`;
}
