import { MIGRATIONS } from '../src/database/migrations';
import { VENDOR_DESCRIPTORS } from '../src/modules/vendor-catalogue';
import { ROLES } from '../src/roles';
import { createTestSchema, TEST_DATABASE_URL, withClient } from './support/postgres';
import { PlatformProcess, runToExit, tempDataDir } from './support/platform-process';
import { newJwtSecret, signHs256 } from './support/tokens';

const secret = newJwtSecret();
const SELECTIONS = [...ROLES.map((role) => role.name), 'all'];
const REGISTRY_ROUTE = '/integrations/providers';
const mountsRegistry = (selection: string) => selection === 'all' || selection === 'VendorApiClientRegistryService';
const servesGrpc = (selection: string) => selection === 'all' || ROLES.some((role) => role.name === selection && role.kind === 'http+grpc');

async function expectBootsAndServesOnlyItsRoutes(selection: string, env: Record<string, string>): Promise<void> {
  const platform = await PlatformProcess.start({ APP_ROLE: selection, AUTH_JWT_SECRET: secret, ...env });
  try {
    expect((await fetch(`${platform.url}/health/live`)).status).toBe(200);
    const ready = await fetch(`${platform.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', info: { store: { status: 'up' } } });
    expect((await fetch(`${platform.url}/metrics`)).status).toBe(200);
    // The http+grpc roles, and only them, listen for gRPC too (docs/grpc.md).
    expect(platform.grpcPort !== undefined).toBe(servesGrpc(selection));

    const token = await signHs256(secret, { tenantId: 'tenant-a', scope: 'integration.providers.read' });
    const providers = await fetch(`${platform.url}${REGISTRY_ROUTE}`, { headers: { authorization: `Bearer ${token}` } });
    expect(providers.status).toBe(mountsRegistry(selection) ? 200 : 404);
  } finally {
    expect(await platform.stop()).toBe(0);
  }
}

describe('every role boots on the embedded defaults (SQLite)', () => {
  it.each(SELECTIONS)('%s answers live/ready and mounts only its own routes', async (selection) => {
    await expectBootsAndServesOnlyItsRoutes(selection, { DATA_DIR: tempDataDir() });
  });

  it('runs a comma list of roles in one process', async () => {
    const platform = await PlatformProcess.start({ APP_ROLE: ' WebhookGatewayService,vendorapiclientregistryservice ', AUTH_JWT_SECRET: secret });
    try {
      const token = await signHs256(secret, { tenantId: 'tenant-a', scope: 'integration.providers.read' });
      expect((await fetch(`${platform.url}${REGISTRY_ROUTE}`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      const banner = platform.logs().find((line) => line.msg.startsWith('Integration platform listening'));
      expect(banner?.roles).toBe('VendorApiClientRegistryService,WebhookGatewayService');
    } finally {
      await platform.stop();
    }
  });

  it('three processes booting at once on one SQLite file migrate it exactly once', async () => {
    const dataDir = tempDataDir();
    const processes = await Promise.all([1, 2, 3].map(() => PlatformProcess.start({ DATA_DIR: dataDir, AUTH_JWT_SECRET: secret })));
    try {
      const applied = processes.flatMap((platform) => platform.logs().filter((line) => line.msg === 'Migrations applied'));
      expect(applied).toHaveLength(1);
      for (const platform of processes) expect((await fetch(`${platform.url}/health/ready`)).status).toBe(200);
    } finally {
      await Promise.all(processes.map((platform) => platform.stop()));
    }
  });
});

describe('every role boots on PostgreSQL', () => {
  const schemas: Array<{ drop(): Promise<void> }> = [];
  afterAll(async () => {
    await Promise.all(schemas.map((schema) => schema.drop()));
  });

  it.each(SELECTIONS)('%s answers live/ready and mounts only its own routes', async (selection) => {
    const schema = await createTestSchema();
    schemas.push(schema);
    await expectBootsAndServesOnlyItsRoutes(selection, { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema.name });
  });

  it('three processes booting at once apply the migrations exactly once', async () => {
    const schema = await createTestSchema();
    schemas.push(schema);
    const env = { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema.name, AUTH_JWT_SECRET: secret };
    const processes = await Promise.all([1, 2, 3].map(() => PlatformProcess.start(env)));
    try {
      const applied = processes.flatMap((platform) => platform.logs().filter((line) => line.msg === 'Migrations applied'));
      expect(applied).toHaveLength(1);
      const { migrations, providers } = await withClient(async (client) => ({
        migrations: (await client.query(`SELECT name FROM "${schema.name}".schema_migrations`)).rows,
        providers: (await client.query(`SELECT count(*)::int AS n FROM "${schema.name}".integration_providers`)).rows[0].n,
      }));
      expect(migrations.map((row: { name: string }) => row.name)).toEqual(MIGRATIONS.map((migration) => migration.name));
      expect(providers).toBe(VENDOR_DESCRIPTORS.length);
    } finally {
      await Promise.all(processes.map((platform) => platform.stop()));
    }
  });
});

describe('boot refuses what it cannot run', () => {
  it('exits non-zero on an unknown role before listening, naming the valid roles', async () => {
    const { code, platform } = await runToExit({ APP_ROLE: 'WebhookGatewayService,NoSuchService' });
    expect(code).toBe(2);
    const stderr = platform.stderr.join('\n');
    expect(stderr).toContain('Unknown APP_ROLE "NoSuchService"');
    for (const name of SELECTIONS) expect(stderr).toContain(name);
    expect(platform.logs().some((line) => line.msg.startsWith('Integration platform listening'))).toBe(false);
  });

  it('exits naming every bad variable, without echoing secret values', async () => {
    const weakSecret = 'short-secret-value';
    const { code, platform } = await runToExit({ PORT: 'eighty', AUTH_JWT_SECRET: weakSecret, SHUTDOWN_GRACE_PERIOD: 'soon' });
    expect(code).toBe(1);
    const stderr = platform.stderr.join('\n');
    expect(stderr).toMatch(/PORT: must be an integer/);
    expect(stderr).toMatch(/AUTH_JWT_SECRET: must be at least 32 characters long/);
    expect(stderr).toMatch(/SHUTDOWN_GRACE_PERIOD: must be a duration/);
    expect(platform.output()).not.toContain(weakSecret);
  });

  it('refuses unsafe embedded defaults in production', async () => {
    const { code, platform } = await runToExit({ NODE_ENV: 'production' });
    expect(code).toBe(1);
    const stderr = platform.stderr.join('\n');
    expect(stderr).toMatch(/AUTH_JWKS_URI: is required in production/);
    expect(stderr).toMatch(/AUTH_AUDIENCE: is required in production/);
  });

  it('validates the options of the selected role modules too', async () => {
    const { code, platform } = await runToExit({ APP_ROLE: 'WebhookDeliveryWorker', WEBHOOK_RETRY_SCHEDULE: '0,5s,later', AUTH_JWT_SECRET: secret });
    expect(code).toBe(1);
    expect(platform.stderr.join('\n')).toMatch(/WEBHOOK_RETRY_SCHEDULE: item 3 must be a duration/);
  });
});
