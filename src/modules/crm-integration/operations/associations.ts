import type { VendorOperation } from '../../../platform/vendors/vendor-descriptor';
import { AFTER, ASSOCIATION_TYPE, bodyOf, isJsonObject, listOf, nextAfterOf, NULLABLE_AFTER, OBJECT_ID, OBJECT_TYPE, ObjectType, objectSchema, path } from './shared';

interface Pair {
  fromType: ObjectType;
  fromId: string;
  toType: ObjectType;
}

type AssociationType = { category: string; typeId: number; label: string | null };

function typesOf(value: unknown): AssociationType[] {
  return listOf(value).map((type) => ({
    category: String(type.category ?? type.associationCategory ?? ''),
    typeId: Number(type.typeId ?? type.associationTypeId),
    label: typeof type.label === 'string' ? type.label : null,
  }));
}

/** `PUT /crm/v4/objects/{fromType}/{fromId}/associations/default/{toType}/{toId}`: HubSpot's default (unlabelled) association. */
export const CREATE_DEFAULT_ASSOCIATION: VendorOperation<Pair & { toId: string }> = {
  name: 'hubspot.associations.create',
  description: 'Associates two objects with the default association type of their object types (contact ↔ company, deal ↔ contact…)',
  effect: 'write',
  input: objectSchema({ fromType: OBJECT_TYPE, fromId: OBJECT_ID, toType: OBJECT_TYPE, toId: OBJECT_ID }),
  output: objectSchema({ fromId: { type: 'string' }, toId: { type: 'string' }, types: { type: 'array', items: ASSOCIATION_TYPE } }),
  request: (input) => ({ method: 'PUT', path: path('crm', 'v4', 'objects', input.fromType, input.fromId, 'associations', 'default', input.toType, input.toId) }),
  result: (answer, input) => {
    // HubSpot answers each direction it created; the one from `fromId` names the types.
    const results = listOf(bodyOf(answer).results);
    const forward = results.filter((result) => String(result.from?.id) === input.fromId);
    const types = (forward.length > 0 ? forward : results).map((result) => result.associationSpec).filter(isJsonObject);
    return { fromId: input.fromId, toId: input.toId, types: typesOf(types) };
  },
};

/** `GET /crm/v4/objects/{fromType}/{fromId}/associations/{toType}`: one page of an object's associations of one type. */
export const LIST_ASSOCIATIONS: VendorOperation<Pair & { limit?: number; after?: string }> = {
  name: 'hubspot.associations.list',
  description: 'Lists the objects of toType an object is associated with, and the association types, one page at a time',
  effect: 'read',
  input: objectSchema(
    { fromType: OBJECT_TYPE, fromId: OBJECT_ID, toType: OBJECT_TYPE, limit: { type: 'integer', minimum: 1, maximum: 500, description: 'HubSpot default 500' }, after: AFTER },
    ['fromType', 'fromId', 'toType'],
  ),
  output: objectSchema({
    items: { type: 'array', items: objectSchema({ toObjectId: { type: 'string' }, types: { type: 'array', items: ASSOCIATION_TYPE } }) },
    after: NULLABLE_AFTER,
  }),
  request: (input) => ({
    method: 'GET',
    path: path('crm', 'v4', 'objects', input.fromType, input.fromId, 'associations', input.toType),
    query: { ...(input.limit !== undefined ? { limit: String(input.limit) } : {}), ...(input.after !== undefined ? { after: input.after } : {}) },
  }),
  result: (answer) => {
    const body = bodyOf(answer);
    return { items: listOf(body.results).map((item) => ({ toObjectId: String(item.toObjectId), types: typesOf(item.associationTypes) })), after: nextAfterOf(body) };
  },
};
