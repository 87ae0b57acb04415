import * as containerservice from '@pulumi/azure-native/containerservice';
import * as pulumi from '@pulumi/pulumi';
import type { PlatformSettings } from './settings';

export interface Cluster {
  /** Absent when the workloads run on an existing cluster (config aksOidcIssuerUrl). */
  readonly managedCluster?: containerservice.ManagedCluster;
  /** The issuer of the cluster's service account tokens: what every federated credential trusts. */
  readonly oidcIssuerUrl: pulumi.Output<string>;
}

/**
 * An AKS cluster ready for the Helm chart: OIDC issuer and workload identity (each role's ServiceAccount
 * exchanges its token for its managed identity), the KEDA add-on (workers scale on Service Bus depth)
 * and the Key Vault secrets provider (DATABASE_URL / REDIS_URL mounted from the vault).
 */
export function createCluster(settings: PlatformSettings, resourceGroupName: pulumi.Input<string>): Cluster {
  const { cluster } = settings;
  if (cluster.kind === 'existing') return { oidcIssuerUrl: pulumi.output(cluster.oidcIssuerUrl) };

  const managedCluster = new containerservice.ManagedCluster(
    `${settings.namePrefix}-aks`,
    {
      resourceGroupName,
      location: settings.location,
      dnsPrefix: `${settings.namePrefix}-aks`,
      kubernetesVersion: cluster.kubernetesVersion,
      sku: { name: 'Base', tier: cluster.skuTier },
      identity: { type: 'SystemAssigned' },
      agentPoolProfiles: [
        {
          name: 'system',
          mode: 'System',
          osType: 'Linux',
          osSKU: 'AzureLinux',
          type: 'VirtualMachineScaleSets',
          vmSize: cluster.nodeVmSize,
          enableAutoScaling: true,
          minCount: cluster.nodeMinCount,
          maxCount: cluster.nodeMaxCount,
          count: cluster.nodeMinCount,
        },
      ],
      oidcIssuerProfile: { enabled: true },
      securityProfile: { workloadIdentity: { enabled: true } },
      workloadAutoScalerProfile: { keda: { enabled: true } },
      addonProfiles: {
        azureKeyvaultSecretsProvider: { enabled: true, config: { enableSecretRotation: 'true', rotationPollInterval: '2m' } },
      },
      networkProfile: { networkPlugin: 'azure', networkPluginMode: 'overlay', networkDataplane: 'cilium', networkPolicy: 'cilium', loadBalancerSku: 'standard' },
      autoUpgradeProfile: { upgradeChannel: 'patch', nodeOSUpgradeChannel: 'NodeImage' },
      tags: settings.tags,
    },
    // The cluster autoscaler owns the node count once the pool exists.
    { ignoreChanges: ['agentPoolProfiles[0].count'] },
  );
  return {
    managedCluster,
    oidcIssuerUrl: managedCluster.oidcIssuerProfile.apply((profile) => {
      if (!profile?.issuerURL) throw new Error('The AKS cluster reports no OIDC issuer URL');
      return profile.issuerURL;
    }),
  };
}
