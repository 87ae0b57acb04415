import * as authorization from '@pulumi/azure-native/authorization';
import * as resources from '@pulumi/azure-native/resources';
import * as pulumi from '@pulumi/pulumi';
import { sourcePath } from '../../../src/platform/messaging/topology';
import { createCluster } from './cluster';
import { createRoleIdentities, createScalerIdentity } from './identities';
import { createMessaging } from './messaging';
import type { PlatformSettings } from './settings';
import { createCache, createDatabase, createKeyVault, createPayloadStorage, DATABASE_URL_SECRET, PAYLOADS_CONTAINER, REDIS_URL_SECRET, storeConnectionSecret } from './stores';

/** Values for `helm install -f`: the shape deploy/helm/integration-platform reads. */
export interface HelmValues {
  workloadIdentity: { clientIds: Record<string, string> };
  azure: { serviceBusNamespace: string; keyVaultUrl: string; storageAccount: string; tenantId: string };
  /** The chart's KEDA TriggerAuthentication signs in as this identity to read queue and subscription depths. */
  keda: { identityId: string };
  /** DATABASE_URL and REDIS_URL come from Key Vault (Secrets Store CSI driver), as stored by this program. */
  secretEnv: { source: 'keyVault' };
}

/** Everything the platform needs in Azure; the result is what the stack exports. */
export function createPlatform(settings: PlatformSettings) {
  const client = authorization.getClientConfigOutput();
  const resourceGroup = new resources.ResourceGroup(`${settings.namePrefix}-rg`, { location: settings.location, tags: settings.tags });
  const placement = { resourceGroupName: resourceGroup.name, tenantId: client.tenantId };

  const messaging = createMessaging(settings, resourceGroup.name);
  const keyVault = createKeyVault(settings, placement);
  const storage = createPayloadStorage(settings, placement);
  const database = createDatabase(settings, placement);
  const cache = createCache(settings, placement);
  storeConnectionSecret(DATABASE_URL_SECRET, database.url, keyVault, resourceGroup.name);
  storeConnectionSecret(REDIS_URL_SECRET, cache.url, keyVault, resourceGroup.name);

  const cluster = createCluster(settings, resourceGroup.name);
  const context = {
    settings,
    resourceGroupName: resourceGroup.name,
    subscriptionId: client.subscriptionId,
    oidcIssuerUrl: cluster.oidcIssuerUrl,
    messaging,
    keyVault,
    storage,
  };
  const roles = createRoleIdentities(context);
  const scaler = createScalerIdentity(context);

  const helmValues: pulumi.Output<HelmValues> = pulumi.output({
    workloadIdentity: { clientIds: Object.fromEntries(roles.map(({ access, identity }) => [access.role, identity.clientId])) },
    azure: { serviceBusNamespace: messaging.host, keyVaultUrl: keyVault.url, storageAccount: storage.account.name, tenantId: client.tenantId },
    keda: { identityId: scaler.clientId },
    secretEnv: { source: 'keyVault' as const },
  });

  return {
    helmValues,
    resourceGroupName: resourceGroup.name,
    kubernetesNamespace: settings.kubernetesNamespace,
    clusterName: cluster.managedCluster?.name,
    oidcIssuerUrl: cluster.oidcIssuerUrl,
    serviceBusNamespaceName: messaging.namespace.name,
    keyVaultName: keyVault.vault.name,
    storageBlobEndpoint: storage.blobEndpoint,
    payloadsContainer: PAYLOADS_CONTAINER,
    postgresDatabase: database.database.name,
    databaseUrlSecretName: DATABASE_URL_SECRET,
    redisUrlSecretName: REDIS_URL_SECRET,
    kedaScalerClientId: scaler.clientId,
    /** Who may do what, per role: for reviews and for wiring the chart's per-role settings. */
    roleAccess: Object.fromEntries(
      roles.map(({ access }) => [
        access.role,
        { serviceAccount: access.serviceAccount, receives: access.receives.map(sourcePath), secrets: access.secrets, blob: access.blob ?? 'none' },
      ]),
    ),
  };
}
