import * as pulumi from '@pulumi/pulumi';

/** A resource as the program registered it: its type token, logical name, and the inputs sent to the provider. */
export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly id: string;
  /** Inputs with secrets unwrapped to their values. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- resource inputs are untyped Pulumi property bags
  readonly inputs: Record<string, any>;
  /** Dotted paths of the inputs that were sent as secrets (`properties`, `administratorLoginPassword`). */
  readonly secretInputs: readonly string[];
}

export const PROJECT = 'integration-platform';
export const SUBSCRIPTION_ID = '00000000-0000-0000-0000-00000000c0de';
export const TENANT_ID = '11111111-1111-1111-1111-111111111111';
export const REDIS_PRIMARY_KEY = 'redis/key+with=reserved';
export const OIDC_ISSUER = 'https://westeurope.oic.prod-aks.azure.com/tenant/cluster/';

/** The input holding each type's Azure name: what Azure reports back as the resource's `name`. */
const NAME_INPUT: Record<string, string> = {
  'azure-native:resources:ResourceGroup': 'resourceGroupName',
  'azure-native:servicebus:Namespace': 'namespaceName',
  'azure-native:servicebus:Queue': 'queueName',
  'azure-native:servicebus:Topic': 'topicName',
  'azure-native:servicebus:Subscription': 'subscriptionName',
  'azure-native:keyvault:Vault': 'vaultName',
  'azure-native:keyvault:Secret': 'secretName',
  'azure-native:storage:StorageAccount': 'accountName',
  'azure-native:storage:BlobContainer': 'containerName',
  'azure-native:dbforpostgresql:Server': 'serverName',
  'azure-native:dbforpostgresql:Database': 'databaseName',
  'azure-native:dbforpostgresql:Configuration': 'configurationName',
  'azure-native:dbforpostgresql:FirewallRule': 'firewallRuleName',
  'azure-native:redis:Redis': 'name',
  'azure-native:managedidentity:UserAssignedIdentity': 'resourceName',
  'azure-native:managedidentity:FederatedIdentityCredential': 'federatedIdentityCredentialResourceName',
  'azure-native:containerservice:ManagedCluster': 'resourceName',
};

/** What Azure computes on create, so outputs such as endpoints and client ids have values under mocks. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- resource inputs are untyped Pulumi property bags
function computed(type: string, name: string, inputs: Record<string, any>): Record<string, unknown> {
  switch (type) {
    case 'azure-native:servicebus:Namespace':
      return { serviceBusEndpoint: `https://${name}.servicebus.windows.net:443/` };
    case 'azure-native:keyvault:Vault':
      return { properties: { ...inputs.properties, vaultUri: `https://${name}.vault.azure.net/` } };
    case 'azure-native:storage:StorageAccount':
      return { primaryEndpoints: { blob: `https://${name}.blob.core.windows.net/` } };
    case 'azure-native:dbforpostgresql:Server':
      return { fullyQualifiedDomainName: `${name}.postgres.database.azure.com` };
    case 'azure-native:redis:Redis':
      return { hostName: `${name}.redis.cache.windows.net`, sslPort: 6380 };
    case 'azure-native:managedidentity:UserAssignedIdentity':
      return { clientId: `client-id-of-${name}`, principalId: `principal-id-of-${name}`, tenantId: TENANT_ID };
    case 'azure-native:containerservice:ManagedCluster':
      return { oidcIssuerProfile: { enabled: true, issuerURL: OIDC_ISSUER } };
    default:
      return {};
  }
}

/** Logical names are unique per type, so `<type>/<name>` is unique in the stack: a stand-in resource id. */
function mockId(type: string, name: string): string {
  return `${type}/${name}`;
}

export interface ProgramRun {
  readonly resources: readonly RecordedResource[];
  readonly exports: Record<string, unknown>;
  ofType(type: string): RecordedResource[];
  one(type: string, name: string): RecordedResource;
  byId(id: string): RecordedResource;
}

/**
 * Runs the Pulumi program (index.ts) against mocks, no CLI and no cloud: records every resource it
 * registers and resolves every stack export. `config` keys are without the project prefix.
 */
export async function runProgram(config: Record<string, string>, secretKeys: readonly string[] = []): Promise<ProgramRun> {
  const resources: RecordedResource[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource({ type, name, inputs: sent }) {
        const secretInputs: string[] = [];
        // eslint-disable-next-line @typescript-eslint/no-explicit-any -- resource inputs are untyped Pulumi property bags
        const inputs = unwrapSecrets(sent, '', secretInputs) as Record<string, any>;
        const azureName = inputs[NAME_INPUT[type]] ?? name;
        const id = mockId(type, name);
        resources.push({ type, name, id, inputs, secretInputs });
        return { id, state: { ...inputs, name: azureName, ...computed(type, azureName, inputs) } };
      },
      call({ token }) {
        switch (token) {
          case 'azure-native:authorization:getClientConfig':
            return { clientId: 'deployer', objectId: 'deployer-object-id', subscriptionId: SUBSCRIPTION_ID, tenantId: TENANT_ID };
          case 'azure-native:redis:listRedisKeys':
            return { primaryKey: REDIS_PRIMARY_KEY, secondaryKey: 'secondary' };
          default:
            throw new Error(`The program invoked ${token}, which the mocks do not answer`);
        }
      },
    },
    PROJECT,
    'test',
    false,
  );
  const qualified = Object.fromEntries(Object.entries(config).map(([key, value]) => [`${PROJECT}:${key}`, value]));
  pulumi.runtime.setAllConfig(
    qualified,
    secretKeys.map((key) => `${PROJECT}:${key}`),
  );

  const program: Record<string, unknown> = await import('../index');
  const outputs = Object.fromEntries(await Promise.all(Object.entries(program).map(async ([key, value]) => [key, await resolve(value)] as const)));
  // Registrations that no export depends on (role assignments, configurations) finish here.
  await pulumi.runtime.disconnect();

  return {
    resources,
    exports: outputs,
    ofType: (type) => resources.filter((resource) => resource.type === type),
    one(type, name) {
      const found = resources.filter((resource) => resource.type === type && resource.name === name);
      if (found.length !== 1) throw new Error(`Expected one ${type} named ${name}, found ${found.length}`);
      return found[0];
    },
    byId(id) {
      const found = resources.find((resource) => resource.id === id);
      if (!found) throw new Error(`No resource has id ${id}`);
      return found;
    },
  };
}

/** Mocks receive secrets as `{ [specialSigKey]: specialSecretSig, value }`; returns plain values and notes where secrets were. */
function unwrapSecrets(value: unknown, path: string, secretPaths: string[]): unknown {
  if (Array.isArray(value)) return value.map((item, index) => unwrapSecrets(item, `${path}[${index}]`, secretPaths));
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  if (record[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig) {
    secretPaths.push(path);
    return unwrapSecrets(record.value, path, []);
  }
  return Object.fromEntries(Object.entries(record).map(([key, item]) => [key, unwrapSecrets(item, path ? `${path}.${key}` : key, secretPaths)]));
}

/** The plain value of an export: outputs resolved, at any depth. */
function resolve(value: unknown): Promise<unknown> {
  return new Promise((done) => (pulumi.output(value) as pulumi.Output<unknown>).apply(done));
}

/** The kebab-case names the Helm chart gives each role's Deployment and ServiceAccount (the deployment conventions), spelled out. */
export const KUBERNETES_NAMES: Readonly<Record<string, string>> = {
  VendorApiClientRegistryService: 'vendor-api-client-registry-service',
  WebhookGatewayService: 'webhook-gateway-service',
  GitHubIntegrationService: 'github-integration-service',
  AzureDevOpsIntegrationService: 'azure-devops-integration-service',
  OpenAIIntegrationService: 'openai-integration-service',
  AzureOpenAIIntegrationService: 'azure-openai-integration-service',
  OllamaIntegrationService: 'ollama-integration-service',
  McpConnectorService: 'mcp-connector-service',
  CloudProviderAdapterService: 'cloud-provider-adapter-service',
  EmailIntegrationService: 'email-integration-service',
  SmsIntegrationService: 'sms-integration-service',
  PaymentIntegrationService: 'payment-integration-service',
  CrmIntegrationService: 'crm-integration-service',
  SupportIntegrationService: 'support-integration-service',
  WebhookDeliveryWorker: 'webhook-delivery-worker',
  IntegrationSyncWorker: 'integration-sync-worker',
  CredentialRotationWorker: 'credential-rotation-worker',
  ExternalApiHealthWorker: 'external-api-health-worker',
  IntegrationRetryWorker: 'integration-retry-worker',
};
