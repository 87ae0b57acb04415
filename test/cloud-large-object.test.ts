import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { REGISTRY_SCOPES, TenantApi } from './support/governed-api';
import { PlatformProcess } from './support/platform-process';
import { S3RVER_CREDENTIALS, startS3Server } from './support/s3-server';
import { newJwtSecret } from './support/tokens';

/**
 * A 1 GiB object streamed up to S3 and back through a platform running as its own process (as
 * `npm start` runs it), its SHA-256 checked both ways, and the process's peak RSS (the kernel's VmHWM)
 * bounded: the object passes through in parts, it is never held.
 */
const MIB = 1024 * 1024;
const SIZE = 1024 * MIB;
const BUCKET = 'large-objects';

/** Resident memory of a process as the kernel counts it: now, and the peak of its whole life. */
function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

describe('a 1 GiB object through the platform', () => {
  const jwtSecret = newJwtSecret();
  let s3: Awaited<ReturnType<typeof startS3Server>>;
  let platform: PlatformProcess;
  let tenant: TenantApi;
  let connectionId: string;

  beforeAll(async () => {
    s3 = await startS3Server([BUCKET]);
    platform = await PlatformProcess.start({
      APP_ROLE: 'VendorApiClientRegistryService,CloudProviderAdapterService',
      AUTH_JWT_SECRET: jwtSecret,
      EGRESS_ALLOW_LIST: '127.0.0.1',
      HEALTH_PROBE_INTERVAL: '1h',
    });
    tenant = await TenantApi.create(`http://127.0.0.1:${platform.port}`, jwtSecret, 'tenant-large', [], REGISTRY_SCOPES);
    const created = await tenant.post('/integrations/connections', {
      providerId: 'aws',
      displayName: 's3',
      credentialId: await tenant.createCredential('s3', JSON.stringify(S3RVER_CREDENTIALS)),
      configuration: { endpoint: s3.url, region: 'us-east-1', bucket: BUCKET, forcePathStyle: true },
    });
    expect(created.body.status).toBe('Active');
    connectionId = created.body.id;
  }, 60_000);

  afterAll(async () => {
    await platform?.stop();
    await s3?.close();
  });

  it('streams it up and back with its SHA-256 intact, the process growing by a fraction of it', async () => {
    const url = `http://127.0.0.1:${platform.port}/cloud/connections/${connectionId}/objects/huge/1gib.bin`;
    const pattern = randomBytes(MIB);
    const sent = createHash('sha256');
    let left = SIZE;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (left === 0) return controller.close();
        left -= pattern.length;
        sent.update(pattern);
        controller.enqueue(pattern);
      },
    });
    const before = memoryOf(platform.child.pid!);

    const stored = await fetch(url, {
      method: 'PUT',
      headers: { authorization: `Bearer ${tenant.token}`, 'content-type': 'application/octet-stream' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(stored.status).toBe(201);
    const digest = sent.digest('hex');
    expect(((await stored.json()) as { sha256: string }).sha256).toBe(digest);

    const download = await fetch(url, { headers: { authorization: `Bearer ${tenant.token}` } });
    expect(download.headers.get('content-length')).toBe(String(SIZE));
    const received = createHash('sha256');
    let bytes = 0;
    for await (const chunk of download.body as unknown as AsyncIterable<Uint8Array>) {
      received.update(chunk);
      bytes += chunk.length;
    }
    expect(bytes).toBe(SIZE);
    expect(received.digest('hex')).toBe(digest);

    // Parts of 8 MiB, 4 in flight, and the bytes on their way through the sockets: far below the object.
    const after = memoryOf(platform.child.pid!);
    expect(after.peakMb - before.rssMb).toBeLessThan(200);
  }, 180_000);
});
