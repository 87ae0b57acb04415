import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ENTITY_DEFAULTS, QUEUES, TOPICS } from '../../src/platform/messaging/topology';
import { ROLES } from '../../src/roles';
import { kubernetesName } from '../../deploy/pulumi/lib/naming';

const ROOT = join(__dirname, '..', '..');
const COMPOSE_FILE = join(ROOT, 'docker-compose.yml');
const EMULATOR_CONFIG = join(ROOT, 'deploy', 'servicebus-emulator', 'config.json');
/** Where the emulator image reads its entity configuration. */
const EMULATOR_CONFIG_MOUNT = '/ServiceBus_Emulator/ConfigFiles/Config.json';

interface ComposeService {
  image?: string;
  profiles?: string[];
  environment?: Record<string, string | null>;
  ports?: Array<string | { target: number; published: number | string; host_ip?: string }>;
  volumes?: Array<string | { source: string; target: string; read_only?: boolean }>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] | string; disable?: boolean };
  stop_grace_period?: string;
}

interface ComposeFile {
  services: Record<string, ComposeService>;
}

/**
 * Runs Debian's docker-compose (1.29) with an empty env file, so a developer's .env cannot change
 * what is checked. A missing binary fails the test: it is installed on every machine that runs it.
 */
function compose(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const envFile = join(ROOT, '.tmp', 'compose-test', 'empty.env');
  mkdirSync(join(envFile, '..'), { recursive: true });
  writeFileSync(envFile, '');
  const result = spawnSync('docker-compose', ['--env-file', envFile, '--project-directory', ROOT, '-f', COMPOSE_FILE, ...args], { cwd: ROOT, encoding: 'utf8' });
  if (result.error) throw new Error(`docker-compose could not run (${result.error.message}); install it (Debian package docker-compose) to check the compose file`);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The file as compose itself resolves it: anchors merged, variables substituted, paths absolute. */
function resolved(...profiles: string[]): ComposeFile {
  const { status, stdout, stderr } = compose(...profiles.flatMap((profile) => ['--profile', profile]), 'config');
  if (status !== 0) throw new Error(`docker-compose config failed:\n${stderr}`);
  return parse(stdout) as ComposeFile;
}

/** Kubernetes-style name of a role, as the Helm chart and Pulumi name its workloads. */

function seconds(duration: string): number {
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
  let total = 0;
  for (const [, amount, unit] of duration.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) total += Number(amount) * units[unit];
  return total;
}

function isoSeconds(duration: string): number {
  const match = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/.exec(duration);
  if (!match) throw new Error(`Not an ISO-8601 time duration: ${duration}`);
  return Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
}

/** Every variable the platform reads: the generated configuration table in README.md. */
function platformVariables(): Set<string> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  return new Set([...readme.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((match) => match[1]));
}

function hostPorts(service: ComposeService): Array<{ host: string; published: number; target: number }> {
  return (service.ports ?? []).map((port) => {
    if (typeof port === 'string') {
      const parts = port.replace(/\/tcp$/, '').split(':');
      return { host: parts.length === 3 ? parts[0] : '0.0.0.0', published: Number(parts[parts.length - 2]), target: Number(parts[parts.length - 1]) };
    }
    return { host: port.host_ip ?? '0.0.0.0', published: Number(port.published), target: port.target };
  });
}

describe('docker-compose.yml', () => {
  it('is valid for docker-compose, for the full stack and for each profile', () => {
    for (const profiles of [[], ['light'], ['servicebus']]) {
      const { status, stderr } = compose(...profiles.flatMap((profile) => ['--profile', profile]), 'config', '-q');
      expect({ profiles, status, stderr }).toEqual({ profiles, status: 0, stderr: '' });
    }
  });

  describe('the full stack', () => {
    let file: ComposeFile;
    let defaultServices: Array<[string, ComposeService]>;
    let roleServices: Array<{ role: (typeof ROLES)[number]; name: string; service: ComposeService }>;
    const variables = platformVariables();

    beforeAll(() => {
      file = resolved();
      defaultServices = Object.entries(file.services).filter(([, service]) => !service.profiles?.length);
      roleServices = ROLES.map((role) => ({ role, name: kubernetesName(role.name), service: file.services[kubernetesName(role.name)] }));
    });

    it('names roles the way the cluster does', () => {
      const roles = [
        'WebhookDeliveryWorker',
        'OpenAIIntegrationService',
        'GitHubIntegrationService',
        'AzureOpenAIIntegrationService',
        'AzureDevOpsIntegrationService',
        'McpConnectorService',
      ];
      expect(roles.map(kubernetesName)).toEqual([
        'webhook-delivery-worker',
        'openai-integration-service',
        'github-integration-service',
        'azure-openai-integration-service',
        'azure-devops-integration-service',
        'mcp-connector-service',
      ]);
    });

    it('runs every role of src/roles.ts in its own service of the one image, with a readiness healthcheck', () => {
      expect(ROLES).toHaveLength(19);
      for (const { role, name, service } of roleServices) {
        expect({ name, defined: service !== undefined }).toEqual({ name, defined: true });
        expect(service.profiles ?? []).toEqual([]);
        expect(service.environment?.APP_ROLE).toBe(role.name);
        expect(service.image).toBe('integration-platform:local');
        expect(service.healthcheck?.disable).not.toBe(true);
        expect(JSON.stringify(service.healthcheck?.test)).toContain('/health/ready');
      }
      const appRoles = defaultServices.map(([, service]) => service.environment?.APP_ROLE).filter(Boolean);
      expect(appRoles.sort()).toEqual(ROLES.map((role) => role.name).sort());
    });

    it('lets a SIGTERM drain in flight before compose kills a role', () => {
      // SHUTDOWN_GRACE_PERIOD defaults to 25 s, SHUTDOWN_DELAY to 0.
      for (const { name, service } of roleServices) {
        const shutdown = seconds(service.environment?.SHUTDOWN_GRACE_PERIOD ?? '25s') + seconds(service.environment?.SHUTDOWN_DELAY ?? '0s');
        expect({ name, longer: seconds(service.stop_grace_period ?? '10s') > shutdown }).toEqual({ name, longer: true });
      }
    });

    it('connects every role to PostgreSQL, Redis and Azurite through the variables the platform reads', () => {
      for (const { name, service } of roleServices) {
        const environment = service.environment ?? {};
        for (const variable of Object.keys(environment)) expect({ name, variable, known: variables.has(variable) }).toEqual({ name, variable, known: true });
        expect(environment.DATABASE_URL).toMatch(/^postgres(ql)?:\/\/[^@]+@postgres:5432\//);
        expect(environment.REDIS_URL).toBe('redis://redis:6379');
        expect(environment.AZURE_STORAGE_CONNECTION_STRING).toMatch(/BlobEndpoint=http:\/\/azurite:10000\/devstoreaccount1/);
        // No Key Vault emulator exists: the local secret store, shared by every role on one volume.
        expect(environment.KEYVAULT_URL ?? '').toBe('');
        expect(service.volumes).toContainEqual(expect.stringMatching(/^platform-data:\/var\/lib\/integration-platform(:rw)?$/));
        expect(environment.DATA_DIR).toBe('/var/lib/integration-platform');
        expect(environment.NODE_ENV).toBe('development');
        for (const dependency of ['postgres', 'redis', 'azurite']) expect(service.depends_on?.[dependency]).toEqual({ condition: 'service_healthy' });
      }
    });

    it('migrates the schema once: one role runs the migrations, the others wait for it to be healthy', () => {
      const migrating = roleServices.filter(({ service }) => (service.environment?.DATABASE_MIGRATIONS ?? 'run') === 'run');
      expect(migrating.map(({ name }) => name)).toEqual(['vendor-api-client-registry-service']);
      for (const { name, service } of roleServices.filter(({ name: candidate }) => candidate !== migrating[0].name)) {
        expect({ name, migrations: service.environment?.DATABASE_MIGRATIONS }).toEqual({ name, migrations: 'skip' });
        expect(service.depends_on?.[migrating[0].name]).toEqual({ condition: 'service_healthy' });
      }
    });

    it('waits only on services that report health', () => {
      for (const [name, service] of Object.entries(file.services)) {
        for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
          expect({ name, dependency, exists: dependency in file.services }).toEqual({ name, dependency, exists: true });
          if (condition !== 'service_healthy') continue;
          const healthcheck = Boolean(file.services[dependency].healthcheck?.test);
          expect({ name, dependency, healthcheck }).toEqual({ name, dependency, healthcheck: true });
        }
      }
    });

    it('publishes each HTTP role on its own loopback port (http+grpc roles their gRPC port too) and keeps workers and bus consumers internal', () => {
      const published = Object.values(file.services).flatMap(hostPorts);
      expect(new Set(published.map((port) => port.published)).size).toBe(published.length);
      for (const port of published) expect(port.host).toBe('127.0.0.1');
      for (const { role, name, service } of roleServices) {
        const ports = hostPorts(service);
        if (role.kind === 'http+grpc') expect({ name, targets: ports.map((port) => port.target) }).toEqual({ name, targets: [3000, 50051] });
        else if (role.kind === 'http') expect({ name, targets: ports.map((port) => port.target) }).toEqual({ name, targets: [3000] });
        else expect({ name, ports }).toEqual({ name, ports: [] });
      }
    });
  });

  describe('the light profile', () => {
    it('runs every role in one process on the embedded defaults', () => {
      const platform = resolved('light').services.platform;
      expect(platform.profiles).toEqual(['light']);
      expect(platform.image).toBe('integration-platform:local');
      expect(platform.environment?.APP_ROLE).toBe('all');
      const servers = [
        'DATABASE_URL',
        'REDIS_URL',
        'SERVICEBUS_CONNECTION_STRING',
        'SERVICEBUS_NAMESPACE',
        'AZURE_STORAGE_CONNECTION_STRING',
        'AZURE_STORAGE_ACCOUNT_URL',
        'KEYVAULT_URL',
      ];
      for (const variable of servers) expect({ variable, value: platform.environment?.[variable] ?? '' }).toEqual({ variable, value: '' });
      expect(platform.depends_on ?? {}).toEqual({});
      expect(JSON.stringify(platform.healthcheck?.test)).toContain('/health/ready');
      expect(hostPorts(platform).map((port) => port.target)).toEqual([3000, 50051]);
    });
  });

  describe('the servicebus profile', () => {
    let file: ComposeFile;
    beforeAll(() => {
      file = resolved('servicebus');
    });

    it('runs the official Service Bus emulator on SQL Server with the generated entity configuration', () => {
      const emulator = file.services['servicebus-emulator'];
      expect(emulator.image).toMatch(/^mcr\.microsoft\.com\/azure-messaging\/servicebus-emulator:\d+\.\d+\.\d+$/);
      expect(emulator.profiles).toEqual(['servicebus']);
      expect(emulator.volumes).toContainEqual(`${EMULATOR_CONFIG}:${EMULATOR_CONFIG_MOUNT}:ro`);
      expect(emulator.environment?.ACCEPT_EULA).toBeDefined();
      const sql = file.services[emulator.environment!.SQL_SERVER!];
      expect(sql.image).toMatch(/^mcr\.microsoft\.com\/(mssql\/server|azure-sql-edge):/);
      expect(sql.environment?.MSSQL_SA_PASSWORD).toBe(emulator.environment?.MSSQL_SA_PASSWORD);
      expect(emulator.depends_on?.[emulator.environment!.SQL_SERVER!]).toEqual({ condition: 'service_healthy' });
    });

    it('points the platform at the emulator with a development connection string, apart from the per-role stack', () => {
      const platform = file.services['platform-servicebus'];
      expect(platform.environment?.APP_ROLE).toBe('all');
      expect(platform.environment?.SERVICEBUS_CONNECTION_STRING).toMatch(
        /^Endpoint=sb:\/\/servicebus-emulator(:5672)?;SharedAccessKeyName=[^;]+;SharedAccessKey=[^;]+;UseDevelopmentEmulator=true;?$/,
      );
      expect(platform.environment?.SERVICEBUS_CREATE_ENTITIES ?? 'false').toBe('false');
      expect(platform.depends_on?.['servicebus-emulator']).toBeDefined();
      const roleSchema = file.services['vendor-api-client-registry-service'].environment?.DATABASE_SCHEMA ?? 'public';
      expect(platform.environment?.DATABASE_SCHEMA ?? 'public').not.toBe(roleSchema);
      expect(platform.environment?.DATABASE_MIGRATIONS ?? 'run').toBe('run');
      const variables = platformVariables();
      for (const variable of Object.keys(platform.environment ?? {})) expect({ variable, known: variables.has(variable) }).toEqual({ variable, known: true });
    });
  });
});

describe('deploy/servicebus-emulator/config.json', () => {
  type Properties = Record<string, string | number | boolean>;
  interface EmulatorConfig {
    UserConfig: {
      Namespaces: Array<{
        Name: string;
        Queues: Array<{ Name: string; Properties: Properties }>;
        Topics: Array<{ Name: string; Properties: Properties; Subscriptions: Array<{ Name: string; Properties: Properties }> }>;
      }>;
      Logging: { Type: string };
    };
  }
  const text = readFileSync(EMULATOR_CONFIG, 'utf8');
  const config = JSON.parse(text) as EmulatorConfig;
  const namespaces = config.UserConfig.Namespaces;
  const [namespace] = namespaces;

  it('is exactly what the generator makes of the topology', () => {
    const check = spawnSync(process.execPath, [join(ROOT, 'scripts', 'emulator-config.js'), '--check'], { encoding: 'utf8' });
    expect(check.stderr + check.stdout).not.toMatch(/out of date|not found/i);
    expect(check.status).toBe(0);
    const generated = spawnSync(process.execPath, [join(ROOT, 'scripts', 'emulator-config.js')], { encoding: 'utf8' });
    expect(generated.status).toBe(0);
    expect(generated.stdout).toBe(text);
  });

  it('declares every queue, topic and subscription of the topology, and nothing else', () => {
    expect(namespaces).toHaveLength(1);
    expect(namespace.Name).toBe('sbemulatorns');
    expect(namespace.Queues.map((queue) => queue.Name).sort()).toEqual(QUEUES.map((queue) => queue.name).sort());
    expect(namespace.Topics.map((topic) => topic.Name).sort()).toEqual(TOPICS.map((topic) => topic.name).sort());
    for (const topic of TOPICS) {
      const declared = namespace.Topics.find((candidate) => candidate.Name === topic.name)!;
      expect({ topic: topic.name, subscriptions: declared.Subscriptions.map((subscription) => subscription.Name).sort() }).toEqual({
        topic: topic.name,
        subscriptions: topic.subscriptions.map((subscription) => subscription.name).sort(),
      });
    }
  });

  it('carries ENTITY_DEFAULTS, within the limits the emulator enforces', () => {
    const toSeconds = (ms: number) => ms / 1000;
    expect(namespace.Queues.length + namespace.Topics.length).toBeLessThanOrEqual(50);
    const receivers = [...namespace.Queues, ...namespace.Topics.flatMap((topic) => topic.Subscriptions)];
    for (const { Name, Properties } of receivers) {
      expect({ Name, MaxDeliveryCount: Properties.MaxDeliveryCount }).toEqual({ Name, MaxDeliveryCount: ENTITY_DEFAULTS.maxDeliveryCount });
      expect({ Name, lock: isoSeconds(Properties.LockDuration as string) }).toEqual({ Name, lock: toSeconds(ENTITY_DEFAULTS.lockDurationMs) });
      expect({ Name, deadLetter: Properties.DeadLetteringOnMessageExpiration }).toEqual({ Name, deadLetter: ENTITY_DEFAULTS.deadLetteringOnMessageExpiration });
      expect(Properties.RequiresSession).toBe(false);
      expect(Properties.MaxDeliveryCount as number).toBeLessThanOrEqual(10);
      expect(isoSeconds(Properties.LockDuration as string)).toBeLessThanOrEqual(300);
    }
    for (const { Subscriptions } of namespace.Topics) {
      expect(Subscriptions.length).toBeLessThanOrEqual(50);
      for (const { Properties } of Subscriptions) expect(isoSeconds(Properties.LockDuration as string)).toBeGreaterThanOrEqual(60);
    }
    // Duplicate detection as in production, with the window cut to the emulator's longest (5 minutes).
    for (const { Name, Properties } of [...namespace.Queues, ...namespace.Topics]) {
      expect({ Name, duplicates: Properties.RequiresDuplicateDetection }).toEqual({ Name, duplicates: true });
      expect(isoSeconds(Properties.DuplicateDetectionHistoryTimeWindow as string)).toBe(Math.min(toSeconds(ENTITY_DEFAULTS.duplicateDetectionWindowMs), 300));
    }
    for (const { Properties } of [...receivers, ...namespace.Topics]) expect(isoSeconds(Properties.DefaultMessageTimeToLive as string)).toBeLessThanOrEqual(3600);
    expect(['File', 'Console', 'File,Console', 'Console,File']).toContain(config.UserConfig.Logging.Type);
  });
});
