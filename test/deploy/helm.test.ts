import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { ROLES, type RoleDefinition } from '../../src/roles';
import { QUEUES, sourcesConsumedBy, TOPICS } from '../../src/platform/messaging/topology';
import { helm, runHelm } from '../support/helm';
import { roleAccess } from '../../deploy/pulumi/lib/access';
import { kubernetesName } from '../../deploy/pulumi/lib/naming';

/* eslint-disable @typescript-eslint/no-explicit-any -- rendered manifests are untyped YAML */
type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any;
  [key: string]: any;
};

const ROOT = join(__dirname, '..', '..');
const CHART = join(ROOT, 'deploy', 'helm', 'integration-platform');
const PRODUCTION_VALUES = join(CHART, 'values-production.yaml');
const NAMESPACE = 'integration-platform';
const RELEASE = 'integration-platform';
const DATA_DIR = '/var/lib/integration-platform';
const HTTP_KINDS = new Set(['http', 'http+grpc']);
/** After the drain deadline the app still gives app.close() up to 2 s (src/platform/lifecycle/graceful-shutdown.ts). */
const CLOSE_ALLOWANCE_SECONDS = 2;

/** The naming convention shared by the chart and the Pulumi program. */

const ROLE_BY_KEBAB = new Map(ROLES.map((role) => [kubernetesName(role.name), role]));
const HTTP_ROLES = ROLES.filter((role) => HTTP_KINDS.has(role.kind));
/** Workers and bus consumers, and HTTP roles whose values scale them on their bus entities too (email, SMS): KEDA, not a plain HPA. */
const scaledByKeda = (values: any, role: RoleDefinition): boolean =>
  !HTTP_KINDS.has(role.kind) || (values.roles ?? []).some((entry: any) => entry.name === role.name && (entry.autoscaling?.serviceBus ?? []).length > 0);

/** The validators for every core object the chart may render; any other kind fails the test. */
const CORE_MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
};
const CRD_KINDS = new Set(['keda.sh/v1alpha1/ScaledObject', 'keda.sh/v1alpha1/TriggerAuthentication', 'secrets-store.csi.x-k8s.io/v1/SecretProviderClass']);

function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map((document) => {
      if (document.errors.length > 0) throw new Error(`Rendered YAML does not parse: ${document.errors.map(String).join('; ')}`);
      return document.toJS() as Manifest | null;
    })
    .filter((manifest): manifest is Manifest => manifest !== null);
}

function render(...valueFiles: string[]): Manifest[] {
  return parseManifests(helm(['template', RELEASE, CHART, '--namespace', NAMESPACE, ...valueFiles.flatMap((file) => ['--values', file])]));
}

function durationSeconds(value: string): number {
  const match = /^(\d+)(ms|s|m|h)$/.exec(value);
  if (!match) throw new Error(`Not a duration: ${value}`);
  return Number(match[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[match[2] as 'ms' | 's' | 'm' | 'h'];
}

const of = (manifests: Manifest[], kind: string) => manifests.filter((manifest) => manifest.kind === kind);
const named = (manifests: Manifest[], kind: string, name: string) => {
  const found = manifests.find((manifest) => manifest.kind === kind && manifest.metadata.name === name);
  if (!found) throw new Error(`No ${kind} named ${name}`);
  return found;
};
const envOf = (deployment: Manifest): any[] => deployment.spec.template.spec.containers[0].env;
const envValue = (deployment: Manifest, name: string): string | undefined => envOf(deployment).find((entry) => entry.name === name)?.value;

/** Every bus source (queue, or topic subscription) topology.ts assigns to a role. */
function consumedEntities(role: RoleDefinition): string[] {
  return sourcesConsumedBy(role.name).map((source) => ('queue' in source ? `queue:${source.queue}` : `topic:${source.topic}/${source.subscription}`));
}

function serviceBusEntity(trigger: any): string {
  const metadata = trigger.metadata;
  return metadata.queueName ? `queue:${metadata.queueName}` : `topic:${metadata.topicName}/${metadata.subscriptionName}`;
}

const defaultValues = parse(readFileSync(join(CHART, 'values.yaml'), 'utf8'));
const productionValues = parse(readFileSync(PRODUCTION_VALUES, 'utf8'));

let scratch: string;

beforeAll(() => {
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  scratch = mkdtempSync(join(ROOT, '.tmp', 'helm-test-'));
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function valuesFile(name: string, values: unknown): string {
  const file = join(scratch, name);
  writeFileSync(file, stringify(values));
  return file;
}

describe('helm binary', () => {
  it('is helm v3.17 from the lambda layer package', () => {
    expect(helm(['version', '--template', '{{ .Version }}']).trim()).toMatch(/^v3\.17\.\d+$/);
  });
});

describe('helm lint --strict', () => {
  it.each([
    ['default values', []],
    ['values-production.yaml', ['--values', PRODUCTION_VALUES]],
  ])('passes with %s', (_label, extra) => {
    const output = helm(['lint', '--strict', CHART, '--namespace', NAMESPACE, ...extra]);
    expect(output).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    expect(output).not.toMatch(/\[(WARNING|ERROR)\]/);
  });
});

describe('shipped values', () => {
  it.each([
    ['values.yaml', defaultValues],
    ['values-production.yaml', productionValues],
  ])('%s lists every role of src/roles.ts once, with its kind', (_file, values) => {
    expect(values.roles.map((role: any) => [role.name, role.kind])).toEqual(ROLES.map((role) => [role.name, role.kind]));
  });

  it('values.schema.json knows exactly the roles of src/roles.ts and their kinds', () => {
    const schema = JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8'));
    const roleItem = schema.properties.roles.items;
    expect(roleItem.properties.name.enum).toEqual(ROLES.map((role) => role.name));
    expect(schema.properties.workloadIdentity.properties.clientIds.propertyNames.enum).toEqual(ROLES.map((role) => role.name));
    const kindByName = Object.fromEntries(roleItem.allOf.map((rule: any) => [rule.if.properties.name.const, rule.then.properties.kind.const]));
    expect(kindByName).toEqual(Object.fromEntries(ROLES.map((role) => [role.name, role.kind])));
  });
});

describe.each([
  ['default values', [] as string[], defaultValues],
  ['values-production.yaml', [PRODUCTION_VALUES], productionValues],
])('helm template with %s', (_label, valueFiles, values) => {
  let manifests: Manifest[];
  let deployments: Manifest[];
  const serviceBusConfigured = Boolean(values.azure?.serviceBusNamespace);
  const SCALED_ROLES = ROLES.filter((role) => scaledByKeda(values, role));
  const clientIds: Record<string, string> = values.workloadIdentity?.clientIds ?? {};

  beforeAll(() => {
    manifests = render(...valueFiles);
    deployments = of(manifests, 'Deployment');
  });

  it('renders only objects that validate: core kinds against the Kubernetes schemas, nothing unknown', () => {
    expect(manifests.length).toBeGreaterThan(0);
    for (const manifest of manifests) {
      const key = `${manifest.apiVersion}/${manifest.kind}`;
      expect(manifest.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
      const Model = CORE_MODELS[key];
      if (Model) {
        expect(() => new Model(manifest).validate()).not.toThrow();
      } else if (!CRD_KINDS.has(key)) {
        throw new Error(`No validator for ${key} (${manifest.metadata.name}): add one before the chart renders this kind`);
      }
    }
    const identities = manifests.map((manifest) => `${manifest.kind}/${manifest.metadata.name}`);
    expect(new Set(identities).size).toBe(identities.length);
  });

  it('renders exactly one Deployment per role, named after it, with APP_ROLE set to the role', () => {
    expect(deployments.map((deployment) => deployment.metadata.name).sort()).toEqual(ROLES.map((role) => kubernetesName(role.name)).sort());
    for (const deployment of deployments) {
      expect(envValue(deployment, 'APP_ROLE')).toBe(ROLE_BY_KEBAB.get(deployment.metadata.name)!.name);
    }
    for (const [role, name] of [
      ['WebhookDeliveryWorker', 'webhook-delivery-worker'],
      ['OpenAIIntegrationService', 'openai-integration-service'],
      ['AzureOpenAIIntegrationService', 'azure-openai-integration-service'],
      ['McpConnectorService', 'mcp-connector-service'],
      ['GitHubIntegrationService', 'github-integration-service'],
      ['AzureDevOpsIntegrationService', 'azure-devops-integration-service'],
    ]) {
      expect(envValue(named(manifests, 'Deployment', name), 'APP_ROLE')).toBe(role);
    }
  });

  it('runs one image for every role and selects each role by its own labels', () => {
    const images = new Set(deployments.map((deployment) => deployment.spec.template.spec.containers[0].image));
    expect(images.size).toBe(1);
    for (const deployment of deployments) {
      expect(deployment.spec.template.spec.containers).toHaveLength(1);
      const selector = deployment.spec.selector.matchLabels;
      expect(selector['app.kubernetes.io/component']).toBe(deployment.metadata.name);
      expect(deployment.spec.template.metadata.labels).toMatchObject(selector);
    }
  });

  it('renders the structured settings as the app variables, then values.env, then the role env', () => {
    const azure = values.azure ?? {};
    const expected: Record<string, string | undefined> = {
      SERVICEBUS_NAMESPACE: azure.serviceBusNamespace || undefined,
      KEYVAULT_URL: azure.keyVaultUrl || undefined,
      AUTH_ISSUER: values.platform?.auth?.issuer || undefined,
      AUTH_AUDIENCE: values.platform?.auth?.audience || undefined,
      NODE_ENV: 'production',
      PORT: '3000',
    };
    for (const role of values.roles) {
      const deployment = named(manifests, 'Deployment', kubernetesName(role.name));
      const names = envOf(deployment).map((entry) => entry.name);
      expect(new Set(names).size).toBe(names.length);
      for (const [name, value] of Object.entries(expected)) expect(envValue(deployment, name)).toBe(value);
      // Only the roles that handle payloads get the Blob settings: the others' identities have no blob role.
      const blob = role.payloads && azure.storageAccount ? `https://${azure.storageAccount}.blob.core.windows.net` : undefined;
      expect(envValue(deployment, 'AZURE_STORAGE_ACCOUNT_URL')).toBe(blob);
      for (const [name, value] of Object.entries({ ...(values.env ?? {}), ...(role.env ?? {}) })) expect(envValue(deployment, name)).toBe(String(value));
    }
  });

  it('gives the Blob settings to exactly the roles whose identities deploy/pulumi grants a blob role', () => {
    const withBlobRole = roleAccess()
      .filter((access) => access.blob !== undefined)
      .map((access) => access.role);
    expect(
      values.roles
        .filter((role: any) => role.payloads)
        .map((role: any) => role.name)
        .sort(),
    ).toEqual(withBlobRole.sort());
  });

  it('gives the http+grpc roles, and only them, a grpc container port, GRPC_PORT and a grpc Service port', () => {
    for (const role of values.roles) {
      const name = kubernetesName(role.name);
      const container = named(manifests, 'Deployment', name).spec.template.spec.containers[0];
      const grpcPorts = container.ports.filter((port: any) => port.name === 'grpc');
      if (role.kind === 'http+grpc') {
        expect(grpcPorts).toEqual([{ name: 'grpc', containerPort: 50051, protocol: 'TCP' }]);
        expect(envValue(named(manifests, 'Deployment', name), 'GRPC_PORT')).toBe('50051');
        expect(named(manifests, 'Service', name).spec.ports).toContainEqual({ name: 'grpc', port: 50051, targetPort: 'grpc', protocol: 'TCP', appProtocol: 'grpc' });
      } else {
        expect(grpcPorts).toEqual([]);
        expect(envValue(named(manifests, 'Deployment', name), 'GRPC_PORT')).toBeUndefined();
      }
    }
    expect(values.roles.filter((role: any) => role.kind === 'http+grpc').map((role: any) => role.name)).toEqual(
      ROLES.filter((role) => role.kind === 'http+grpc').map((role) => role.name),
    );
  });

  it('probes every container: startup and liveness on /health/live, readiness on /health/ready', () => {
    for (const deployment of deployments) {
      for (const container of deployment.spec.template.spec.containers) {
        const ports = container.ports.map((port: any) => port.name);
        for (const [probe, path] of [
          ['startupProbe', '/health/live'],
          ['livenessProbe', '/health/live'],
          ['readinessProbe', '/health/ready'],
        ]) {
          expect(container[probe]?.httpGet?.path).toBe(path);
          expect(ports).toContain(container[probe].httpGet.port);
        }
      }
    }
  });

  it('lets no container run as root, write its root filesystem, escalate or keep capabilities', () => {
    for (const deployment of deployments) {
      const pod = deployment.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.automountServiceAccountToken).toBe(false);
      for (const container of pod.containers) {
        const security = container.securityContext;
        expect(security.runAsNonRoot ?? pod.securityContext.runAsNonRoot).toBe(true);
        const user = security.runAsUser ?? pod.securityContext.runAsUser;
        expect(typeof user).toBe('number');
        expect(user).not.toBe(0);
        expect(security).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
        expect(security.privileged).not.toBe(true);
        expect(security.capabilities.add ?? []).toEqual([]);
        // The only writable paths: /tmp and DATA_DIR, both emptyDir.
        const emptyDirs = new Set(pod.volumes.filter((volume: any) => volume.emptyDir).map((volume: any) => volume.name));
        const writable = container.volumeMounts.filter((mount: any) => emptyDirs.has(mount.name)).map((mount: any) => mount.mountPath);
        expect(writable.sort()).toEqual([DATA_DIR, '/tmp'].sort());
        expect(envValue(deployment, 'DATA_DIR')).toBe(DATA_DIR);
      }
    }
  });

  it('gives every pod longer to terminate than the app drains (SHUTDOWN_DELAY + SHUTDOWN_GRACE_PERIOD)', () => {
    for (const deployment of deployments) {
      const grace = durationSeconds(envValue(deployment, 'SHUTDOWN_GRACE_PERIOD')!);
      const delay = durationSeconds(envValue(deployment, 'SHUTDOWN_DELAY')!);
      const termination = deployment.spec.template.spec.terminationGracePeriodSeconds;
      expect(termination).toBeGreaterThan(grace + delay);
      expect(termination).toBeGreaterThan(grace + delay + CLOSE_ALLOWANCE_SECONDS);
      for (const container of deployment.spec.template.spec.containers) expect(container.lifecycle?.preStop).toBeUndefined();
    }
  });

  it('gives every HTTP role a Service on its http port and an autoscaling/v2 HPA on CPU', () => {
    const services = of(manifests, 'Service');
    expect(services.map((service) => service.metadata.name).sort()).toEqual(HTTP_ROLES.map((role) => kubernetesName(role.name)).sort());
    for (const role of HTTP_ROLES) {
      const name = kubernetesName(role.name);
      const deployment = named(manifests, 'Deployment', name);
      const service = named(manifests, 'Service', name);
      expect(deployment.spec.template.metadata.labels).toMatchObject(service.spec.selector);
      expect(service.spec.selector['app.kubernetes.io/component']).toBe(name);
      expect(service.spec.ports.map((port: any) => port.targetPort)).toEqual(role.kind === 'http+grpc' ? ['http', 'grpc'] : ['http']);

      if (scaledByKeda(values, role)) {
        const scaled = named(manifests, 'ScaledObject', name);
        expect(scaled.spec.triggers).toContainEqual({ type: 'cpu', metricType: 'Utilization', metadata: { value: expect.any(String) } });
        expect(of(manifests, 'HorizontalPodAutoscaler').map((hpa) => hpa.metadata.name)).not.toContain(name);
        expect(deployment.spec.replicas).toBeUndefined();
        continue;
      }
      const hpa = named(manifests, 'HorizontalPodAutoscaler', name);
      expect(hpa.apiVersion).toBe('autoscaling/v2');
      expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name });
      expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(1);
      expect(hpa.spec.maxReplicas).toBeGreaterThanOrEqual(hpa.spec.minReplicas);
      expect(hpa.spec.metrics).toContainEqual({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: expect.any(Number) } } });
      // The HPA owns the replica count; a rendered one would reset it on every upgrade.
      expect(deployment.spec.replicas).toBeUndefined();
    }
  });

  it('gives every role a PodDisruptionBudget that selects exactly its pods', () => {
    for (const deployment of deployments) {
      const budget = named(manifests, 'PodDisruptionBudget', deployment.metadata.name);
      expect(budget.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
      expect(budget.spec.maxUnavailable).toBeDefined();
    }
  });

  it('scales every worker and bus consumer with a KEDA ScaledObject on the entities it consumes in topology.ts', () => {
    const scaledObjects = of(manifests, 'ScaledObject');
    expect(scaledObjects.map((scaled) => scaled.metadata.name).sort()).toEqual(SCALED_ROLES.map((role) => kubernetesName(role.name)).sort());
    const authentications = of(manifests, 'TriggerAuthentication');
    for (const role of SCALED_ROLES) {
      const name = kubernetesName(role.name);
      const scaled = named(manifests, 'ScaledObject', name);
      expect(scaled.apiVersion).toBe('keda.sh/v1alpha1');
      expect(scaled.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name });
      expect(scaled.spec.minReplicaCount).toBeGreaterThanOrEqual(0);
      expect(scaled.spec.maxReplicaCount).toBeGreaterThanOrEqual(Math.max(1, scaled.spec.minReplicaCount));
      expect(scaled.spec.triggers.length).toBeGreaterThan(0);
      for (const trigger of scaled.spec.triggers) {
        expect(['azure-servicebus', 'cpu', 'memory']).toContain(trigger.type);
        for (const value of Object.values(trigger.metadata)) expect(typeof value).toBe('string');
      }
      const busTriggers = scaled.spec.triggers.filter((trigger: any) => trigger.type === 'azure-servicebus');
      for (const trigger of busTriggers) {
        const metadata = trigger.metadata;
        expect(Boolean(metadata.queueName)).not.toBe(Boolean(metadata.topicName));
        if (metadata.queueName) {
          expect(QUEUES.find((queue) => queue.name === metadata.queueName)?.consumer).toBe(role.name);
        } else {
          const topic = TOPICS.find((candidate) => candidate.name === metadata.topicName);
          expect(topic?.subscriptions.find((subscription) => subscription.name === metadata.subscriptionName)?.consumer).toBe(role.name);
        }
        expect(metadata.namespace).toBe(values.azure.serviceBusNamespace.split('.')[0]);
        expect(Number(metadata.messageCount)).toBeGreaterThan(0);
        expect(authentications.map((authentication) => authentication.metadata.name)).toContain(trigger.authenticationRef.name);
      }
      if (serviceBusConfigured) {
        // Every entity the role consumes drives its scale, and nothing else does.
        expect(busTriggers.map(serviceBusEntity).sort()).toEqual(consumedEntities(role).sort());
      } else {
        expect(busTriggers).toEqual([]);
      }
      if (scaled.spec.minReplicaCount === 0) expect(busTriggers.length).toBeGreaterThan(0);
      // KEDA creates its own HPA; a second one would fight it.
      expect(manifests.some((manifest) => manifest.kind === 'HorizontalPodAutoscaler' && manifest.metadata.name === name)).toBe(false);
      expect(named(manifests, 'Deployment', name).spec.replicas).toBeUndefined();
    }
    expect(SCALED_ROLES.filter((role) => role.kind === 'worker')).toHaveLength(5);
  });

  it('authenticates KEDA to Service Bus with azure-workload pod identity', () => {
    const authentications = of(manifests, 'TriggerAuthentication');
    expect(authentications).toHaveLength(serviceBusConfigured ? 1 : 0);
    for (const authentication of authentications) {
      expect(authentication.apiVersion).toBe('keda.sh/v1alpha1');
      expect(authentication.spec.podIdentity.provider).toBe('azure-workload');
      if (values.keda?.identityId) expect(authentication.spec.podIdentity.identityId).toBe(values.keda.identityId);
    }
  });

  it('gives every role a ServiceAccount with its workload identity client id, and labels its pods for the webhook', () => {
    for (const role of ROLES) {
      const name = kubernetesName(role.name);
      const account = named(manifests, 'ServiceAccount', name);
      const annotations = account.metadata.annotations ?? {};
      if (clientIds[role.name]) expect(annotations['azure.workload.identity/client-id']).toBe(clientIds[role.name]);
      else expect(annotations['azure.workload.identity/client-id']).toBeUndefined();
      const pod = named(manifests, 'Deployment', name).spec.template;
      expect(pod.spec.serviceAccountName).toBe(name);
      expect(pod.metadata.labels['azure.workload.identity/use']).toBe('true');
    }
  });

  it('keeps the NetworkPolicy egress coherent with EGRESS_ALLOW_LIST and opens ingress to the HTTP roles only', () => {
    const policies = of(manifests, 'NetworkPolicy');
    const releaseSelector = { 'app.kubernetes.io/name': 'integration-platform', 'app.kubernetes.io/instance': RELEASE };
    const defaultDeny = policies.find((policy) => policy.metadata.name.endsWith('-default-deny'))!;
    expect(defaultDeny.spec).toEqual({ podSelector: { matchLabels: releaseSelector }, policyTypes: ['Ingress', 'Egress'] });

    const ingress = policies.find((policy) => policy.metadata.name.endsWith('-ingress-http'))!;
    const [componentRule] = ingress.spec.podSelector.matchExpressions;
    expect(componentRule.key).toBe('app.kubernetes.io/component');
    expect([...componentRule.values].sort()).toEqual(HTTP_ROLES.map((role) => kubernetesName(role.name)).sort());
    // `grpc` is a named port: it opens only on the pods that declare it, the http+grpc roles.
    expect(ingress.spec.ingress[0].ports).toEqual([
      { protocol: 'TCP', port: 'http' },
      { protocol: 'TCP', port: 'grpc' },
    ]);

    const egress = policies.find((policy) => policy.metadata.name.endsWith('-egress'))!;
    expect(egress.spec.podSelector.matchLabels).toEqual(releaseSelector);
    const rules: any[] = egress.spec.egress;
    expect(rules[0].ports).toEqual([
      { protocol: 'UDP', port: 53 },
      { protocol: 'TCP', port: 53 },
    ]);
    const blocks = rules.flatMap((rule) => (rule.to ?? []).filter((peer: any) => peer.ipBlock).map((peer: any) => peer.ipBlock));
    const internet = blocks.find((block) => block.cidr === '0.0.0.0/0');
    // Mirrors the app's refusal of private, link-local and metadata addresses.
    expect(internet.except).toEqual(expect.arrayContaining(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '168.63.129.16/32']));

    const allowedCidrs: string[] = values.egress.allowedCidrs;
    const allowedHosts: string[] = values.egress.allowedHosts;
    for (const cidr of allowedCidrs) expect(blocks.map((block) => block.cidr)).toContain(cidr);
    for (const cidr of values.networkPolicy?.egress?.azureServices?.cidrs ?? []) expect(blocks.map((block) => block.cidr)).toContain(cidr);
    for (const deployment of deployments) {
      const allowList = envValue(deployment, 'EGRESS_ALLOW_LIST');
      expect(allowList ? allowList.split(',') : []).toEqual([...allowedHosts, ...allowedCidrs]);
    }
  });

  it('takes credential-bearing settings from a Secret synced from Key Vault by each role identity, when configured', () => {
    const providers = of(manifests, 'SecretProviderClass');
    const items: Array<{ env: string; keyVaultSecret: string }> = values.secretEnv?.items ?? defaultValues.secretEnv.items;
    if ((values.secretEnv?.source ?? defaultValues.secretEnv.source) !== 'keyVault') {
      expect(providers).toEqual([]);
      for (const deployment of deployments) for (const item of items) expect(envOf(deployment).find((entry) => entry.name === item.env)).toBeUndefined();
      return;
    }
    expect(providers.map((provider) => provider.metadata.name).sort()).toEqual(ROLES.map((role) => kubernetesName(role.name)).sort());
    const vaultName = new URL(values.azure.keyVaultUrl).hostname.split('.')[0];
    for (const role of ROLES) {
      const name = kubernetesName(role.name);
      const provider = named(manifests, 'SecretProviderClass', name);
      expect(provider.apiVersion).toBe('secrets-store.csi.x-k8s.io/v1');
      expect(provider.spec.provider).toBe('azure');
      expect(provider.spec.parameters).toMatchObject({ usePodIdentity: 'false', clientID: clientIds[role.name], keyvaultName: vaultName, tenantId: values.azure.tenantId });
      const objects = parse(provider.spec.parameters.objects).array.map((entry: string) => parse(entry));
      expect(objects).toEqual(items.map((item) => ({ objectName: item.keyVaultSecret, objectType: 'secret', objectAlias: item.env })));
      const [synced] = provider.spec.secretObjects;
      expect(synced.data).toEqual(items.map((item) => ({ objectName: item.env, key: item.env })));

      const pod = named(manifests, 'Deployment', name).spec.template.spec;
      for (const item of items) {
        const entry = envOf(named(manifests, 'Deployment', name)).find((candidate) => candidate.name === item.env);
        expect(entry.valueFrom.secretKeyRef).toEqual({ name: synced.secretName, key: item.env });
      }
      const volume = pod.volumes.find((candidate: any) => candidate.csi);
      expect(volume.csi).toMatchObject({ driver: 'secrets-store.csi.k8s.io', readOnly: true, volumeAttributes: { secretProviderClass: name } });
      expect(pod.containers[0].volumeMounts.map((mount: any) => mount.name)).toContain(volume.name);
    }
  });

  it('renders NOTES.txt', () => {
    // helm template skips NOTES.txt; render its text through a copy of the chart as an ordinary value.
    const copy = join(scratch, `notes-${valueFiles.length}`);
    cpSync(CHART, copy, { recursive: true });
    const notes = readFileSync(join(copy, 'templates', 'NOTES.txt'), 'utf8');
    rmSync(join(copy, 'templates', 'NOTES.txt'));
    writeFileSync(join(copy, 'templates', '_notes.tpl'), `{{- define "test.notes" -}}\n${notes}\n{{- end }}\n`);
    writeFileSync(join(copy, 'templates', 'notes.yaml'), 'notes: {{ include "test.notes" . | toJson }}\n');
    const [rendered] = parseManifests(
      helm(['template', RELEASE, copy, '--namespace', NAMESPACE, '--show-only', 'templates/notes.yaml', ...valueFiles.flatMap((file) => ['--values', file])]),
    ) as unknown as Array<{ notes: string }>;
    for (const role of ROLES) expect(rendered.notes).toContain(kubernetesName(role.name));
  });
});

describe('values the chart refuses', () => {
  const withRoles = (edit: (roles: any[]) => void) => {
    const roles = structuredClone(defaultValues.roles);
    edit(roles);
    return { roles };
  };

  it.each([
    ['an unknown role kind (schema)', () => withRoles((roles) => (roles[0].kind = 'bogus')), /roles\.0\.kind/],
    ['a kind that does not match the role (schema)', () => withRoles((roles) => (roles[0].kind = 'worker')), /roles\.0\.kind/],
    ['a role that is not in src/roles.ts (schema)', () => withRoles((roles) => (roles[0].name = 'VendorApiClientRegistry')), /roles\.0\.name/],
    ['a misspelt top-level key (schema)', () => ({ networkPolicies: { enabled: false } }), /networkPolicies/],
    ['a client id for an unknown role (schema)', () => ({ workloadIdentity: { clientIds: { WebhookWorker: '3b6f0c1e-8a4d-4f2b-9c1a-0d5e7f9a1b01' } } }), /clientIds/],
    [
      'terminationGracePeriodSeconds not above grace + delay',
      () => ({ defaults: { shutdown: { gracePeriodSeconds: 30, delaySeconds: 10, terminationGracePeriodSeconds: 40 } } }),
      /terminationGracePeriodSeconds \(40\) must exceed/,
    ],
    ['SHUTDOWN_DELAY set through env', () => withRoles((roles) => (roles[1].env = { SHUTDOWN_DELAY: '0s' })), /roles\[1\]\.env\.SHUTDOWN_DELAY/],
    [
      'minReplicas 0 without a Service Bus trigger',
      () => withRoles((roles) => (roles.find((role) => role.name === 'IntegrationSyncWorker').autoscaling.minReplicas = 0)),
      /IntegrationSyncWorker: autoscaling.minReplicas 0/,
    ],
    [
      'Key Vault secrets without the role identities',
      () => ({ azure: { tenantId: '5f2c8d1a-7b3e-4c9d-8e6f-1a2b3c4d5e6f', keyVaultUrl: 'https://kv-ip-test.vault.azure.net' }, secretEnv: { source: 'keyVault' } }),
      /workloadIdentity\.clientIds\.VendorApiClientRegistryService is required/,
    ],
  ])('rejects %s', (label, values, message) => {
    const file = valuesFile(`${label.replace(/[^a-z0-9]+/gi, '-')}.yaml`, values());
    const result = runHelm(['template', RELEASE, CHART, '--namespace', NAMESPACE, '--values', file]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(message);
  });
});
