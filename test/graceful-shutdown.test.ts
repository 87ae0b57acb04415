import { request } from 'node:http';
import { PlatformProcess } from './support/platform-process';
import { newJwtSecret, signHs256 } from './support/tokens';

const secret = newJwtSecret();

/** Starts a POST whose body is sent in two halves, so the request is in flight until `finish()`. */
function startSlowRequest(url: string, token: string, body: string) {
  const half = Math.floor(body.length / 2);
  const req = request(`${url}/integrations/providers`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
  });
  req.write(body.slice(0, half));
  return { response, finish: () => req.end(body.slice(half)) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('graceful shutdown', () => {
  it('on SIGTERM stops taking new work, completes the in-flight request, then exits 0', async () => {
    const platform = await PlatformProcess.start({ APP_ROLE: 'VendorApiClientRegistryService', AUTH_JWT_SECRET: secret });
    const token = await signHs256(secret, { tenantId: 'tenant-a', scope: 'integration.providers.write' });
    const slow = startSlowRequest(platform.url, token, JSON.stringify({ id: 'late-provider', displayName: 'Registered during shutdown', category: 'generic', authModel: 'none' }));
    await platform.waitForLog(() => false, 300).catch(() => undefined);

    platform.child.kill('SIGTERM');
    await platform.waitForLog((line) => line.msg.startsWith('Shutting down'));
    const inFlight = platform.logs().find((line) => line.msg.startsWith('Shutting down'))!.inFlight as { http: number };
    expect(inFlight.http).toBe(1);

    await sleep(300);
    expect(platform.child.exitCode).toBeNull();
    await expect(fetch(`${platform.url}/health/live`)).rejects.toThrow();

    slow.finish();
    const answer = await slow.response;
    expect(answer.status).toBe(201);
    expect(JSON.parse(answer.body)).toMatchObject({ id: 'late-provider' });

    const { code } = await platform.exited;
    expect(code).toBe(0);
    expect(platform.logs().find((line) => line.msg === 'Shutdown complete')).toMatchObject({ drained: true });
  });

  it('fails readiness while draining during the shutdown delay', async () => {
    const platform = await PlatformProcess.start({ AUTH_JWT_SECRET: secret, SHUTDOWN_DELAY: '1500ms' });
    expect((await fetch(`${platform.url}/health/ready`)).status).toBe(200);
    platform.child.kill('SIGTERM');
    await platform.waitForLog((line) => line.msg.startsWith('Shutting down'));
    const ready = await fetch(`${platform.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'error', error: { lifecycle: { status: 'down', message: 'draining for shutdown' } } });
    expect((await platform.exited).code).toBe(0);
  });

  it('abandons work still in flight when the grace period ends and exits 1', async () => {
    const platform = await PlatformProcess.start({ APP_ROLE: 'VendorApiClientRegistryService', AUTH_JWT_SECRET: secret, SHUTDOWN_GRACE_PERIOD: '500ms' });
    const token = await signHs256(secret, { tenantId: 'tenant-a', scope: 'integration.providers.write' });
    const stuck = startSlowRequest(platform.url, token, JSON.stringify({ id: 'never-finished', displayName: 'x', category: 'generic', authModel: 'none' }));
    stuck.response.catch(() => undefined);
    await sleep(200);
    const started = Date.now();
    platform.child.kill('SIGTERM');
    const { code } = await platform.exited;
    expect(code).toBe(1);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(platform.logs().some((line) => line.msg.startsWith('Grace period over'))).toBe(true);
  });
});
