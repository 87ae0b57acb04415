import { loadOptions } from '../src/platform/config/options';
import { BusOptions } from '../src/platform/messaging/bus.options';
import { createMessageBus } from '../src/platform/messaging/message-bus.factory';
import { describeMessageBusContract } from './contracts/message-bus.contract';
import { ServiceBusPeer } from './support/service-bus-peer';

// Service Bus receivers wait up to 1 s for more messages after the first: locks must outlast that.
const LOCK_MS = 3_000;
const entities = () => ({ queue: 'deliver-webhook', topic: 'integration-failed', subscriptions: ['IntegrationRetryWorker', 'WebhookGatewayService'] as [string, string] });

describeMessageBusContract(
  'Azure Service Bus adapter through the AMQP peer',
  async () => {
    const peer = await ServiceBusPeer.start({
      queues: [{ name: 'deliver-webhook', lockDurationMs: LOCK_MS, maxDeliveryCount: 3, requiresDuplicateDetection: true }],
      topics: [
        {
          name: 'integration-failed',
          subscriptions: [
            { name: 'IntegrationRetryWorker', lockDurationMs: LOCK_MS },
            { name: 'WebhookGatewayService', lockDurationMs: LOCK_MS },
          ],
        },
      ],
    });
    const bus = await createMessageBus(loadOptions(BusOptions, { SERVICEBUS_CONNECTION_STRING: peer.connectionString }), undefined!, undefined!);
    return {
      bus,
      lockDurationMs: LOCK_MS,
      async dispose() {
        await bus.close();
        await peer.stop();
      },
    };
  },
  entities,
);
