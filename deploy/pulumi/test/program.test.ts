import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { helm } from '../../../test/support/helm';
import { BlobOptions } from '../../../src/platform/blob/blob.options';
import { loadOptions } from '../../../src/platform/config/options';
import { ENTITY_DEFAULTS, QUEUES, TOPICS } from '../../../src/platform/messaging/topology';
import { ROLES } from '../../../src/roles';
import { BUILT_IN_ROLES } from '../lib/role-definitions';
import { KUBERNETES_NAMES, OIDC_ISSUER, ProgramRun, RecordedResource, REDIS_PRIMARY_KEY, runProgram, SUBSCRIPTION_ID, TENANT_ID } from './harness';

const T = {
  namespace: 'azure-native:servicebus:Namespace',
  queue: 'azure-native:servicebus:Queue',
  topic: 'azure-native:servicebus:Topic',
  subscription: 'azure-native:servicebus:Subscription',
  account: 'azure-native:storage:StorageAccount',
  container: 'azure-native:storage:BlobContainer',
  redis: 'azure-native:redis:Redis',
  server: 'azure-native:dbforpostgresql:Server',
  configuration: 'azure-native:dbforpostgresql:Configuration',
  database: 'azure-native:dbforpostgresql:Database',
  vault: 'azure-native:keyvault:Vault',
  secret: 'azure-native:keyvault:Secret',
  identity: 'azure-native:managedidentity:UserAssignedIdentity',
  federated: 'azure-native:managedidentity:FederatedIdentityCredential',
  assignment: 'azure-native:authorization:RoleAssignment',
  cluster: 'azure-native:containerservice:ManagedCluster',
} as const;

const PASSWORD = 'p@ss/word:with#reserved';

/** The roles whose code writes secrets (SecretStore.set / disableVersion, directly or through the OAuth token cache). */
const SECRET_WRITERS = ['VendorApiClientRegistryService', 'WebhookGatewayService', 'CredentialRotationWorker', 'ExternalApiHealthWorker'];

let run: ProgramRun;

beforeAll(async () => {
  run = await runProgram({ postgresAdministratorPassword: PASSWORD }, ['postgresAdministratorPassword']);
}, 30_000);

const roleDefinitionId = (role: { id: string }) => `/subscriptions/${SUBSCRIPTION_ID}/providers/Microsoft.Authorization/roleDefinitions/${role.id}`;
const identityOf = (role: string) => run.one(T.identity, KUBERNETES_NAMES[role]);
const principalOf = (identity: RecordedResource) => `principal-id-of-${identity.inputs.resourceName}`;

/** Role assignments of one principal, as `<role definition>@<scope resource>` for readable failures. */
function grantsOf(identity: RecordedResource): string[] {
  const names = new Map(Object.values(BUILT_IN_ROLES).map((role) => [roleDefinitionId(role), role.name]));
  return run
    .ofType(T.assignment)
    .filter((assignment) => assignment.inputs.principalId === principalOf(identity))
    .map((assignment) => `${names.get(assignment.inputs.roleDefinitionId) ?? assignment.inputs.roleDefinitionId}@${run.byId(assignment.inputs.scope).name}`)
    .sort();
}

/** The entities a role consumes, straight from the topology: queue resources and topic-subscription resources. */
function consumedEntities(role: string): string[] {
  return [
    ...QUEUES.filter((queue) => queue.consumer === role).map((queue) => `queue-${queue.name}`),
    ...TOPICS.flatMap((topic) =>
      topic.subscriptions.filter((subscription) => subscription.consumer === role).map((subscription) => `subscription-${topic.name}--${subscription.name}`),
    ),
  ];
}

describe('Service Bus', () => {
  const lockDuration = 'PT1M';
  const duplicateDetectionWindow = 'PT10M';

  it('is one Standard namespace, TLS 1.2 minimum, Microsoft Entra authentication only', () => {
    const [namespace] = run.ofType(T.namespace);
    expect(run.ofType(T.namespace)).toHaveLength(1);
    expect(namespace.inputs).toMatchObject({ sku: { name: 'Standard', tier: 'Standard' }, minimumTlsVersion: '1.2', disableLocalAuth: true });
    expect(namespace.inputs.sku.capacity).toBeUndefined();
  });

  it('expects the topology durations (60 s lock, 10 min duplicate window) in ISO-8601 form', () => {
    expect({ lockDuration: ENTITY_DEFAULTS.lockDurationMs, duplicateDetectionWindow: ENTITY_DEFAULTS.duplicateDetectionWindowMs }).toEqual({
      lockDuration: 60_000,
      duplicateDetectionWindow: 600_000,
    });
  });

  it('declares every queue of the topology, and no other, with delivery limits, duplicate detection and dead-lettering', () => {
    const namespaceName = run.ofType(T.namespace)[0].name;
    expect(
      run
        .ofType(T.queue)
        .map((queue) => queue.inputs.queueName)
        .sort(),
    ).toEqual(QUEUES.map((queue) => queue.name).sort());
    for (const queue of QUEUES) {
      expect(run.one(T.queue, `queue-${queue.name}`).inputs).toEqual({
        resourceGroupName: expect.any(String),
        namespaceName,
        queueName: queue.name,
        maxDeliveryCount: ENTITY_DEFAULTS.maxDeliveryCount,
        lockDuration,
        deadLetteringOnMessageExpiration: true,
        requiresDuplicateDetection: true,
        duplicateDetectionHistoryTimeWindow: duplicateDetectionWindow,
      });
    }
  });

  it('declares every topic of the topology, and no other, with duplicate detection', () => {
    expect(
      run
        .ofType(T.topic)
        .map((topic) => topic.inputs.topicName)
        .sort(),
    ).toEqual(TOPICS.map((topic) => topic.name).sort());
    for (const topic of TOPICS) {
      expect(run.one(T.topic, `topic-${topic.name}`).inputs).toMatchObject({
        topicName: topic.name,
        requiresDuplicateDetection: true,
        duplicateDetectionHistoryTimeWindow: duplicateDetectionWindow,
      });
    }
  });

  it('declares one subscription per consuming role of each topic, with delivery limits and dead-lettering', () => {
    const expected = TOPICS.flatMap((topic) => topic.subscriptions.map((subscription) => `${topic.name}/${subscription.name}`)).sort();
    expect(
      run
        .ofType(T.subscription)
        .map((subscription) => `${subscription.inputs.topicName}/${subscription.inputs.subscriptionName}`)
        .sort(),
    ).toEqual(expected);
    for (const subscription of run.ofType(T.subscription)) {
      expect(subscription.inputs).toMatchObject({
        maxDeliveryCount: ENTITY_DEFAULTS.maxDeliveryCount,
        lockDuration,
        deadLetteringOnMessageExpiration: true,
      });
    }
  });
});

describe('data stores', () => {
  it('storage: no public blob access, no shared keys, HTTPS only, TLS 1.2 minimum', () => {
    const [account] = run.ofType(T.account);
    expect(run.ofType(T.account)).toHaveLength(1);
    expect(account.inputs).toMatchObject({
      kind: 'StorageV2',
      allowBlobPublicAccess: false,
      allowSharedKeyAccess: false,
      enableHttpsTrafficOnly: true,
      minimumTlsVersion: 'TLS1_2',
    });
  });

  it('storage: one private container, named as the app expects by default', () => {
    const appContainer = loadOptions(BlobOptions, {}).container;
    expect(run.ofType(T.container).map((container) => container.inputs)).toEqual([
      expect.objectContaining({ containerName: appContainer, publicAccess: 'None', accountName: run.ofType(T.account)[0].name }),
    ]);
  });

  it('Redis: TLS only, TLS 1.2 minimum', () => {
    const [cache] = run.ofType(T.redis);
    expect(cache.inputs).toMatchObject({ enableNonSslPort: false, minimumTlsVersion: '1.2' });
  });

  it('PostgreSQL: version 16, Microsoft Entra authentication on, TLS required, a platform database', () => {
    const [server] = run.ofType(T.server);
    expect(server.inputs).toMatchObject({ version: '16', authConfig: { activeDirectoryAuth: 'Enabled', tenantId: TENANT_ID } });
    const configurations = Object.fromEntries(
      run
        .ofType(T.configuration)
        .filter((configuration) => configuration.inputs.serverName === server.name)
        .map((configuration) => [configuration.inputs.configurationName, configuration.inputs.value]),
    );
    expect(configurations).toMatchObject({ require_secure_transport: 'on', ssl_min_protocol_version: 'TLSv1.2' });
    expect(run.ofType(T.database).map((database) => database.inputs)).toEqual([expect.objectContaining({ databaseName: 'platform', serverName: server.name })]);
  });

  it('Key Vault: Azure RBAC authorization, soft delete and purge protection', () => {
    const [vault] = run.ofType(T.vault);
    expect(run.ofType(T.vault)).toHaveLength(1);
    expect(vault.inputs.properties).toMatchObject({ tenantId: TENANT_ID, enableRbacAuthorization: true, enableSoftDelete: true, enablePurgeProtection: true });
    expect(vault.inputs.properties.accessPolicies ?? []).toEqual([]);
  });

  it('stores DATABASE_URL and REDIS_URL in the vault, over TLS, with their credentials URL-encoded', () => {
    const secrets = Object.fromEntries(run.ofType(T.secret).map((secret) => [secret.inputs.secretName, secret.inputs.properties.value]));
    const server = run.ofType(T.server)[0].name;
    const cache = run.ofType(T.redis)[0].name;
    expect(secrets).toEqual({
      'platform-database-url': `postgres://platformadmin:${encodeURIComponent(PASSWORD)}@${server}.postgres.database.azure.com:5432/platform?sslmode=verify-full`,
      'platform-redis-url': `rediss://:${encodeURIComponent(REDIS_PRIMARY_KEY)}@${cache}.redis.cache.windows.net:6380`,
    });
    expect(new URL(secrets['platform-database-url']).password).toBe(encodeURIComponent(PASSWORD));
    for (const secret of run.ofType(T.secret)) expect(secret.secretInputs).toEqual(['properties']);
    expect(run.ofType(T.server)[0].secretInputs).toEqual(['administratorLoginPassword']);
  });
});

describe('workload identities', () => {
  it('gives each of the 19 roles its own user-assigned identity', () => {
    expect(ROLES).toHaveLength(19);
    expect(Object.keys(KUBERNETES_NAMES).sort()).toEqual(ROLES.map((role) => role.name).sort());
    for (const role of ROLES) expect(identityOf(role.name).inputs.resourceName).toBe(`intplat-${KUBERNETES_NAMES[role.name]}`);
    expect(run.ofType(T.identity)).toHaveLength(ROLES.length + 1);
  });

  it('federates each identity with its role ServiceAccount in the chart namespace, trusting the cluster issuer', () => {
    for (const role of ROLES) {
      const identity = identityOf(role.name);
      const credentials = run.ofType(T.federated).filter((credential) => credential.inputs.resourceName === identity.inputs.resourceName);
      expect(credentials.map((credential) => credential.inputs)).toEqual([
        expect.objectContaining({
          issuer: OIDC_ISSUER,
          subject: `system:serviceaccount:integration-platform:${KUBERNETES_NAMES[role.name]}`,
          audiences: ['api://AzureADTokenExchange'],
        }),
      ]);
    }
  });

  it('grants each role Data Receiver on exactly the queues and subscriptions it consumes', () => {
    for (const role of ROLES) {
      const receives = grantsOf(identityOf(role.name))
        .filter((grant) => grant.startsWith(`${BUILT_IN_ROLES.serviceBusDataReceiver.name}@`))
        .map((grant) => grant.split('@')[1]);
      expect({ role: role.name, receives: receives.sort() }).toEqual({ role: role.name, receives: consumedEntities(role.name).sort() });
    }
    expect(consumedEntities('WebhookDeliveryWorker')).toEqual(['queue-deliver-webhook']);
    expect(consumedEntities('IntegrationRetryWorker')).toEqual(['subscription-integration-failed--IntegrationRetryWorker']);
  });

  it('grants every role Data Sender on the namespace, and nothing else on it', () => {
    const namespace = run.ofType(T.namespace)[0];
    for (const role of ROLES) {
      const onNamespace = grantsOf(identityOf(role.name)).filter((grant) => grant.endsWith(`@${namespace.name}`));
      expect({ role: role.name, onNamespace }).toEqual({ role: role.name, onNamespace: [`${BUILT_IN_ROLES.serviceBusDataSender.name}@${namespace.name}`] });
    }
  });

  it('grants Key Vault Secrets Officer to the roles that write secrets and Secrets User to the rest, on the vault', () => {
    const vault = run.ofType(T.vault)[0].name;
    for (const role of ROLES) {
      const onVault = grantsOf(identityOf(role.name)).filter((grant) => grant.endsWith(`@${vault}`));
      const expected = SECRET_WRITERS.includes(role.name) ? BUILT_IN_ROLES.keyVaultSecretsOfficer : BUILT_IN_ROLES.keyVaultSecretsUser;
      expect({ role: role.name, onVault }).toEqual({ role: role.name, onVault: [`${expected.name}@${vault}`] });
    }
  });

  it('grants blob access on the payloads container only to the gateway (read/write) and the delivery worker (read)', () => {
    const blobGrants = Object.fromEntries(ROLES.map((role) => [role.name, grantsOf(identityOf(role.name)).filter((grant) => grant.startsWith('Storage Blob'))]));
    const container = run.ofType(T.container)[0].name;
    expect(blobGrants).toEqual({
      ...Object.fromEntries(ROLES.map((role) => [role.name, []])),
      WebhookGatewayService: [`${BUILT_IN_ROLES.storageBlobDataContributor.name}@${container}`],
      WebhookDeliveryWorker: [`${BUILT_IN_ROLES.storageBlobDataReader.name}@${container}`],
    });
  });

  it('grants nothing beyond those four kinds, always to a service principal, with built-in role definitions', () => {
    for (const role of ROLES) {
      const expected = consumedEntities(role.name).length + 1 /* sender */ + 1 /* secrets */ + (['WebhookGatewayService', 'WebhookDeliveryWorker'].includes(role.name) ? 1 : 0);
      expect({ role: role.name, grants: grantsOf(identityOf(role.name)).length }).toEqual({ role: role.name, grants: expected });
    }
    const builtIns = new Set(Object.values(BUILT_IN_ROLES).map(roleDefinitionId));
    for (const assignment of run.ofType(T.assignment)) {
      expect(assignment.inputs.principalType).toBe('ServicePrincipal');
      expect(builtIns.has(assignment.inputs.roleDefinitionId)).toBe(true);
    }
  });

  it('lets the KEDA operator read entity depth with Data Owner on each consumed entity, never on the namespace', () => {
    const scaler = run.one(T.identity, 'keda-scaler');
    expect(run.ofType(T.federated).find((credential) => credential.inputs.resourceName === scaler.inputs.resourceName)?.inputs).toMatchObject({
      issuer: OIDC_ISSUER,
      subject: 'system:serviceaccount:kube-system:keda-operator',
    });
    const consumed = ROLES.flatMap((role) => consumedEntities(role.name)).sort();
    expect(grantsOf(scaler)).toEqual(consumed.map((entity) => `${BUILT_IN_ROLES.serviceBusDataOwner.name}@${entity}`).sort());
  });
});

describe('AKS', () => {
  it('creates a cluster with the OIDC issuer, workload identity, KEDA and the Key Vault secrets provider', () => {
    const [cluster] = run.ofType(T.cluster);
    expect(run.ofType(T.cluster)).toHaveLength(1);
    expect(cluster.inputs).toMatchObject({
      oidcIssuerProfile: { enabled: true },
      securityProfile: { workloadIdentity: { enabled: true } },
      workloadAutoScalerProfile: { keda: { enabled: true } },
      addonProfiles: { azureKeyvaultSecretsProvider: { enabled: true } },
    });
  });
});

const CHART = join(__dirname, '..', '..', 'helm', 'integration-platform');

describe('stack outputs', () => {
  it('exports helmValues in the shape the chart reads', () => {
    const names = (type: string) => run.ofType(type)[0].name;
    expect(run.exports.helmValues).toEqual({
      workloadIdentity: { clientIds: Object.fromEntries(ROLES.map((role) => [role.name, `client-id-of-intplat-${KUBERNETES_NAMES[role.name]}`])) },
      azure: {
        serviceBusNamespace: `${names(T.namespace)}.servicebus.windows.net`,
        keyVaultUrl: `https://${names(T.vault)}.vault.azure.net/`,
        storageAccount: names(T.account),
        tenantId: TENANT_ID,
      },
      keda: { identityId: 'client-id-of-intplat-keda-scaler' },
      secretEnv: { source: 'keyVault' },
    });
  });

  it('exports helmValues the chart accepts as they are (its schema, its templates)', () => {
    // The mocks name client ids `client-id-of-<identity>`; Azure's are GUIDs, which the chart's schema insists on.
    const asGuid = (fake: string) =>
      createHash('sha256')
        .update(fake)
        .digest('hex')
        .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*$/, '$1-$2-$3-$4-$5');
    const values = JSON.stringify(run.exports.helmValues).replace(/client-id-of-[a-z0-9-]+/g, asGuid);
    const valuesFile = join(mkdtempSync(join(tmpdir(), 'pulumi-helm-values-')), 'values.yaml');
    writeFileSync(valuesFile, values);
    const rendered = helm(['template', 'integration-platform', CHART, '--namespace', 'integration-platform', '-f', valuesFile]);
    expect(rendered).toContain('kind: ScaledObject');
    expect(rendered).toContain(`azure.workload.identity/client-id: "${asGuid(`client-id-of-intplat-${KUBERNETES_NAMES.WebhookDeliveryWorker}`)}"`);
    expect(rendered).toContain(`identityId: "${asGuid('client-id-of-intplat-keda-scaler')}"`);
  });

  it('exports what the chart and operators wire by hand', () => {
    expect(run.exports).toMatchObject({
      kubernetesNamespace: 'integration-platform',
      oidcIssuerUrl: OIDC_ISSUER,
      clusterName: run.ofType(T.cluster)[0].name,
      payloadsContainer: 'payloads',
      postgresDatabase: 'platform',
      databaseUrlSecretName: 'platform-database-url',
      redisUrlSecretName: 'platform-redis-url',
      kedaScalerClientId: 'client-id-of-intplat-keda-scaler',
    });
    expect(run.exports.roleAccess).toMatchObject({
      WebhookDeliveryWorker: { serviceAccount: 'webhook-delivery-worker', receives: ['deliver-webhook'], secrets: 'user', blob: 'reader' },
      WebhookGatewayService: { secrets: 'officer', blob: 'contributor' },
      OllamaIntegrationService: { receives: [], secrets: 'user', blob: 'none' },
    });
  });
});
