import { Controller, Injectable, Module } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { RequestContext } from '../src/platform/context/request-context';
import { TenantContext } from '../src/platform/context/tenant-context';
import { BusClient, BusRecord } from '../src/platform/messaging/bus.client';
import { PoisonMessageError } from '../src/platform/messaging/bus-message';
import { buildCloudEvent } from '../src/platform/events/cloud-event';
import type { CommandName } from '../src/platform/messaging/contracts';
import { BusPublisher } from '../src/platform/messaging/bus-publisher';
import { BusContext } from '../src/platform/messaging/bus.server';
import { MessageBus } from '../src/platform/messaging/message-bus';
import { continueTrace } from '../src/platform/observability/tracing';
import { PlatformMetrics } from '../src/platform/observability/platform-metrics';
import { ProcessLifecycle } from '../src/platform/lifecycle/process-lifecycle';
import { InProcessPlatform, startInProcess } from './support/platform-app';
import { newJwtSecret } from './support/tokens';

interface Seen {
  handler: string;
  body: Record<string, unknown>;
  tenantId: string;
  traceId?: string;
  deliveryCount: number;
}

@Injectable()
class Journal {
  readonly seen: Seen[] = [];
  /** Handlers of messages with `{ gate: true }` wait here until the test opens it. */
  gate = Promise.resolve();
}

@Controller()
class ProbeHandlers {
  constructor(
    private readonly journal: Journal,
    private readonly tenant: TenantContext,
  ) {}

  @MessagePattern('DeliverWebhook')
  async deliver(@Payload() body: Record<string, unknown>, @Ctx() context: BusContext): Promise<void> {
    this.record('deliver', body, context);
    if (body.gate) await this.journal.gate;
    if (body.fail === 'poison') throw new PoisonMessageError('UnsupportedPayload', 'the payload names no endpoint');
    if (body.fail === 'once' && context.message.deliveryCount === 1) throw new Error('endpoint briefly unavailable');
    if (body.fail === 'always') throw new Error('still failing');
  }

  @EventPattern('IntegrationConnectionRetired', { role: 'ExternalApiHealthWorker' })
  healthWorker(@Payload() body: Record<string, unknown>, @Ctx() context: BusContext): void {
    this.record('health-worker', body, context);
  }

  @EventPattern('IntegrationConnectionRetired', { role: 'WebhookGatewayService' })
  fanOut(@Payload() body: Record<string, unknown>, @Ctx() context: BusContext): void {
    this.record('fan-out', body, context);
  }

  private record(handler: string, body: Record<string, unknown>, context: BusContext): void {
    this.journal.seen.push({
      handler,
      body,
      tenantId: this.tenant.tenantId,
      traceId: RequestContext.current()?.trace?.traceId,
      deliveryCount: context.message.deliveryCount,
    });
  }
}

@Module({ controllers: [ProbeHandlers], providers: [Journal] })
class ProbeModule {}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the bus as a Nest transport (store bus, every role in one process)', () => {
  let platform: InProcessPlatform;
  let journal: Journal;
  let client: BusClient;

  const waitFor = async (predicate: () => boolean, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`Timed out; seen: ${JSON.stringify(journal.seen)}`);
      await sleep(25);
    }
  };

  beforeAll(async () => {
    platform = await startInProcess({ AUTH_JWT_SECRET: newJwtSecret(), BUS_RETRY_BASE_DELAY: '200ms', BUS_MAX_DELIVERY_COUNT: '3', BUS_POLL_INTERVAL: '250ms' }, [ProbeModule]);
    journal = platform.app.get(Journal);
    client = platform.app.get(BusClient);
  });
  afterAll(() => platform.close());
  beforeEach(() => journal.seen.splice(0));

  it('runs a @MessagePattern handler in the tenant and trace of the sender', async () => {
    const trace = continueTrace();
    await RequestContext.run({ tenantId: 'tenant-a', trace }, () => client.emit('DeliverWebhook', { deliveryId: 'dlv-1' }).toPromise());
    await waitFor(() => journal.seen.length === 1);
    expect(journal.seen[0]).toMatchObject({ handler: 'deliver', body: { deliveryId: 'dlv-1' }, tenantId: 'tenant-a', traceId: trace.traceId, deliveryCount: 1 });
  });

  it('takes envelope options from a BusRecord', async () => {
    await client.emit('DeliverWebhook', new BusRecord({ deliveryId: 'dlv-2' }, { tenantId: 'tenant-b', messageId: 'fixed-id-1' })).toPromise();
    await client.emit('DeliverWebhook', new BusRecord({ deliveryId: 'dlv-2-again' }, { tenantId: 'tenant-b', messageId: 'fixed-id-1' })).toPromise();
    await waitFor(() => journal.seen.length === 1);
    await sleep(500);
    expect(journal.seen).toEqual([expect.objectContaining({ tenantId: 'tenant-b', body: { deliveryId: 'dlv-2' } })]);
  });

  it("delivers an event once to each consuming role's subscription", async () => {
    // A well-formed event: the roles' own handlers on these subscriptions (fan-out, health gauge) run beside the probes.
    const event = buildCloudEvent({
      type: 'IntegrationConnectionRetired',
      source: 'urn:test',
      data: { connectionId: 'conn-1', providerId: 'generic-rest', retiredAt: new Date().toISOString() },
      tenantid: 'tenant-a',
    });
    await platform.app.get(BusPublisher).publish('IntegrationConnectionRetired', event, { tenantId: 'tenant-a' });
    await waitFor(() => journal.seen.length === 2);
    await sleep(400);
    expect(journal.seen.map((entry) => entry.handler).sort()).toEqual(['fan-out', 'health-worker']);
  });

  it('redelivers after a transient failure, with backoff', async () => {
    await client.emit('DeliverWebhook', new BusRecord({ fail: 'once' }, { tenantId: 'tenant-a' })).toPromise();
    await waitFor(() => journal.seen.length === 2);
    expect(journal.seen.map((entry) => entry.deliveryCount)).toEqual([1, 2]);
  });

  it('dead-letters a poison message at once, and any message after the maximum deliveries', async () => {
    await client.emit('DeliverWebhook', new BusRecord({ fail: 'poison' }, { tenantId: 'tenant-a', messageId: 'poison-1' })).toPromise();
    await client.emit('DeliverWebhook', new BusRecord({ fail: 'always' }, { tenantId: 'tenant-a', messageId: 'always-1' })).toPromise();
    await waitFor(() => journal.seen.filter((entry) => entry.body.fail === 'always').length === 3, 15_000);
    await sleep(600);
    expect(journal.seen.filter((entry) => entry.body.fail === 'poison')).toHaveLength(1);
    expect(journal.seen.filter((entry) => entry.body.fail === 'always')).toHaveLength(3);
    const dead = await platform.app.get(MessageBus).peekDeadLetters({ queue: 'deliver-webhook' }, 10);
    expect(dead).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ messageId: 'poison-1', reason: 'UnsupportedPayload', description: 'the payload names no endpoint' }),
        expect.objectContaining({ messageId: 'always-1', reason: 'MaxDeliveryCountExceeded', description: 'still failing' }),
      ]),
    );
    const metrics = await platform.app.get(PlatformMetrics).registry.getSingleMetricAsString('bus_messages_total');
    expect(metrics).toMatch(/bus_messages_total\{entity="deliver-webhook",outcome="deadlettered",role="all"\} 2/);
    expect(metrics).toMatch(/outcome="abandoned"/);
  });

  it('reports the depth of every consumed entity', async () => {
    const metrics = await platform.app.get(PlatformMetrics).registry.getSingleMetricAsString('bus_queue_depth');
    expect(metrics).toMatch(/bus_queue_depth\{entity="deliver-webhook",role="all"\} \d+/);
    expect(metrics).toMatch(/bus_queue_depth\{entity="integration-connection-retired\/Subscriptions\/ExternalApiHealthWorker",role="all"\} \d+/);
  });

  it('refuses request/response over the one-way bus and names unknown patterns', async () => {
    await expect(client.send('DeliverWebhook', {}).toPromise()).rejects.toThrow(/one-way/);
    // The types refuse an unknown name at compile time; the topology refuses it at run time too (a name from configuration, a cast).
    await expect(platform.app.get(BusPublisher).send('NoSuchCommand' as CommandName, {} as never, { tenantId: 't' })).rejects.toThrow(/not a command/);
  });

  // Last: it stops the consumers of this app.
  it('when draining, lets the running handler finish and takes no new message', async () => {
    let open!: () => void;
    journal.gate = new Promise<void>((resolve) => (open = resolve));
    await client.emit('DeliverWebhook', new BusRecord({ gate: true }, { tenantId: 'tenant-a', messageId: 'in-flight' })).toPromise();
    await waitFor(() => journal.seen.length === 1);

    const drained = platform.app.get(ProcessLifecycle).beginDraining();
    await sleep(300);
    await client.emit('DeliverWebhook', new BusRecord({ late: true }, { tenantId: 'tenant-a', messageId: 'after-drain' })).toPromise();
    open();
    await drained;
    await sleep(800);

    expect(journal.seen.map((entry) => entry.body)).toEqual([{ gate: true }]);
    expect(await platform.app.get(MessageBus).depth({ queue: 'deliver-webhook' })).toBe(1);
  });
});
