import { ValidateIf } from 'class-validator';

/**
 * A request field that may be left out. Unlike `@IsOptional()`, which skips `null` as well, `null` is
 * validated like any other value, so `"value": null` is a 400 naming the field instead of a null reaching
 * a service that expects a value. `{ nullable: true }` is for fields where null means something the
 * service handles ("clear the description", "send a JSON null").
 */
export function OptionalField({ nullable = false }: { nullable?: boolean } = {}): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined && !(nullable && value === null));
}
