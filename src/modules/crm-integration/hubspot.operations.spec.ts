import { OperationSchemas } from '../../platform/integrations/operations/operation-schemas';
import type { VendorAnswer, VendorOperation } from '../../platform/vendors/vendor-descriptor';
import { HUBSPOT } from './hubspot.descriptor';
import { HUBSPOT_OPERATIONS } from './hubspot.operations';

/** Each operation's request (HubSpot's CRM v3 objects / v4 associations paths and bodies) and its output, mapped from HubSpot's documented answers, through its output schema. */

const CONTEXT = { connectionId: 'conn-1', configuration: {} };
const schemas = new OperationSchemas();
const operation = (name: string): VendorOperation => HUBSPOT_OPERATIONS.find((each) => each.name === name)!;
const answer = (status: number, body: unknown): VendorAnswer => ({ status, headers: { 'content-type': 'application/json;charset=utf-8' }, body, runId: 'run-1' });
const HUBSPOT_CONTACT = {
  id: '512',
  properties: {
    createdate: '2025-05-01T09:00:00.000Z',
    email: 'bcooper@biglytics.net',
    firstname: 'Bryan',
    hs_object_id: '512',
    lastmodifieddate: '2025-05-02T09:00:00.000Z',
    phone: null,
  },
  createdAt: '2025-05-01T09:00:00.000Z',
  updatedAt: '2025-05-02T09:00:00.000Z',
  archived: false,
};

function check(name: string, input: unknown, body: unknown, status = 200) {
  const op = operation(name);
  schemas.assertInput(op, input);
  const request = op.request!(input, CONTEXT);
  const output = op.result ? op.result(answer(status, body), input) : body;
  const validate = schemas.compile(op.output);
  expect({ name, valid: validate(output), errors: validate.errors ?? null }).toEqual({ name, valid: true, errors: null });
  return { request, body: request.body === undefined ? undefined : JSON.parse(String(request.body)), output };
}

describe('HubSpot operations', () => {
  it('names create, get, update, archive and search for each object type, and the associations', () => {
    const names = HUBSPOT_OPERATIONS.map((each) => each.name);
    for (const type of ['contacts', 'companies', 'deals']) {
      for (const verb of ['create', 'get', 'update', 'archive', 'search']) expect(names).toContain(`hubspot.${type}.${verb}`);
    }
    expect(names).toEqual(expect.arrayContaining(['hubspot.associations.create', 'hubspot.associations.list']));
    expect(new Set(names).size).toBe(names.length);
    for (const each of HUBSPOT_OPERATIONS) {
      expect(() => schemas.compile(each.input)).not.toThrow();
      expect(each.input).toMatchObject({ type: 'object', additionalProperties: false });
    }
    expect(HUBSPOT.operations).toBe(HUBSPOT_OPERATIONS);
  });

  it('creates with properties as strings and v3 associations', () => {
    const { request, body, output } = check(
      'hubspot.contacts.create',
      {
        properties: { email: 'bcooper@biglytics.net', firstname: 'Bryan', age: 41, vip: true },
        associations: [{ toId: '9', types: [{ category: 'HUBSPOT_DEFINED', typeId: 279 }] }],
      },
      HUBSPOT_CONTACT,
      201,
    );
    expect(request).toMatchObject({ method: 'POST', path: '/crm/v3/objects/contacts', headers: { 'content-type': 'application/json' } });
    expect(body).toEqual({
      properties: { email: 'bcooper@biglytics.net', firstname: 'Bryan', age: '41', vip: 'true' },
      associations: [{ to: { id: '9' }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 279 }] }],
    });
    expect(output).toEqual({
      id: '512',
      properties: expect.objectContaining({ email: 'bcooper@biglytics.net', phone: null }),
      createdAt: '2025-05-01T09:00:00.000Z',
      updatedAt: '2025-05-02T09:00:00.000Z',
      archived: false,
    });
  });

  it('gets with properties and associations as comma-separated lists, the associations tidied', () => {
    const { request, output } = check(
      'hubspot.deals.get',
      { id: '77', properties: ['dealname', 'amount'], associations: ['contacts', 'companies'] },
      { ...HUBSPOT_CONTACT, id: '77', associations: { contacts: { results: [{ id: '512', type: 'deal_to_contact' }] } } },
    );
    expect(request).toEqual({ method: 'GET', path: '/crm/v3/objects/deals/77', query: { properties: 'dealname,amount', associations: 'contacts,companies' } });
    expect((output as { associations: unknown }).associations).toEqual({ contacts: [{ id: '512', type: 'deal_to_contact' }] });
    expect(check('hubspot.contacts.get', { id: 'a@b.example', idProperty: 'email' }, HUBSPOT_CONTACT).request).toEqual({
      method: 'GET',
      path: '/crm/v3/objects/contacts/a%40b.example',
      query: { idProperty: 'email' },
    });
  });

  it('updates with PATCH and archives with DELETE (204, no body)', () => {
    const update = check('hubspot.companies.update', { id: '5', properties: { name: 'Biglytics' } }, { ...HUBSPOT_CONTACT, id: '5' });
    expect(update.request).toMatchObject({ method: 'PATCH', path: '/crm/v3/objects/companies/5' });
    expect(update.body).toEqual({ properties: { name: 'Biglytics' } });
    const archive = check('hubspot.deals.archive', { id: '5' }, null, 204);
    expect(archive.request).toEqual({ method: 'DELETE', path: '/crm/v3/objects/deals/5' });
    expect(archive.output).toEqual({ id: '5', archived: true });
  });

  it('searches with filter groups, sorts and paging, answering total, items and the next after', () => {
    const { request, body, output } = check(
      'hubspot.contacts.search',
      {
        filterGroups: [
          {
            filters: [
              { propertyName: 'email', operator: 'CONTAINS_TOKEN', value: '*@biglytics.net' },
              { propertyName: 'age', operator: 'BETWEEN', value: 18, highValue: 65 },
            ],
          },
        ],
        sorts: [{ propertyName: 'createdate', direction: 'DESCENDING' }],
        properties: ['email'],
        limit: 2,
        after: '2',
      },
      { total: 5, results: [HUBSPOT_CONTACT], paging: { next: { after: '4', link: '?after=4' } } },
    );
    expect(request).toMatchObject({ method: 'POST', path: '/crm/v3/objects/contacts/search' });
    expect(body).toEqual({
      filterGroups: [
        {
          filters: [
            { propertyName: 'email', operator: 'CONTAINS_TOKEN', value: '*@biglytics.net' },
            { propertyName: 'age', operator: 'BETWEEN', value: '18', highValue: '65' },
          ],
        },
      ],
      sorts: [{ propertyName: 'createdate', direction: 'DESCENDING' }],
      properties: ['email'],
      limit: 2,
      after: '2',
    });
    expect(output).toMatchObject({ total: 5, after: '4', items: [{ id: '512' }] });
    expect(check('hubspot.deals.search', {}, { total: 0, results: [] }).output).toEqual({ total: 0, items: [], after: null });
  });

  it('associates two objects by their default type (v4) and lists associations', () => {
    const created = check(
      'hubspot.associations.create',
      { fromType: 'contacts', fromId: '512', toType: 'companies', toId: '9' },
      {
        status: 'COMPLETE',
        results: [
          { from: { id: '512' }, to: { id: '9' }, associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 279 } },
          { from: { id: '9' }, to: { id: '512' }, associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 280 } },
        ],
        startedAt: '2025-05-01T09:00:00.000Z',
        completedAt: '2025-05-01T09:00:00.100Z',
      },
    );
    expect(created.request).toEqual({ method: 'PUT', path: '/crm/v4/objects/contacts/512/associations/default/companies/9' });
    expect(created.output).toEqual({ fromId: '512', toId: '9', types: [{ category: 'HUBSPOT_DEFINED', typeId: 279, label: null }] });

    const listed = check(
      'hubspot.associations.list',
      { fromType: 'deals', fromId: '77', toType: 'contacts', limit: 10 },
      {
        results: [
          {
            toObjectId: 512,
            associationTypes: [
              { category: 'HUBSPOT_DEFINED', typeId: 3, label: null },
              { category: 'USER_DEFINED', typeId: 41, label: 'Champion' },
            ],
          },
        ],
      },
    );
    expect(listed.request).toEqual({ method: 'GET', path: '/crm/v4/objects/deals/77/associations/contacts', query: { limit: '10' } });
    expect(listed.output).toEqual({
      items: [
        {
          toObjectId: '512',
          types: [
            { category: 'HUBSPOT_DEFINED', typeId: 3, label: null },
            { category: 'USER_DEFINED', typeId: 41, label: 'Champion' },
          ],
        },
      ],
      after: null,
    });
  });

  it('refuses input HubSpot would not take, before any call', () => {
    expect(() => schemas.assertInput(operation('hubspot.contacts.update'), { id: '1/../2', properties: { a: 'b' } })).toThrow('input/id must match pattern');
    expect(() => schemas.assertInput(operation('hubspot.contacts.create'), { properties: {} })).toThrow('input/properties must NOT have fewer than 1 properties');
    expect(() => schemas.assertInput(operation('hubspot.contacts.create'), { properties: { 'bad name': 'x' } })).toThrow('property name must be valid');
    expect(() => schemas.assertInput(operation('hubspot.deals.search'), { limit: 201 })).toThrow('input/limit must be <= 200');
    expect(() => schemas.assertInput(operation('hubspot.associations.create'), { fromType: 'tickets', fromId: '1', toType: 'deals', toId: '2' })).toThrow(
      'input/fromType must be equal to one of the allowed values',
    );
  });

  it('checks its configuration: OAuth needs the client in the form', () => {
    const problems = HUBSPOT.http!.configurationProblems!;
    expect(problems({}, 'bearer')).toEqual([]);
    expect(problems({ tokenUrl: 'https://api.hubapi.com/oauth/v1/token' }, 'oauth2-refresh-token')).toEqual([expect.stringContaining('client_secret_post')]);
    expect(problems({ tokenAuthMethod: 'client_secret_post' }, 'oauth2-refresh-token')).toEqual([]);
    expect(problems({ pageSize: 500, searchResultLimit: 0 }, 'bearer')).toHaveLength(2);
  });
});
