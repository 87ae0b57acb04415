import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { MessageConsumer, ReceivedMessage } from '../src/platform/messaging/bus-message';
import { message } from './contracts/message-bus.contract';
import { createTestSchema, TEST_DATABASE_URL, withClient } from './support/postgres';
import { startStoreBus } from './support/store-bus';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(predicate: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('store bus on PostgreSQL under faults', () => {
  it('recovers when its database connections are killed mid-consume, losing nothing', async () => {
    const appRole = `bus-fault-${randomUUID().slice(0, 8)}`;
    const fixture = await startStoreBus('postgres', { APP_ROLE: appRole, BUS_LOCK_DURATION: '2s' });
    const handled = new Set<string>();
    let consumer: MessageConsumer | undefined;
    try {
      consumer = await fixture.bus.consume(
        { queue: 'deliver-webhook' },
        async (received: ReceivedMessage, settlement) => {
          await sleep(2);
          handled.add(received.messageId);
          await settlement.complete();
        },
        { concurrency: 8, prefetch: 16, maxDeliveryCount: 50, lockDurationMs: 2_000, maxLockRenewalMs: 60_000 },
      );
      const first = Array.from({ length: 400 }, () => message());
      await fixture.bus.send('deliver-webhook', first);
      await until(() => handled.size >= 100, 20_000, 'the first messages');

      const schema = (fixture.dataSource.options as { schema: string }).schema;
      const killed = await withClient(
        async (client) =>
          (
            await client.query(
              `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE pid <> pg_backend_pid() AND (application_name LIKE $1 OR application_name LIKE $2)`,
              [`%:${appRole}`, `%:bus-listener:${schema}`],
            )
          ).rowCount,
      );
      expect(killed).toBeGreaterThan(0);

      const second = Array.from({ length: 400 }, () => message());
      await until(
        async () => {
          try {
            await fixture.bus.send('deliver-webhook', second);
            return true;
          } catch {
            return false; // the pool is replacing its killed connections
          }
        },
        20_000,
        'sending again',
      );
      await until(() => handled.size === 800, 60_000, `all 800 messages (have ${handled.size})`);
      expect([...handled].sort()).toEqual([...first, ...second].map((entry) => entry.messageId).sort());
      // Completions in flight when the connections died are lost; those messages come back after their lease.
      await until(async () => (await fixture.bus.depth({ queue: 'deliver-webhook' })) === 0, 20_000, 'the queue to drain');
    } finally {
      await consumer?.close();
      await fixture.dispose();
    }
  }, 120_000);

  it('handles every one of 10,000 messages at least once when a consumer is SIGKILLed midway', async () => {
    const schema = await createTestSchema();
    const env = {
      ...process.env,
      DATABASE_URL: TEST_DATABASE_URL,
      DATABASE_SCHEMA: schema.name,
      BUS_LOCK_DURATION: '3s',
      BUS_POLL_INTERVAL: '200ms',
      LOG_LEVEL: 'warn',
    };
    const fixture = await startStoreBus('postgres', { DATABASE_SCHEMA: schema.name });
    const workers: ChildProcess[] = [];
    const startWorker = async () => {
      const worker = spawn(process.execPath, [join(__dirname, 'support', 'bus-worker.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      workers.push(worker);
      let stderr = '';
      worker.stderr!.on('data', (chunk) => (stderr += chunk));
      await new Promise<void>((resolve, reject) => {
        createInterface({ input: worker.stdout! }).on('line', (line) => line === 'ready' && resolve());
        worker.once('exit', (code) => reject(new Error(`worker exited ${code}: ${stderr}`)));
      });
      return worker;
    };
    const count = (sql: string) => withClient(async (client) => Number((await client.query(`SELECT ${sql} AS n FROM "${schema.name}".bus_fault_handled`)).rows[0].n));
    try {
      await fixture.dataSource.query('CREATE TABLE bus_fault_handled (message_id varchar(64) NOT NULL, pid integer NOT NULL)');
      const sent = Array.from({ length: 10_000 }, () => message());
      for (let offset = 0; offset < sent.length; offset += 1_000) await fixture.bus.send('deliver-webhook', sent.slice(offset, offset + 1_000));

      const doomed = await startWorker();
      await until(async () => (await count('count(*)')) >= 2_000, 60_000, 'the first worker to handle 2,000 messages');
      doomed.kill('SIGKILL');
      await new Promise((resolve) => doomed.once('exit', resolve));
      const handledBeforeKill = await count('count(DISTINCT message_id)');
      expect(handledBeforeKill).toBeLessThan(10_000);

      await startWorker();
      await until(async () => (await count('count(DISTINCT message_id)')) === 10_000, 120_000, 'every message to be handled');
      await until(async () => (await fixture.bus.depth({ queue: 'deliver-webhook' })) === 0, 20_000, 'the queue to drain');
      const distinct = await withClient(async (client) =>
        (await client.query(`SELECT DISTINCT message_id FROM "${schema.name}".bus_fault_handled`)).rows.map((row: { message_id: string }) => row.message_id),
      );
      expect(distinct.sort()).toEqual(sent.map((entry) => entry.messageId).sort());
      expect(await fixture.bus.peekDeadLetters({ queue: 'deliver-webhook' }, 1)).toEqual([]);
    } finally {
      for (const worker of workers) worker.kill('SIGKILL');
      await fixture.dispose();
      await schema.drop();
    }
  }, 240_000);
});
