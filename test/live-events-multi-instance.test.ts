import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REGISTRY_SCOPES, TenantApi, WEBHOOK_SCOPES } from './support/governed-api';
import { readLiveEvents } from './support/live-events';
import type { InProcessPlatform } from './support/platform-app';
import { createTestSchema, TEST_DATABASE_URL } from './support/postgres';
import { deleteRedisKeys } from './support/redis';
import { newJwtSecret } from './support/tokens';

const REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * The live feed across processes: the console's role streams what another role's replica fans out,
 * over Redis pub/sub, to the event's tenant only.
 */
describe('the live feed across instances (PostgreSQL, Redis)', () => {
  const jwtSecret = newJwtSecret();
  const redisPrefix = `live-${randomBytes(4).toString('hex')}:`;
  const savedDatabaseUrl = process.env.DATABASE_URL;
  let schema: Awaited<ReturnType<typeof createTestSchema>>;
  let consoleSide: InProcessPlatform;
  let gatewaySide: InProcessPlatform;

  beforeAll(async () => {
    schema = await createTestSchema();
    process.env.DATABASE_URL = TEST_DATABASE_URL;
    const { startInProcess } = await import('./support/platform-app');
    const shared = {
      AUTH_JWT_SECRET: jwtSecret,
      DATABASE_URL: TEST_DATABASE_URL,
      DATABASE_SCHEMA: schema.name,
      REDIS_URL,
      REDIS_KEY_PREFIX: redisPrefix,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'ip-live-replicas-')),
    };
    consoleSide = await startInProcess({ ...shared, APP_ROLE: 'VendorApiClientRegistryService' });
    gatewaySide = await startInProcess({ ...shared, APP_ROLE: 'WebhookGatewayService' });
  });

  afterAll(async () => {
    await gatewaySide?.close();
    await consoleSide?.close();
    await deleteRedisKeys(REDIS_URL, redisPrefix);
    await schema?.drop();
    if (savedDatabaseUrl === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = savedDatabaseUrl;
  });

  it("streams events published on another instance to the tenant's consoles, and to no other tenant", async () => {
    const scopes = `${REGISTRY_SCOPES} ${WEBHOOK_SCOPES}`;
    const watcher = await TenantApi.create(consoleSide.url, jwtSecret, 'tenant-live-a', [], scopes);
    const bystander = await TenantApi.create(consoleSide.url, jwtSecret, 'tenant-live-b', [], scopes);
    const publisher = await TenantApi.create(gatewaySide.url, jwtSecret, 'tenant-live-a', [], scopes);

    const watched = readLiveEvents(`${consoleSide.url}/live/events`, watcher.token, (events) => events.length >= 2);
    const elsewhere = readLiveEvents(`${consoleSide.url}/live/events`, bystander.token, () => false, 3_000);
    await new Promise((resolve) => setTimeout(resolve, 500));

    for (const id of ['evt-live-1', 'evt-live-2']) expect((await publisher.post('/webhooks/events', { type: 'build.finished', id, data: { id } })).status).toBe(202);

    const stream = await watched;
    expect(stream.status).toBe(200);
    expect(stream.events.map((event) => [event.event, event.data.id])).toEqual([
      ['build.finished', 'evt-live-1'],
      ['build.finished', 'evt-live-2'],
    ]);
    expect(stream.events[0].data).toMatchObject({ type: 'build.finished', data: { id: 'evt-live-1' }, time: expect.any(String) });
    expect((await elsewhere).events).toEqual([]);
  });
});
