import { DataSource } from 'typeorm';
import { DistributedLock } from '../src/platform/cache/cache.ports';
import { CredentialVault } from '../src/platform/integrations/credentials/credential-vault';
import { IntegrationCredential } from '../src/platform/integrations/entities/integration-credential.entity';
import { MessageBus } from '../src/platform/messaging/message-bus';
import { SecretStore } from '../src/platform/secrets/secret-store';
import { RotationSchedule } from '../src/workers/credential-rotation/rotation-schedule';
import { EventRecorderModule, RecordedEvents } from './support/event-recorder';
import { until } from './support/governed-api';
import { InProcessPlatform, startInProcess } from './support/platform-app';
import { newJwtSecret, signHs256 } from './support/tokens';
import { startVendorPeer, VendorPeer } from './support/vendor-peer';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
type Json = any;

const ALL_SCOPES = [
  'integration.connections.write',
  'integration.connections.read',
  'integration.credentials.write',
  'integration.credentials.rotate',
  'integration.runs.read',
  'integration.runs.execute',
].join(' ');

class Api {
  constructor(
    private readonly platform: InProcessPlatform,
    private readonly token: string,
  ) {}

  async call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Json; headers: Headers }> {
    const response = await fetch(`${this.platform.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
  }

  async credential(name: string, value: string, extra: Record<string, unknown> = {}): Promise<Json> {
    const created = await this.call('POST', '/integrations/credentials', { name, value, ...extra });
    expect(created.status).toBe(201);
    return created.body;
  }

  async connection(peer: VendorPeer, credentialId: string, extra: Record<string, unknown> = {}): Promise<Json> {
    const created = await this.call('POST', '/integrations/connections', {
      providerId: 'generic-rest',
      displayName: 'Vendor',
      credentialId,
      configuration: { baseUrl: peer.url, healthPath: '/health', auth: 'bearer' },
      ...extra,
    });
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('Active');
    return created.body;
  }
}

describe('governed access workers (one process, all roles, embedded store)', () => {
  const secret = newJwtSecret();
  let platform: InProcessPlatform;
  let peer: VendorPeer;
  const echoRequests = () => peer.requests.filter((request) => request.path === '/api/echo');
  let api: Api;
  let events: RecordedEvents;

  beforeAll(async () => {
    peer = await startVendorPeer({ auth: { bearer: ['key-1', 'key-2'], oauth: true }, oauthClients: [{ clientId: 'poison-client', clientSecret: 's3cr3t-poison' }] });
    platform = await startInProcess(
      {
        AUTH_JWT_SECRET: secret,
        EGRESS_ALLOW_LIST: '127.0.0.1',
        CONNECTION_CACHE_TTL: '0',
        HEALTH_PROBE_INTERVAL: '250ms',
        HEALTH_PROBE_TIMEOUT: '2s',
        HEALTH_UNHEALTHY_AFTER: '2',
        ROTATION_VERIFICATION_BACKOFF: '0',
        BUS_POLL_INTERVAL: '20ms',
        BUS_RETRY_BASE_DELAY: '50ms',
      },
      [EventRecorderModule],
    );
    api = new Api(platform, await signHs256(secret, { tenantId: 'tenant-workers', scope: ALL_SCOPES }));
    events = platform.app.get(RecordedEvents);
  });

  afterAll(async () => {
    await platform?.close();
    await peer?.close();
  });

  beforeEach(() => peer.reset({ auth: true }));

  describe('IntegrationRetryWorker', () => {
    const retryPolicy = { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 100 };

    it('retries a Transient failure by the connection’s policy until the run completes', async () => {
      const credential = await api.credential('retry-transient', 'key-1');
      const connection = await api.connection(peer, credential.id, { retryPolicy });
      peer.failNext('/api/echo', 2, 503);

      const submitted = await api.call('POST', `/integrations/connections/${connection.id}/requests`, { method: 'POST', path: '/api/echo', body: { n: 1 }, async: true });
      expect(submitted.status).toBe(202);
      expect(submitted.body.state).toBe('Pending');

      const run = await until(
        () => api.call('GET', `/integrations/runs/${submitted.body.id}`),
        (answer) => answer.body.state === 'Completed',
        15_000,
        'the run to complete',
      );
      expect(run.body.attempts).toBe(3);
      expect(run.body.attemptHistory.map((attempt: Json) => attempt.statusCode)).toEqual([503, 503, 200]);
      expect(peer.count('/api/echo')).toBe(3);
      // The stored request was re-sent as it was.
      expect(peer.requests.filter((request) => request.path === '/api/echo').every((request) => request.body === '{"n":1}')).toBe(true);
    });

    it('does not retry an Auth failure', async () => {
      const credential = await api.credential('retry-auth', 'key-1');
      const connection = await api.connection(peer, credential.id, { retryPolicy });
      peer.enqueue('/api/echo', { status: 401, body: { message: 'Bad credentials' } });

      const submitted = await api.call('POST', `/integrations/connections/${connection.id}/requests`, { method: 'GET', path: '/api/echo', async: true });
      await until(
        () => Promise.resolve(events.ofType<Json>('IntegrationFailed').filter((event) => event.data.runId === submitted.body.id)),
        (found) => found.length === 1,
        10_000,
        'IntegrationFailed',
      );
      // Give the retry worker time to (wrongly) schedule a retry before asserting it did not.
      await new Promise((resolve) => setTimeout(resolve, 600));
      const run = await api.call('GET', `/integrations/runs/${submitted.body.id}`);
      expect(run.body).toMatchObject({ state: 'Failed', attempts: 1, failure: { category: 'Auth', code: 'unauthorized' } });
      expect(peer.count('/api/echo')).toBe(1);
    });

    it('dead-letters a run whose attempts are exhausted', async () => {
      const credential = await api.credential('retry-exhausted', 'key-1');
      const connection = await api.connection(peer, credential.id, { retryPolicy: { maxAttempts: 2, baseDelayMs: 50, maxDelayMs: 50 } });
      peer.failNext('/api/echo', 5, 503);

      const submitted = await api.call('POST', `/integrations/connections/${connection.id}/requests`, { method: 'GET', path: '/api/echo', async: true });
      const run = await until(
        () => api.call('GET', `/integrations/runs/${submitted.body.id}`),
        (answer) => answer.body.state === 'DeadLettered',
        10_000,
        'the run to be dead-lettered',
      );
      expect(run.body.attempts).toBe(2);
      expect(run.body.failures.map((failure: Json) => failure.code)).toEqual(['service_unavailable', 'service_unavailable', 'retries_exhausted']);
      expect(peer.count('/api/echo')).toBe(2);
    });

    it('sends a Poison failure to the dead-letter queue', async () => {
      const credential = await api.call('POST', '/integrations/credentials', {
        name: 'retry-poison',
        kind: 'oauth2-client',
        value: JSON.stringify({ clientId: 'poison-client', clientSecret: 's3cr3t-poison' }),
      });
      expect(credential.status).toBe(201);
      const connection = await api.connection(peer, credential.body.id, {
        retryPolicy,
        configuration: { baseUrl: peer.url, healthPath: '/health', auth: 'oauth2-client-credentials', tokenUrl: `${peer.url}/oauth/token` },
      });
      peer.expireAccessTokens();
      // The token endpoint now answers 200 without a token: a response we can never use, however often we retry.
      peer.enqueue('/oauth/token', { status: 200, headers: { 'content-type': 'application/json' }, body: { unexpected: true } });

      const submitted = await api.call('POST', `/integrations/connections/${connection.id}/requests`, { method: 'GET', path: '/api/echo', async: true });
      const run = await until(
        () => api.call('GET', `/integrations/runs/${submitted.body.id}`),
        (answer) => answer.body.state === 'DeadLettered',
        10_000,
        'the run to be dead-lettered',
      );
      expect(run.body.failure).toMatchObject({ category: 'Poison', code: 'oauth_malformed_token_response' });
      const bus = platform.app.get(MessageBus);
      const deadLetters = await until(
        () => bus.peekDeadLetters({ topic: 'integration-failed', subscription: 'IntegrationRetryWorker' }, 50),
        (letters) => letters.some((letter) => JSON.stringify(letter).includes(submitted.body.id)),
        10_000,
        'the IntegrationFailed event in the dead-letter queue',
      );
      expect(deadLetters.length).toBeGreaterThan(0);
    });
  });

  describe('CredentialRotationWorker', () => {
    const credentialOf = (id: string) => api.call('GET', `/integrations/credentials/${id}`);

    it('rotates to a verified new version, emits CredentialRotated, and a repeated token is a no-op', async () => {
      const credential = await api.credential('rotate-ok', 'key-1');
      const connection = await api.connection(peer, credential.id);

      const first = await api.call('POST', '/integrations/credentials/rotate', { credentialId: credential.id, rotationToken: 'change-42', value: 'key-2' });
      expect(first.status).toBe(202);
      expect(first.body).toMatchObject({ status: 'Pending', duplicate: false, rotationToken: 'change-42' });
      expect(JSON.stringify(first.body)).not.toContain('key-2');

      const rotated = await until(
        () => credentialOf(credential.id),
        (answer) => answer.body.rotations[0]?.status === 'Succeeded',
        10_000,
        'the rotation to succeed',
      );
      expect(rotated.body.version).not.toBe(credential.version);
      expect(rotated.body.previousVersion).toBe(credential.version);
      expect(rotated.body.fingerprint).not.toBe(credential.fingerprint);
      expect(rotated.body.previousVersionValidUntil).not.toBeNull();

      const repeat = await api.call('POST', '/integrations/credentials/rotate', { credentialId: credential.id, rotationToken: 'change-42', value: 'key-2' });
      expect(repeat.status).toBe(202);
      expect(repeat.body).toMatchObject({ rotationId: first.body.rotationId, duplicate: true, status: 'Succeeded' });
      expect((await credentialOf(credential.id)).body.rotations).toHaveLength(1);

      peer.reset();
      const call = await api.call('POST', `/integrations/connections/${connection.id}/requests`, { method: 'GET', path: '/api/echo' });
      expect(call.body.status).toBe(200);
      // The health worker probes other connections of this peer meanwhile: the call's own request is the last to /api/echo.
      expect(echoRequests().at(-1)?.headers.authorization).toBe('Bearer key-2');

      const rotatedEvent = await until(
        () => Promise.resolve(events.ofType<Json>('CredentialRotated')),
        (found) => found.some((event) => event.data.credentialId === credential.id),
        5_000,
        'CredentialRotated',
      );
      const event = rotatedEvent.find((candidate) => candidate.data.credentialId === credential.id)!;
      expect(event.data).toMatchObject({
        rotationId: first.body.rotationId,
        version: rotated.body.version,
        previousVersion: credential.version,
        verifiedConnections: [connection.id],
      });
      expect(JSON.stringify(event)).not.toContain('key-2');
    });

    it('keeps both versions of a webhook secret valid for the overlap window, then only the new one', async () => {
      const created = await api.call('POST', '/integrations/credentials', {
        name: 'rotate-overlap',
        kind: 'webhook-secret',
        value: 'whsec_b2xkLXNlY3JldA==',
        rotationPolicy: { overlapMs: 1_000 },
      });
      expect(created.status).toBe(201);
      await api.call('POST', '/integrations/credentials/rotate', { credentialId: created.body.id, value: 'whsec_bmV3LXNlY3JldA==' });
      // No connection uses it: nothing to verify, so the rotation succeeds at once.
      await until(
        () => credentialOf(created.body.id),
        (answer) => answer.body.rotations[0]?.status === 'Succeeded',
        10_000,
        'the rotation',
      );

      const vault = platform.app.get(CredentialVault);
      const row = () => platform.app.get(DataSource).getRepository(IntegrationCredential).findOneByOrFail({ id: created.body.id });
      expect(await vault.acceptedValues(await row())).toEqual(['whsec_bmV3LXNlY3JldA==', 'whsec_b2xkLXNlY3JldA==']);
      const overlapEnds = (await row()).previousVersionValidUntil!.getTime();
      expect(await vault.acceptedValues(await row(), overlapEnds + 1)).toEqual(['whsec_bmV3LXNlY3JldA==']);
    });

    it('keeps the previous version when every verification fails, after three tries', async () => {
      const credential = await api.credential('rotate-bad', 'key-1');
      const connection = await api.connection(peer, credential.id);

      const rotation = await api.call('POST', '/integrations/credentials/rotate', { credentialId: credential.id, value: 'key-rejected' });
      expect(rotation.status).toBe(202);
      const failed = await until(
        () => credentialOf(credential.id),
        (answer) => answer.body.rotations[0]?.status === 'Failed',
        10_000,
        'the rotation to fail',
      );
      expect(failed.body.rotations[0]).toMatchObject({ failureCode: 'rotation_verification_failed', attempts: 3 });
      expect(failed.body.version).toBe(credential.version);
      expect(failed.body.fingerprint).toBe(credential.fingerprint);
      const verifications = peer.requests.filter((request) => request.path === '/health' && request.headers.authorization === 'Bearer key-rejected');
      expect(verifications).toHaveLength(3);

      // The candidate version is disabled in the vault; the current one still works.
      const secrets = platform.app.get(SecretStore);
      const versions = await secrets.listVersions(credential.secretRef);
      expect(versions.find((version) => version.version === failed.body.rotations[0].candidateVersion)?.enabled).toBe(false);
      peer.reset();
      const call = await api.call('POST', `/integrations/connections/${connection.id}/requests`, { method: 'GET', path: '/api/echo' });
      expect(call.body.status).toBe(200);
      expect(echoRequests().at(-1)?.headers.authorization).toBe('Bearer key-1');
    });

    it('lets only the lock holder rotate a credential', async () => {
      const credential = await api.credential('rotate-locked', 'key-1');
      await api.connection(peer, credential.id);
      const lock = await platform.app.get(DistributedLock).acquire(`credential-rotation:${credential.id}`, 60_000);
      expect(lock).not.toBeNull();

      await api.call('POST', '/integrations/credentials/rotate', { credentialId: credential.id, value: 'key-2' });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await credentialOf(credential.id)).body.rotations[0].status).toBe('Pending');

      await lock!.release();
      await until(
        () => credentialOf(credential.id),
        (answer) => answer.body.rotations[0]?.status === 'Succeeded',
        15_000,
        'the rotation to succeed after the lock is released',
      );
    });

    it('rotates a vault-bound credential on its schedule, once per due time', async () => {
      const secrets = platform.app.get(SecretStore);
      const secretName = `${CredentialVault.tenantNamespace('tenant-workers')}deploy-key`;
      await secrets.set(secretName, 'key-1');
      const bound = await api.call('POST', '/integrations/credentials', {
        name: 'rotate-scheduled',
        secretRef: secretName,
        rotationPolicy: { intervalMs: 60_000, overlapMs: 5_000 },
      });
      expect(bound.status).toBe(201);
      expect(bound.body).toMatchObject({ origin: 'bound', secretRef: secretName });
      await api.connection(peer, bound.body.id);

      // The vault rotated the secret (a Key Vault rotation policy would); the worker verifies and adopts it.
      const next = await secrets.set(secretName, 'key-2');
      const schedule = platform.app.get(RotationSchedule);
      const due = new Date(Date.parse(bound.body.nextRotationAt) + 1);
      expect(await schedule.scan(due)).toBe(1);
      expect(await schedule.scan(due)).toBe(0);

      const rotated = await until(
        () => credentialOf(bound.body.id),
        (answer) => answer.body.rotations[0]?.status === 'Succeeded',
        10_000,
        'the scheduled rotation',
      );
      expect(rotated.body.version).toBe(next.version);
      expect(rotated.body.rotations).toHaveLength(1);
      expect(rotated.body.rotations[0].trigger).toBe('scheduled');
      expect(Date.parse(rotated.body.nextRotationAt)).toBeGreaterThan(Date.parse(bound.body.nextRotationAt));
    });
  });

  describe('ExternalApiHealthWorker', () => {
    it('opens the provider endpoint’s breaker on an Unhealthy verdict and closes it on recovery; readiness never follows', async () => {
      const credential = await api.credential('health', 'key-1');
      const connection = await api.connection(peer, credential.id);
      const breakerKey = `generic-rest:${new URL(peer.url).host}`;
      const circuit = async () => ((await api.call('GET', '/health/circuits')).body.breakers as Json[]).find((breaker) => breaker.key === breakerKey);

      peer.setHealth('down');
      const unhealthy = await until(
        () => api.call('GET', `/integrations/connections/${connection.id}`),
        (answer) => answer.body.health === 'Unhealthy',
        10_000,
        'Unhealthy',
      );
      expect(unhealthy.body.status).toBe('Active');
      expect(await circuit()).toMatchObject({ state: 'open', forcedOpen: true });
      expect((await fetch(`${platform.url}/health/ready`)).status).toBe(200);

      const before = peer.count('/api/');
      const refused = await api.call('POST', `/integrations/connections/${connection.id}/requests`, { method: 'GET', path: '/api/echo' });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(refused.headers.get('x-integration-run-id')).toMatch(/^run-/);
      expect(peer.count('/api/')).toBe(before);

      peer.setHealth('up');
      await until(
        () => api.call('GET', `/integrations/connections/${connection.id}`),
        (answer) => answer.body.health === 'Healthy',
        10_000,
        'Healthy again',
      );
      expect((await circuit())?.state ?? 'closed').toBe('closed');
      const call = await api.call('POST', `/integrations/connections/${connection.id}/requests`, { method: 'GET', path: '/api/echo' });
      expect(call.body.status).toBe(200);

      const changes = events
        .ofType<Json>('ExternalApiHealthChanged')
        .filter((event) => event.data.connectionId === connection.id)
        .map((event) => event.data.current.health);
      expect(changes).toEqual(expect.arrayContaining(['Degraded', 'Unhealthy', 'Healthy']));
      const metrics = await (await fetch(`${platform.url}/metrics`)).text();
      expect(metrics).toContain(`external_health_status{provider="generic-rest",target="${connection.id}"`);
    });
  });
});
