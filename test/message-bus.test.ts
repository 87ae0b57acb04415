import type { MessageConsumer } from '../src/platform/messaging/bus-message';
import { RowWriter } from '../src/platform/persistence/row-writer';
import type { AfterCommit } from '../src/platform/persistence/store-transaction';
import { describeMessageBusContract, message } from './contracts/message-bus.contract';
import { StoreBusFixture, startStoreBus } from './support/store-bus';

const LOCK_MS = 1_000;
const entities = () => ({ queue: 'deliver-webhook', topic: 'integration-failed', subscriptions: ['IntegrationRetryWorker', 'WebhookGatewayService'] as [string, string] });

for (const dialect of ['sqlite', 'postgres'] as const) {
  describeMessageBusContract(
    `store bus on ${dialect}`,
    async () => {
      const fixture = await startStoreBus(dialect);
      return { bus: fixture.bus, lockDurationMs: LOCK_MS, dispose: () => fixture.dispose() };
    },
    entities,
  );
}

describe.each(['sqlite', 'postgres'] as const)('store bus on %s: publishing inside a store transaction', (dialect) => {
  let fixture: StoreBusFixture;
  const received: string[] = [];
  let consumer: MessageConsumer;

  beforeAll(async () => {
    fixture = await startStoreBus(dialect);
    consumer = await fixture.bus.consume(
      { topic: 'integration-failed', subscription: 'WebhookGatewayService' },
      async (incoming, settlement) => {
        received.push(incoming.messageId);
        await settlement.complete();
      },
      { concurrency: 1, prefetch: 1, maxDeliveryCount: 3, lockDurationMs: LOCK_MS, maxLockRenewalMs: 0 },
    );
  });

  afterAll(async () => {
    await consumer.close();
    await fixture.dispose();
  });

  const publishInTransaction = async (messageId: string, fail: boolean): Promise<void> => {
    const afterCommit: AfterCommit[] = [];
    await new RowWriter(fixture.dataSource).insert([], (transaction) => {
      const joined = fixture.bus.publishWithin!(transaction, 'integration-failed', [message({ messageId })]);
      const settle = (callback: AfterCommit) => {
        afterCommit.push(callback);
        if (fail) throw new Error('the surrounding work failed');
      };
      if (joined instanceof Promise) return joined.then(settle);
      settle(joined);
    });
    afterCommit.forEach((callback) => callback());
  };

  it('writes the messages only when the transaction commits, and wakes consumers after the commit', async () => {
    await expect(publishInTransaction('rolled-back', true)).rejects.toThrow('the surrounding work failed');
    await publishInTransaction('committed', false);

    const deadline = Date.now() + 5_000;
    while (!received.includes('committed') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(received).toEqual(['committed']);
    // Both subscriptions of the topic got the committed message, and nothing of the rolled-back one.
    expect(await fixture.bus.depth({ topic: 'integration-failed', subscription: 'IntegrationRetryWorker' })).toBe(1);
  });
});
