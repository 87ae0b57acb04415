import { ServiceBusClient, ServiceBusError, ServiceBusReceivedMessage, ServiceBusReceiver, ServiceBusReceiverOptions } from '@azure/service-bus';
import { ServiceBusPeer, ServiceBusPeerOptions } from './support/service-bus-peer';

/**
 * Drives the Service Bus test peer with the real SDK only: every behaviour below is what `@azure/service-bus`
 * sees over AMQP, so the adapter's tests can rely on the peer behaving like Service Bus where it matters.
 */

const SHORT_LOCK_MS = 1_000;

const peerOptions: ServiceBusPeerOptions = {
  queues: [
    { name: 'basic' },
    { name: 'batch' },
    { name: 'properties' },
    { name: 'settle' },
    { name: 'abandon' },
    { name: 'dead-letter' },
    { name: 'defer' },
    { name: 'renew', lockDurationMs: 2_000 },
    { name: 'expiry', lockDurationMs: SHORT_LOCK_MS },
    { name: 'max-delivery', maxDeliveryCount: 2, lockDurationMs: 30_000 },
    { name: 'scheduled' },
    { name: 'peek' },
    { name: 'dedupe', requiresDuplicateDetection: true },
    { name: 'many' },
    { name: 'prefetch' },
    { name: 'competing' },
    { name: 'disconnect' },
    { name: 'delete-mode' },
    { name: 'ttl' },
  ],
  topics: [{ name: 'events', subscriptions: [{ name: 'audit' }, { name: 'billing' }] }],
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('Timed out waiting for a condition');
    await sleep(20);
  }
}

describe('ServiceBusPeer with the real @azure/service-bus SDK', () => {
  let peer: ServiceBusPeer;
  let client: ServiceBusClient;
  const receivers: ServiceBusReceiver[] = [];

  /** Auto lock renewal is off so that the peer's lock clock is the only one. */
  const receiverFor = (queue: string, options: ServiceBusReceiverOptions = {}) => {
    const receiver = client.createReceiver(queue, { maxAutoLockRenewalDurationInMs: 0, ...options });
    receivers.push(receiver);
    return receiver;
  };
  const subscriptionReceiverFor = (topic: string, subscription: string, options: ServiceBusReceiverOptions = {}) => {
    const receiver = client.createReceiver(topic, subscription, { maxAutoLockRenewalDurationInMs: 0, ...options });
    receivers.push(receiver);
    return receiver;
  };

  beforeAll(async () => {
    peer = await ServiceBusPeer.start(peerOptions);
    client = new ServiceBusClient(peer.connectionString);
  });

  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
  });

  afterAll(async () => {
    await client?.close();
    await peer?.stop();
  });

  it('sends and receives a single message in peek-lock mode', async () => {
    await client.createSender('basic').sendMessages({ body: 'hello', messageId: 'message-1' });
    expect(peer.entityState('basic')).toEqual({ active: 1, locked: 0, scheduled: 0, deferred: 0, deadLettered: 0 });

    const receiver = receiverFor('basic');
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5_000 });

    expect(message.body).toBe('hello');
    expect(message.messageId).toBe('message-1');
    expect(message.deliveryCount).toBe(0);
    expect(message.sequenceNumber?.toNumber()).toBeGreaterThan(0);
    expect(message.enqueuedTimeUtc).toBeInstanceOf(Date);
    expect(message.lockToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(message.lockedUntilUtc!.getTime()).toBeGreaterThan(Date.now());
    expect(peer.entityState('basic')).toMatchObject({ active: 0, locked: 1 });

    await receiver.completeMessage(message);
    expect(peer.entityState('basic')).toMatchObject({ active: 0, locked: 0 });
  });

  it('sends a batch (message format 0x80013700) and an array of messages, received in order', async () => {
    const sender = client.createSender('batch');
    const batch = await sender.createMessageBatch();
    for (let index = 0; index < 5; index += 1) expect(batch.tryAddMessage({ body: `batch-${index}` })).toBe(true);
    await sender.sendMessages(batch);
    await sender.sendMessages([{ body: 'array-0' }, { body: 'array-1' }]);
    expect(peer.entityState('batch').active).toBe(7);

    const messages = await receiverFor('batch').receiveMessages(7, { maxWaitTimeInMs: 5_000 });

    expect(messages.map((message) => message.body)).toEqual(['batch-0', 'batch-1', 'batch-2', 'batch-3', 'batch-4', 'array-0', 'array-1']);
    const sequenceNumbers = messages.map((message) => message.sequenceNumber!.toNumber());
    expect(sequenceNumbers).toEqual([...sequenceNumbers].sort((a, b) => a - b));
    // The peer assigns a message-id when the sender leaves it empty.
    expect(new Set(messages.map((message) => message.messageId)).size).toBe(7);
    messages.forEach((message) => expect(typeof message.messageId).toBe('string'));
  });

  it('round-trips a JSON body and the message properties', async () => {
    const body = { order: { id: 7, lines: [{ sku: 'A-1', quantity: 2 }] }, note: 'ünïcödé', paid: true };
    await client.createSender('properties').sendMessages({
      body,
      messageId: 'order-7',
      correlationId: 'correlation-7',
      subject: 'order.created',
      contentType: 'application/json',
      applicationProperties: { tenant: 'tenant-a', attempt: 3, urgent: false },
      timeToLive: 60_000,
    });
    expect(peer.messages('properties')[0]).toMatchObject({ body, messageId: 'order-7', subject: 'order.created' });

    const [message] = await receiverFor('properties').receiveMessages(1, { maxWaitTimeInMs: 5_000 });

    expect(message.body).toEqual(body);
    expect(message).toMatchObject({
      messageId: 'order-7',
      correlationId: 'correlation-7',
      subject: 'order.created',
      contentType: 'application/json',
      applicationProperties: { tenant: 'tenant-a', attempt: 3, urgent: false },
      timeToLive: 60_000,
    });
    expect(message.expiresAtUtc!.getTime()).toBe(message.enqueuedTimeUtc!.getTime() + 60_000);
  });

  it('removes a completed message and does not deliver it again', async () => {
    await client.createSender('settle').sendMessages({ body: 'once' });
    const receiver = receiverFor('settle');
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5_000 });

    await receiver.completeMessage(message);

    expect(peer.entityState('settle')).toEqual({ active: 0, locked: 0, scheduled: 0, deferred: 0, deadLettered: 0 });
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 })).toEqual([]);
    await expect(receiver.completeMessage(message)).rejects.toThrow(/already settled/);
  });

  it('redelivers an abandoned message with deliveryCount + 1 and the modified properties', async () => {
    await client.createSender('abandon').sendMessages({ body: 'retry me', applicationProperties: { stage: 'new' } });
    const receiver = receiverFor('abandon');
    const [first] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5_000 });

    await receiver.abandonMessage(first, { stage: 'retried' });
    const [second] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5_000 });

    expect(second.messageId).toBe(first.messageId);
    expect(second.deliveryCount).toBe(first.deliveryCount! + 1);
    expect(second.applicationProperties).toEqual({ stage: 'retried' });
    expect(second.lockToken).not.toBe(first.lockToken);
    await receiver.completeMessage(second);
  });

  it('dead-letters with reason and description into the dead-letter queue', async () => {
    await client.createSender('dead-letter').sendMessages({ body: { poison: true }, messageId: 'poison-1' });
    const receiver = receiverFor('dead-letter');
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5_000 });

    await receiver.deadLetterMessage(message, { deadLetterReason: 'ValidationFailed', deadLetterErrorDescription: 'amount is missing' });
    expect(peer.entityState('dead-letter')).toMatchObject({ active: 0, locked: 0, deadLettered: 1 });
    expect(peer.messages('dead-letter/$DeadLetterQueue')[0].applicationProperties).toEqual({
      DeadLetterReason: 'ValidationFailed',
      DeadLetterErrorDescription: 'amount is missing',
    });

    const deadLetters = receiverFor('dead-letter', { subQueueType: 'deadLetter' });
    const [dead] = await deadLetters.receiveMessages(1, { maxWaitTimeInMs: 5_000 });
    expect(dead).toMatchObject({ messageId: 'poison-1', body: { poison: true }, deadLetterReason: 'ValidationFailed', deadLetterErrorDescription: 'amount is missing' });
    await deadLetters.completeMessage(dead);
    expect(peer.entityState('dead-letter').deadLettered).toBe(0);
  });

  it('defers a message and receives it again by sequence number', async () => {
    await client.createSender('defer').sendMessages({ body: 'later' });
    const receiver = receiverFor('defer');
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5_000 });

    await receiver.deferMessage(message);
    expect(peer.entityState('defer')).toMatchObject({ active: 0, deferred: 1 });
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 })).toEqual([]);

    const [deferred] = await receiver.receiveDeferredMessages(message.sequenceNumber!);
    expect(deferred).toMatchObject({ body: 'later', messageId: message.messageId, state: 'deferred' });
    expect(deferred.lockToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(peer.entityState('defer')).toMatchObject({ locked: 1, deferred: 0 });

    // A deferred message has no receiver link, so the SDK settles it through $management.
    await receiver.completeMessage(deferred);
    expect(peer.entityState('defer')).toEqual({ active: 0, locked: 0, scheduled: 0, deferred: 0, deadLettered: 0 });
    await expect(receiver.receiveDeferredMessages(message.sequenceNumber!)).rejects.toMatchObject({ code: 'MessageNotFound' });
  });

  it('renews a message lock past its original expiry', async () => {
    await client.createSender('renew').sendMessages({ body: 'slow work' });
    const receiver = receiverFor('renew');
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5_000 });
    const originalExpiry = message.lockedUntilUtc!.getTime();

    await sleep(1_200);
    const renewedUntil = await receiver.renewMessageLock(message);
    expect(renewedUntil.getTime()).toBeGreaterThan(originalExpiry);
    expect(message.lockedUntilUtc).toEqual(renewedUntil);

    await sleep(1_200); // past the original lock expiry
    await receiver.completeMessage(message);
    expect(peer.entityState('renew')).toMatchObject({ active: 0, locked: 0 });
  });

  it('redelivers after the lock expires, and settling with the lost lock fails with MessageLockLost', async () => {
    await client.createSender('expiry').sendMessages({ body: 'forgotten' });
    const receiver = receiverFor('expiry');
    const [first] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5_000 });

    await sleep(SHORT_LOCK_MS + 300);
    expect(peer.entityState('expiry')).toMatchObject({ active: 1, locked: 0 });
    await expect(receiver.completeMessage(first)).rejects.toMatchObject({ code: 'MessageLockLost' });
    await expect(receiver.renewMessageLock(first)).rejects.toMatchObject({ code: 'MessageLockLost' });

    const [second] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5_000 });
    expect(second.messageId).toBe(first.messageId);
    expect(second.deliveryCount).toBe(1);
    await receiver.completeMessage(second);
  });

  it('moves a message to the dead-letter queue after maxDeliveryCount deliveries', async () => {
    await client.createSender('max-delivery').sendMessages({ body: 'always fails', messageId: 'doomed' });
    const receiver = receiverFor('max-delivery');

    const [first] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5_000 });
    expect(peer.expireLocks('max-delivery')).toBe(1);
    const [second] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5_000 });
    expect([first.deliveryCount, second.deliveryCount]).toEqual([0, 1]);
    await receiver.abandonMessage(second);

    expect(peer.entityState('max-delivery')).toMatchObject({ active: 0, locked: 0, deadLettered: 1 });
    const deadLetters = receiverFor('max-delivery', { subQueueType: 'deadLetter' });
    const [dead] = await deadLetters.receiveMessages(1, { maxWaitTimeInMs: 5_000 });
    expect(dead).toMatchObject({
      messageId: 'doomed',
      deliveryCount: 2,
      deadLetterReason: 'MaxDeliveryCountExceeded',
      deadLetterErrorDescription: 'Message could not be consumed after 2 delivery attempts.',
    });
    await deadLetters.completeMessage(dead);
  });

  it('schedules messages, cancels one, and delivers the others at their time', async () => {
    const sender = client.createSender('scheduled');
    const at = new Date(Date.now() + 1_500);
    const [kept, cancelled] = await sender.scheduleMessages([{ body: 'kept' }, { body: 'cancelled' }], at);
    await sender.sendMessages({ body: 'by property', scheduledEnqueueTimeUtc: at });
    expect(peer.entityState('scheduled')).toMatchObject({ active: 0, scheduled: 3 });

    await sender.cancelScheduledMessages(cancelled);
    expect(peer.entityState('scheduled')).toMatchObject({ active: 0, scheduled: 2 });
    const peeked = await receiverFor('scheduled').peekMessages(10, { fromSequenceNumber: kept });
    expect(peeked.map((message) => [message.body, message.state])).toEqual([
      ['kept', 'scheduled'],
      ['by property', 'scheduled'],
    ]);

    const receiver = receiverFor('scheduled');
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 })).toEqual([]);
    const messages = await receiver.receiveMessages(2, { maxWaitTimeInMs: 5_000 });
    expect(Date.now()).toBeGreaterThanOrEqual(at.getTime());
    expect(messages.map((message) => message.body)).toEqual(['kept', 'by property']);
    expect(messages[0].sequenceNumber!.equals(kept)).toBe(true);
    messages.forEach((message) => expect(message.scheduledEnqueueTimeUtc).toEqual(at));
    await Promise.all(messages.map((message) => receiver.completeMessage(message)));
  });

  it('copies a message sent to a topic to each subscription', async () => {
    await client.createSender('events').sendMessages({ body: { event: 'shipped' }, messageId: 'event-1' });
    expect(peer.entityState('events/Subscriptions/audit').active).toBe(1);
    expect(peer.entityState('events/Subscriptions/billing').active).toBe(1);

    for (const subscription of ['audit', 'billing']) {
      const receiver = subscriptionReceiverFor('events', subscription);
      const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5_000 });
      expect(message).toMatchObject({ body: { event: 'shipped' }, messageId: 'event-1' });
      await receiver.completeMessage(message);
    }

    expect(peer.entityState('events/Subscriptions/audit').active).toBe(0);
    expect(peer.entityState('events/Subscriptions/billing').active).toBe(0);
  });

  it('dead-letters on a subscription into its own dead-letter queue', async () => {
    await client.createSender('events').sendMessages({ body: 'bad event' });
    const audit = subscriptionReceiverFor('events', 'audit');
    const [message] = await audit.receiveMessages(1, { maxWaitTimeInMs: 5_000 });
    // Extra properties beside reason and description are properties to modify on the dead-lettered message.
    await audit.deadLetterMessage(message, { deadLetterReason: 'Unparseable', deadLetterErrorDescription: 'not JSON', worker: 'audit-7' });

    const deadLetters = subscriptionReceiverFor('events', 'audit', { subQueueType: 'deadLetter' });
    const [dead] = await deadLetters.receiveMessages(1, { maxWaitTimeInMs: 5_000 });
    expect(dead).toMatchObject({ body: 'bad event', deadLetterReason: 'Unparseable', deadLetterErrorDescription: 'not JSON' });
    expect(dead.applicationProperties).toMatchObject({ worker: 'audit-7' });
    await deadLetters.completeMessage(dead);

    const billing = subscriptionReceiverFor('events', 'billing');
    const [copy] = await billing.receiveMessages(1, { maxWaitTimeInMs: 5_000 });
    expect(copy.body).toBe('bad event');
    await billing.completeMessage(copy);
  });

  it('peeks from a sequence number without locking anything', async () => {
    await client.createSender('peek').sendMessages([{ body: 'p-0' }, { body: 'p-1' }, { body: 'p-2' }]);
    const receiver = receiverFor('peek');

    const firstTwo = await receiver.peekMessages(2);
    const rest = await receiver.peekMessages(5);
    const fromSecond = await receiver.peekMessages(5, { fromSequenceNumber: firstTwo[1].sequenceNumber });

    expect(firstTwo.map((message) => message.body)).toEqual(['p-0', 'p-1']);
    expect(rest.map((message) => message.body)).toEqual(['p-2']);
    expect(fromSecond.map((message) => message.body)).toEqual(['p-1', 'p-2']);
    expect(firstTwo[0].lockToken).toBeUndefined();
    expect(await receiver.peekMessages(5)).toEqual([]);
    expect(peer.entityState('peek')).toMatchObject({ active: 3, locked: 0 });

    const messages = await receiver.receiveMessages(3, { maxWaitTimeInMs: 5_000 });
    expect(messages).toHaveLength(3);
    await Promise.all(messages.map((message) => receiver.completeMessage(message)));
  });

  it('drops a second message with the same messageId when duplicate detection is on', async () => {
    const sender = client.createSender('dedupe');
    await sender.sendMessages({ body: 'first', messageId: 'payment-42' });
    await sender.sendMessages({ body: 'retry of first', messageId: 'payment-42' });
    await sender.sendMessages([
      { body: 'other', messageId: 'payment-43' },
      { body: 'in batch', messageId: 'payment-42' },
    ]);

    expect(peer.messages('dedupe').map((message) => [message.messageId, message.body])).toEqual([
      ['payment-42', 'first'],
      ['payment-43', 'other'],
    ]);
  });

  it('processes 500 messages exactly once with subscribe(), maxConcurrentCalls and explicit completion', async () => {
    const total = 500;
    const sender = client.createSender('many');
    const batch = await sender.createMessageBatch();
    for (let index = 0; index < total; index += 1) batch.tryAddMessage({ body: { index }, messageId: `many-${index}` });
    expect(batch.count).toBe(total);
    await sender.sendMessages(batch);

    const receiver = receiverFor('many');
    const seen: string[] = [];
    const errors: Error[] = [];
    const subscription = receiver.subscribe(
      {
        processMessage: async (message: ServiceBusReceivedMessage) => {
          seen.push(String(message.messageId));
          await sleep(1);
          await receiver.completeMessage(message);
        },
        processError: async ({ error }) => {
          errors.push(error);
        },
      },
      { maxConcurrentCalls: 20, autoCompleteMessages: false },
    );

    await waitFor(() => seen.length >= total && peer.entityState('many').locked === 0, 30_000);
    await subscription.close();

    expect(errors).toEqual([]);
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    expect(peer.entityState('many')).toEqual({ active: 0, locked: 0, scheduled: 0, deferred: 0, deadLettered: 0 });
  });

  it('delivers only as many messages as the receiver granted credit for', async () => {
    await client.createSender('prefetch').sendMessages(Array.from({ length: 10 }, (_, index) => ({ body: index })));
    const receiver = receiverFor('prefetch');

    const three = await receiver.receiveMessages(3, { maxWaitTimeInMs: 5_000 });
    expect(three).toHaveLength(3);
    expect(peer.entityState('prefetch')).toMatchObject({ active: 7, locked: 3 });

    let inFlight = 0;
    let maxInFlight = 0;
    const release: Array<() => void> = [];
    const subscription = receiver.subscribe(
      {
        processMessage: async (message) => {
          inFlight += 1;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await new Promise<void>((resolve) => release.push(resolve));
          await receiver.completeMessage(message);
          inFlight -= 1;
        },
        processError: async () => undefined,
      },
      { maxConcurrentCalls: 2, autoCompleteMessages: false },
    );
    await waitFor(() => release.length === 2);
    await sleep(200);
    // Two granted credits: two more locked, the rest stays available.
    expect(peer.entityState('prefetch')).toMatchObject({ active: 5, locked: 5 });

    // Let the handlers finish one by one until only the three messages from receiveMessages() are left locked.
    await waitFor(() => {
      release.splice(0).forEach((resolve) => resolve());
      const state = peer.entityState('prefetch');
      return state.active === 0 && state.locked === 3 && inFlight === 0;
    });
    await subscription.close();
    expect(maxInFlight).toBe(2);
    await Promise.all(three.map((message) => receiver.completeMessage(message)));
    expect(peer.entityState('prefetch')).toMatchObject({ active: 0, locked: 0 });
  });

  it('gives competing receivers on one queue distinct messages', async () => {
    await client.createSender('competing').sendMessages(Array.from({ length: 20 }, (_, index) => ({ body: index })));
    const [left, right] = [receiverFor('competing'), receiverFor('competing')];

    const [fromLeft, fromRight] = await Promise.all([left.receiveMessages(10, { maxWaitTimeInMs: 5_000 }), right.receiveMessages(10, { maxWaitTimeInMs: 5_000 })]);

    const bodies = [...fromLeft, ...fromRight].map((message) => message.body as number);
    expect(bodies).toHaveLength(20);
    expect(new Set(bodies).size).toBe(20);
    await Promise.all(fromLeft.map((message) => left.completeMessage(message)));
    await Promise.all(fromRight.map((message) => right.completeMessage(message)));
  });

  it('releases the locks of a client that disconnects', async () => {
    await client.createSender('disconnect').sendMessages({ body: 'orphan' });
    const otherClient = new ServiceBusClient(peer.connectionString);
    const [message] = await otherClient.createReceiver('disconnect').receiveMessages(1, { maxWaitTimeInMs: 5_000 });
    expect(message.body).toBe('orphan');
    expect(peer.entityState('disconnect')).toMatchObject({ locked: 1 });

    await otherClient.close();

    await waitFor(() => peer.entityState('disconnect').active === 1);
    expect(peer.messages('disconnect')[0].deliveryCount).toBe(1);
    const receiver = receiverFor('disconnect');
    const [again] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5_000 });
    expect(again).toMatchObject({ body: 'orphan', deliveryCount: 1 });
    await receiver.completeMessage(again);
  });

  it('removes messages on delivery in receive-and-delete mode', async () => {
    await client.createSender('delete-mode').sendMessages([{ body: 'a' }, { body: 'b' }]);
    const receiver = receiverFor('delete-mode', { receiveMode: 'receiveAndDelete' });

    const messages = await receiver.receiveMessages(2, { maxWaitTimeInMs: 5_000 });

    expect(messages.map((message) => message.body)).toEqual(['a', 'b']);
    expect(messages[0].lockToken).toBeUndefined();
    expect(peer.entityState('delete-mode')).toMatchObject({ active: 0, locked: 0 });
  });

  it('resolves entity names case-insensitively', async () => {
    await client.createSender('BASIC').sendMessages({ body: 'shouted' });
    const receiver = receiverFor('Basic');
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5_000 });
    expect(message.body).toBe('shouted');
    await receiver.completeMessage(message);
  });

  it('discards a message whose time-to-live has passed', async () => {
    await client.createSender('ttl').sendMessages([
      { body: 'stale', timeToLive: 200 },
      { body: 'fresh', timeToLive: 60_000 },
    ]);
    await sleep(300);

    const receiver = receiverFor('ttl');
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5_000 });

    expect(message.body).toBe('fresh');
    await receiver.completeMessage(message);
    expect(peer.entityState('ttl')).toMatchObject({ active: 0, locked: 0 });
  });

  it('refuses session receivers, which the peer does not model', async () => {
    const error: unknown = await client.acceptNextSession('basic').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ServiceBusError);
    expect((error as ServiceBusError).message).toMatch(/does not support sessions/);
  });

  it('stops cleanly while a client is still connected, and stops listening', async () => {
    const ownPeer = await ServiceBusPeer.start({ queues: [{ name: 'work' }] });
    const ownClient = new ServiceBusClient(ownPeer.connectionString);
    await ownClient.createSender('work').sendMessages({ body: 'pending' });
    const receiver = ownClient.createReceiver('work');
    await receiver.receiveMessages(1, { maxWaitTimeInMs: 5_000 });

    const started = Date.now();
    await ownPeer.stop();
    expect(Date.now() - started).toBeLessThan(2_000);

    const error: unknown = await ownClient
      .createSender('work')
      .sendMessages({ body: 'too late' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    await ownClient.close();
  });

  it('answers a send to an unknown entity with MessagingEntityNotFound', async () => {
    const sender = client.createSender('no-such-queue');
    const error: unknown = await sender.sendMessages({ body: 'lost' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ServiceBusError);
    expect((error as ServiceBusError).code).toBe('MessagingEntityNotFound');
    await sender.close();
  });
});
