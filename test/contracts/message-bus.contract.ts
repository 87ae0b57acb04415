import { randomUUID } from 'node:crypto';
import type { ConsumeOptions, MessageConsumer, MessageSettlement, OutgoingMessage, ReceivedMessage } from '../../src/platform/messaging/bus-message';
import type { MessageBus } from '../../src/platform/messaging/message-bus';
import type { MessageSource } from '../../src/platform/messaging/topology';

export interface BusUnderTest {
  bus: MessageBus;
  /** Lock duration the backend applies (store: what the test passes; Service Bus: the entity's). */
  lockDurationMs: number;
  dispose(): Promise<void>;
}

/** A queue and a topic from the real topology; each test works on fresh ones of its own. */
export interface ContractEntities {
  queue: string;
  topic: string;
  subscriptions: [string, string];
}

type Received = { message: ReceivedMessage; settlement: MessageSettlement };

export function message(overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return {
    messageId: randomUUID(),
    subject: 'DeliverWebhook',
    tenantId: 'tenant-a',
    body: { value: randomUUID() },
    ...overrides,
  };
}

/** Collects deliveries; each test decides how to settle them. */
class Inbox {
  readonly received: Received[] = [];
  private waiters: Array<() => void> = [];

  readonly handler = async (message: ReceivedMessage, settlement: MessageSettlement): Promise<void> => {
    this.received.push({ message, settlement });
    this.waiters.splice(0).forEach((wake) => wake());
  };

  async waitFor(count: number, timeoutMs = 15_000): Promise<Received[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (Date.now() > deadline) throw new Error(`Expected ${count} deliveries, got ${this.received.length}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.received;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The behaviour every MessageBus adapter must have. `entities()` hands each test entity names that
 * exist on the backend (for the store bus any topology name works; the Service Bus peer declares them).
 */
export function describeMessageBusContract(name: string, start: () => Promise<BusUnderTest>, entities: () => ContractEntities): void {
  describe(`MessageBus contract: ${name}`, () => {
    let subject: BusUnderTest;
    let names: ContractEntities;
    const consumers: MessageConsumer[] = [];
    const options = (overrides: Partial<ConsumeOptions> = {}): ConsumeOptions => ({
      concurrency: 4,
      prefetch: 4,
      maxDeliveryCount: 10,
      lockDurationMs: subject.lockDurationMs,
      maxLockRenewalMs: 60_000,
      ...overrides,
    });
    const consume = async (source: MessageSource, inbox: Inbox, overrides: Partial<ConsumeOptions> = {}) => {
      const consumer = await subject.bus.consume(source, inbox.handler, options(overrides));
      consumers.push(consumer);
      return consumer;
    };

    beforeEach(async () => {
      subject = await start();
      names = entities();
    });
    afterEach(async () => {
      await Promise.all(consumers.splice(0).map((consumer) => consumer.close()));
      await subject.dispose();
    });

    it('delivers a sent command with its whole envelope', async () => {
      const inbox = new Inbox();
      await consume({ queue: names.queue }, inbox);
      const sent = message({
        correlationId: 'corr-1',
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        applicationProperties: { attempt: 1, urgent: true, source: 'contract' },
        body: { nested: { list: [1, 'two', null] }, unicode: 'שלום ✓' },
      });
      await subject.bus.send(names.queue, [sent]);
      const [{ message: received, settlement }] = await inbox.waitFor(1);
      await settlement.complete();
      expect(received).toMatchObject({
        messageId: sent.messageId,
        correlationId: 'corr-1',
        subject: 'DeliverWebhook',
        tenantId: 'tenant-a',
        traceparent: sent.traceparent,
        applicationProperties: { attempt: 1, urgent: true, source: 'contract' },
        body: sent.body,
        deliveryCount: 1,
      });
      expect(received.enqueuedAt).toBeInstanceOf(Date);
    });

    it('removes a completed message and redelivers an abandoned one with a higher delivery count', async () => {
      const inbox = new Inbox();
      await consume({ queue: names.queue }, inbox);
      const sent = message();
      await subject.bus.send(names.queue, [sent]);
      const [first] = await inbox.waitFor(1);
      await first.settlement.abandon();
      const [, second] = await inbox.waitFor(2);
      expect(second.message.messageId).toBe(sent.messageId);
      expect(second.message.deliveryCount).toBe(2);
      await second.settlement.complete();
      await sleep(500);
      expect(inbox.received).toHaveLength(2);
    });

    it('holds an abandoned message back for the requested delay', async () => {
      const inbox = new Inbox();
      await consume({ queue: names.queue }, inbox);
      await subject.bus.send(names.queue, [message()]);
      const [first] = await inbox.waitFor(1);
      const abandonedAt = Date.now();
      await first.settlement.abandon({ delayMs: 1_500 });
      const [, second] = await inbox.waitFor(2);
      expect(Date.now() - abandonedAt).toBeGreaterThanOrEqual(1_300);
      expect(second.message.deliveryCount).toBe(2);
      await second.settlement.complete();
    });

    it('dead-letters with a reason and never redelivers', async () => {
      const inbox = new Inbox();
      await consume({ queue: names.queue }, inbox);
      const sent = message();
      await subject.bus.send(names.queue, [sent]);
      const [first] = await inbox.waitFor(1);
      await first.settlement.deadLetter('UnknownTenant', 'tenant-a does not exist');
      await sleep(500);
      expect(inbox.received).toHaveLength(1);
      const dead = await subject.bus.peekDeadLetters({ queue: names.queue }, 10);
      expect(dead).toEqual([expect.objectContaining({ messageId: sent.messageId, reason: 'UnknownTenant', description: 'tenant-a does not exist', body: sent.body })]);
    });

    it('dead-letters a message after the maximum number of deliveries', async () => {
      const inbox = new Inbox();
      await consume({ queue: names.queue }, inbox, { maxDeliveryCount: 3 });
      const sent = message();
      await subject.bus.send(names.queue, [sent]);
      for (let delivery = 1; delivery <= 3; delivery++) {
        const received = await inbox.waitFor(delivery);
        await received[delivery - 1].settlement.abandon();
      }
      await sleep(800);
      expect(inbox.received).toHaveLength(3);
      const dead = await subject.bus.peekDeadLetters({ queue: names.queue }, 10);
      expect(dead.map((entry) => [entry.messageId, entry.reason])).toEqual([[sent.messageId, 'MaxDeliveryCountExceeded']]);
    });

    it('does not deliver a scheduled message before its time', async () => {
      const inbox = new Inbox();
      await consume({ queue: names.queue }, inbox);
      const sentAt = Date.now();
      await subject.bus.send(names.queue, [message({ scheduledEnqueueTime: new Date(sentAt + 1_500) })]);
      const [first] = await inbox.waitFor(1);
      expect(Date.now() - sentAt).toBeGreaterThanOrEqual(1_300);
      await first.settlement.complete();
    });

    it('drops a repeated messageId (duplicate detection)', async () => {
      const inbox = new Inbox();
      await consume({ queue: names.queue }, inbox);
      const sent = message();
      await subject.bus.send(names.queue, [sent]);
      await subject.bus.send(names.queue, [{ ...sent, body: { other: true } }]);
      await subject.bus.send(names.queue, [message({ messageId: `${sent.messageId}-other` })]);
      const received = await inbox.waitFor(2);
      await Promise.all(received.map((entry) => entry.settlement.complete()));
      await sleep(700);
      expect(inbox.received.map((entry) => entry.message.messageId).sort()).toEqual([sent.messageId, `${sent.messageId}-other`].sort());
      expect(inbox.received.find((entry) => entry.message.messageId === sent.messageId)!.message.body).toEqual(sent.body);
    });

    it('copies a published event to every subscription of the topic', async () => {
      const [first, second] = [new Inbox(), new Inbox()];
      await consume({ topic: names.topic, subscription: names.subscriptions[0] }, first);
      await consume({ topic: names.topic, subscription: names.subscriptions[1] }, second);
      const event = message({ subject: 'IntegrationFailed' });
      await subject.bus.publish(names.topic, [event]);
      const [[a], [b]] = await Promise.all([first.waitFor(1), second.waitFor(1)]);
      expect(a.message.messageId).toBe(event.messageId);
      expect(b.message.messageId).toBe(event.messageId);
      await Promise.all([a.settlement.complete(), b.settlement.complete()]);
    });

    it('redelivers a message whose lock expired without settlement', async () => {
      const inbox = new Inbox();
      await consume({ queue: names.queue }, inbox, { maxLockRenewalMs: 0, prefetch: 0, concurrency: 1 });
      const sent = message();
      await subject.bus.send(names.queue, [sent]);
      await inbox.waitFor(1);
      const [, again] = await inbox.waitFor(2, subject.lockDurationMs * 4 + 5_000);
      expect(again.message.messageId).toBe(sent.messageId);
      expect(again.message.deliveryCount).toBe(2);
      await again.settlement.complete();
      await inbox.received[0].settlement.complete();
    });

    it('keeps renewing the lock of a long handler so the message is not redelivered meanwhile', async () => {
      const inbox = new Inbox();
      await consume({ queue: names.queue }, inbox, { prefetch: 0, concurrency: 1 });
      await subject.bus.send(names.queue, [message()]);
      const [first] = await inbox.waitFor(1);
      await sleep(subject.lockDurationMs * 2.5);
      expect(inbox.received).toHaveLength(1);
      await first.settlement.complete();
    });

    it('runs at most `concurrency` handlers at once and handles every message exactly once', async () => {
      const total = 60;
      let running = 0;
      let peak = 0;
      const handled: string[] = [];
      const consumer = await subject.bus.consume(
        { queue: names.queue },
        async (received, settlement) => {
          running += 1;
          peak = Math.max(peak, running);
          await sleep(15);
          running -= 1;
          handled.push(received.messageId);
          await settlement.complete();
        },
        options({ concurrency: 5, prefetch: 10 }),
      );
      consumers.push(consumer);
      const sent = Array.from({ length: total }, () => message());
      await subject.bus.send(names.queue, sent);
      const deadline = Date.now() + 20_000;
      while (handled.length < total && Date.now() < deadline) await sleep(50);
      await sleep(300);
      expect(handled.sort()).toEqual(sent.map((entry) => entry.messageId).sort());
      expect(peak).toBeLessThanOrEqual(5);
      expect(peak).toBeGreaterThan(1);
      const depth = await subject.bus.depth({ queue: names.queue });
      expect(depth === undefined || depth === 0).toBe(true);
    });

    it('on close lets the running handler finish and gives prefetched messages back', async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const started: string[] = [];
      const finished: string[] = [];
      const consumer = await subject.bus.consume(
        { queue: names.queue },
        async (received, settlement) => {
          started.push(received.messageId);
          await gate;
          finished.push(received.messageId);
          await settlement.complete();
        },
        options({ concurrency: 1, prefetch: 5 }),
      );
      const sent = Array.from({ length: 4 }, () => message());
      await subject.bus.send(names.queue, sent);
      while (started.length === 0) await sleep(20);
      await sleep(300);
      const closing = consumer.close();
      await sleep(100);
      release();
      await closing;
      expect(finished).toEqual(started);
      expect(started).toHaveLength(1);

      const inbox = new Inbox();
      await consume({ queue: names.queue }, inbox);
      const rest = await inbox.waitFor(3);
      await Promise.all(rest.map((entry) => entry.settlement.complete()));
      expect(rest.map((entry) => entry.message.messageId).sort()).toEqual(
        sent
          .map((entry) => entry.messageId)
          .filter((id) => id !== started[0])
          .sort(),
      );
    });
  });
}
