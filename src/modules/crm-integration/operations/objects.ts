import type { VendorOperation } from '../../../platform/vendors/vendor-descriptor';
import {
  AFTER,
  ASSOCIATION_CATEGORIES,
  bodyOf,
  CRM_OBJECT_OUTPUT,
  jsonBody,
  listOf,
  nextAfterOf,
  NULLABLE_AFTER,
  OBJECT_ID,
  OBJECT_TYPES,
  ObjectType,
  objectSchema,
  path,
  PROPERTY_NAME,
  PROPERTY_NAMES,
  PROPERTY_VALUES,
  propertyStrings,
  toCrmObject,
} from './shared';

/** HubSpot's search operators (developers.hubspot.com/docs/api/crm/search#filter-search-results). */
export const SEARCH_OPERATORS = [
  'EQ',
  'NEQ',
  'LT',
  'LTE',
  'GT',
  'GTE',
  'BETWEEN',
  'IN',
  'NOT_IN',
  'HAS_PROPERTY',
  'NOT_HAS_PROPERTY',
  'CONTAINS_TOKEN',
  'NOT_CONTAINS_TOKEN',
] as const;
type SearchOperator = (typeof SEARCH_OPERATORS)[number];

/** The largest page a search answers (HubSpot: 200). */
export const MAX_SEARCH_LIMIT = 200;

interface AssociationInput {
  toId: string;
  types: Array<{ category: (typeof ASSOCIATION_CATEGORIES)[number]; typeId: number }>;
}

interface CreateInput {
  properties: Record<string, string | number | boolean>;
  associations?: AssociationInput[];
}

interface GetInput {
  id: string;
  properties?: string[];
  associations?: ObjectType[];
  idProperty?: string;
}

interface UpdateInput {
  id: string;
  properties: Record<string, string | number | boolean>;
}

interface SearchFilter {
  propertyName: string;
  operator: SearchOperator;
  value?: string | number | boolean;
  highValue?: string | number;
  values?: Array<string | number>;
}

interface SearchInput {
  filterGroups?: Array<{ filters: SearchFilter[] }>;
  sorts?: Array<{ propertyName: string; direction: 'ASCENDING' | 'DESCENDING' }>;
  properties?: string[];
  query?: string;
  limit?: number;
  after?: string;
}

const SCALAR = { type: ['string', 'number', 'boolean'] } as const;

/** The singular name of a type, for descriptions. */
const SINGULAR: Readonly<Record<ObjectType, string>> = { contacts: 'contact', companies: 'company', deals: 'deal' };

const associationsInput = (toTypes: string) => ({
  type: 'array',
  maxItems: 100,
  description: `Objects (${toTypes}) to associate on creation`,
  items: objectSchema({
    toId: OBJECT_ID,
    types: {
      type: 'array',
      minItems: 1,
      maxItems: 10,
      items: objectSchema({ category: { type: 'string', enum: [...ASSOCIATION_CATEGORIES] }, typeId: { type: 'integer', minimum: 1 } }),
    },
  }),
});

function createOperation(type: ObjectType): VendorOperation<CreateInput> {
  return {
    name: `hubspot.${type}.create`,
    description: `Creates a ${SINGULAR[type]} with the given properties, optionally associated with existing objects`,
    effect: 'write',
    input: objectSchema({ properties: PROPERTY_VALUES, associations: associationsInput('contacts, companies, deals by id') }, ['properties']),
    output: CRM_OBJECT_OUTPUT,
    request: (input) => ({
      method: 'POST',
      path: path('crm', 'v3', 'objects', type),
      ...jsonBody({
        properties: propertyStrings(input.properties),
        associations: input.associations?.map((association) => ({
          to: { id: association.toId },
          types: association.types.map((each) => ({ associationCategory: each.category, associationTypeId: each.typeId })),
        })),
      }),
    }),
    result: (answer) => toCrmObject(bodyOf(answer)),
  };
}

function getOperation(type: ObjectType): VendorOperation<GetInput> {
  return {
    name: `hubspot.${type}.get`,
    description: `Gets a ${SINGULAR[type]} by id (or by a unique property with idProperty), with the properties and associations asked for`,
    effect: 'read',
    input: objectSchema(
      {
        id: { type: 'string', minLength: 1, maxLength: 300 },
        properties: PROPERTY_NAMES,
        associations: { type: 'array', maxItems: 3, uniqueItems: true, items: { type: 'string', enum: [...OBJECT_TYPES] } },
        idProperty: { ...PROPERTY_NAME, description: 'A unique property `id` is a value of (email for contacts); default the object id' },
      },
      ['id'],
    ),
    output: CRM_OBJECT_OUTPUT,
    request: (input) => ({
      method: 'GET',
      path: path('crm', 'v3', 'objects', type, input.id),
      query: {
        ...(input.properties?.length ? { properties: input.properties.join(',') } : {}),
        ...(input.associations?.length ? { associations: input.associations.join(',') } : {}),
        ...(input.idProperty ? { idProperty: input.idProperty } : {}),
      },
    }),
    result: (answer) => toCrmObject(bodyOf(answer)),
  };
}

function updateOperation(type: ObjectType): VendorOperation<UpdateInput> {
  return {
    name: `hubspot.${type}.update`,
    description: `Updates the given properties of a ${SINGULAR[type]} (an empty string clears one)`,
    effect: 'write',
    input: objectSchema({ id: OBJECT_ID, properties: PROPERTY_VALUES }),
    output: CRM_OBJECT_OUTPUT,
    request: (input) => ({ method: 'PATCH', path: path('crm', 'v3', 'objects', type, input.id), ...jsonBody({ properties: propertyStrings(input.properties) }) }),
    result: (answer) => toCrmObject(bodyOf(answer)),
  };
}

function archiveOperation(type: ObjectType): VendorOperation<{ id: string }> {
  return {
    name: `hubspot.${type}.archive`,
    description: `Archives a ${SINGULAR[type]} (HubSpot's recycle bin keeps it for 90 days)`,
    effect: 'write',
    input: objectSchema({ id: OBJECT_ID }),
    output: objectSchema({ id: { type: 'string' }, archived: { type: 'boolean', const: true } }),
    request: (input) => ({ method: 'DELETE', path: path('crm', 'v3', 'objects', type, input.id) }),
    result: (_answer, input) => ({ id: input.id, archived: true }),
  };
}

const FILTER = {
  type: 'object',
  additionalProperties: false,
  required: ['propertyName', 'operator'],
  properties: {
    propertyName: PROPERTY_NAME,
    operator: { type: 'string', enum: [...SEARCH_OPERATORS] },
    value: SCALAR,
    highValue: { type: ['string', 'number'], description: 'The upper bound of BETWEEN' },
    values: { type: 'array', maxItems: 100, items: { type: ['string', 'number'] }, description: 'The values of IN and NOT_IN' },
  },
} as const;

export const SEARCH_INPUT = objectSchema(
  {
    filterGroups: {
      type: 'array',
      maxItems: 5,
      description: 'Groups ORed together; the filters of a group ANDed (HubSpot: at most 5 groups, 6 filters per group, 18 filters in all)',
      items: objectSchema({ filters: { type: 'array', minItems: 1, maxItems: 6, items: FILTER } }),
    },
    sorts: { type: 'array', maxItems: 1, items: objectSchema({ propertyName: PROPERTY_NAME, direction: { type: 'string', enum: ['ASCENDING', 'DESCENDING'] } }) },
    properties: PROPERTY_NAMES,
    query: { type: 'string', minLength: 1, maxLength: 3000, description: 'Free text searched in the default searchable properties' },
    limit: { type: 'integer', minimum: 1, maximum: MAX_SEARCH_LIMIT, description: 'Results per page (HubSpot default 10)' },
    after: AFTER,
  },
  [],
);

/** The search request body as HubSpot takes it. */
export function searchBody(input: SearchInput): Record<string, unknown> {
  return {
    filterGroups: (input.filterGroups ?? []).map((group) => ({ filters: group.filters.map(filterOf) })),
    sorts: input.sorts ?? [],
    properties: input.properties,
    query: input.query,
    limit: input.limit,
    after: input.after,
  };
}

function filterOf(filter: SearchFilter): Record<string, unknown> {
  return {
    propertyName: filter.propertyName,
    operator: filter.operator,
    ...(filter.value !== undefined ? { value: String(filter.value) } : {}),
    ...(filter.highValue !== undefined ? { highValue: String(filter.highValue) } : {}),
    ...(filter.values !== undefined ? { values: filter.values.map(String) } : {}),
  };
}

function searchOperation(type: ObjectType): VendorOperation<SearchInput> {
  return {
    name: `hubspot.${type}.search`,
    description: `Searches ${type} by filter groups, sorted, one page at a time (HubSpot answers at most 10,000 results for one search)`,
    effect: 'read',
    input: SEARCH_INPUT,
    output: objectSchema({ total: { type: 'integer', minimum: 0 }, items: { type: 'array', items: CRM_OBJECT_OUTPUT }, after: NULLABLE_AFTER }),
    request: (input) => ({ method: 'POST', path: path('crm', 'v3', 'objects', type, 'search'), ...jsonBody(searchBody(input)) }),
    result: (answer) => {
      const body = bodyOf(answer);
      return { total: Number.isInteger(body.total) ? body.total : 0, items: listOf(body.results).map(toCrmObject), after: nextAfterOf(body) };
    },
  };
}

/** create, get, update, archive and search of one object type. */
export function objectOperations(type: ObjectType): VendorOperation[] {
  return [createOperation(type), getOperation(type), updateOperation(type), archiveOperation(type), searchOperation(type)] as VendorOperation[];
}
