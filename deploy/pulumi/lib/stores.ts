import * as dbforpostgresql from '@pulumi/azure-native/dbforpostgresql';
import * as keyvault from '@pulumi/azure-native/keyvault';
import * as redis from '@pulumi/azure-native/redis';
import * as storage from '@pulumi/azure-native/storage';
import * as pulumi from '@pulumi/pulumi';
import type { PlatformSettings } from './settings';

/** The app's blob container (AZURE_STORAGE_CONTAINER's default); the app never creates it in production. */
export const PAYLOADS_CONTAINER = 'payloads';
export const DATABASE_NAME = 'platform';
/** Key Vault secrets holding the connection URLs, for the Key Vault CSI driver to mount as DATABASE_URL / REDIS_URL. */
export const DATABASE_URL_SECRET = 'platform-database-url';
export const REDIS_URL_SECRET = 'platform-redis-url';

interface Placement {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly tenantId: pulumi.Input<string>;
}

export interface KeyVault {
  readonly vault: keyvault.Vault;
  readonly url: pulumi.Output<string>;
}

/** Access by Azure RBAC only (no access policies); deleted secrets stay recoverable and cannot be purged early. */
export function createKeyVault(settings: PlatformSettings, { resourceGroupName, tenantId }: Placement): KeyVault {
  const vault = new keyvault.Vault(`${settings.namePrefix}kv`, {
    resourceGroupName,
    location: settings.location,
    properties: {
      tenantId,
      sku: { family: 'A', name: 'standard' },
      enableRbacAuthorization: true,
      enableSoftDelete: true,
      softDeleteRetentionInDays: 90,
      enablePurgeProtection: true,
    },
    tags: settings.tags,
  });
  return { vault, url: vault.properties.apply((properties) => properties.vaultUri ?? '') };
}

export interface PayloadStorage {
  readonly account: storage.StorageAccount;
  readonly container: storage.BlobContainer;
  readonly blobEndpoint: pulumi.Output<string>;
}

/**
 * The app reaches Blob Storage through AZURE_STORAGE_ACCOUNT_URL and its workload identity, so shared-key
 * (and with it SAS) access is off: a leaked connection string opens nothing.
 */
export function createPayloadStorage(settings: PlatformSettings, { resourceGroupName }: Placement): PayloadStorage {
  const account = new storage.StorageAccount(`${settings.namePrefix}st`, {
    resourceGroupName,
    location: settings.location,
    kind: 'StorageV2',
    sku: { name: settings.storageSku },
    accessTier: 'Hot',
    allowBlobPublicAccess: false,
    allowSharedKeyAccess: false,
    defaultToOAuthAuthentication: true,
    allowCrossTenantReplication: false,
    enableHttpsTrafficOnly: true,
    minimumTlsVersion: 'TLS1_2',
    tags: settings.tags,
  });
  const container = new storage.BlobContainer(PAYLOADS_CONTAINER, {
    resourceGroupName,
    accountName: account.name,
    containerName: PAYLOADS_CONTAINER,
    publicAccess: 'None',
  });
  return { account, container, blobEndpoint: account.primaryEndpoints.apply((endpoints) => endpoints.blob) };
}

export interface Database {
  readonly server: dbforpostgresql.Server;
  readonly database: dbforpostgresql.Database;
  readonly host: pulumi.Output<string>;
  /** The app's DATABASE_URL (a secret). */
  readonly url: pulumi.Output<string>;
}

/**
 * PostgreSQL 16 flexible server. Microsoft Entra authentication is on for administrators; password
 * authentication stays on because the app connects with the URL in DATABASE_URL.
 */
export function createDatabase(settings: PlatformSettings, { resourceGroupName, tenantId }: Placement): Database {
  const { postgres } = settings;
  const server = new dbforpostgresql.Server(`${settings.namePrefix}-pg`, {
    resourceGroupName,
    location: settings.location,
    version: '16',
    sku: { name: postgres.skuName, tier: postgres.skuTier },
    storage: { storageSizeGB: postgres.storageSizeGb, autoGrow: 'Enabled' },
    backup: { backupRetentionDays: postgres.backupRetentionDays, geoRedundantBackup: 'Disabled' },
    highAvailability: { mode: postgres.highAvailability ? 'ZoneRedundant' : 'Disabled' },
    authConfig: { activeDirectoryAuth: 'Enabled', passwordAuth: 'Enabled', tenantId },
    administratorLogin: postgres.administratorLogin,
    administratorLoginPassword: postgres.administratorPassword,
    network: { publicNetworkAccess: 'Enabled' },
    tags: settings.tags,
  });
  const serverArgs = { resourceGroupName, serverName: server.name };

  // A flexible server applies one parameter change at a time, so the second waits for the first.
  const secureTransport = new dbforpostgresql.Configuration('require_secure_transport', {
    ...serverArgs,
    configurationName: 'require_secure_transport',
    value: 'on',
    source: 'user-override',
  });
  new dbforpostgresql.Configuration(
    'ssl_min_protocol_version',
    { ...serverArgs, configurationName: 'ssl_min_protocol_version', value: 'TLSv1.2', source: 'user-override' },
    { dependsOn: [secureTransport] },
  );
  const database = new dbforpostgresql.Database(DATABASE_NAME, { ...serverArgs, databaseName: DATABASE_NAME, charset: 'UTF8', collation: 'en_US.utf8' });
  // 0.0.0.0 is Azure's "allow Azure services" rule: the cluster reaches the server without a fixed egress address.
  new dbforpostgresql.FirewallRule('allow-azure-services', { ...serverArgs, firewallRuleName: 'allow-azure-services', startIpAddress: '0.0.0.0', endIpAddress: '0.0.0.0' });
  if (postgres.entraAdministrator) {
    new dbforpostgresql.Administrator('entra-administrator', { ...serverArgs, tenantId, ...postgres.entraAdministrator });
  }

  const host = server.fullyQualifiedDomainName;
  const url = pulumi.secret(
    pulumi
      .all([host, postgres.administratorPassword, database.name])
      .apply(
        ([hostName, password, databaseName]) =>
          `postgres://${encodeURIComponent(postgres.administratorLogin)}:${encodeURIComponent(password)}@${hostName}:5432/${databaseName}?sslmode=verify-full`,
      ),
  );
  return { server, database, host, url };
}

export interface Cache {
  readonly cache: redis.Redis;
  readonly host: pulumi.Output<string>;
  /** The app's REDIS_URL (a secret). */
  readonly url: pulumi.Output<string>;
}

/** Azure Cache for Redis on its TLS port only. */
export function createCache(settings: PlatformSettings, { resourceGroupName }: Placement): Cache {
  const cache = new redis.Redis(`${settings.namePrefix}-redis`, {
    resourceGroupName,
    location: settings.location,
    sku: { name: settings.redis.sku, family: settings.redis.sku === 'Premium' ? 'P' : 'C', capacity: settings.redis.capacity },
    redisVersion: '6',
    enableNonSslPort: false,
    minimumTlsVersion: '1.2',
    // Locks and idempotency keys carry TTLs; evicting one early would break the guarantee it stands for.
    redisConfiguration: { maxmemoryPolicy: 'noeviction' },
    tags: settings.tags,
  });
  const keys = redis.listRedisKeysOutput({ name: cache.name, resourceGroupName });
  const url = pulumi.secret(pulumi.all([cache.hostName, cache.sslPort, keys.primaryKey]).apply(([host, port, key]) => `rediss://:${encodeURIComponent(key)}@${host}:${port}`));
  return { cache, host: cache.hostName, url };
}

/** Stores a connection URL in the vault under a platform name (tenant secrets are all `t-<digest>-…`). */
export function storeConnectionSecret(name: string, value: pulumi.Input<string>, vault: KeyVault, resourceGroupName: pulumi.Input<string>): keyvault.Secret {
  return new keyvault.Secret(name, {
    resourceGroupName,
    vaultName: vault.vault.name,
    secretName: name,
    properties: { value: pulumi.secret(value), contentType: 'text/plain' },
  });
}
