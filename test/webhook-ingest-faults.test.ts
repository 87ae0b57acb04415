import { createHash, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { sign as signGithub } from '@octokit/webhooks-methods';
import Database from 'better-sqlite3';
import { FilesystemBlobStore } from '../src/platform/blob/filesystem-blob-store';
import { waitFor } from './support/governed-api';
import { PlatformProcess, tempDataDir } from './support/platform-process';
import { createTestSchema, TEST_DATABASE_URL, withClient } from './support/postgres';
import { newJwtSecret, signHs256 } from './support/tokens';

/**
 * The webhook gateway SIGKILLed while vendors are sending: every webhook that was answered 2xx is in the
 * store after a restart, with its exact bytes (kept in the row or in the blob store, by size), and its
 * WebhookReceived message was committed with it (the restarted gateway fans it out to a `*` subscription,
 * so each accepted webhook gets its outbound delivery row). Accepted = 2xx = never lost.
 */

const TENANT = 'tenant-ingest-faults';
const SECRET = 'gh-ingest-fault-secret';
const SENDERS = 32;
const KILL_AFTER = 250;
/** Bodies are 200 B to 3 KB: both sides of the inline threshold. */
const INLINE_MAX = 1024;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- API answers are asserted field by field
type Json = any;

interface StoredInbound {
  id: string;
  eventId: string;
  payloadBody: Buffer | null;
  payloadRef: string | null;
}

interface Store {
  inbound(ids: readonly string[]): Promise<StoredInbound[]>;
  outboundEventIds(subscriptionId: string): Promise<Set<string>>;
  close(): Promise<void>;
}

function sqliteStore(dataDir: string): Store {
  const db = new Database(join(dataDir, 'platform.sqlite'), { readonly: true });
  return {
    async inbound(ids) {
      const rows: StoredInbound[] = [];
      const statement = db.prepare('SELECT id, eventId, payloadBody, payloadRef FROM webhook_deliveries WHERE id = ?');
      for (const id of ids) {
        const row = statement.get(id) as StoredInbound | undefined;
        if (row) rows.push(row);
      }
      return rows;
    },
    async outboundEventIds(subscriptionId) {
      return new Set((db.prepare('SELECT eventId FROM webhook_deliveries WHERE subscriptionId = ?').all(subscriptionId) as Array<{ eventId: string }>).map((row) => row.eventId));
    },
    async close() {
      db.close();
    },
  };
}

function postgresStore(schema: string): Store {
  return {
    inbound: (ids) =>
      withClient(async (client) => (await client.query(`SELECT id, "eventId", "payloadBody", "payloadRef" FROM "${schema}".webhook_deliveries WHERE id = ANY($1)`, [ids])).rows),
    outboundEventIds: (subscriptionId) =>
      withClient(
        async (client) =>
          new Set(
            (await client.query(`SELECT "eventId" FROM "${schema}".webhook_deliveries WHERE "subscriptionId" = $1`, [subscriptionId])).rows.map(
              (row: { eventId: string }) => row.eventId,
            ),
          ),
      ),
    async close() {},
  };
}

describe.each(['sqlite', 'postgres'] as const)('webhook gateway SIGKILLed during ingestion (%s)', (dialect) => {
  const jwtSecret = newJwtSecret();
  const processes: PlatformProcess[] = [];
  let schema: Awaited<ReturnType<typeof createTestSchema>> | undefined;
  let dataDir: string | undefined;

  afterAll(async () => {
    await Promise.all(processes.map((platform) => platform.stop('SIGKILL').catch(() => undefined)));
    await schema?.drop().catch(() => undefined);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every webhook it answered 2xx: row, exact bytes and WebhookReceived', async () => {
    dataDir = tempDataDir();
    if (dialect === 'postgres') schema = await createTestSchema();
    const env = {
      ...(schema ? { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema.name } : {}),
      DATA_DIR: dataDir,
      SECRETS_MASTER_KEY: randomBytes(32).toString('base64'),
      AUTH_JWT_SECRET: jwtSecret,
      EGRESS_ALLOW_LIST: '127.0.0.1',
      WEBHOOK_INLINE_PAYLOAD_MAX: String(INLINE_MAX),
      BUS_POLL_INTERVAL: '100ms',
      // WebhookReceived messages the killed gateway had claimed for fan-out come back after this lease.
      BUS_LOCK_DURATION: '2s',
      APP_ROLE: 'VendorApiClientRegistryService,WebhookGatewayService',
    };
    const first = await PlatformProcess.start(env, 60_000);
    processes.push(first);
    const token = await signHs256(jwtSecret, {
      tenantId: TENANT,
      scope: 'integration.credentials.write integration.connections.write webhooks.subscriptions.write webhooks.deliveries.read',
      expiresIn: 600,
    });
    const call = async (base: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> => {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    };
    const credential = await call(first.url, 'POST', '/integrations/credentials', { name: 'gh-hook', kind: 'webhook-secret', value: SECRET });
    expect(credential.status).toBe(201);
    const connection = await call(first.url, 'POST', '/integrations/connections', {
      providerId: 'github',
      displayName: 'faults',
      webhook: { secretCredentialId: credential.body.id },
    });
    expect(connection.status).toBe(201);
    const subscription = await call(first.url, 'POST', '/webhooks/subscriptions', { url: 'http://127.0.0.1:9/hooks', eventTypes: ['*'] });
    expect(subscription.status).toBe(201);

    const run = randomBytes(4).toString('hex');
    const accepted = new Map<string, { deliveryId: string; sha256: string }>();
    let sent = 0;
    let killed = false;
    const sender = async () => {
      for (;;) {
        if (killed) return;
        const index = sent++;
        const vendorId = `gh-fault-${run}-${index}`;
        const body = JSON.stringify({ ref: 'refs/heads/main', index, padding: 'p'.repeat(200 + ((index * 397) % 2800)) });
        try {
          const answer = await fetch(`${first.url}/webhooks/ingest/${connection.body.id}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': vendorId, 'x-hub-signature-256': await signGithub(SECRET, body) },
            body,
          });
          if (answer.status === 202)
            accepted.set(vendorId, { deliveryId: ((await answer.json()) as { deliveryId: string }).deliveryId, sha256: createHash('sha256').update(body).digest('hex') });
          else await answer.arrayBuffer();
        } catch {
          return; // the process is gone
        }
      }
    };
    const senders = Array.from({ length: SENDERS }, sender);
    await waitFor(() => accepted.size >= KILL_AFTER, 60_000, `${KILL_AFTER} webhooks accepted`);
    first.child.kill('SIGKILL');
    killed = true;
    await first.exited;
    await Promise.all(senders);
    expect(accepted.size).toBeGreaterThanOrEqual(KILL_AFTER);

    const second = await PlatformProcess.start(env, 60_000);
    processes.push(second);
    const store = dialect === 'sqlite' ? sqliteStore(dataDir) : postgresStore(schema!.name);
    try {
      const ids = [...accepted.values()].map((entry) => entry.deliveryId);
      const rows = new Map((await store.inbound(ids)).map((row) => [row.id, row]));
      expect(rows.size).toBe(ids.length);

      const blobs = new FilesystemBlobStore(join(dataDir, 'blobs'));
      let inline = 0;
      for (const { deliveryId, sha256 } of accepted.values()) {
        const row = rows.get(deliveryId)!;
        let body: Buffer;
        if (row.payloadBody) {
          inline += 1;
          body = Buffer.from(row.payloadBody);
        } else {
          const blob = await blobs.get(TENANT, row.payloadRef!);
          expect(blob).toBeDefined();
          body = Buffer.from((JSON.parse(blob!.data.toString('utf8')) as { body: string }).body, 'base64');
        }
        expect(createHash('sha256').update(body).digest('hex')).toBe(sha256);
      }
      expect(inline).toBeGreaterThan(0);
      expect(inline).toBeLessThan(accepted.size);

      // Every accepted webhook's WebhookReceived was committed with it: the restarted gateway fans each out.
      const eventIds = [...rows.values()].map((row) => row.eventId);
      await waitFor(
        async () => {
          const fannedOut = await store.outboundEventIds(subscription.body.id);
          return eventIds.every((eventId) => fannedOut.has(eventId));
        },
        60_000,
        'every accepted webhook fanned out',
        250,
      );
    } finally {
      await store.close();
    }
  });
});

describe.each(['sqlite', 'postgres'] as const)('webhook gateway dedupe under concurrency (%s)', (dialect) => {
  const jwtSecret = newJwtSecret();
  let platform: PlatformProcess | undefined;
  let schema: Awaited<ReturnType<typeof createTestSchema>> | undefined;

  afterAll(async () => {
    await platform?.stop('SIGKILL').catch(() => undefined);
    await schema?.drop().catch(() => undefined);
  });

  it('accepts each vendor delivery once, however many copies arrive together, and keeps a conflicting body', async () => {
    if (dialect === 'postgres') schema = await createTestSchema();
    platform = await PlatformProcess.start({
      ...(schema ? { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema.name } : {}),
      AUTH_JWT_SECRET: jwtSecret,
      EGRESS_ALLOW_LIST: '127.0.0.1',
      APP_ROLE: 'VendorApiClientRegistryService,WebhookGatewayService',
    });
    const token = await signHs256(jwtSecret, { tenantId: TENANT, scope: 'integration.credentials.write integration.connections.write webhooks.deliveries.read', expiresIn: 600 });
    const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> => {
      const response = await fetch(`${platform!.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: await response.json() };
    };
    const credential = await call('POST', '/integrations/credentials', { name: 'gh-dedupe', kind: 'webhook-secret', value: SECRET });
    const connection = await call('POST', '/integrations/connections', {
      providerId: 'github',
      displayName: 'dedupe',
      webhook: { secretCredentialId: credential.body.id },
    });
    expect(connection.status).toBe(201);
    const send = async (vendorId: string, body: string) => {
      const answer = await fetch(`${platform!.url}/webhooks/ingest/${connection.body.id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': vendorId, 'x-hub-signature-256': await signGithub(SECRET, body) },
        body,
      });
      return { status: answer.status, body: (await answer.json()) as { deliveryId: string; duplicate?: boolean } };
    };

    // 10 vendor deliveries, each sent 8 times at once.
    const answers = await Promise.all(Array.from({ length: 80 }, (_, index) => send(`gh-dedupe-${index % 10}`, JSON.stringify({ ref: 'main', n: index % 10 }))));
    for (let id = 0; id < 10; id++) {
      const copies = answers.filter((_, index) => index % 10 === id);
      expect(copies.filter((answer) => answer.status === 202)).toHaveLength(1);
      expect(copies.filter((answer) => answer.status === 200 && answer.body.duplicate === true)).toHaveLength(7);
      expect(new Set(copies.map((answer) => answer.body.deliveryId)).size).toBe(1);
    }
    const conflicting = await send('gh-dedupe-3', JSON.stringify({ ref: 'main', n: 'not the first body' }));
    expect(conflicting).toMatchObject({ status: 200, body: { duplicate: true } });

    const inbound = await call('GET', `/webhooks/deliveries?connectionId=${connection.body.id}&limit=500`);
    expect(inbound.body.items.filter((item: Json) => item.status === 'Delivered')).toHaveLength(10);
    expect(inbound.body.items.filter((item: Json) => item.eventType === 'conflict')).toHaveLength(1);
  });
});
