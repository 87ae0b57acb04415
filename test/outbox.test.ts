import type { MessageConsumer, ReceivedMessage } from '../src/platform/messaging/bus-message';
import type { MessageBus } from '../src/platform/messaging/message-bus';
import { loadOptions } from '../src/platform/config/options';
import { BusOptions } from '../src/platform/messaging/bus.options';
import { createMessageBus } from '../src/platform/messaging/message-bus.factory';
import { TransactionalOutbox } from '../src/platform/messaging/outbox/transactional-outbox';
import { RowWriter } from '../src/platform/persistence/row-writer';
import type { AfterCommit } from '../src/platform/persistence/store-transaction';
import { message } from './contracts/message-bus.contract';
import { ServiceBusPeer } from './support/service-bus-peer';
import { StoreBusFixture, startStoreBus } from './support/store-bus';

const LOCK_MS = 3_000;

/**
 * The transactional outbox with a bus outside the store (Service Bus through its AMQP peer): messages
 * staged in a store transaction go to `outbox_messages` and reach the bus only if that transaction
 * commits, right after the commit, or from the sweep when the process that staged them died first.
 */
describe.each(['sqlite', 'postgres'] as const)('transactional outbox with Service Bus (%s store)', (dialect) => {
  let peer: ServiceBusPeer;
  let store: StoreBusFixture;
  let bus: MessageBus;
  let consumer: MessageConsumer;
  const received: ReceivedMessage[] = [];

  beforeAll(async () => {
    peer = await ServiceBusPeer.start({ queues: [{ name: 'deliver-webhook', lockDurationMs: LOCK_MS, maxDeliveryCount: 3, requiresDuplicateDetection: true }] });
    // The store (with its tables and the outbox) from the store-bus fixture; the bus is Service Bus.
    store = await startStoreBus(dialect);
    bus = await createMessageBus(loadOptions(BusOptions, { SERVICEBUS_CONNECTION_STRING: peer.connectionString }), undefined!, undefined!);
    consumer = await bus.consume(
      { queue: 'deliver-webhook' },
      async (incoming, settlement) => {
        received.push(incoming);
        await settlement.complete();
      },
      { concurrency: 4, prefetch: 4, maxDeliveryCount: 3, lockDurationMs: LOCK_MS, maxLockRenewalMs: 0 },
    );
  });

  afterAll(async () => {
    await consumer?.close();
    await bus?.close();
    await store?.dispose();
    await peer?.stop();
  });

  const stage = async (outbox: TransactionalOutbox, messageId: string, fail: boolean): Promise<AfterCommit | undefined> => {
    let afterCommit: AfterCommit | undefined;
    await new RowWriter(store.dataSource).insert([], (transaction) => {
      const joined = outbox.join(transaction, [{ pattern: 'DeliverWebhook', message: message({ messageId, body: { deliveryId: messageId } }) }]);
      const settle = (callback: AfterCommit) => {
        afterCommit = callback;
        if (fail) throw new Error('the surrounding work failed');
      };
      if (joined instanceof Promise) return joined.then(settle);
      settle(joined);
    });
    return afterCommit;
  };

  const waitFor = async (predicate: () => boolean, what: string) => {
    const deadline = Date.now() + 10_000;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };

  it('publishes a committed message right after the commit, and never a rolled-back one', async () => {
    const outbox = new TransactionalOutbox(bus, store.dataSource, new RowWriter(store.dataSource));
    expect(outbox.native).toBe(false);
    await expect(stage(outbox, `${dialect}-rolled-back`, true)).rejects.toThrow('the surrounding work failed');
    const afterCommit = await stage(outbox, `${dialect}-committed`, false);
    afterCommit!();

    await waitFor(() => received.some((incoming) => incoming.messageId === `${dialect}-committed`), 'the committed message');
    expect(received.some((incoming) => incoming.messageId === `${dialect}-rolled-back`)).toBe(false);
    const [{ pending }] = await store.dataSource.query('SELECT count(*) AS pending FROM outbox_messages');
    expect(Number(pending)).toBe(0);
    await outbox.beforeApplicationShutdown();
  });

  it('relays what a process staged but never published (it died after the commit) on the next sweep', async () => {
    const crashed = new TransactionalOutbox(bus, store.dataSource, new RowWriter(store.dataSource));
    await stage(crashed, `${dialect}-orphaned`, false); // committed; its after-commit callback never runs

    const survivor = new TransactionalOutbox(bus, store.dataSource, new RowWriter(store.dataSource));
    survivor.onApplicationBootstrap(); // a (re)started process sweeps at once
    await waitFor(() => received.some((incoming) => incoming.messageId === `${dialect}-orphaned`), 'the orphaned message');
    expect(received.find((incoming) => incoming.messageId === `${dialect}-orphaned`)?.body).toEqual({ deliveryId: `${dialect}-orphaned` });
    await survivor.beforeApplicationShutdown();
  });
});
