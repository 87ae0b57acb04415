import { STATUS_CODES } from 'node:http';
import { ApiExtension } from '@nestjs/swagger';
import type { OpenAPIObject, OperationObject, ReferenceObject, ResponseObject, SchemaObject } from '@nestjs/swagger';
import { operationsOf } from './route-paths';

/** The one error shape of the API (HttpErrorFilter writes it for every failure). */
export const ERROR_SCHEMA_NAME = 'Error';

export const ERROR_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['statusCode', 'error', 'message'],
  properties: {
    statusCode: { type: 'integer', example: 404 },
    error: { type: 'string', description: 'The reason phrase of the status', example: 'Not Found' },
    message: { type: 'string', description: 'What went wrong, naming the field or resource', example: 'Connection conn-0123456789abcdef0123456789abcdef not found' },
  },
};

const ERROR_SCHEMA_EXTENSION = 'x-error-schema';

/** The routes answer errors in a shape of their own (a compatibility surface whose clients expect it). */
export const ApiErrorSchema = (schema: SchemaObject): ClassDecorator & MethodDecorator => ApiExtension(ERROR_SCHEMA_EXTENSION, schema);

/** The scope of every governed action: those routes call a vendor, so they can meet its failures too. */
const GOVERNED_SCOPE = 'integration.runs.execute';

const DESCRIPTIONS: Record<string, string> = {
  '400': 'The request does not match its schema; the message names what is wrong',
  '401': 'No bearer token, or an invalid one (see the WWW-Authenticate header)',
  '403': 'The token lacks a required scope',
  '404': 'No such resource for this tenant',
  '409': 'The connection cannot run this call now (not Active, retired, or inbound-only)',
  '413': 'The body is larger than the limit',
  '415': 'The body has an unsupported Content-Type or Content-Encoding',
  '429': "The connection's rate budget is spent or the vendor throttled the call (see Retry-After)",
  '502': 'The vendor answered with a failure',
  '503': "The vendor's circuit is open or the vendor is unavailable (see Retry-After)",
  '5XX': 'Unexpected failure; the message reveals nothing and the error is logged',
};

/**
 * Adds the error answers an operation can give, in the shared error shape, from what the operation
 * declares: a body or query (400, 413, 415), a token (401), scopes (403), path parameters (404), a
 * governed call (409, 429, 502, 503). Responses a route documents itself are kept; `@ApiErrorSchema` gives
 * routes that answer errors in another shape their own.
 */
export function addErrorResponses(document: OpenAPIObject): void {
  for (const { operation } of operationsOf(document)) addTo(operation, document);
}

/** A response no decorator described (@nestjs/swagger leaves ""): its status's reason phrase. */
export function describeBareResponses(document: OpenAPIObject): void {
  for (const { operation } of operationsOf(document)) {
    for (const [status, response] of Object.entries(operation.responses)) {
      if (response && 'description' in response && !response.description) response.description = STATUS_CODES[status] ?? status;
    }
  }
}

function addTo(operation: OperationObject & { [ERROR_SCHEMA_EXTENSION]?: SchemaObject }, document: OpenAPIObject): void {
  const schema = operation[ERROR_SCHEMA_EXTENSION] ?? { $ref: `#/components/schemas/${ERROR_SCHEMA_NAME}` };
  delete operation[ERROR_SCHEMA_EXTENSION];
  const parameters = (operation.parameters ?? []) as Array<{ in?: string }>;
  const security = operation.security ?? document.security ?? [];
  const scopes = security.flatMap((requirement) => Object.values(requirement).flat());
  const codes = [
    ...(operation.requestBody || parameters.some((parameter) => parameter.in === 'query') ? ['400'] : []),
    ...(security.length > 0 ? ['401'] : []),
    ...(scopes.length > 0 ? ['403'] : []),
    ...(parameters.some((parameter) => parameter.in === 'path') ? ['404'] : []),
    ...(operation.requestBody ? ['413', '415'] : []),
    ...(scopes.includes(GOVERNED_SCOPE) ? ['409', '429', '502', '503'] : []),
    '5XX',
  ];
  for (const code of codes) operation.responses[code] ??= errorResponse(DESCRIPTIONS[code], schema);
}

function errorResponse(description: string, schema: SchemaObject | ReferenceObject): ResponseObject {
  return { description, content: { 'application/json': { schema } } };
}
