import type { JsonSchema, VendorAnswer } from '../../../platform/vendors/vendor-descriptor';

/** Vendor JSON as it comes: fields are read defensively and mapped to the operation's own shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- HubSpot's payloads are read field by field
export type HubSpotJson = Record<string, any>;

/** The CRM objects the module covers, by the plural names HubSpot's object APIs use in paths. */
export const OBJECT_TYPES = ['contacts', 'companies', 'deals'] as const;
export type ObjectType = (typeof OBJECT_TYPES)[number];

/** The property that records an object's last modification (contacts keep the legacy name). */
export const MODIFIED_PROPERTY: Readonly<Record<ObjectType, string>> = {
  contacts: 'lastmodifieddate',
  companies: 'hs_lastmodifieddate',
  deals: 'hs_lastmodifieddate',
};

/** HubSpot object ids are decimal numbers sent as strings. */
export const OBJECT_ID = { type: 'string', pattern: '^[0-9]{1,30}$', description: 'The HubSpot object id' } as const;
export const OBJECT_TYPE = { type: 'string', enum: [...OBJECT_TYPES] } as const;
/** HubSpot internal property names: lower-case letters, digits and underscores. */
export const PROPERTY_NAME = { type: 'string', pattern: '^[A-Za-z0-9_]{1,100}$' } as const;
export const PROPERTY_NAMES = { type: 'array', maxItems: 100, uniqueItems: true, items: PROPERTY_NAME } as const;
export const AFTER = { type: 'string', pattern: '^[A-Za-z0-9_=-]{1,200}$', description: 'The paging cursor HubSpot answered as paging.next.after' } as const;
export const NULLABLE_AFTER = { type: ['string', 'null'], description: 'paging.next.after: pass it as `after` for the next page; null on the last' } as const;

/** Property values to write: HubSpot stores them as strings, numbers and booleans are sent as given. */
export const PROPERTY_VALUES = {
  type: 'object',
  minProperties: 1,
  maxProperties: 500,
  propertyNames: PROPERTY_NAME,
  additionalProperties: { type: ['string', 'number', 'boolean'] },
} as const;

export const ASSOCIATION_CATEGORIES = ['HUBSPOT_DEFINED', 'USER_DEFINED', 'INTEGRATOR_DEFINED'] as const;
export const ASSOCIATION_TYPE = objectSchema(
  { category: { type: 'string', enum: [...ASSOCIATION_CATEGORIES] }, typeId: { type: 'integer', minimum: 1 }, label: { type: ['string', 'null'] } },
  ['category', 'typeId'],
);

/** The tidy object every object operation answers. */
export const CRM_OBJECT_OUTPUT = objectSchema(
  {
    id: { type: 'string' },
    properties: { type: 'object', additionalProperties: { type: ['string', 'null'] } },
    createdAt: { type: ['string', 'null'] },
    updatedAt: { type: ['string', 'null'] },
    archived: { type: 'boolean' },
    associations: {
      type: 'object',
      description: 'Associated object ids by object type, when asked for with `associations`',
      additionalProperties: { type: 'array', items: objectSchema({ id: { type: 'string' }, type: { type: ['string', 'null'] } }) },
    },
  },
  ['id', 'properties', 'createdAt', 'updatedAt', 'archived'],
);

export function objectSchema(properties: Record<string, JsonSchema>, required: readonly string[] = Object.keys(properties)): JsonSchema {
  return { type: 'object', additionalProperties: false, required: [...required], properties };
}

/** A path of percent-encoded segments. */
export function path(...segments: Array<string | number>): string {
  return ['', ...segments].map((segment) => encodeURIComponent(String(segment))).join('/');
}

export function jsonBody(values: Record<string, unknown>): { headers: Record<string, string>; body: string } {
  const body: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) if (value !== undefined) body[name] = value;
  return { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

export function bodyOf(answer: VendorAnswer): HubSpotJson {
  return isJsonObject(answer.body) ? answer.body : {};
}

export function isJsonObject(value: unknown): value is HubSpotJson {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function listOf(value: unknown): HubSpotJson[] {
  return Array.isArray(value) ? value.filter(isJsonObject) : [];
}

/** `paging.next.after` of a HubSpot list or search answer, null on the last page. */
export function nextAfterOf(body: HubSpotJson): string | null {
  const after = body.paging?.next?.after;
  return typeof after === 'string' && after.length > 0 ? after : typeof after === 'number' ? String(after) : null;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** HubSpot's object (`{id, properties, createdAt, updatedAt, archived, associations?}`) in the operations' shape. */
export function toCrmObject(object: HubSpotJson) {
  const properties: Record<string, string | null> = {};
  if (isJsonObject(object.properties)) {
    for (const [name, value] of Object.entries(object.properties)) {
      properties[name] = value === null || value === undefined ? null : typeof value === 'string' ? value : String(value);
    }
  }
  const associations = associationsOf(object.associations);
  return {
    id: String(object.id ?? ''),
    properties,
    createdAt: stringOrNull(object.createdAt),
    updatedAt: stringOrNull(object.updatedAt),
    archived: object.archived === true,
    ...(associations ? { associations } : {}),
  };
}

/** v3's `associations: {companies: {results: [{id, type}]}}` as `{companies: [{id, type}]}`. */
function associationsOf(value: unknown): Record<string, Array<{ id: string; type: string | null }>> | undefined {
  if (!isJsonObject(value)) return undefined;
  const result: Record<string, Array<{ id: string; type: string | null }>> = {};
  for (const [toType, page] of Object.entries(value)) {
    result[toType] = listOf(isJsonObject(page) ? page.results : undefined).map((item) => ({ id: String(item.id), type: stringOrNull(item.type) }));
  }
  return result;
}

/** Property values as HubSpot takes them: strings. */
export function propertyStrings(values: Record<string, string | number | boolean>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, String(value)]));
}
