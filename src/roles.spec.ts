import { ROLES, resolveRoles, roleLabel, UnknownRoleError } from './roles';

describe('roles', () => {
  it('lists the 19 roles of the design: 14 integration modules and 5 workers', () => {
    expect(ROLES).toHaveLength(19);
    expect(ROLES.filter((role) => role.kind === 'worker')).toHaveLength(5);
    expect(new Set(ROLES.map((role) => role.name)).size).toBe(19);
  });

  it('gives every role a Nest module that declares its options (none, when connections configure everything)', () => {
    for (const role of ROLES) {
      const module = role.load();
      expect(['imports', 'providers', 'controllers'].some((key) => Reflect.getMetadata(key, module) !== undefined)).toBe(true);
      expect(Array.isArray(module.options)).toBe(true);
    }
  });

  it.each([undefined, '', ' ', 'all', 'ALL', 'WebhookGatewayService,all'])('selects every role for %p', (selection) => {
    expect(resolveRoles(selection)).toHaveLength(19);
    expect(roleLabel(resolveRoles(selection))).toBe('all');
  });

  it('accepts one name or a comma list, case-insensitively, in table order without duplicates', () => {
    const roles = resolveRoles('webhookdeliveryworker, WebhookGatewayService,WebhookGatewayService');
    expect(roles.map((role) => role.name)).toEqual(['WebhookGatewayService', 'WebhookDeliveryWorker']);
    expect(roleLabel(roles)).toBe('WebhookGatewayService,WebhookDeliveryWorker');
  });

  it('rejects unknown names, listing the valid ones', () => {
    expect(() => resolveRoles('WebhookGatewayService,Nope')).toThrow(UnknownRoleError);
    expect(() => resolveRoles('Nope')).toThrow(/Unknown APP_ROLE "Nope"\. Valid roles: all, VendorApiClientRegistryService, .*IntegrationRetryWorker/);
  });
});
