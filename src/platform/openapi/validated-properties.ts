import type { Type } from '@nestjs/common';
import type { ApiPropertyOptions } from '@nestjs/swagger';
import type { MetadataStorage } from 'class-transformer/types/MetadataStorage';
import { getMetadataStorage, ValidationTypes } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import { isNullableField } from '../http/optional-field';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- class-transformer exports its `@Type` registry from this path only
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as { defaultMetadataStorage: MetadataStorage };

/** The static method @nestjs/swagger reads a class's property metadata from (what its compiler plugin generates). */
const METADATA_FACTORY = '_OPENAPI_METADATA_FACTORY';

type Schema = Record<string, unknown>;

/** A property that takes any JSON value (`unknown`, `Record<…>` without a type rule): a named empty schema. */
export class AnyJsonValue {}

export const ANY_JSON_VALUE_SCHEMA = { description: 'Any JSON value' };

/**
 * Documents every request DTO from its class-validator decorators, the runtime counterpart of the Nest
 * CLI's swagger plugin (we build with plain tsc): each validated class gets the metadata factory
 * @nestjs/swagger reads, deriving type, requiredness, bounds, patterns, enums and nested classes from the
 * same decorators the ValidationPipe enforces. An explicit `@ApiProperty` on a property wins.
 */
export function describeValidatedClasses(): void {
  const byTarget = getMetadataStorage()['validationMetadatas'] as Map<Type, ValidationMetadata[]>;
  for (const [target, rules] of byTarget) {
    if (Object.hasOwn(target, METADATA_FACTORY)) continue;
    const properties = propertiesOf(target, rules);
    Object.defineProperty(target, METADATA_FACTORY, { value: () => properties });
  }
}

function propertiesOf(target: Type, rules: readonly ValidationMetadata[]): Record<string, ApiPropertyOptions> {
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const rule of rules) byProperty.set(rule.propertyName, [...(byProperty.get(rule.propertyName) ?? []), rule]);
  return Object.fromEntries([...byProperty].map(([property, propertyRules]) => [property, propertyOptions(target, property, propertyRules)]));
}

function propertyOptions(target: Type, property: string, rules: readonly ValidationMetadata[]): ApiPropertyOptions {
  const designType = Reflect.getMetadata('design:type', target.prototype, property) as Type | undefined;
  const isArray = designType === Array || rules.some((rule) => rule.name === 'isArray');
  const optional = rules.some((rule) => rule.type === ValidationTypes.CONDITIONAL_VALIDATION);
  const nested = rules.some((rule) => rule.type === ValidationTypes.NESTED_VALIDATION) ? nestedClass(target, property) : undefined;
  const value: Schema = {};
  const array: Schema = {};
  for (const rule of rules) Object.assign(rule.each || !isArray ? value : array, constraintSchema(rule));

  const options: Schema = { required: !optional, ...(isNullableField(target.prototype, property) ? { nullable: true } : {}) };
  const valueType = nested ?? (value.type as string | undefined) ?? scalarType(isArray ? undefined : designType);
  delete value.type;
  if (isArray) return { ...options, ...array, type: valueType ?? 'object', isArray: true, ...value } as ApiPropertyOptions;
  // `unknown` and `Record<…>` properties without a type rule accept any JSON value (null included).
  if (valueType === undefined || (valueType === 'object' && !rules.some((rule) => rule.name === 'isObject'))) return { ...value, required: !optional, type: () => AnyJsonValue };
  return { ...options, ...value, type: valueType } as ApiPropertyOptions;
}

/** The JSON Schema keywords one class-validator rule stands for (rules without a schema form say nothing). */
function constraintSchema(rule: ValidationMetadata): Schema {
  const [first, second] = (rule.constraints ?? []) as unknown[];
  switch (rule.name) {
    case 'isString':
      return { type: 'string' };
    case 'isInt':
      return { type: 'integer' };
    case 'isNumber':
      return { type: 'number' };
    case 'isBoolean':
      return { type: 'boolean' };
    case 'isObject':
      return { type: 'object' };
    case 'isUrl':
      return { type: 'string', format: 'uri' };
    case 'isDateString':
    case 'isISO8601':
      return { type: 'string', format: 'date-time' };
    case 'isIn':
      return { enum: first };
    case 'matches':
      return { type: 'string', pattern: (first as RegExp).source };
    case 'isLength':
      return { type: 'string', minLength: first, ...(second === undefined ? {} : { maxLength: second }) };
    case 'minLength':
      return { minLength: first };
    case 'maxLength':
      return { maxLength: first };
    case 'min':
      return { minimum: first };
    case 'max':
      return { maximum: first };
    case 'arrayMinSize':
      return { minItems: first };
    case 'arrayMaxSize':
      return { maxItems: first };
    default:
      return {};
  }
}

function nestedClass(target: Type, property: string): Type | undefined {
  const typeFunction = defaultMetadataStorage.findTypeMetadata(target, property)?.typeFunction;
  const type = typeFunction?.() as Type | undefined;
  return type ?? (Reflect.getMetadata('design:type', target.prototype, property) as Type | undefined);
}

function scalarType(designType: Type | undefined): string | undefined {
  if (designType === String) return 'string';
  if (designType === Number) return 'number';
  if (designType === Boolean) return 'boolean';
  if (designType === Object) return 'object';
  return undefined;
}
