import Ajv2020, { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { IntegrationError } from '../../../platform/resilience/failure-classifier';
import type { JsonSchema } from '../../../platform/vendors/vendor-descriptor';

const MAX_NAMED_ERRORS = 5;

/**
 * Tool arguments checked against the tool's input schema before anything is sent. The schemas come
 * from the tenant's MCP servers, so they are compiled leniently (unknown keywords ignored) and one that
 * does not compile leaves the judgement to the server.
 */
export class ToolArguments {
  private readonly ajv = addFormats(new Ajv2020({ allErrors: true, strict: false, allowUnionTypes: true, validateSchema: false }));
  /** By schema object: a session's cached tool list keeps the same objects, so each schema compiles once per listing. */
  private readonly validators = new WeakMap<object, ValidateFunction | null>();

  assert(toolName: string, schema: JsonSchema, args: unknown): void {
    const validate = this.validator(schema);
    if (!validate || validate(args)) return;
    const problems = (validate.errors ?? []).slice(0, MAX_NAMED_ERRORS).map(describe);
    throw IntegrationError.validation('invalid_arguments', `Invalid arguments for tool ${toolName}: ${problems.join('; ')}`);
  }

  private validator(schema: JsonSchema): ValidateFunction | null {
    if (this.validators.has(schema)) return this.validators.get(schema)!;
    let validate: ValidateFunction | null;
    try {
      validate = this.ajv.compile(schema);
      // Ajv keeps every schema it compiled; tool lists are listed again and again, so only the WeakMap holds it.
      this.ajv.removeSchema(schema);
    } catch {
      validate = null;
    }
    this.validators.set(schema, validate);
    return validate;
  }
}

/** `arguments/text must be string`, `arguments must have required property 'a'`. */
function describe(error: ErrorObject): string {
  const path = `arguments${error.instancePath}`;
  if (error.keyword === 'additionalProperties') return `${path} has unknown property '${String(error.params.additionalProperty)}'`;
  return `${path} ${error.message ?? 'is invalid'}`;
}
