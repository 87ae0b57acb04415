import Ajv2020, { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { IntegrationError } from '../../resilience/failure-classifier';
import type { JsonSchema, VendorOperation } from '../../vendors/vendor-descriptor';

/** The most schema errors named in one answer: enough to fix a request, short enough to read. */
const MAX_NAMED_ERRORS = 5;

/**
 * Operation input schemas (JSON Schema 2020-12), compiled once per operation and kept. A failed
 * validation is a Validation IntegrationError (400) whose message names the JSON path of every
 * problem: `input/title must be string`.
 */
export class OperationSchemas {
  private readonly ajv = addFormats(new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true }));
  private readonly validators = new Map<string, ValidateFunction>();

  /** Throws unless `input` conforms to the operation's input schema. */
  assertInput(operation: Pick<VendorOperation, 'name' | 'input'>, input: unknown): void {
    const validate = this.validator(operation.name, operation.input);
    if (validate(input)) return;
    const problems = (validate.errors ?? []).slice(0, MAX_NAMED_ERRORS).map(describeError);
    throw IntegrationError.validation('operation_input_invalid', `Invalid input for ${operation.name}: ${problems.join('; ')}`);
  }

  /** Compiles a schema without caching it: a descriptor's schemas are checked this way by its specs. */
  compile(schema: JsonSchema): ValidateFunction {
    return this.ajv.compile(schema);
  }

  private validator(name: string, schema: JsonSchema): ValidateFunction {
    let validate = this.validators.get(name);
    if (!validate) {
      validate = this.ajv.compile(schema);
      this.validators.set(name, validate);
    }
    return validate;
  }
}

/** `input/perPage must be <= 100`, `input must have required property 'owner'`, `input has unknown property 'colour'`. */
export function describeError(error: ErrorObject): string {
  const path = `input${error.instancePath}`;
  if (error.keyword === 'additionalProperties') return `${path} has unknown property '${String(error.params.additionalProperty)}'`;
  return `${path} ${error.message ?? 'is invalid'}`;
}
