import * as authorization from '@pulumi/azure-native/authorization';
import * as managedidentity from '@pulumi/azure-native/managedidentity';
import * as pulumi from '@pulumi/pulumi';
import { RoleAccess, roleAccess, sourceKey } from './access';
import { entityId, Messaging } from './messaging';
import { serviceAccountSubject } from './naming';
import { BUILT_IN_ROLES, BuiltInRole } from './role-definitions';
import type { PlatformSettings } from './settings';
import type { KeyVault, PayloadStorage } from './stores';

/** The audience AKS workload identity tokens carry for Microsoft Entra. */
const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';
/** The ServiceAccount of the KEDA operator, the same in the AKS add-on and the KEDA Helm chart. */
const KEDA_OPERATOR_SERVICE_ACCOUNT = 'keda-operator';

export interface IdentityContext {
  readonly settings: PlatformSettings;
  readonly resourceGroupName: pulumi.Input<string>;
  readonly subscriptionId: pulumi.Input<string>;
  readonly oidcIssuerUrl: pulumi.Input<string>;
  readonly messaging: Messaging;
  readonly keyVault: KeyVault;
  readonly storage: PayloadStorage;
}

export interface RoleIdentity {
  readonly access: RoleAccess;
  readonly identity: managedidentity.UserAssignedIdentity;
  readonly federatedCredential: managedidentity.FederatedIdentityCredential;
}

/** A managed identity trusted for tokens of one Kubernetes ServiceAccount. */
function federatedIdentity(context: IdentityContext, logicalName: string, namespace: string, serviceAccount: string): Omit<RoleIdentity, 'access'> {
  const { settings, resourceGroupName } = context;
  const identity = new managedidentity.UserAssignedIdentity(logicalName, {
    resourceGroupName,
    location: settings.location,
    resourceName: `${settings.namePrefix}-${logicalName}`,
    tags: settings.tags,
  });
  const federatedCredential = new managedidentity.FederatedIdentityCredential(logicalName, {
    resourceGroupName,
    resourceName: identity.name,
    federatedIdentityCredentialResourceName: 'kubernetes',
    issuer: context.oidcIssuerUrl,
    subject: serviceAccountSubject(namespace, serviceAccount),
    audiences: [TOKEN_EXCHANGE_AUDIENCE],
  });
  return { identity, federatedCredential };
}

function assign(
  context: IdentityContext,
  owner: string,
  grant: string,
  identity: managedidentity.UserAssignedIdentity,
  role: BuiltInRole,
  scope: pulumi.Input<string>,
): authorization.RoleAssignment {
  return new authorization.RoleAssignment(`${owner}--${grant}`, {
    principalId: identity.principalId,
    // Set explicitly so a fresh identity is not rejected while Entra is still replicating it.
    principalType: 'ServicePrincipal',
    roleDefinitionId: pulumi.interpolate`/subscriptions/${context.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${role.id}`,
    scope,
    description: `${role.name} for ${owner}`,
  });
}

/** One user-assigned identity per role, federated with the role's ServiceAccount, with least-privilege role assignments. */
export function createRoleIdentities(context: IdentityContext): RoleIdentity[] {
  return roleAccess().map((access) => {
    const name = access.serviceAccount;
    const { identity, federatedCredential } = federatedIdentity(context, name, context.settings.kubernetesNamespace, access.serviceAccount);

    for (const source of access.receives) {
      assign(context, name, `receiver--${sourceKey(source)}`, identity, BUILT_IN_ROLES.serviceBusDataReceiver, entityId(context.messaging, source));
    }
    // Sending is granted on the namespace, not per entity: a role's outbox publishes whatever commands
    // and events its handlers raise (and a consumer schedules delayed redeliveries onto its own entity),
    // which no static table records. Send cannot read, settle or manage anything.
    assign(context, name, 'sender', identity, BUILT_IN_ROLES.serviceBusDataSender, context.messaging.namespace.id);

    const secretsRole = access.secrets === 'officer' ? BUILT_IN_ROLES.keyVaultSecretsOfficer : BUILT_IN_ROLES.keyVaultSecretsUser;
    assign(context, name, `secrets-${access.secrets}`, identity, secretsRole, context.keyVault.vault.id);

    if (access.blob) {
      const blobRole = access.blob === 'contributor' ? BUILT_IN_ROLES.storageBlobDataContributor : BUILT_IN_ROLES.storageBlobDataReader;
      assign(context, name, `blob-${access.blob}`, identity, blobRole, context.storage.container.id);
    }
    return { access, identity, federatedCredential };
  });
}

/**
 * The identity KEDA's Service Bus scaler signs in with (TriggerAuthentication, provider azure-workload).
 * Reading an entity's message count is a management operation, so it needs Data Owner; it is granted on
 * each consumed queue and subscription only, never on the namespace.
 */
export function createScalerIdentity(context: IdentityContext): managedidentity.UserAssignedIdentity {
  const { identity } = federatedIdentity(context, 'keda-scaler', context.settings.kedaNamespace, KEDA_OPERATOR_SERVICE_ACCOUNT);
  const sources = roleAccess().flatMap((access) => access.receives);
  for (const source of sources) {
    assign(context, 'keda-scaler', `owner--${sourceKey(source)}`, identity, BUILT_IN_ROLES.serviceBusDataOwner, entityId(context.messaging, source));
  }
  return identity;
}
