import * as pulumi from '@pulumi/pulumi';

export type ServiceBusSku = 'Standard' | 'Premium';
export type RedisSku = 'Basic' | 'Standard' | 'Premium';

/** AKS: a cluster this program creates, or an existing one known by its OIDC issuer. */
export type ClusterSettings =
  | {
      readonly kind: 'managed';
      readonly kubernetesVersion?: string;
      readonly skuTier: 'Free' | 'Standard' | 'Premium';
      readonly nodeVmSize: string;
      readonly nodeMinCount: number;
      readonly nodeMaxCount: number;
    }
  | { readonly kind: 'existing'; readonly oidcIssuerUrl: string };

export interface PlatformSettings {
  readonly location: string;
  /** Lower-case letters and digits: it starts every resource name, storage accounts included. */
  readonly namePrefix: string;
  /** Namespace the Helm chart is installed into; the federated credential subjects name it. */
  readonly kubernetesNamespace: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly serviceBus: { readonly sku: ServiceBusSku; readonly capacity?: number };
  readonly postgres: {
    readonly skuName: string;
    readonly skuTier: 'Burstable' | 'GeneralPurpose' | 'MemoryOptimized';
    readonly storageSizeGb: number;
    readonly highAvailability: boolean;
    readonly backupRetentionDays: number;
    readonly administratorLogin: string;
    readonly administratorPassword: pulumi.Input<string>;
    readonly entraAdministrator?: { readonly objectId: string; readonly principalName: string; readonly principalType: 'User' | 'Group' | 'ServicePrincipal' };
  };
  readonly redis: { readonly sku: RedisSku; readonly capacity: number };
  readonly storageSku: string;
  readonly cluster: ClusterSettings;
  /** Where the KEDA operator runs (the AKS add-on: kube-system); its ServiceAccount is `keda-operator`. */
  readonly kedaNamespace: string;
}

const NAME_PREFIX = /^[a-z][a-z0-9]{1,11}$/;
const KUBERNETES_NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function oneOf<T extends string>(config: pulumi.Config, key: string, allowed: readonly T[], fallback: T): T {
  const value = config.get(key) ?? fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new Error(`Config ${key} must be one of ${allowed.join(', ')}; got "${value}"`);
  return value as T;
}

function matching(config: pulumi.Config, key: string, pattern: RegExp, fallback: string, hint: string): string {
  const value = config.get(key) ?? fallback;
  if (!pattern.test(value)) throw new Error(`Config ${key} must be ${hint}; got "${value}"`);
  return value;
}

/** Reads the stack configuration (`pulumi config set <key> <value>`); every key but the PostgreSQL password has a default. */
export function loadSettings(config = new pulumi.Config()): PlatformSettings {
  const namePrefix = matching(config, 'namePrefix', NAME_PREFIX, 'intplat', '2-12 lower-case letters and digits, starting with a letter');
  const serviceBusSku = oneOf(config, 'serviceBusSku', ['Standard', 'Premium'] as const, 'Standard');
  const redisSku = oneOf(config, 'redisSku', ['Basic', 'Standard', 'Premium'] as const, 'Standard');
  const oidcIssuerUrl = config.get('aksOidcIssuerUrl');
  if (oidcIssuerUrl !== undefined && !/^https:\/\/\S+$/.test(oidcIssuerUrl)) throw new Error(`Config aksOidcIssuerUrl must be an https URL; got "${oidcIssuerUrl}"`);
  const nodeMinCount = config.getNumber('aksNodeMinCount', { min: 1 }) ?? 2;
  const nodeMaxCount = config.getNumber('aksNodeMaxCount', { min: 1 }) ?? 6;
  if (nodeMaxCount < nodeMinCount) throw new Error(`Config aksNodeMaxCount (${nodeMaxCount}) must not be below aksNodeMinCount (${nodeMinCount})`);
  const entraAdministrator = config.getObject<NonNullable<PlatformSettings['postgres']['entraAdministrator']>>('postgresEntraAdministrator');
  if (entraAdministrator && !(entraAdministrator.objectId && entraAdministrator.principalName && entraAdministrator.principalType)) {
    throw new Error('Config postgresEntraAdministrator needs objectId, principalName and principalType (User, Group or ServicePrincipal)');
  }

  return {
    location: config.get('location') ?? 'westeurope',
    namePrefix,
    kubernetesNamespace: matching(config, 'kubernetesNamespace', KUBERNETES_NAMESPACE, 'integration-platform', 'a Kubernetes namespace name'),
    tags: { application: 'integration-platform', environment: pulumi.getStack(), ...config.getObject<Record<string, string>>('tags') },
    serviceBus: {
      sku: serviceBusSku,
      // Messaging units exist only on Premium.
      capacity: serviceBusSku === 'Premium' ? (config.getNumber('serviceBusCapacity', { min: 1, max: 16 }) ?? 1) : undefined,
    },
    postgres: {
      skuName: config.get('postgresSkuName') ?? 'Standard_D2ds_v5',
      skuTier: oneOf(config, 'postgresSkuTier', ['Burstable', 'GeneralPurpose', 'MemoryOptimized'] as const, 'GeneralPurpose'),
      storageSizeGb: config.getNumber('postgresStorageSizeGb', { min: 32 }) ?? 64,
      highAvailability: config.getBoolean('postgresHighAvailability') ?? false,
      backupRetentionDays: config.getNumber('postgresBackupRetentionDays', { min: 7, max: 35 }) ?? 14,
      administratorLogin: config.get('postgresAdministratorLogin') ?? 'platformadmin',
      administratorPassword: config.requireSecret('postgresAdministratorPassword'),
      entraAdministrator,
    },
    redis: { sku: redisSku, capacity: config.getNumber('redisCapacity', { min: 0, max: 6 }) ?? 1 },
    storageSku: oneOf(config, 'storageSku', ['Standard_LRS', 'Standard_ZRS', 'Standard_GRS', 'Standard_GZRS', 'Standard_RAGRS', 'Standard_RAGZRS'] as const, 'Standard_ZRS'),
    cluster:
      oidcIssuerUrl !== undefined
        ? { kind: 'existing', oidcIssuerUrl }
        : {
            kind: 'managed',
            kubernetesVersion: config.get('aksKubernetesVersion'),
            skuTier: oneOf(config, 'aksSkuTier', ['Free', 'Standard', 'Premium'] as const, 'Standard'),
            nodeVmSize: config.get('aksNodeVmSize') ?? 'Standard_D4ds_v5',
            nodeMinCount,
            nodeMaxCount,
          },
    kedaNamespace: matching(config, 'kedaNamespace', KUBERNETES_NAMESPACE, 'kube-system', 'a Kubernetes namespace name'),
  };
}
