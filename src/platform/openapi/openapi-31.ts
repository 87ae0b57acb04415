import type { OpenAPIObject, ParameterObject } from '@nestjs/swagger';
import { operationsOf } from './route-paths';

/**
 * @nestjs/swagger writes `nullable: true` (OpenAPI 3.0); OpenAPI 3.1 schemas are JSON Schema 2020-12,
 * where a null is a type of its own: `type: [T, 'null']`, or `anyOf` with `{type: 'null'}` for a `$ref`.
 */
export function useJsonSchemaNullability(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(useJsonSchemaNullability);
  if (typeof node !== 'object' || node === null) return;
  const schema = node as Record<string, unknown>;
  for (const value of Object.values(schema)) useJsonSchemaNullability(value);
  if (schema.nullable !== true) return;
  delete schema.nullable;
  if (typeof schema.type === 'string') {
    schema.type = [schema.type, 'null'];
    if (Array.isArray(schema.enum)) schema.enum = [...(schema.enum as unknown[]), null];
  } else if (schema.type === undefined) {
    const rest = { ...schema };
    for (const key of Object.keys(schema)) delete schema[key];
    schema.anyOf = [rest, { type: 'null' }];
  }
}

/**
 * Each operation's path parameters are exactly its path's template names: a wildcard's parameter is
 * named after the template (`{path}`, where Nest says `*`), and a name without a declaration gets one.
 */
export function alignPathParameters(document: OpenAPIObject): void {
  for (const { path, operation } of operationsOf(document)) {
    const names = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
    const parameters = (operation.parameters ?? []) as ParameterObject[];
    const kept = parameters.filter((parameter) => parameter.in !== 'path' || names.includes(parameter.name));
    const missing = names.filter((name) => !kept.some((parameter) => parameter.in === 'path' && parameter.name === name));
    operation.parameters = [...missing.map((name): ParameterObject => ({ name, in: 'path', required: true, schema: { type: 'string' } })), ...kept];
  }
}
