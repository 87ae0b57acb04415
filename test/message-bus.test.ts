import { describeMessageBusContract } from './contracts/message-bus.contract';
import { startStoreBus } from './support/store-bus';

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
