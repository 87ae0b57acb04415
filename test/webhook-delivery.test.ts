import { randomBytes } from 'node:crypto';
import { watchConnectAttempts } from './support/connect-attempts';
import { promises as dnsPromises } from 'node:dns';
import type { IncomingMessage } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { DataSource } from 'typeorm';
import { BlobStore } from '../src/platform/blob/blob-store';
import { RequestContext } from '../src/platform/context/request-context';
import { BusPublisher } from '../src/platform/messaging/bus-publisher';
import { newId } from '../src/platform/persistence/ids';
import { CircuitBreakerRegistry } from '../src/platform/resilience/breaker-registry';
import { IntegrationFailure } from '../src/platform/runs/entities/integration-failure.entity';
import { DeliveryAttempt } from '../src/platform/webhooks/entities/delivery-attempt.entity';
import { WebhookDelivery } from '../src/platform/webhooks/entities/webhook-delivery.entity';
import { WebhookSubscription } from '../src/platform/webhooks/entities/webhook-subscription.entity';
import { SubscriptionSecrets } from '../src/platform/webhooks/subscription-secrets';
import { until } from './support/governed-api';
import { InProcessPlatform, startInProcess } from './support/platform-app';
import { newJwtSecret } from './support/tokens';
import { Answer, Receiver } from './support/webhook-receiver';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- event payloads are asserted field by field
type Json = any;

const TENANT = 'tenant-webhooks';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Direct access to the worker's store, blob and bus, to set up state the way the gateway would. */
class Harness {
  readonly dataSource: DataSource;
  readonly blobs: BlobStore;
  readonly secrets: SubscriptionSecrets;
  readonly publisher: BusPublisher;
  /** Every signing secret handed out, to check none of them reaches a log line or a row. */
  readonly issuedSecrets: string[] = [];

  constructor(readonly platform: InProcessPlatform) {
    this.dataSource = platform.app.get(DataSource);
    this.blobs = platform.app.get(BlobStore);
    this.secrets = platform.app.get(SubscriptionSecrets);
    this.publisher = platform.app.get(BusPublisher);
  }

  async subscription(url: string, receiver?: Receiver): Promise<{ id: string; secret: string }> {
    const id = newId('sub');
    const { ref, secret } = await this.secrets.create(TENANT, id);
    await this.dataSource.getRepository(WebhookSubscription).insert({
      id,
      tenantId: TENANT,
      url,
      eventTypes: ['*'],
      description: null,
      signingSecretRef: ref,
      previousSigningSecretRef: null,
      previousSecretValidUntil: null,
      status: 'Active',
      disabledReason: null,
      consecutiveDeadLetters: 0,
    });
    receiver?.secrets.push(secret);
    this.issuedSecrets.push(secret);
    return { id, secret };
  }

  /** Stores the event's body and its delivery row, then sends the first DeliverWebhook, as the gateway does. */
  async deliver(subscriptionId: string, options: { eventId?: string; send?: boolean } = {}): Promise<{ id: string; eventId: string; body: string }> {
    const eventId = options.eventId ?? `evt-${randomBytes(6).toString('hex')}`;
    const body = JSON.stringify({
      specversion: '1.0',
      id: eventId,
      source: 'urn:test',
      type: 'test.happened',
      time: new Date().toISOString(),
      tenantid: TENANT,
      datacontenttype: 'application/json',
      data: { hello: 'wörld', n: 1 },
    });
    const payloadRef = `webhook-events/${eventId}.json`;
    await this.blobs.put(TENANT, payloadRef, Buffer.from(body, 'utf8'), { contentType: 'application/json' });
    const id = newId('dlv');
    await this.dataSource.getRepository(WebhookDelivery).insert({
      id,
      tenantId: TENANT,
      direction: 'out',
      connectionId: null,
      subscriptionId,
      vendorDeliveryId: null,
      eventId,
      eventType: 'test.happened',
      status: 'Pending',
      payloadRef,
      attemptCount: 0,
      series: 1,
      seriesAttempt: 0,
      nextAttemptAt: null,
      lastError: null,
      completedAt: null,
    });
    if (options.send !== false) await this.send({ deliveryId: id, series: 1, attempt: 1 });
    return { id, eventId, body };
  }

  send(command: { deliveryId: string; series: number; attempt: number }, messageId = `deliver:${command.deliveryId}:${command.series}:${command.attempt}`): Promise<string> {
    return RequestContext.run({ tenantId: TENANT }, () => this.publisher.send('DeliverWebhook', command, { messageId }));
  }

  delivery(id: string): Promise<WebhookDelivery> {
    return this.dataSource.getRepository(WebhookDelivery).findOneByOrFail({ tenantId: TENANT, id });
  }

  subscriptionRow(id: string): Promise<WebhookSubscription> {
    return this.dataSource.getRepository(WebhookSubscription).findOneByOrFail({ tenantId: TENANT, id });
  }

  attempts(deliveryId: string): Promise<DeliveryAttempt[]> {
    return this.dataSource.getRepository(DeliveryAttempt).find({ where: { tenantId: TENANT, deliveryId }, order: { attemptNumber: 'ASC' } });
  }

  failures(deliveryId: string): Promise<IntegrationFailure[]> {
    return this.dataSource.getRepository(IntegrationFailure).find({ where: { tenantId: TENANT, deliveryId } });
  }

  untilStatus(id: string, status: WebhookDelivery['status'], timeoutMs = 15_000): Promise<WebhookDelivery> {
    return until(
      () => this.delivery(id),
      (row) => row.status === status,
      timeoutMs,
      `delivery ${id} to be ${status}`,
    );
  }

  /** CloudEvents published on a topic, read from the fan-out subscription's queue rows (nobody consumes it in these apps). */
  async events(topic: string): Promise<Json[]> {
    const placeholder = this.dataSource.driver.options.type === 'postgres' ? '$1' : '?';
    const rows: Array<{ body: string }> = await this.dataSource.query(`SELECT body FROM bus_messages WHERE entity = ${placeholder} ORDER BY id`, [
      `${topic}/Subscriptions/WebhookGatewayService`,
    ]);
    return rows.map((row) => JSON.parse(row.body));
  }
}

const BASE_ENV = {
  APP_ROLE: 'WebhookDeliveryWorker,IntegrationRetryWorker',
  BUS_POLL_INTERVAL: '20ms',
  LOG_LEVEL: 'info',
};

describe('WebhookDeliveryWorker (in-process, SQLite, store bus)', () => {
  let platform: InProcessPlatform;
  let h: Harness;
  const receivers: Receiver[] = [];
  const receiver = async (answer?: (index: number, request: IncomingMessage) => Answer): Promise<Receiver> => {
    const started = await Receiver.start(answer);
    receivers.push(started);
    return started;
  };

  beforeAll(async () => {
    platform = await startInProcess({
      ...BASE_ENV,
      AUTH_JWT_SECRET: newJwtSecret(),
      EGRESS_ALLOW_LIST: '127.0.0.1',
      WEBHOOK_RETRY_SCHEDULE: '0,50ms,1100ms',
      WEBHOOK_DELIVERY_CONCURRENCY: '4',
      WEBHOOK_ENDPOINT_CONCURRENCY: '2',
      WEBHOOK_DELIVERY_TIMEOUT: '10s',
      WEBHOOK_AUTO_DISABLE_AFTER: '2',
      BREAKER_VOLUME_THRESHOLD: '1000',
      LOG_LEVEL: 'debug',
    });
    h = new Harness(platform);
  });

  afterAll(async () => {
    await platform?.close();
    await Promise.all(receivers.map((started) => started.close()));
  });

  it('delivers a signed event once: webhook-id is the event id, the body is the stored bytes, WebhookDelivered is published', async () => {
    const target = await receiver(() => ({ status: 200, body: '{"received":true}' }));
    const subscription = await h.subscription(target.url(), target);
    const { id, eventId, body } = await h.deliver(subscription.id);

    const delivered = await h.untilStatus(id, 'Delivered');
    expect(delivered).toMatchObject({ attemptCount: 1, series: 1, seriesAttempt: 1, lastError: null, nextAttemptAt: null });
    expect(delivered.completedAt).toBeInstanceOf(Date);

    expect(target.requests).toHaveLength(1);
    const [request] = target.requests;
    expect(request.verified).toBe(true);
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/hooks/in');
    expect(request.body).toBe(body);
    expect(request.headers['webhook-id']).toBe(eventId);
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['user-agent']).toMatch(/^integration-platform-webhooks\//);
    expect(Math.abs(Number(request.headers['webhook-timestamp']) - request.at / 1000)).toBeLessThan(5);

    const [attempt] = await h.attempts(id);
    expect(attempt).toMatchObject({ attemptNumber: 1, statusCode: 200, error: null, responseExcerpt: '{"received":true}' });
    expect(Number.isInteger(attempt.latencyMs)).toBe(true);

    const events = await until(
      () => h.events('webhook-delivered'),
      (all) => all.some((event) => event.data?.deliveryId === id),
      5_000,
      'WebhookDelivered',
    );
    const event = events.find((candidate) => candidate.data?.deliveryId === id);
    expect(event).toMatchObject({
      type: 'WebhookDelivered',
      tenantid: TENANT,
      data: { deliveryId: id, subscriptionId: subscription.id, eventId, eventType: 'test.happened', attempts: 1, statusCode: 200 },
    });

    // The same attempt again (a redelivered command under another message id) sends nothing.
    await h.send({ deliveryId: id, series: 1, attempt: 1 }, `duplicate-${id}`);
    await pause(300);
    expect(target.requests).toHaveLength(1);
  });

  it('retries on 500 with the same webhook-id and a fresh timestamp per attempt, then delivers', async () => {
    const target = await receiver((index) => (index < 2 ? { status: 500, body: 'oops' } : { status: 204 }));
    const subscription = await h.subscription(target.url(), target);
    const { id, eventId } = await h.deliver(subscription.id);

    await h.untilStatus(id, 'Delivered');
    expect(target.requests).toHaveLength(3);
    expect(target.requests.every((request) => request.verified)).toBe(true);
    expect(new Set(target.requests.map((request) => request.headers['webhook-id']))).toEqual(new Set([eventId]));
    const timestamps = target.requests.map((request) => Number(request.headers['webhook-timestamp']));
    // Each attempt signs with its own time; the third comes ≥ 1 s after the first (schedule 0, 50 ms, 1.1 s ± 10 %).
    for (const [index, request] of target.requests.entries()) expect(Math.abs(timestamps[index] - request.at / 1000)).toBeLessThan(2);
    expect(timestamps[2]).toBeGreaterThan(timestamps[0]);
    expect(new Set(target.requests.map((request) => request.headers['webhook-signature'])).size).toBeGreaterThan(1);

    const attempts = await h.attempts(id);
    expect(attempts.map((attempt) => [attempt.attemptNumber, attempt.statusCode])).toEqual([
      [1, 500],
      [2, 500],
      [3, 204],
    ]);
    expect(attempts[0].error).toBe('The endpoint answered HTTP 500');
    expect(attempts[0].responseExcerpt).toBe('oops');
    expect(attempts[2].error).toBeNull();
    expect(await h.delivery(id)).toMatchObject({ attemptCount: 3, seriesAttempt: 3, lastError: null });
    expect(await h.failures(id)).toHaveLength(0);
  });

  it('dead-letters after the last attempt of the series: IntegrationFailure, IntegrationFailed (ignored by the retry worker); a replay starts a new series', async () => {
    let healthy = false;
    const target = await receiver(() => (healthy ? { status: 200 } : { status: 500 }));
    const subscription = await h.subscription(target.url(), target);
    const { id, eventId } = await h.deliver(subscription.id);

    const dead = await h.untilStatus(id, 'DeadLettered');
    expect(dead).toMatchObject({ attemptCount: 3, seriesAttempt: 3, lastError: 'The endpoint answered HTTP 500', nextAttemptAt: null });
    expect(target.requests).toHaveLength(3);
    const failures = await h.failures(id);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ deliveryId: id, runId: null, category: 'Transient', code: 'server_error', retryable: false });

    const failed = await until(
      () => h.events('integration-failed'),
      (all) => all.some((event) => event.data?.deliveryId === id),
      5_000,
      'IntegrationFailed',
    );
    expect(failed.find((event) => event.data?.deliveryId === id)).toMatchObject({
      type: 'IntegrationFailed',
      data: {
        deliveryId: id,
        subscriptionId: subscription.id,
        eventId,
        eventType: 'test.happened',
        attempt: 3,
        category: 'Transient',
        code: 'server_error',
        retryable: false,
        mode: 'async',
        purpose: 'delivery',
      },
    });
    const sub = await h.subscriptionRow(subscription.id);
    expect(sub).toMatchObject({ status: 'Active', consecutiveDeadLetters: 1 });

    // The IntegrationRetryWorker consumed the event and left it alone (no dead-lettered IntegrationFailed).
    await until(
      () => h.dataSource.query(`SELECT count(*) AS n FROM bus_messages WHERE entity = 'integration-failed/Subscriptions/IntegrationRetryWorker'`),
      (rows: Array<{ n: number }>) => Number(rows[0].n) === 0,
      5_000,
      'the retry worker to consume IntegrationFailed',
    );
    const deadLetters = await h.dataSource.query(`SELECT reason FROM bus_dead_letters WHERE entity = 'integration-failed/Subscriptions/IntegrationRetryWorker'`);
    expect(deadLetters).toEqual([]);

    // Replay (gateway side): series 2 from attempt 1; the stale series-1 command changes nothing.
    healthy = true;
    await h.dataSource.getRepository(WebhookDelivery).update({ tenantId: TENANT, id }, { series: 2, seriesAttempt: 0, status: 'Pending', completedAt: null });
    await h.send({ deliveryId: id, series: 1, attempt: 3 }, `stale-${id}`);
    await h.send({ deliveryId: id, series: 2, attempt: 1 });
    const replayed = await h.untilStatus(id, 'Delivered');
    expect(replayed).toMatchObject({ series: 2, seriesAttempt: 1, attemptCount: 4 });
    expect(target.requests).toHaveLength(4);
    expect(target.requests[3].headers['webhook-id']).toBe(eventId);
    expect((await h.attempts(id)).map((attempt) => attempt.attemptNumber)).toEqual([1, 2, 3, 4]);
    expect(await h.subscriptionRow(subscription.id)).toMatchObject({ consecutiveDeadLetters: 0 });
  });

  it('410 Gone disables the subscription and dead-letters the delivery at once; later deliveries are not sent', async () => {
    const target = await receiver(() => ({ status: 410, body: 'gone' }));
    const subscription = await h.subscription(target.url(), target);
    const { id } = await h.deliver(subscription.id);

    const dead = await h.untilStatus(id, 'DeadLettered');
    expect(dead.attemptCount).toBe(1);
    expect(dead.lastError).toMatch(/410/);
    const sub = await h.subscriptionRow(subscription.id);
    expect(sub.status).toBe('Disabled');
    expect(sub.disabledReason).toMatch(/410 Gone/);
    expect((await h.attempts(id)).map((attempt) => attempt.statusCode)).toEqual([410]);

    const next = await h.deliver(subscription.id);
    const skipped = await h.untilStatus(next.id, 'DeadLettered');
    expect(skipped.attemptCount).toBe(0);
    expect(skipped.lastError).toMatch(/subscription is disabled/);
    expect(target.requests).toHaveLength(1);
  });

  it('dead-letters without a POST when the subscription is gone, and with a Poison failure when the payload is missing', async () => {
    const target = await receiver(() => ({ status: 200 }));
    const subscription = await h.subscription(target.url(), target);

    const orphan = await h.deliver(subscription.id, { send: false });
    await h.dataSource.getRepository(WebhookSubscription).delete({ tenantId: TENANT, id: subscription.id });
    await h.send({ deliveryId: orphan.id, series: 1, attempt: 1 });
    const dead = await h.untilStatus(orphan.id, 'DeadLettered');
    expect(dead).toMatchObject({ attemptCount: 0, lastError: 'The subscription no longer exists; nothing was sent' });

    const other = await h.subscription(target.url(), target);
    const lost = await h.deliver(other.id, { send: false });
    await h.blobs.delete(TENANT, `webhook-events/${lost.eventId}.json`);
    await h.send({ deliveryId: lost.id, series: 1, attempt: 1 });
    const poisoned = await h.untilStatus(lost.id, 'DeadLettered');
    expect(poisoned.attemptCount).toBe(0);
    expect(poisoned.lastError).toMatch(/payload/);
    expect((await h.failures(lost.id))[0]).toMatchObject({ category: 'Poison', code: 'payload_missing' });
    expect(target.requests).toHaveLength(0);
  });

  it('defers, without an attempt or a POST, while the endpoint breaker is open, then delivers once it half-opens', async () => {
    const target = await receiver(() => ({ status: 200 }));
    const subscription = await h.subscription(target.url(), target);
    const breakers = platform.app.get(CircuitBreakerRegistry);
    const key = `webhook:127.0.0.1:${target.port}`;
    const openedUntil = Date.now() + 1_000;
    breakers.forceOpen(key, openedUntil);

    const { id } = await h.deliver(subscription.id);
    const delivered = await h.untilStatus(id, 'Delivered');
    expect(target.requests).toHaveLength(1);
    expect(target.requests[0].at).toBeGreaterThanOrEqual(openedUntil - 50);
    expect(delivered.attemptCount).toBe(1);
    expect(breakers.snapshot().find((breaker) => breaker.key === key)?.state).toBe('closed');
  });

  it('honours Retry-After on 429 before the next attempt', async () => {
    const target = await receiver((index) => (index === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 }));
    const subscription = await h.subscription(target.url(), target);
    const { id } = await h.deliver(subscription.id);

    await h.untilStatus(id, 'Delivered');
    const attempts = await h.attempts(id);
    expect(attempts.map((attempt) => attempt.statusCode)).toEqual([429, 200]);
    const gap = attempts[1].attemptedAt.getTime() - attempts[0].attemptedAt.getTime();
    // The schedule alone would wait 50 ms ± 10 %; the receiver asked for 1 s.
    expect(gap).toBeGreaterThanOrEqual(900);
    expect(gap).toBeLessThan(5_000);
  });

  it('treats a 302 as a failed attempt and never requests its Location', async () => {
    const elsewhere = await receiver(() => ({ status: 200 }));
    const target = await receiver(() => ({ status: 302, headers: { location: elsewhere.url('/stolen') } }));
    const subscription = await h.subscription(target.url(), target);
    const { id } = await h.deliver(subscription.id);

    const dead = await h.untilStatus(id, 'DeadLettered');
    expect(dead.attemptCount).toBe(3);
    const attempts = await h.attempts(id);
    expect(attempts.map((attempt) => attempt.statusCode)).toEqual([302, 302, 302]);
    expect(attempts[0].error).toMatch(/redirect/);
    expect((await h.failures(id))[0]).toMatchObject({ category: 'Validation', code: 'redirect_refused' });
    expect(elsewhere.requests).toHaveLength(0);
  });

  it('signs with both secrets during an overlap window; each signature verifies with its own secret', async () => {
    const target = await receiver(() => ({ status: 200 }));
    const subscription = await h.subscription(target.url(), target);
    const row = await h.subscriptionRow(subscription.id);
    const rotated = await h.secrets.rotate(row);
    await h.dataSource
      .getRepository(WebhookSubscription)
      .update(
        { tenantId: TENANT, id: subscription.id },
        { signingSecretRef: rotated.ref, previousSigningSecretRef: row.signingSecretRef, previousSecretValidUntil: new Date(Date.now() + 3_600_000) },
      );
    target.secrets = [rotated.secret];
    h.issuedSecrets.push(rotated.secret);
    const { id, body } = await h.deliver(subscription.id);

    await h.untilStatus(id, 'Delivered');
    const [request] = target.requests;
    expect(request.verified).toBe(true);
    const signatures = String(request.headers['webhook-signature']).split(' ');
    expect(signatures).toHaveLength(2);
    const headersWith = (signature: string) => ({ ...(request.headers as Record<string, string>), 'webhook-signature': signature });
    // Current secret first, then the previous one.
    expect(() => new Webhook(rotated.secret).verify(body, headersWith(signatures[0]))).not.toThrow();
    expect(() => new Webhook(subscription.secret).verify(body, headersWith(signatures[1]))).not.toThrow();
    expect(() => new Webhook(subscription.secret).verify(body, headersWith(signatures[0]))).toThrow();
    expect(() => new Webhook(rotated.secret).verify(body, headersWith(signatures[1]))).toThrow();
  });

  it('auto-disables a subscription after WEBHOOK_AUTO_DISABLE_AFTER consecutive dead-letters, with one IntegrationFailed', async () => {
    const target = await receiver(() => ({ status: 500 }));
    const subscription = await h.subscription(target.url(), target);
    const deliveries = await Promise.all([h.deliver(subscription.id), h.deliver(subscription.id), h.deliver(subscription.id)]);

    for (const { id } of deliveries) await h.untilStatus(id, 'DeadLettered');
    const sub = await h.subscriptionRow(subscription.id);
    expect(sub.status).toBe('Disabled');
    expect(sub.consecutiveDeadLetters).toBeGreaterThanOrEqual(2);
    expect(sub.disabledReason).toMatch(/consecutive dead-lettered deliveries/);
    const disabled = await until(
      () => h.events('integration-failed'),
      (all) => all.some((event) => event.data?.code === 'subscription_auto_disabled' && event.data?.subscriptionId === subscription.id),
      5_000,
      'subscription_auto_disabled',
    );
    expect(disabled.filter((event) => event.data?.code === 'subscription_auto_disabled' && event.data?.subscriptionId === subscription.id)).toHaveLength(1);

    const after = await h.deliver(subscription.id);
    const requestsBefore = target.requests.length;
    expect(await h.untilStatus(after.id, 'DeadLettered')).toMatchObject({ attemptCount: 0 });
    expect(target.requests).toHaveLength(requestsBefore);
  });

  it('keeps a slow endpoint from delaying a healthy one (endpoint concurrency 2, 4 consumer slots)', async () => {
    const slow = await receiver(() => ({ status: 200, delayMs: 3_000 }));
    const healthy = await receiver(() => ({ status: 200 }));
    const slowSubscription = await h.subscription(slow.url(), slow);
    const healthySubscription = await h.subscription(healthy.url(), healthy);

    const sentAt = Date.now();
    const slowDeliveries = [];
    for (let index = 0; index < 4; index += 1) slowDeliveries.push(await h.deliver(slowSubscription.id));
    const healthyDeliveries = [];
    for (let index = 0; index < 6; index += 1) healthyDeliveries.push(await h.deliver(healthySubscription.id));

    const healthyRows = [];
    for (const { id } of healthyDeliveries) healthyRows.push(await h.untilStatus(id, 'Delivered', 10_000));
    const healthyDoneAt = Math.max(...healthyRows.map((row) => row.completedAt!.getTime()));
    expect(healthyDoneAt - sentAt).toBeLessThan(2_500);

    const slowRows = [];
    for (const { id } of slowDeliveries) slowRows.push(await h.untilStatus(id, 'Delivered', 30_000));
    const slowFirstDoneAt = Math.min(...slowRows.map((row) => row.completedAt!.getTime()));
    expect(healthyDoneAt).toBeLessThan(slowFirstDoneAt);
    expect(slow.maxInFlight).toBeLessThanOrEqual(2);
    expect(slow.requests).toHaveLength(4);
    // Deferred attempts are not attempts: one each.
    for (const row of slowRows) expect(row.attemptCount).toBe(1);
  }, 60_000);

  it('never writes a signing secret or a request signature to the logs or the attempt rows', async () => {
    const signatures = receivers.flatMap((started) =>
      started.requests.flatMap((request) =>
        String(request.headers['webhook-signature'] ?? '')
          .split(' ')
          .filter(Boolean)
          .map((signature) => signature.slice(3)),
      ),
    );
    expect(signatures.length).toBeGreaterThan(10);
    expect(h.issuedSecrets.length).toBeGreaterThan(10);
    const logs = platform.logs.text();
    expect(logs).toContain('Webhook delivered');
    const rows = JSON.stringify(await h.dataSource.getRepository(DeliveryAttempt).find()) + JSON.stringify(await h.dataSource.getRepository(WebhookDelivery).find());
    for (const value of [...h.issuedSecrets, ...h.issuedSecrets.map((secret) => secret.slice('whsec_'.length)), ...signatures]) {
      expect(logs).not.toContain(value);
      expect(rows).not.toContain(value);
    }
  });
});

describe('WebhookDeliveryWorker egress guard (no EGRESS_ALLOW_LIST)', () => {
  let platform: InProcessPlatform;
  let h: Harness;
  let loopback: Receiver;

  beforeAll(async () => {
    loopback = await Receiver.start(() => ({ status: 200 }));
    platform = await startInProcess({
      ...BASE_ENV,
      APP_ROLE: 'WebhookDeliveryWorker',
      AUTH_JWT_SECRET: newJwtSecret(),
      EGRESS_ALLOW_LIST: undefined,
      WEBHOOK_RETRY_SCHEDULE: '0,10ms,10ms',
    });
    h = new Harness(platform);
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await platform?.close();
    await loopback?.close();
  });

  it('refuses private, link-local, metadata and loopback destinations without connecting; each refusal is a failed attempt', async () => {
    const lookup = dnsPromises.lookup.bind(dnsPromises);
    jest
      .spyOn(dnsPromises, 'lookup')
      .mockImplementation(((hostname: string, options: unknown) =>
        hostname === 'hooks.internal.test' ? Promise.resolve([{ address: '127.0.0.1', family: 4 }]) : lookup(hostname, options as never)) as never);

    const refusedEverywhere = async (urls: string[]): Promise<void> => {
      const deliveries = [];
      for (const url of urls) {
        const subscription = await h.subscription(url);
        deliveries.push({ url, ...(await h.deliver(subscription.id)) });
      }
      for (const { id, url } of deliveries) {
        const dead = await h.untilStatus(id, 'DeadLettered');
        expect(dead.attemptCount).toBe(3);
        const attempts = await h.attempts(id);
        expect(attempts.every((attempt) => attempt.statusCode === null && /refused/.test(attempt.error ?? ''))).toBe(true);
        expect(attempts[0].error).not.toContain('secret-in-query');
        const [failure] = await h.failures(id);
        expect({ url, category: failure.category, code: failure.code }).toEqual({ url, category: 'Validation', code: 'egress_refused' });
      }
    };

    // IP literals are refused before the connection pool sees them: not even a connect attempt.
    const connects = watchConnectAttempts();
    try {
      await refusedEverywhere([
        'http://10.0.0.1/hooks',
        'http://169.254.169.254/latest/meta-data/',
        `http://[::1]:${loopback.port}/hooks`,
        `http://127.0.0.1:${loopback.port}/hooks?token=secret-in-query`,
      ]);
      expect(connects.count).toBe(0);
    } finally {
      connects.stop();
    }
    // Names are resolved and judged in the connector, before any socket is opened.
    await refusedEverywhere([`http://hooks.internal.test:${loopback.port}/hooks?token=secret-in-query`, `http://localhost:${loopback.port}/hooks`]);
    expect(loopback.connections).toBe(0);
    expect(loopback.requests).toHaveLength(0);
  });
});
