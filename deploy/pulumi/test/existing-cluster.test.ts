import { ROLES } from '../../../src/roles';
import { kubernetesName } from '../lib/naming';
import { ProgramRun, runProgram } from './harness';

const ISSUER = 'https://oidc.example.test/existing-cluster/';

let run: ProgramRun;

beforeAll(async () => {
  run = await runProgram(
    {
      postgresAdministratorPassword: 'secret',
      aksOidcIssuerUrl: ISSUER,
      kubernetesNamespace: 'platform-prod',
      kedaNamespace: 'keda',
      serviceBusSku: 'Premium',
      serviceBusCapacity: '2',
      namePrefix: 'ipprod',
    },
    ['postgresAdministratorPassword'],
  );
}, 30_000);

it('creates no cluster and trusts the given issuer for every role, in the configured namespace', () => {
  expect(run.ofType('azure-native:containerservice:ManagedCluster')).toEqual([]);
  const subjects = run
    .ofType('azure-native:managedidentity:FederatedIdentityCredential')
    .map((credential) => ({ issuer: credential.inputs.issuer, subject: credential.inputs.subject }));
  expect(subjects).toEqual(expect.arrayContaining(ROLES.map((role) => ({ issuer: ISSUER, subject: `system:serviceaccount:platform-prod:${kubernetesName(role.name)}` }))));
  expect(subjects).toContainEqual({ issuer: ISSUER, subject: 'system:serviceaccount:keda:keda-operator' });
  expect(subjects).toHaveLength(ROLES.length + 1);
  expect(run.exports).toMatchObject({ oidcIssuerUrl: ISSUER, kubernetesNamespace: 'platform-prod', clusterName: undefined });
});

it('sizes a Premium namespace in messaging units', () => {
  expect(run.ofType('azure-native:servicebus:Namespace').map((namespace) => namespace.inputs.sku)).toEqual([{ name: 'Premium', tier: 'Premium', capacity: 2 }]);
});

it('starts resource names with the configured prefix', () => {
  expect(run.one('azure-native:managedidentity:UserAssignedIdentity', 'webhook-delivery-worker').inputs.resourceName).toBe('ipprod-webhook-delivery-worker');
  expect(run.ofType('azure-native:keyvault:Vault').map((vault) => vault.name)).toEqual(['ipprodkv']);
});
