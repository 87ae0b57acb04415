import { ApiExtension } from '@nestjs/swagger';
import type { OpenAPIObject, OperationObject, ReferenceObject, RequestBodyObject, SchemaObject } from '@nestjs/swagger';
import type { VendorCatalogue } from '../../vendors/vendor-catalogue';
import type { VendorOperation } from '../../vendors/vendor-descriptor';

const CATALOGUE_EXTENSION = 'x-operation-catalogue';

interface CatalogueMarker {
  providerIds: readonly string[];
}

/**
 * Marks the route whose `:name` ranges over the providers' operations: the API description then has one
 * path per operation (its name as operationId, its input and output schemas), which is what a client
 * generator needs, instead of one path taking any input.
 */
export const DocumentsOperationsOf = (providerIds: readonly string[]): MethodDecorator => ApiExtension(CATALOGUE_EXTENSION, { providerIds } satisfies CatalogueMarker);

/** 202 of an `async` run: the Pending run, executed from the bus. */
export const SUBMITTED_OPERATION_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['runId', 'run'],
  properties: {
    runId: { type: 'string', example: 'run-0123456789abcdef0123456789abcdef' },
    run: {
      type: 'object',
      required: ['id', 'connectionId', 'providerId', 'operation', 'state', 'mode', 'idempotencyKey', 'createdAt'],
      properties: {
        id: { type: 'string' },
        connectionId: { type: 'string' },
        providerId: { type: 'string' },
        operation: { type: 'string' },
        state: { type: 'string', example: 'Pending' },
        mode: { type: 'string' },
        idempotencyKey: { type: 'string', nullable: true },
        createdAt: { type: 'string', format: 'date-time' },
      },
    },
  },
};

/** `{items}` of GET /{prefix}/operations. */
export const OPERATION_LISTING_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['items'],
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'providerId', 'description', 'effect', 'input', 'output'],
        properties: {
          name: { type: 'string' },
          providerId: { type: 'string' },
          description: { type: 'string' },
          effect: { type: 'string', enum: ['read', 'write'], description: '`write` changes vendor state: its idempotency key is kept and reused by retries' },
          input: { type: 'object', description: 'JSON Schema (2020-12) of the input' },
          output: { type: 'object', description: 'JSON Schema (2020-12) of the output' },
        },
      },
    },
  },
};

/** Replaces each marked route by one path per operation of its providers (a route with none stays as it is). */
export function expandOperationPaths(document: OpenAPIObject, catalogue: VendorCatalogue): void {
  for (const [path, pathItem] of Object.entries(document.paths)) {
    const route = pathItem.post as (OperationObject & { [CATALOGUE_EXTENSION]?: CatalogueMarker }) | undefined;
    const marker = route?.[CATALOGUE_EXTENSION];
    if (!route || !marker) continue;
    delete route[CATALOGUE_EXTENSION];
    const operations = catalogue.operations(marker.providerIds);
    if (operations.length === 0) continue;
    delete document.paths[path];
    for (const { operation } of operations) document.paths[path.replace('{name}', operation.name)] = { post: operationRoute(route, operation, document) };
  }
}

function operationRoute(route: OperationObject, operation: VendorOperation, document: OpenAPIObject): OperationObject {
  const body = bodySchema(route, document);
  const responses: OperationObject['responses'] = {
    ...route.responses,
    '200': {
      description: 'The operation ran; `x-integration-run-id` names its (last) run',
      content: { 'application/json': { schema: outcomeSchema(structuredClone(operation.output) as SchemaObject) } },
    },
  };
  // An operation of several calls cannot run async (`async: true` is a 400).
  if (!operation.request) delete responses['202'];
  return {
    ...route,
    operationId: operation.name,
    summary: operation.description,
    description: operation.effect === 'write' ? 'Changes vendor state: pass an `idempotencyKey` so that a repeated request is not applied twice.' : 'Reads vendor state.',
    parameters: route.parameters?.filter((parameter) => (parameter as { name?: string }).name !== 'name'),
    requestBody: {
      required: true,
      content: { 'application/json': { schema: { ...body, properties: { ...body.properties, input: structuredClone(operation.input) as SchemaObject } } } },
    },
    responses,
  };
}

/** The route's own body schema (RunOperationDto), resolved from the components. */
function bodySchema(route: OperationObject, document: OpenAPIObject): SchemaObject {
  const schema = (route.requestBody as RequestBodyObject | undefined)?.content['application/json']?.schema as SchemaObject | ReferenceObject | undefined;
  if (schema && '$ref' in schema) return document.components?.schemas?.[schema.$ref.split('/').pop()!] as SchemaObject;
  return schema ?? { type: 'object', properties: {} };
}

function outcomeSchema(output: SchemaObject): SchemaObject {
  return {
    type: 'object',
    required: ['output', 'runId', 'runIds'],
    properties: {
      output,
      runId: { type: 'string', nullable: true, description: "The run of the operation's (last) governed call; null when it needed none" },
      runIds: { type: 'array', items: { type: 'string' }, description: 'Every governed call it made, in order' },
    },
  };
}
