import { jsonResponse, PeerRequest, PeerResponse } from '../peer-http';
import { hubspotError, invalid, notFound } from './errors';

export type ObjectType = 'contacts' | 'companies' | 'deals';
export const OBJECT_TYPES: readonly ObjectType[] = ['contacts', 'companies', 'deals'];

export interface StoredObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

interface Association {
  fromType: ObjectType;
  fromId: string;
  toType: ObjectType;
  toId: string;
  typeId: number;
}

const MODIFIED: Readonly<Record<ObjectType, string>> = { contacts: 'lastmodifieddate', companies: 'hs_lastmodifieddate', deals: 'hs_lastmodifieddate' };
/** What HubSpot answers when no `properties` are asked for. */
const DEFAULT_PROPERTIES: Readonly<Record<ObjectType, readonly string[]>> = {
  contacts: ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
  companies: ['createdate', 'domain', 'hs_lastmodifieddate', 'hs_object_id', 'name'],
  deals: ['amount', 'closedate', 'createdate', 'dealname', 'dealstage', 'hs_lastmodifieddate', 'hs_object_id', 'pipeline'],
};
const DATE_PROPERTIES = new Set(['createdate', 'lastmodifieddate', 'hs_lastmodifieddate', 'closedate']);
const SINGULAR: Readonly<Record<ObjectType, string>> = { contacts: 'contact', companies: 'company', deals: 'deal' };
/** HubSpot-defined default association type ids (developers.hubspot.com/docs/api/crm/associations/association-details). */
const DEFAULT_TYPE_IDS: Readonly<Record<string, number>> = {
  'contacts:companies': 279,
  'companies:contacts': 280,
  'deals:contacts': 3,
  'contacts:deals': 4,
  'deals:companies': 341,
  'companies:deals': 342,
};
const PROPERTY_NAME = /^[a-z0-9_]{1,100}$/;
const OPERATORS = new Set(['EQ', 'NEQ', 'LT', 'LTE', 'GT', 'GTE', 'BETWEEN', 'IN', 'NOT_IN', 'HAS_PROPERTY', 'NOT_HAS_PROPERTY', 'CONTAINS_TOKEN', 'NOT_CONTAINS_TOKEN']);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- request bodies are checked field by field, as HubSpot does
type Json = Record<string, any>;

/**
 * HubSpot's CRM objects (v3) and associations (v4) for contacts, companies and deals: ids from one counter,
 * properties stored as strings, `createdate` and the modification date (`lastmodifieddate` for contacts,
 * `hs_lastmodifieddate` otherwise) kept by the server, archived objects out of reads and searches, and
 * search honouring filter groups, sorts, `limit` (≤ 200), `after` and the search window (10,000 results,
 * `searchResultLimit` to simulate it small): an `after` at or past it is a 400.
 */
export class HubSpotCrm {
  readonly objects: Record<ObjectType, Map<string, StoredObject>> = { contacts: new Map(), companies: new Map(), deals: new Map() };
  readonly associations: Association[] = [];
  private nextId = 101;
  private clock = 0;

  constructor(readonly searchResultLimit = 10_000) {}

  /** A strictly increasing ISO time: every write has its own modification instant. */
  now(): string {
    this.clock = Math.max(Date.now(), this.clock + 1);
    return new Date(this.clock).toISOString();
  }

  /** Adds an object as if created through the API (optionally at a given modification time). */
  seed(type: ObjectType, properties: Record<string, string>, modifiedAt?: string): StoredObject {
    const at = modifiedAt ?? this.now();
    const id = String(this.nextId++);
    const object: StoredObject = {
      id,
      properties: { ...properties, hs_object_id: id, createdate: at, [MODIFIED[type]]: at },
      createdAt: at,
      updatedAt: at,
      archived: false,
    };
    this.objects[type].set(id, object);
    return object;
  }

  /** Changes properties, moving the modification date on (to `modifiedAt` when given). */
  touch(type: ObjectType, id: string, properties: Record<string, string>, modifiedAt?: string): void {
    const object = this.objects[type].get(id);
    if (!object) throw new Error(`No ${type} ${id}`);
    const at = modifiedAt ?? this.now();
    Object.assign(object.properties, properties, { [MODIFIED[type]]: at });
    object.updatedAt = at;
  }

  handle(request: PeerRequest): PeerResponse | undefined {
    try {
      return this.route(request);
    } catch (error) {
      if (error instanceof Refusal) return error.response;
      throw error;
    }
  }

  private route(request: PeerRequest): PeerResponse | undefined {
    const segments = request.path.split('/').slice(1).map(decodeURIComponent);
    if (request.method === 'GET' && request.path === '/account-info/v3/details') {
      return jsonResponse(200, {
        portalId: 62515,
        accountType: 'STANDARD',
        timeZone: 'US/Eastern',
        companyCurrency: 'USD',
        additionalCurrencies: [],
        utcOffset: '-05:00',
        utcOffsetMilliseconds: -18_000_000,
        uiDomain: 'app.hubspot.com',
        dataHostingLocation: 'na1',
      });
    }
    if (segments[0] !== 'crm' || segments[2] !== 'objects' || !isType(segments[3])) return undefined;
    const type = segments[3];
    const body = () => parseBody(request);
    if (segments[1] === 'v3') {
      if (segments.length === 4 && request.method === 'POST') return this.create(type, body());
      if (segments.length === 5 && segments[4] === 'search' && request.method === 'POST') return this.search(type, body());
      if (segments.length === 5 && request.method === 'GET') return this.get(type, segments[4], request.query);
      if (segments.length === 5 && request.method === 'PATCH') return this.update(type, segments[4], body());
      if (segments.length === 5 && request.method === 'DELETE') return this.archive(type, segments[4]);
    }
    if (segments[1] === 'v4' && segments[5] === 'associations') {
      const fromId = segments[4];
      if (segments.length === 9 && segments[6] === 'default' && isType(segments[7]) && request.method === 'PUT')
        return this.associateDefault(type, fromId, segments[7], segments[8]);
      if (segments.length === 7 && isType(segments[6]) && request.method === 'GET') return this.listAssociations(type, fromId, segments[6], request.query);
    }
    return undefined;
  }

  private live(type: ObjectType, id: string): StoredObject | undefined {
    const object = this.objects[type].get(id);
    return object && !object.archived ? object : undefined;
  }

  private create(type: ObjectType, body: Json): PeerResponse {
    const properties = propertiesOf(body.properties);
    if (type === 'contacts' && properties.email) {
      const existing = [...this.objects.contacts.values()].find((contact) => !contact.archived && contact.properties.email?.toLowerCase() === properties.email.toLowerCase());
      if (existing) return hubspotError(409, `Contact already exists. Existing ID: ${existing.id}`, 'CONFLICT');
    }
    const associations: Association[] = [];
    for (const association of Array.isArray(body.associations) ? body.associations : []) {
      const toId = String(association?.to?.id ?? '');
      const typeId = Number(association?.types?.[0]?.associationTypeId);
      const toType = OBJECT_TYPES.find((candidate) => DEFAULT_TYPE_IDS[`${type}:${candidate}`] === typeId && this.live(candidate, toId));
      if (!toType) return invalid(`Invalid association: no object ${toId} for association type ${typeId}`);
      associations.push({ fromType: type, fromId: '', toType, toId, typeId });
    }
    const object = this.seed(type, properties);
    for (const association of associations) this.link(type, object.id, association.toType, association.toId);
    return jsonResponse(201, this.view(type, object));
  }

  private get(type: ObjectType, id: string, query: URLSearchParams): PeerResponse {
    const idProperty = query.get('idProperty');
    const object = idProperty
      ? [...this.objects[type].values()].find((candidate) => !candidate.archived && candidate.properties[idProperty] === id)
      : /^\d+$/.test(id)
        ? this.live(type, id)
        : undefined;
    if (!object) return notFound(id);
    const requested = query.get('properties')?.split(',').filter(Boolean);
    const associations = query.get('associations')?.split(',').filter(isType);
    const view: Json = this.view(type, object, requested);
    if (associations?.length) {
      view.associations = {};
      for (const toType of associations) {
        const linked = this.associations.filter((edge) => edge.fromType === type && edge.fromId === object.id && edge.toType === toType);
        if (linked.length > 0) view.associations[toType] = { results: linked.map((edge) => ({ id: edge.toId, type: `${SINGULAR[type]}_to_${SINGULAR[toType]}` })) };
      }
    }
    return jsonResponse(200, view);
  }

  private update(type: ObjectType, id: string, body: Json): PeerResponse {
    const object = this.live(type, id);
    if (!object) return notFound(id);
    const properties = propertiesOf(body.properties);
    this.touch(type, id, properties);
    return jsonResponse(200, this.view(type, object));
  }

  private archive(type: ObjectType, id: string): PeerResponse {
    const object = this.live(type, id);
    // HubSpot answers 204 for an id it does not know as well.
    if (object) {
      object.archived = true;
      object.updatedAt = this.now();
    }
    return { status: 204 };
  }

  private search(type: ObjectType, body: Json): PeerResponse {
    const limit = body.limit === undefined ? 10 : Number(body.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 200) return invalid(`limit must be between 1 and 200 (was ${String(body.limit)})`);
    const after = body.after === undefined || body.after === null ? 0 : Number(body.after);
    if (!Number.isInteger(after) || after < 0) return invalid('after must be a non-negative integer');
    if (after >= this.searchResultLimit) return invalid(`Paging beyond ${this.searchResultLimit} results is not supported`);
    const groups = Array.isArray(body.filterGroups) ? body.filterGroups : [];
    if (groups.length > 5) return invalid('Too many filter groups: at most 5 are allowed');
    const filters: Json[][] = [];
    for (const group of groups) {
      const list = Array.isArray(group?.filters) ? group.filters : [];
      if (list.length === 0 || list.length > 6) return invalid('Each filter group needs 1 to 6 filters');
      for (const filter of list) {
        if (typeof filter?.propertyName !== 'string' || !OPERATORS.has(filter.operator)) return invalid(`Invalid filter: ${JSON.stringify(filter)}`);
      }
      filters.push(list);
    }
    if (filters.flat().length > 18) return invalid('Too many filters: at most 18 are allowed');
    const sorts = Array.isArray(body.sorts) ? body.sorts : [];
    const sort = sorts[0] as { propertyName?: string; direction?: string } | undefined;
    const matching = [...this.objects[type].values()]
      .filter((object) => !object.archived)
      .filter((object) => filters.length === 0 || filters.some((group) => group.every((filter) => matches(object, filter))))
      .filter((object) => typeof body.query !== 'string' || Object.values(object.properties).some((value) => value?.toLowerCase().includes(body.query.toLowerCase())))
      .sort(
        (a, b) =>
          (sort?.propertyName ? compare(a.properties[sort.propertyName], b.properties[sort.propertyName], sort.propertyName) : 0) * (sort?.direction === 'DESCENDING' ? -1 : 1) ||
          Number(a.id) - Number(b.id),
      );
    const end = Math.min(after + limit, this.searchResultLimit);
    const requested = Array.isArray(body.properties) && body.properties.length > 0 ? body.properties.map(String) : undefined;
    return jsonResponse(200, {
      total: matching.length,
      results: matching.slice(after, end).map((object) => this.view(type, object, requested)),
      // HubSpot offers the next page whenever more match, even past the window it will refuse to page into.
      ...(end < matching.length ? { paging: { next: { after: String(end), link: `?after=${end}` } } } : {}),
    });
  }

  private associateDefault(fromType: ObjectType, fromId: string, toType: ObjectType, toId: string): PeerResponse {
    if (!this.live(fromType, fromId)) return notFound(fromId);
    if (!this.live(toType, toId)) return notFound(toId);
    const typeId = DEFAULT_TYPE_IDS[`${fromType}:${toType}`];
    if (typeId === undefined) return invalid(`There is no default association from ${fromType} to ${toType}`);
    this.link(fromType, fromId, toType, toId);
    const at = new Date().toISOString();
    return jsonResponse(200, {
      status: 'COMPLETE',
      results: [
        { from: { id: fromId }, to: { id: toId }, associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: typeId } },
        { from: { id: toId }, to: { id: fromId }, associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: DEFAULT_TYPE_IDS[`${toType}:${fromType}`] } },
      ],
      startedAt: at,
      completedAt: at,
    });
  }

  private listAssociations(fromType: ObjectType, fromId: string, toType: ObjectType, query: URLSearchParams): PeerResponse {
    if (!this.live(fromType, fromId)) return notFound(fromId);
    const limit = Number(query.get('limit') ?? 500);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) return invalid('limit must be between 1 and 500');
    const after = query.get('after');
    const offset = after === null ? 0 : Number(Buffer.from(after, 'base64url').toString('utf8'));
    if (!Number.isInteger(offset) || offset < 0) return invalid('Invalid after');
    const linked = this.associations.filter((edge) => edge.fromType === fromType && edge.fromId === fromId && edge.toType === toType && this.live(toType, edge.toId));
    const next = offset + limit < linked.length ? Buffer.from(String(offset + limit)).toString('base64url') : undefined;
    return jsonResponse(200, {
      results: linked
        .slice(offset, offset + limit)
        .map((edge) => ({ toObjectId: Number(edge.toId), associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: edge.typeId, label: null }] })),
      ...(next ? { paging: { next: { after: next, link: `?after=${next}` } } } : {}),
    });
  }

  /** Both directions, as HubSpot keeps them. */
  private link(fromType: ObjectType, fromId: string, toType: ObjectType, toId: string): void {
    for (const [a, aId, b, bId] of [
      [fromType, fromId, toType, toId],
      [toType, toId, fromType, fromId],
    ] as const) {
      if (!this.associations.some((edge) => edge.fromType === a && edge.fromId === aId && edge.toType === b && edge.toId === bId)) {
        this.associations.push({ fromType: a, fromId: aId, toType: b, toId: bId, typeId: DEFAULT_TYPE_IDS[`${a}:${b}`] });
      }
    }
  }

  /** The object as HubSpot answers it: the requested properties (null when unset) plus the ones it always adds. */
  private view(type: ObjectType, object: StoredObject, requested?: readonly string[]): Json {
    const names = requested ? [...new Set([...requested, 'hs_object_id', 'createdate', MODIFIED[type]])] : DEFAULT_PROPERTIES[type];
    const properties = requested ? Object.fromEntries(names.map((name) => [name, object.properties[name] ?? null])) : { ...object.properties };
    if (!requested) for (const name of names) properties[name] ??= null;
    return { id: object.id, properties, createdAt: object.createdAt, updatedAt: object.updatedAt, archived: object.archived };
  }
}

function isType(value: string | undefined): value is ObjectType {
  return (OBJECT_TYPES as readonly string[]).includes(value ?? '');
}

/** A request HubSpot refuses: thrown while reading it, answered by `handle`. */
class Refusal extends Error {
  constructor(readonly response: PeerResponse) {
    super('refused');
  }
}

function parseBody(request: PeerRequest): Json {
  if (!String(request.headers['content-type'] ?? '').startsWith('application/json')) throw new Refusal(invalid('Content-Type must be application/json'));
  let parsed: unknown;
  try {
    parsed = JSON.parse(request.body.toString('utf8'));
  } catch {
    throw new Refusal(invalid('Invalid input JSON on line 1'));
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Refusal(invalid('The body must be a JSON object'));
  return parsed as Json;
}

/** HubSpot takes property values as strings (numbers and booleans as their text). */
function propertiesOf(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Refusal(invalid('properties must be an object'));
  const result: Record<string, string> = {};
  for (const [name, property] of Object.entries(value)) {
    if (!PROPERTY_NAME.test(name))
      throw new Refusal(
        invalid(`Property values were not valid: [{"isValid":false,"message":"Property \\"${name}\\" does not exist","error":"PROPERTY_DOESNT_EXIST","name":"${name}"}]`),
      );
    if (typeof property !== 'string') throw new Refusal(invalid(`Property values were not valid: ${name} must be a string`));
    result[name] = property;
  }
  return result;
}

function comparable(value: string, property: string): number | string {
  if (DATE_PROPERTIES.has(property)) return /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  return value !== '' && !Number.isNaN(Number(value)) ? Number(value) : value.toLowerCase();
}

function compare(a: string | null | undefined, b: string | null | undefined, property: string): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  const left = comparable(a, property);
  const right = comparable(b, property);
  return left < right ? -1 : left > right ? 1 : 0;
}

function matches(object: StoredObject, filter: Json): boolean {
  const property: string = filter.propertyName;
  const actual = object.properties[property];
  const value = filter.value === undefined ? undefined : String(filter.value);
  const values: string[] = Array.isArray(filter.values) ? filter.values.map(String) : [];
  const has = actual !== null && actual !== undefined && actual !== '';
  switch (filter.operator) {
    case 'HAS_PROPERTY':
      return has;
    case 'NOT_HAS_PROPERTY':
      return !has;
    case 'IN':
      return has && values.some((candidate) => compare(actual, candidate, property) === 0);
    case 'NOT_IN':
      return !has || values.every((candidate) => compare(actual, candidate, property) !== 0);
    case 'CONTAINS_TOKEN':
    case 'NOT_CONTAINS_TOKEN': {
      const pattern = new RegExp(`^${(value ?? '').replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i');
      const found = has && (pattern.test(actual) || actual.split(/[\s,;]+/).some((token) => pattern.test(token)));
      return filter.operator === 'CONTAINS_TOKEN' ? found : !found;
    }
  }
  if (!has || value === undefined) return filter.operator === 'NEQ';
  const order = compare(actual, value, property);
  switch (filter.operator) {
    case 'EQ':
      return order === 0;
    case 'NEQ':
      return order !== 0;
    case 'LT':
      return order < 0;
    case 'LTE':
      return order <= 0;
    case 'GT':
      return order > 0;
    case 'GTE':
      return order >= 0;
    case 'BETWEEN':
      return order >= 0 && filter.highValue !== undefined && compare(actual, String(filter.highValue), property) <= 0;
    default:
      return false;
  }
}
