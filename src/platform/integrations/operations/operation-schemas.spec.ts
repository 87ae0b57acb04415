import { IntegrationError } from '../../resilience/failure-classifier';
import { OperationSchemas } from './operation-schemas';

const OPERATION = {
  name: 'vendor.things.create',
  input: {
    type: 'object',
    required: ['owner', 'title'],
    additionalProperties: false,
    properties: {
      owner: { type: 'string', pattern: '^[a-z]+$' },
      title: { type: 'string' },
      perPage: { type: 'integer', minimum: 1, maximum: 100 },
      labels: { type: 'array', items: { type: 'string' } },
      due: { type: 'string', format: 'date-time' },
    },
  },
};

function failure(input: unknown): IntegrationError {
  try {
    new OperationSchemas().assertInput(OPERATION, input);
  } catch (error) {
    return error as IntegrationError;
  }
  throw new Error('expected the input to be refused');
}

describe('OperationSchemas', () => {
  it('accepts conforming input', () => {
    expect(() => new OperationSchemas().assertInput(OPERATION, { owner: 'octo', title: 't', perPage: 5, due: '2026-01-01T00:00:00Z' })).not.toThrow();
  });

  it('names the JSON path of a wrong type', () => {
    const error = failure({ owner: 'octo', title: 7 });
    expect(error).toBeInstanceOf(IntegrationError);
    expect(error).toMatchObject({ category: 'Validation', code: 'operation_input_invalid' });
    expect(error.message).toContain('input/title must be string');
  });

  it('names nested paths, missing and unknown properties, bounds and formats', () => {
    expect(failure({ owner: 'octo', title: 't', labels: ['a', 3] }).message).toContain('input/labels/1 must be string');
    expect(failure({ title: 't' }).message).toContain("input must have required property 'owner'");
    expect(failure({ owner: 'octo', title: 't', colour: 'red' }).message).toContain("input has unknown property 'colour'");
    expect(failure({ owner: 'octo', title: 't', perPage: 101 }).message).toContain('input/perPage must be <= 100');
    expect(failure({ owner: 'octo', title: 't', due: 'tomorrow' }).message).toContain('input/due must match format "date-time"');
    expect(failure({ owner: 'Octo!', title: 't' }).message).toContain('input/owner must match pattern');
    expect(failure('not an object').message).toContain('input must be object');
  });

  it('compiles each operation once', () => {
    const schemas = new OperationSchemas();
    const compile = jest.spyOn((schemas as unknown as { ajv: { compile: () => unknown } }).ajv, 'compile');
    schemas.assertInput(OPERATION, { owner: 'a', title: 'b' });
    schemas.assertInput(OPERATION, { owner: 'c', title: 'd' });
    expect(compile).toHaveBeenCalledTimes(1);
  });
});
