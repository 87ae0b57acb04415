import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, IncomingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { DockerfileParser, Instruction, JSONInstruction, PropertyInstruction } from 'dockerfile-ast';
import { Webhook } from 'standardwebhooks';
import { waitFor } from '../support/governed-api';
import { PlatformProcess } from '../support/platform-process';
import { newJwtSecret, signHs256 } from '../support/tokens';

const ROOT = join(__dirname, '..', '..');
const TENANT = 'tenant-roll';
const ISSUER = 'https://issuer.example';
const AUDIENCE = 'integration-platform';
const GRACE_PERIOD_MS = 10_000;
const EVENTS = ['evt-roll-1', 'evt-roll-2', 'evt-roll-3', 'evt-roll-4', 'evt-roll-5'];
/** Deliveries the worker runs at once (consumer and per-endpoint concurrency). */
const IN_FLIGHT = 2;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface ImageSpec {
  readonly entrypoint: string[];
  readonly cmd: string[];
  readonly env: Record<string, string>;
  readonly workdir: string;
}

/** ENTRYPOINT, CMD, ENV and WORKDIR of the Dockerfile's final stage: what `docker run` executes. */
function finalStage(): ImageSpec {
  const dockerfile = DockerfileParser.parse(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
  const froms = dockerfile.getFROMs();
  const start = froms[froms.length - 1].getRange().start.line;
  const instructions = dockerfile.getInstructions().filter((instruction) => instruction.getRange().start.line > start);
  const last = (keyword: string): Instruction => {
    const found = instructions.filter((instruction) => instruction.getKeyword() === keyword);
    if (found.length === 0) throw new Error(`The final stage of the Dockerfile has no ${keyword}`);
    return found[found.length - 1];
  };
  const json = (instruction: Instruction) => (instruction as JSONInstruction).getJSONStrings().map((argument) => argument.getJSONValue());
  const env = Object.fromEntries(
    instructions
      .filter((instruction) => instruction.getKeyword() === 'ENV')
      .flatMap((instruction) => (instruction as PropertyInstruction).getProperties().map((property) => [property.getName(), property.getValue() ?? ''])),
  );
  return { entrypoint: json(last('ENTRYPOINT')), cmd: json(last('CMD')), env, workdir: last('WORKDIR').getArgumentsContent()!.trim() };
}

/**
 * The container's process tree outside a container: ENTRYPOINT + CMD with the image's ENV and `-e` flags,
 * nothing else inherited but PATH (whose first entry is this Node). The image's WORKDIR holds dist/ and
 * node_modules/ as the repository root does. Resolves once the process is ready.
 */
async function runImage(image: ImageSpec, runEnv: Record<string, string>): Promise<PlatformProcess> {
  expect(image.workdir).toBe('/app');
  const [command, ...args] = [...image.entrypoint, ...image.cmd];
  expect(existsSync(command)).toBe(true);
  const env = { PATH: [dirname(process.execPath), process.env.PATH].join(delimiter), ...image.env, ...runEnv };
  const container = PlatformProcess.spawnCommand(command, args, env, ROOT);
  await container.listening();
  const ready = async () => (await fetch(`${container.url}/health/ready`).catch(() => undefined))?.status === 200;
  await waitFor(ready, 30_000, () => `${runEnv.APP_ROLE} to be ready:\n${container.output().slice(-4000)}`);
  return container;
}

interface ReceivedWebhook {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A webhook receiver that holds every request open until `release()`, then answers 200 at once. */
class HoldingReceiver {
  readonly received: ReceivedWebhook[] = [];
  private held: ServerResponse[] = [];
  private holding = true;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<HoldingReceiver> {
    const server = createServer();
    const receiver = new HoldingReceiver(server);
    server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        receiver.received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        if (receiver.holding) receiver.held.push(response);
        else response.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  get holdingCount(): number {
    return this.held.length;
  }

  /** Holds every request from now on, until `release()`. */
  hold(): void {
    this.holding = true;
  }

  release(): void {
    this.holding = false;
    for (const response of this.held.splice(0)) response.writeHead(200).end('ok');
  }

  async close(): Promise<void> {
    this.release();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe('the container entrypoint', () => {
  const image = finalStage();
  const jwtSecret = newJwtSecret();
  const dataDir = (() => {
    mkdirSync(join(ROOT, '.tmp'), { recursive: true });
    return mkdtempSync(join(ROOT, '.tmp', 'container-entrypoint-'));
  })();
  /** What `docker run -e ...` passes in production mode; the platform refuses to boot without it. */
  const runEnv = {
    AUTH_JWT_SECRET: jwtSecret,
    AUTH_ISSUER: ISSUER,
    AUTH_AUDIENCE: AUDIENCE,
    SECRETS_MASTER_KEY: randomBytes(32).toString('base64'),
    EGRESS_ALLOW_LIST: '127.0.0.1',
    SHUTDOWN_GRACE_PERIOD: `${GRACE_PERIOD_MS}ms`,
    // Two processes share one SQLite store, whose bus has no cross-process notification.
    BUS_POLL_INTERVAL: '100ms',
    // DATA_DIR on a writable directory (a volume in a container), a free port, and tini reaping as it does as PID 1.
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    TINI_SUBREAPER: '1',
  };
  const workerEnv = { ...runEnv, APP_ROLE: 'WebhookDeliveryWorker', WEBHOOK_DELIVERY_CONCURRENCY: String(IN_FLIGHT), WEBHOOK_ENDPOINT_CONCURRENCY: String(IN_FLIGHT) };
  const started: PlatformProcess[] = [];
  let receiver: HoldingReceiver;

  const startContainer = async (env: Record<string, string>) => {
    const container = await runImage(image, env);
    started.push(container);
    return container;
  };

  /** The gateway's API as the tenant. */
  const apiOf = async (gateway: PlatformProcess) => {
    const token = await signHs256(jwtSecret, {
      tenantId: TENANT,
      scope: 'webhooks.subscriptions.write webhooks.events.publish webhooks.deliveries.read',
      iss: ISSUER,
      aud: AUDIENCE,
      expiresIn: 600,
    });
    return async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${gateway.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
  };
  /** Event ids of a subscription's deliveries in `status`, sorted. */
  const deliveriesIn = async (api: Awaited<ReturnType<typeof apiOf>>, subscriptionId: string, status: string) => {
    const answer = await api('GET', `/webhooks/deliveries?subscriptionId=${subscriptionId}&status=${status}`);
    return (answer.body.items as Array<{ eventId: string }>).map((item) => item.eventId).sort();
  };

  beforeAll(async () => {
    expect(existsSync(join(ROOT, image.cmd[image.cmd.length - 1]))).toBe(true);
    receiver = await HoldingReceiver.start();
  });

  afterAll(async () => {
    // SIGTERM first: tini forwards it to Node, where a SIGKILL would stop tini alone and orphan Node.
    await Promise.all(started.map((container) => container.stop('SIGTERM', 10_000)));
    await receiver?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs the image in production mode, and a SIGTERM drains in-flight deliveries while the rest wait for the next worker', async () => {
    expect(image.env.NODE_ENV).toBe('production');
    // The gateway owns the API (subscriptions, events, deliveries); the SIGTERM'd process is the worker alone.
    const gateway = await startContainer({ ...runEnv, APP_ROLE: 'WebhookGatewayService' });
    const worker = await startContainer(workerEnv);

    const api = await apiOf(gateway);
    const deliveries = (status: string) => deliveriesIn(api, subscription.body.id as string, status);

    const subscription = await api('POST', '/webhooks/subscriptions', { url: receiver.url, eventTypes: ['order.created'] });
    expect(subscription.status).toBe(201);
    for (const [index, id] of EVENTS.entries()) {
      expect((await api('POST', '/webhooks/events', { id, type: 'order.created', data: { order: index + 1 } })).status).toBe(202);
    }

    await waitFor(
      () => receiver.holdingCount === IN_FLIGHT,
      20_000,
      () => `${IN_FLIGHT} deliveries in flight (got ${receiver.holdingCount}):\n${worker.output()}`,
    );
    await pause(300);
    expect(receiver.received).toHaveLength(IN_FLIGHT);

    const signalled = Date.now();
    worker.child.kill('SIGTERM');
    const shutdown = await worker.waitForLog((line) => line.msg.startsWith('Shutting down'));
    expect(shutdown.inFlight).toMatchObject({ message: IN_FLIGHT });
    const readiness = await fetch(`${worker.url}/health/ready`).then(
      (response) => response.status,
      () => 'closed',
    );
    expect(readiness).not.toBe(200);
    await pause(500);
    expect(worker.running).toBe(true);

    receiver.release();
    const { code } = await worker.exited;
    expect(code).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(GRACE_PERIOD_MS);
    expect(worker.logs().find((line) => line.msg === 'Shutdown complete')).toMatchObject({ drained: true });

    // The deliveries in flight completed; nothing new started after the signal; the rest still wait.
    expect(receiver.received).toHaveLength(IN_FLIGHT);
    const delivered = await deliveries('Delivered');
    expect(delivered).toEqual(receiver.received.map((webhook) => webhook.headers['webhook-id']).sort());
    expect(await deliveries('Pending')).toEqual(EVENTS.filter((id) => !delivered.includes(id)));

    const restarted = await startContainer(workerEnv);
    await waitFor(async () => (await deliveries('Delivered')).length === EVENTS.length, 30_000, 'every delivery after the restart');
    expect(await deliveries('Pending')).toEqual([]);

    // Each event reached the receiver exactly once, under its own webhook-id, correctly signed.
    const webhookIds = receiver.received.map((webhook) => webhook.headers['webhook-id']);
    expect([...webhookIds].sort()).toEqual(EVENTS);
    const verifier = new Webhook(subscription.body.secret as string);
    for (const { headers, body } of receiver.received) {
      expect(verifier.verify(body, headers as Record<string, string>)).toMatchObject({ id: headers['webhook-id'], type: 'order.created' });
    }

    // Idle processes stop as promptly and as cleanly.
    for (const container of [restarted, gateway]) container.child.kill('SIGTERM');
    expect((await Promise.all([restarted.exited, gateway.exited])).map(({ code }) => code)).toEqual([0, 0]);
  });

  it('abandons deliveries still running when the grace period ends: exit 1, and the bus redelivers them under the same webhook-id', async () => {
    const gracePeriodMs = 1_500;
    const events = ['evt-late-1', 'evt-late-2', 'evt-late-3'];
    const gateway = started[0]?.running ? started[0] : await startContainer({ ...runEnv, APP_ROLE: 'WebhookGatewayService' });
    // A short lock, so the abandoned messages come back within the test rather than after a minute.
    const lateWorkerEnv = { ...workerEnv, SHUTDOWN_GRACE_PERIOD: `${gracePeriodMs}ms`, BUS_LOCK_DURATION: '2s' };
    const worker = await startContainer(lateWorkerEnv);
    const api = await apiOf(gateway);
    receiver.hold();
    const receivedBefore = receiver.received.length;

    const subscription = await api('POST', '/webhooks/subscriptions', { url: receiver.url, eventTypes: ['order.shipped'] });
    for (const id of events) expect((await api('POST', '/webhooks/events', { id, type: 'order.shipped', data: { id } })).status).toBe(202);
    await waitFor(
      () => receiver.holdingCount === IN_FLIGHT,
      20_000,
      () => `${IN_FLIGHT} deliveries in flight:\n${worker.output()}`,
    );
    const inFlight = receiver.received.slice(receivedBefore).map((webhook) => webhook.headers['webhook-id'] as string);

    const signalled = Date.now();
    worker.child.kill('SIGTERM');
    const { code } = await worker.exited;
    // The grace period, then at most the 2 s the application gets to close.
    expect(Date.now() - signalled).toBeLessThan(gracePeriodMs + 2_000 + 1_500);
    expect(code).toBe(1);
    expect(worker.logs().find((line) => line.msg.startsWith('Grace period over'))).toMatchObject({ inFlight: { message: IN_FLIGHT } });
    expect(await deliveriesIn(api, subscription.body.id as string, 'Delivered')).toEqual([]);

    receiver.release();
    await startContainer(lateWorkerEnv);
    await waitFor(async () => (await deliveriesIn(api, subscription.body.id as string, 'Delivered')).length === events.length, 30_000, 'every delivery after the restart');
    const received = receiver.received.slice(receivedBefore).map((webhook) => webhook.headers['webhook-id'] as string);
    // The abandoned ones arrived twice, under the same webhook-id; the others once.
    expect([...received].sort()).toEqual([...events, ...inFlight].sort());

    const running = started.filter((container) => container.running);
    await Promise.all(running.map((container) => container.stop()));
    expect(await Promise.all(running.map(async (container) => (await container.exited).code))).toEqual(running.map(() => 0));
  });
});
