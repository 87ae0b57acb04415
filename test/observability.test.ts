import { InProcessPlatform, startInProcess } from './support/platform-app';
import { createTestSchema, TEST_DATABASE_URL } from './support/postgres';
import { PlatformProcess } from './support/platform-process';
import { newJwtSecret, signHs256 } from './support/tokens';

const PLATFORM_METRICS = [
  'http_requests_total',
  'http_request_duration_seconds',
  'grpc_requests_total',
  'grpc_request_duration_seconds',
  'inflight_work',
  'integration_runs_total',
  'integration_run_duration_seconds',
  'integration_failures_total',
  'webhooks_received_total',
  'webhook_deliveries_total',
  'webhook_delivery_attempt_duration_seconds',
  'bus_messages_total',
  'bus_handler_duration_seconds',
  'bus_queue_depth',
  'external_health_status',
  'circuit_breaker_state',
  'rate_limit_rejections_total',
  'credential_rotations_total',
  'process_resident_memory_bytes',
];

describe('metrics, logs and trace propagation', () => {
  const secret = newJwtSecret();
  let platform: InProcessPlatform;
  let token: string;

  beforeAll(async () => {
    platform = await startInProcess({ AUTH_JWT_SECRET: secret, APP_ROLE: 'VendorApiClientRegistryService' });
    token = await signHs256(secret, { tenantId: 'tenant-obs', scope: 'integration.providers.read' });
  });
  afterAll(() => platform.close());

  it('serves every platform metric in Prometheus text, labelled with the role', async () => {
    await fetch(`${platform.url}/integrations/providers`, { headers: { authorization: `Bearer ${token}` } });
    await fetch(`${platform.url}/no/such/route`);
    const response = await fetch(`${platform.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain;.*version=0\.0\.4/);
    const text = await response.text();
    for (const name of PLATFORM_METRICS) expect(text).toContain(`# TYPE ${name} `);
    expect(text).toMatch(/http_requests_total\{method="GET",route="\/integrations\/providers",status="200",role="VendorApiClientRegistryService"\} 1/);
    expect(text).toMatch(/http_requests_total\{method="GET",route="unmatched",status="404",role="VendorApiClientRegistryService"\} 1/);
  });

  it('continues the caller trace from traceparent and logs it with the tenant and role', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const response = await fetch(`${platform.url}/integrations/providers`, {
      headers: { authorization: `Bearer ${token}`, traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-trace-id')).toBe(traceId);
    const line = platform.logs.parsed().find((entry) => entry.msg === 'request completed' && entry.traceId === traceId);
    expect(line).toMatchObject({ tenantId: 'tenant-obs', role: 'VendorApiClientRegistryService', route: '/integrations/providers', status: 200 });
    expect(line?.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(line?.spanId).not.toBe('00f067aa0ba902b7');
  });

  it('starts a new trace when traceparent is absent or invalid', async () => {
    const first = await fetch(`${platform.url}/health/live`);
    const second = await fetch(`${platform.url}/health/live`, { headers: { traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' } });
    const ids = [first.headers.get('x-trace-id'), second.headers.get('x-trace-id')];
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(ids[0]).not.toBe(ids[1]);
    expect(ids[1]).not.toBe('00000000000000000000000000000000');
  });
});

describe('secrets in a real process', () => {
  it('never prints the database password, the JWT secret or tokens, even when requests fail', async () => {
    const schema = await createTestSchema();
    const secret = newJwtSecret();
    const password = 'Pg-Passw0rd-that-must-not-leak';
    // Trust authentication on the test server ignores the password, so the URL still connects.
    const url = new URL(TEST_DATABASE_URL);
    url.password = password;
    const platform = await PlatformProcess.start({
      DATABASE_URL: url.toString(),
      DATABASE_SCHEMA: schema.name,
      AUTH_JWT_SECRET: secret,
      LOG_LEVEL: 'trace',
    });
    try {
      const good = await signHs256(secret, { tenantId: 'tenant-a', scope: 'integration.providers.read' });
      const forged = await signHs256(newJwtSecret(), { tenantId: 'tenant-a', scope: 'integration.providers.read' });
      expect((await fetch(`${platform.url}/integrations/providers`, { headers: { authorization: `Bearer ${good}` } })).status).toBe(200);
      expect((await fetch(`${platform.url}/integrations/providers`, { headers: { authorization: `Bearer ${forged}` } })).status).toBe(401);
      expect((await fetch(`${platform.url}/integrations/providers/%E0%A4%A`, { headers: { authorization: `Bearer ${good}` } })).status).toBe(400);
      await platform.stop();
      const output = platform.output();
      expect(output.length).toBeGreaterThan(0);
      for (const value of [password, secret, good, forged]) expect(output).not.toContain(value);
    } finally {
      await platform.stop();
      await schema.drop();
    }
  });
});
