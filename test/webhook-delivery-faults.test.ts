import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { waitFor } from './support/governed-api';
import { PlatformProcess, tempDataDir } from './support/platform-process';
import { createTestSchema, TEST_DATABASE_URL } from './support/postgres';
import { newJwtSecret, signHs256 } from './support/tokens';

/**
 * The WebhookDeliveryWorker SIGKILLed while 2,000 outbound deliveries are in flight on the PostgreSQL
 * store bus: after a fresh worker starts, every delivery arrives at least once, each signed, each with
 * its original webhook-id (the event id), and the API accounts for all of them as Delivered.
 *
 * Two real `node dist/main.js` processes share one PostgreSQL schema (rows and bus tables), one DATA_DIR
 * (the file blob store holding the payloads) and one local secret store key (the signing secrets).
 */

const EVENTS = 2_000;
/** Events published before the first worker starts. */
const BACKLOG = 500;
/** Distinct deliveries arrived when the first worker is SIGKILLed. */
const KILL_AFTER = 300;
const PUBLISH_CONCURRENCY = 16;
const RECEIVER_DELAY_MS = 50;
const EVENT_TYPE = 'fault.delivery.tested';
const TENANT = 'tenant-webhook-faults';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- API answers are asserted field by field
type Json = any;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Some waits list deliveries over the API: poll gently while 2,000 of them are in flight. */
const POLL_MS = 100;

/** A webhook endpoint that verifies every POST with the standardwebhooks library and answers 200 after a delay. */
class VerifyingReceiver {
  /** webhook-id → complete POSTs received with it. */
  readonly arrivals = new Map<string, number>();
  readonly failures: Array<{ webhookId: string | undefined; error: string }> = [];
  /** POSTs whose body never fully arrived (the sender died mid-request): not counted as arrivals. */
  incomplete = 0;
  posts = 0;
  inFlight = 0;
  maxInFlight = 0;
  secret?: string;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server) {}

  static async start(delayMs: number): Promise<VerifyingReceiver> {
    const server = createServer();
    const receiver = new VerifyingReceiver(server);
    server.on('request', (request, response) => void receiver.handle(request, response, delayMs));
    server.on('connection', (socket) => {
      receiver.sockets.add(socket);
      socket.on('close', () => receiver.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/faults`;
  }

  get distinct(): number {
    return this.arrivals.size;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse, delayMs: number): Promise<void> {
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    response.on('error', () => undefined);
    try {
      const chunks: Buffer[] = [];
      try {
        for await (const chunk of request) chunks.push(chunk as Buffer);
      } catch {
        this.incomplete += 1;
        return;
      }
      if (!request.complete) {
        this.incomplete += 1;
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      const webhookId = typeof request.headers['webhook-id'] === 'string' ? request.headers['webhook-id'] : undefined;
      this.posts += 1;
      try {
        if (!this.secret) throw new Error('no secret yet');
        new Webhook(this.secret).verify(body, request.headers as Record<string, string>);
      } catch (error) {
        this.failures.push({ webhookId, error: String(error) });
      }
      const key = webhookId ?? '(none)';
      this.arrivals.set(key, (this.arrivals.get(key) ?? 0) + 1);
      await sleep(delayMs);
      if (!response.destroyed) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"ok":true}');
      }
    } finally {
      this.inFlight -= 1;
    }
  }
}

/** Runs `work` over `items` with at most `concurrency` calls at once. */
async function inBatches<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

describe('WebhookDeliveryWorker SIGKILLed mid-flight (PostgreSQL store bus, two processes)', () => {
  const jwtSecret = newJwtSecret();
  const processes: PlatformProcess[] = [];
  let schema: Awaited<ReturnType<typeof createTestSchema>> | undefined;
  let receiver: VerifyingReceiver | undefined;
  let dataDir: string | undefined;

  afterAll(async () => {
    // Processes first: the schema cannot be dropped under their connections.
    await Promise.all(processes.map((platform) => platform.stop('SIGKILL').catch(() => undefined)));
    await receiver?.close().catch(() => undefined);
    await schema?.drop().catch(() => undefined);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it(`delivers every one of ${EVENTS} events at least once, with its original webhook-id, after the worker is SIGKILLed`, async () => {
    const started = Date.now();
    schema = await createTestSchema();
    dataDir = tempDataDir();
    receiver = await VerifyingReceiver.start(RECEIVER_DELAY_MS);
    const shared = {
      DATABASE_URL: TEST_DATABASE_URL,
      DATABASE_SCHEMA: schema.name,
      // One file blob store (the payloads) and one local secret store (the signing secrets) for both processes.
      DATA_DIR: dataDir,
      SECRETS_MASTER_KEY: randomBytes(32).toString('base64'),
      AUTH_JWT_SECRET: jwtSecret,
      EGRESS_ALLOW_LIST: '127.0.0.1',
      WEBHOOK_RETRY_SCHEDULE: '0,200ms,500ms,1s,1s,1s,1s,1s',
      // Messages the killed worker had locked come back after this lease.
      BUS_LOCK_DURATION: '2s',
      BUS_POLL_INTERVAL: '100ms',
      LOG_LEVEL: 'info',
    };
    const workerEnv = {
      ...shared,
      APP_ROLE: 'WebhookDeliveryWorker',
      WEBHOOK_DELIVERY_CONCURRENCY: '48',
      // Below the consumer's concurrency: some attempts find the endpoint full and are deferred, a path the kill also cuts.
      WEBHOOK_ENDPOINT_CONCURRENCY: '32',
      WEBHOOK_DELIVERY_TIMEOUT: '10s',
      // The bus-wide default, far below WEBHOOK_DELIVERY_CONCURRENCY: shows the worker's own setting is the one applied.
      BUS_CONCURRENCY: '2',
    };

    // The API first: it runs the migrations the worker then finds done.
    const api = await PlatformProcess.start({ ...shared, APP_ROLE: 'VendorApiClientRegistryService,WebhookGatewayService' }, 60_000);
    processes.push(api);

    const token = await signHs256(jwtSecret, {
      tenantId: TENANT,
      scope: 'webhooks.subscriptions.write webhooks.events.publish webhooks.deliveries.read',
      expiresIn: 600,
    });
    const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> => {
      const response = await fetch(`${api.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    };

    const subscription = await call('POST', '/webhooks/subscriptions', { url: receiver.url, eventTypes: [EVENT_TYPE], description: 'SIGKILL fault test' });
    expect(subscription.status).toBe(201);
    expect(subscription.body.secret).toMatch(/^whsec_/);
    receiver.secret = subscription.body.secret as string;
    const subscriptionId = subscription.body.id as string;

    const run = randomBytes(4).toString('hex');
    const eventIds = Array.from({ length: EVENTS }, (_, index) => `evt-fault-${run}-${String(index).padStart(4, '0')}`);
    const ours = new Set(eventIds);

    // Publish (bounded concurrency); the first worker starts once a backlog has built up, so it runs at full
    // concurrency (POSTs in flight, more messages locked and prefetched) when it is killed, a few hundred in.
    const publishStarted = Date.now();
    const publishAnswers: Array<{ id: string; status: number; body: Json }> = [];
    let publishedAt = 0;
    const publishing = inBatches(eventIds, PUBLISH_CONCURRENCY, async (id) => {
      const answer = await call('POST', '/webhooks/events', { type: EVENT_TYPE, id, data: { id, note: 'fault test' } });
      publishAnswers.push({ id, ...answer });
    }).then(() => (publishedAt = Date.now()));
    publishing.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled

    await waitFor(
      () => publishAnswers.length >= BACKLOG,
      60_000,
      () => `${BACKLOG} events published (have ${publishAnswers.length})`,
      POLL_MS,
    );
    const firstWorker = await PlatformProcess.start(workerEnv, 60_000);
    processes.push(firstWorker);

    await waitFor(
      () => receiver!.distinct >= KILL_AFTER,
      60_000,
      () => `${KILL_AFTER} deliveries before the kill (have ${receiver!.distinct})`,
      POLL_MS,
    );
    const atKill = { distinct: receiver.distinct, posts: receiver.posts, inFlight: receiver.inFlight, published: publishAnswers.length, ms: Date.now() - publishStarted };
    firstWorker.child.kill('SIGKILL');
    expect(await firstWorker.exited).toEqual({ code: null, signal: 'SIGKILL' });
    // The kill has to land mid-run to mean anything.
    expect(atKill.distinct).toBeLessThan(EVENTS);

    const restartedAt = Date.now();
    const secondWorker = await PlatformProcess.start(workerEnv, 60_000);
    processes.push(secondWorker);

    await publishing;
    expect(publishAnswers).toHaveLength(EVENTS);
    const unexpectedPublish = publishAnswers.filter((answer) => answer.status !== 202 || answer.body?.deliveries !== 1 || answer.body?.id !== answer.id);
    expect(unexpectedPublish).toEqual([]);

    await waitFor(
      () => eventIds.every((id) => receiver!.arrivals.has(id)),
      100_000,
      () => `every event to arrive (have ${eventIds.filter((id) => receiver!.arrivals.has(id)).length} of ${EVENTS})`,
      POLL_MS,
    );
    const allArrivedAt = Date.now();

    // Every event id arrived at least once, every POST verified, and every webhook-id was one of our event ids.
    expect(eventIds.filter((id) => !receiver!.arrivals.has(id))).toEqual([]);
    expect(receiver.failures).toEqual([]);
    expect([...receiver.arrivals.keys()].filter((id) => !ours.has(id))).toEqual([]);

    // The delivery consumer ran at WEBHOOK_DELIVERY_CONCURRENCY, not at BUS_CONCURRENCY (2).
    expect(receiver.maxInFlight).toBeGreaterThan(2);

    // The API accounts for all of them as Delivered (the last outcomes commit just after their 200s).
    const delivered = async (): Promise<Array<{ eventId: string; subscriptionId: string; direction: string; status: string }>> => {
      const items: Array<{ eventId: string; subscriptionId: string; direction: string; status: string }> = [];
      let cursor: string | null = null;
      do {
        const page = await call('GET', `/webhooks/deliveries?status=Delivered&limit=500${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.status).toBe(200);
        items.push(...page.body.items);
        cursor = page.body.nextCursor;
      } while (cursor);
      return items;
    };
    let listed: Awaited<ReturnType<typeof delivered>> = [];
    await waitFor(
      async () => (listed = await delivered()).length >= EVENTS,
      30_000,
      () => `GET /webhooks/deliveries?status=Delivered to list ${EVENTS} (lists ${listed.length})`,
      POLL_MS,
    );
    expect(listed).toHaveLength(EVENTS);
    expect(listed.every((item) => item.status === 'Delivered' && item.direction === 'out' && item.subscriptionId === subscriptionId)).toBe(true);
    expect(new Set(listed.map((item) => item.eventId))).toEqual(ours);

    const duplicates = receiver.posts - receiver.distinct;
    const repeated = [...receiver.arrivals.values()].filter((count) => count > 1);
    console.log(
      [
        `webhook delivery SIGKILL fault test: ${EVENTS} events, ${receiver.posts} verified POSTs, ${duplicates} duplicates`,
        `(${repeated.length} event ids more than once, at most ${Math.max(1, ...repeated)} times), ${receiver.incomplete} POSTs cut off mid-body`,
        `kill after ${atKill.ms} ms of publishing: ${atKill.distinct} distinct arrived, ${atKill.inFlight} POSTs in flight at the receiver, ${atKill.published} events published`,
        `publishing took ${publishedAt - publishStarted} ms; all arrived ${allArrivedAt - restartedAt} ms after the restart began; receiver max in flight ${receiver.maxInFlight}`,
        `total ${Date.now() - started} ms`,
      ].join('\n'),
    );
  }, 170_000);
});
