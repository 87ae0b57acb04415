import type { MessageSettlement, ReceivedMessage } from './bus-message';
import { Delivery, DeliverySource, PullConsumer } from './pull-consumer';

const settlement: MessageSettlement = { complete: async () => undefined, abandon: async () => undefined, deadLetter: async () => undefined };

function delivery(index: number): Delivery {
  const message: ReceivedMessage = { messageId: `m${index}`, subject: 'Test', tenantId: 't1', body: { index }, deliveryCount: 1, enqueuedAt: new Date() };
  return { message, settlement, receivedAt: Date.now() };
}

/** A queue of `total` messages that records how many each receive asked for; empty, it waits until stopped. */
function queueOf(total: number) {
  const asked: number[] = [];
  let next = 0;
  const source: DeliverySource = {
    entity: 'test-queue',
    receive: async (max, signal) => {
      asked.push(max);
      const count = Math.min(max, total - next);
      if (count === 0) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      return Array.from({ length: count }, () => delivery(next++));
    },
    renew: async () => undefined,
    release: async () => undefined,
  };
  return { source, asked };
}

describe('PullConsumer', () => {
  it('refills prefetched slots in batches while the prefetched messages keep its handlers busy', async () => {
    const { source, asked } = queueOf(40);
    const started: Array<() => void> = [];
    const consumer = new PullConsumer(source, () => new Promise<void>((resolve) => started.push(resolve)), {
      concurrency: 2,
      prefetch: 8,
      maxDeliveryCount: 3,
      lockDurationMs: 60_000,
      maxLockRenewalMs: 0,
    });
    const turn = () => new Promise((resolve) => setImmediate(resolve));

    let finished = 0;
    while (finished < 40) {
      await turn();
      const handler = started.shift();
      if (!handler) continue;
      handler();
      finished += 1;
    }
    await consumer.close();

    // The first receive fills all ten slots; later ones wait until half the prefetch (4) is free.
    expect(asked[0]).toBe(10);
    expect(asked.slice(1, -1).every((max) => max >= 4)).toBe(true);
    expect(asked.length).toBeLessThan(40 / 4 + 3);
  });
});
