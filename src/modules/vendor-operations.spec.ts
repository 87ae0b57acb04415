import { OperationSchemas } from '../platform/integrations/operations/operation-schemas';
import { VendorsModule } from '../platform/vendors/vendors.module';
import { VENDOR_DESCRIPTORS } from './vendor-catalogue';

/** Every operation any descriptor declares, as the operations API serves it: a schema that fails here would fail a caller at run time. */
describe('vendor operations in the catalogue', () => {
  const catalogue = VendorsModule.catalogueOf(VENDOR_DESCRIPTORS);
  const operations = catalogue.operations();
  const schemas = new OperationSchemas();

  it('has operations to check', () => {
    expect(operations.length).toBeGreaterThan(0);
  });

  it.each(operations.map(({ providerId, operation }) => [operation.name, providerId, operation] as const))('%s (%s)', (name, _providerId, operation) => {
    expect(name).toMatch(/^[a-z][a-z0-9-]*(\.[a-z][a-zA-Z0-9]*)+$/);
    expect(operation.description.trim().length).toBeGreaterThan(0);
    expect(['read', 'write']).toContain(operation.effect);
    expect(() => schemas.compile(operation.input)).not.toThrow();
    expect(() => schemas.compile(operation.output)).not.toThrow();
    // Input is an object whose every field is declared: a typo is a 400, not a silently ignored field.
    expect(operation.input).toMatchObject({ type: 'object', additionalProperties: false });
  });
});
