import { BUILT_IN_AUTH_STRATEGIES } from '../../platform/integrations/auth/built-in-strategies';
import { OperationSchemas } from '../../platform/integrations/operations/operation-schemas';
import { VendorCatalogue } from '../../platform/vendors/vendor-catalogue';
import { AZURE_DEVOPS } from './azure-devops.descriptor';

const schemas = new OperationSchemas();
const operation = (name: string) => AZURE_DEVOPS.operations!.find((candidate) => candidate.name === name)!;
/** What the operations mechanism answers for an input: the problems its 400 names, empty when the input passes. */
const problems = (name: string, input: unknown): string => {
  try {
    schemas.assertInput(operation(name), input);
    return '';
  } catch (error) {
    return (error as Error).message;
  }
};

describe('Azure DevOps descriptor', () => {
  it('is accepted by the catalogue, its auth modes all provided', () => {
    const catalogue = new VendorCatalogue([AZURE_DEVOPS], BUILT_IN_AUTH_STRATEGIES);
    expect(catalogue.authStrategy('azure-devops-pat')).toBeDefined();
    expect(catalogue.authStrategy('azure-devops-entra')).toBeDefined();
    expect(catalogue.operations(['azure-devops']).map((entry) => entry.operation.name)).toEqual([
      'azure-devops.git.repositories.list',
      'azure-devops.git.pullrequests.list',
      'azure-devops.git.pullrequests.get',
      'azure-devops.git.pullrequests.create',
      'azure-devops.git.pullrequests.comment',
      'azure-devops.pipelines.list',
      'azure-devops.pipelines.run',
      'azure-devops.builds.get',
      'azure-devops.workitems.get',
      'azure-devops.workitems.create',
      'azure-devops.workitems.update',
      'azure-devops.workitems.query',
    ]);
    expect(catalogue.syncSources('azure-devops').map((source) => source.name)).toEqual(['work_items', 'pull_requests']);
  });

  it.each(AZURE_DEVOPS.operations!.map((candidate) => [candidate.name, candidate]))('%s: input and output schemas compile strictly, inputs closed', (_name, candidate) => {
    expect(() => schemas.compile(candidate.input)).not.toThrow();
    expect(() => schemas.compile(candidate.output)).not.toThrow();
    expect(candidate.input).toMatchObject({ type: 'object', additionalProperties: false, required: expect.arrayContaining(['project']) });
  });

  describe('JSON Patch inputs', () => {
    const valid = { project: 'P', id: 1, operations: [{ op: 'add', path: '/fields/System.Title', value: 'x' }] };

    it('takes field, relation and revision operations', () => {
      expect(
        problems('azure-devops.workitems.update', {
          ...valid,
          operations: [
            { op: 'test', path: '/rev', value: 3 },
            { op: 'replace', path: '/fields/Microsoft.VSTS.Common.Priority', value: 1 },
            { op: 'remove', path: '/fields/System.Tags' },
            { op: 'add', path: '/relations/-', value: { rel: 'System.LinkTypes.Hierarchy-Reverse', url: 'https://dev.azure.com/o/_apis/wit/workItems/1' } },
            { op: 'copy', from: '/fields/System.Title', path: '/fields/System.Description' },
          ],
        }),
      ).toBe('');
    });

    it.each([
      ['an unknown op', { op: 'merge', path: '/fields/System.Title', value: 'x' }, 'input/operations/0/op must be equal to one of the allowed values'],
      ['an add without a value', { op: 'add', path: '/fields/System.Title' }, "input/operations/0 must have required property 'value'"],
      ['a move without from', { op: 'move', path: '/fields/System.Title' }, "input/operations/0 must have required property 'from'"],
      ['a path outside fields, relations and rev', { op: 'add', path: '/_links/self', value: 'x' }, 'input/operations/0/path must match pattern'],
      ['an extra member', { op: 'add', path: '/fields/System.Title', value: 'x', note: 'y' }, "input/operations/0 has unknown property 'note'"],
    ])('refuses %s', (_case, patchOperation, expected) => {
      expect(problems('azure-devops.workitems.update', { ...valid, operations: [patchOperation] })).toContain(expected);
    });

    it('refuses an empty patch and a missing type', () => {
      expect(problems('azure-devops.workitems.update', { ...valid, operations: [] })).toBe(
        'Invalid input for azure-devops.workitems.update: input/operations must NOT have fewer than 1 items',
      );
      expect(problems('azure-devops.workitems.create', { project: 'P', operations: valid.operations })).toBe(
        "Invalid input for azure-devops.workitems.create: input must have required property 'type'",
      );
    });
  });
});
