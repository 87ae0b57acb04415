import { ValidateIf } from 'class-validator';

const NULLABLE_FIELD = 'request:nullable-field';

/**
 * A request field that may be left out. Unlike `@IsOptional()`, which skips `null` as well, `null` is
 * validated like any other value, so `"value": null` is a 400 naming the field instead of a null reaching
 * a service that expects a value. `{ nullable: true }` is for fields where null means something the
 * service handles ("clear the description", "send a JSON null").
 */
export function OptionalField({ nullable = false }: { nullable?: boolean } = {}): PropertyDecorator {
  const validateIf = ValidateIf((_object, value) => value !== undefined && !(nullable && value === null));
  return (target, property) => {
    validateIf(target, property);
    if (nullable) Reflect.defineMetadata(NULLABLE_FIELD, true, target, property);
  };
}

/** Whether the field was declared `OptionalField({ nullable: true })` (the API description says so). */
export function isNullableField(prototype: object, property: string): boolean {
  return Reflect.getMetadata(NULLABLE_FIELD, prototype, property) === true;
}
