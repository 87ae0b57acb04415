import { promises as dns } from 'node:dns';
import { watchConnectAttempts } from './support/connect-attempts';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, IncomingMessage, RequestListener, Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { AddressInfo, Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { loadOptions } from '../src/platform/config/options';
import { EgressOptions } from '../src/platform/egress/egress.options';
import { EgressClient } from '../src/platform/egress/egress-client';
import { EgressPolicy, EgressRefusedError, InvalidEgressUrlError } from '../src/platform/egress/egress-policy';
import { IntegrationError } from '../src/platform/resilience/failure-classifier';
import { ensureTestCa } from './support/key-vault-peer/test-ca';

interface SeenRequest {
  readonly url: string;
  readonly host: string | undefined;
  readonly localAddress: string | undefined;
}

interface TestServer {
  readonly port: number;
  readonly requests: SeenRequest[];
  readonly connections: number;
  /** Connections the client closed (FIN or reset seen), counted once each. */
  readonly closedByClient: number;
  close(): Promise<void>;
}

const servers: Array<{ close(): Promise<void> }> = [];
const clients: EgressClient[] = [];

afterEach(async () => {
  jest.restoreAllMocks();
  await Promise.all(clients.splice(0).map((client) => client.onModuleDestroy()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function listen(server: Server, host: string): Promise<TestServer> {
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  let closedByClient = 0;
  server.on('request', (req: IncomingMessage) => requests.push({ url: req.url ?? '', host: req.headers.host, localAddress: req.socket.localAddress }));
  server.on('connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    let counted = false;
    const countClose = () => {
      if (!counted) closedByClient++;
      counted = true;
    };
    // The server keeps a half-closed socket open until its own response is written; the client's FIN is the signal.
    socket.on('end', countClose).on('error', countClose);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, host);
  await once(server, 'listening');
  const handle: TestServer = {
    port: (server.address() as AddressInfo).port,
    requests,
    get connections() {
      return connections;
    },
    get closedByClient() {
      return closedByClient;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
  servers.push(handle);
  return handle;
}

const startServer = (handler: RequestListener, host = '127.0.0.1') => listen(createServer(handler), host);

const ok: RequestListener = (_req, res) => res.end('ok');

/** Accepts whatever `localhost` resolves to here (127.0.0.1 and, where IPv6 is up, ::1). */
async function startLocalhostServer(handler: RequestListener): Promise<TestServer> {
  try {
    return await startServer(handler, '::');
  } catch {
    return startServer(handler, '127.0.0.1');
  }
}

function egress(env: Record<string, string> = {}): { client: EgressClient; policy: EgressPolicy } {
  const options = loadOptions(EgressOptions, env);
  const policy = new EgressPolicy(options);
  const client = new EgressClient(options, policy);
  clients.push(client);
  return { client, policy };
}

async function failureOf(promise: Promise<unknown>): Promise<IntegrationError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(IntegrationError);
  return error as IntegrationError;
}

type LookupResult = Array<{ address: string; family: number }>;

/** Answers lookups from a table instead of the system resolver; unknown names fail like NXDOMAIN. */
function fakeDns(table: Record<string, LookupResult | NodeJS.ErrnoException>): jest.SpyInstance {
  const lookup = (async (hostname: string) => {
    const answer = table[hostname];
    if (answer === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname });
    if (answer instanceof Error) throw answer;
    return answer;
  }) as unknown as typeof dns.lookup;
  return jest.spyOn(dns, 'lookup').mockImplementation(lookup);
}

describe('EgressClient destination policy', () => {
  it('refuses 127.0.0.1 when it is not allow-listed, without connecting', async () => {
    const server = await startServer(ok);
    const { client } = egress();

    const error = await failureOf(client.request({ url: `http://127.0.0.1:${server.port}/hooks/1?token=s3cret`, method: 'POST', body: '{}' }));

    expect(error).toBeInstanceOf(EgressRefusedError);
    expect(error).toMatchObject({ category: 'Validation', code: 'egress_refused', retryable: false, addressClass: 'loopback' });
    expect(error.message).toBe('Egress to 127.0.0.1 refused: it is a loopback address, which is not on EGRESS_ALLOW_LIST');
    expect(server.connections).toBe(0);
  });

  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['127.0.0.0/8', '127.0.0.1'],
    ['127.0.0.0/8', 'localhost'],
    ['localhost', 'localhost'],
  ])('allows a loopback destination when %s is allow-listed (host %s)', async (entry, host) => {
    const server = host === 'localhost' ? await startLocalhostServer(ok) : await startServer(ok);
    const { client } = egress({ EGRESS_ALLOW_LIST: `${entry},::1` });

    const response = await client.request({ url: `http://${host}:${server.port}/ping?a=1`, method: 'GET' });

    expect(response.status).toBe(200);
    expect(response.body.toString()).toBe('ok');
    expect(response.latencyMs).toBeGreaterThan(0);
    expect(server.requests).toEqual([expect.objectContaining({ url: '/ping?a=1', host: `${host}:${server.port}` })]);
  });

  it('refuses localhost, a name that resolves to loopback, unless allow-listed', async () => {
    const server = await startLocalhostServer(ok);
    const { client } = egress({ EGRESS_ALLOW_LIST: 'api.localhost,10.0.0.0/8' });

    const error = await failureOf(client.request({ url: `http://localhost:${server.port}/`, method: 'GET' }));

    expect(error).toBeInstanceOf(EgressRefusedError);
    expect(error.message).toBe('Egress to localhost refused: it resolves to a loopback address, which is not on EGRESS_ALLOW_LIST');
    expect(server.connections).toBe(0);
    await expect(client.assertDestinationAllowed(`http://localhost:${server.port}/`)).rejects.toThrow(EgressRefusedError);
  });

  it.each([
    ['http://10.0.0.1/hook?token=s3cret', 'private'],
    ['http://169.254.169.254/latest/meta-data/', 'metadata'],
    ['https://[fd00:ec2::254]/latest/meta-data/', 'metadata'],
    ['http://[::1]/', 'loopback'],
    ['http://[::ffff:127.0.0.1]/', 'loopback'],
    ['http://[::ffff:7f00:1]:8080/', 'loopback'],
    ['http://0x7f000001/', 'loopback'],
    ['http://0.0.0.0:8080/', 'unspecified'],
    ['http://100.64.1.1/', 'shared'],
    ['http://[fe80::1]/', 'link-local'],
  ])('refuses %s (%s) without any lookup or connection attempt', async (url, addressClass) => {
    const lookup = jest.spyOn(dns, 'lookup');
    const attempts = watchConnectAttempts();
    const { client } = egress({ EGRESS_ALLOW_LIST: 'localhost' });
    try {
      const error = await failureOf(client.request({ url, method: 'GET' }));
      expect(error).toBeInstanceOf(EgressRefusedError);
      expect(error).toMatchObject({ code: 'egress_refused', addressClass });
      expect(error.message).not.toContain('s3cret');
      await expect(client.assertDestinationAllowed(url)).rejects.toThrow(EgressRefusedError);
      expect(lookup).not.toHaveBeenCalled();
      expect(attempts.count).toBe(0);
    } finally {
      attempts.stop();
    }
  });

  it('refuses a name that resolves to one public and one private address', async () => {
    fakeDns({
      'mixed.example': [
        { address: '93.184.215.14', family: 4 },
        { address: '10.1.2.3', family: 4 },
      ],
    });
    const { client } = egress();

    const error = await failureOf(client.request({ url: 'https://mixed.example/api?key=s3cret', method: 'GET' }));

    expect(error).toBeInstanceOf(EgressRefusedError);
    expect(error.message).toBe('Egress to mixed.example refused: it resolves to a private address, which is not on EGRESS_ALLOW_LIST');
    await expect(client.assertDestinationAllowed('https://mixed.example/')).rejects.toThrow(EgressRefusedError);
  });

  it('accepts a public destination at create time, and an allow-listed CIDR covering every private answer', async () => {
    fakeDns({
      'api.example': [
        { address: '93.184.215.14', family: 4 },
        { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
      ],
      'internal.example': [
        { address: '10.1.2.3', family: 4 },
        { address: '10.9.9.9', family: 4 },
      ],
      'half.example': [
        { address: '10.1.2.3', family: 4 },
        { address: '192.168.0.1', family: 4 },
      ],
    });
    const { client, policy } = egress({ EGRESS_ALLOW_LIST: '10.0.0.0/8' });

    await expect(client.assertDestinationAllowed('https://api.example/v1')).resolves.toBeUndefined();
    await expect(policy.resolve('internal.example')).resolves.toEqual({ address: '10.1.2.3', family: 4 });
    await expect(policy.resolve('half.example')).rejects.toThrow(/resolves to a private address/);
  });

  it('connects to the address that passed the check, looked up once, with the original Host header', async () => {
    // 127.0.0.2 is loopback on Linux but nothing the system resolver would answer for this name.
    const server = await startServer(ok, '127.0.0.2');
    const lookup = fakeDns({ 'rebind.test': [{ address: '127.0.0.2', family: 4 }] });
    const { client } = egress({ EGRESS_ALLOW_LIST: '127.0.0.2' });

    const first = await client.request({ url: `http://rebind.test:${server.port}/a`, method: 'GET' });
    // The name now answers with a refused address: the open, checked connection is reused, never re-resolved.
    lookup.mockImplementation((async () => [{ address: '10.0.0.1', family: 4 }]) as unknown as typeof dns.lookup);
    await connectionIdle();
    const second = await client.request({ url: `http://rebind.test:${server.port}/b`, method: 'GET' });

    expect([first.status, second.status]).toEqual([200, 200]);
    expect(lookup).toHaveBeenCalledTimes(1);
    expect(lookup).toHaveBeenCalledWith('rebind.test', { all: true });
    expect(server.connections).toBe(1);
    expect(server.requests).toEqual([
      { url: '/a', host: `rebind.test:${server.port}`, localAddress: '127.0.0.2' },
      { url: '/b', host: `rebind.test:${server.port}`, localAddress: '127.0.0.2' },
    ]);
  });

  it('checks a new connection against the current answer', async () => {
    const server = await startServer(ok, '127.0.0.2');
    fakeDns({ 'rebind.test': [{ address: '10.0.0.1', family: 4 }] });
    const { client } = egress({ EGRESS_ALLOW_LIST: '127.0.0.2' });

    const error = await failureOf(client.request({ url: `http://rebind.test:${server.port}/`, method: 'GET' }));

    expect(error).toBeInstanceOf(EgressRefusedError);
    expect(error.message).toContain('resolves to a private address');
    expect(server.connections).toBe(0);
  });
});

describe('EgressClient over TLS', () => {
  it('connects to the checked address while SNI and the certificate check use the host name', async () => {
    const { serverKeyPath, serverCertPath } = ensureTestCa();
    const serverNames: string[] = [];
    const https = createHttpsServer(
      {
        key: readFileSync(serverKeyPath),
        cert: readFileSync(serverCertPath),
        SNICallback: (servername, callback) => {
          serverNames.push(servername);
          callback(null);
        },
      },
      ok,
    );
    const server = await listen(https as unknown as Server, '127.0.0.1');
    fakeDns({ localhost: [{ address: '127.0.0.1', family: 4 }] });
    const { client } = egress({ EGRESS_ALLOW_LIST: 'localhost,127.0.0.1' });
    // The test CA is trusted only when NODE_EXTRA_CA_CERTS named it at process start (npm test does).
    const caTrusted = await isTestCaTrusted(server.port);

    const named = client.request({ url: `https://localhost:${server.port}/secure`, method: 'GET' });
    if (caTrusted) {
      expect((await named).status).toBe(200);
      expect(server.requests[0]).toMatchObject({ host: `localhost:${server.port}`, localAddress: '127.0.0.1' });
    } else {
      expect(await failureOf(named)).toMatchObject({ category: 'Validation', code: 'tls_error' });
    }
    expect(serverNames).toEqual(['localhost']);

    // An IP literal is no server name: no SNI, and the certificate is checked against the address.
    const literal = client.request({ url: `https://127.0.0.1:${server.port}/secure`, method: 'GET' });
    if (caTrusted) expect((await literal).status).toBe(200);
    else expect(await failureOf(literal)).toMatchObject({ code: 'tls_error' });
    expect(serverNames).toEqual(['localhost']);
  });
});

/** Whether this process trusts the test CA: a probe without SNI, checked against the certificate's IP:127.0.0.1. */
async function isTestCaTrusted(port: number): Promise<boolean> {
  const socket = connectTls({ host: '127.0.0.1', port, rejectUnauthorized: false });
  await once(socket, 'secureConnect');
  socket.destroy();
  return socket.authorized;
}

describe('EgressClient responses and transport failures', () => {
  it('returns a redirect as is and never requests its target', async () => {
    const target = await startServer(ok);
    const redirecting = await startServer((_req, res) => {
      res.writeHead(302, { location: `http://127.0.0.1:${target.port}/elsewhere` }).end();
    });
    const { client } = egress({ EGRESS_ALLOW_LIST: '127.0.0.1' });

    const response = await client.request({ url: `http://127.0.0.1:${redirecting.port}/start`, method: 'GET' });

    expect(response.status).toBe(302);
    expect(response.headers.location).toBe(`http://127.0.0.1:${target.port}/elsewhere`);
    expect(target.connections).toBe(0);
  });

  it('times out a slow server after timeoutMs as Transient `timeout`', async () => {
    const server = await startServer(() => undefined);
    const { client } = egress({ EGRESS_ALLOW_LIST: '127.0.0.1' });

    const started = Date.now();
    const error = await failureOf(client.request({ url: `http://127.0.0.1:${server.port}/slow?token=s3cret`, method: 'GET', timeoutMs: 200 }));

    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error).toMatchObject({ category: 'Transient', code: 'timeout', retryable: true });
    expect(error.message).toBe(`Egress to 127.0.0.1:${server.port}/slow timed out after 200ms`);
  });

  it('times out a body that trickles in, and falls back to EGRESS_REQUEST_TIMEOUT', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial');
    });
    const { client } = egress({ EGRESS_ALLOW_LIST: '127.0.0.1', EGRESS_REQUEST_TIMEOUT: '300ms' });

    const error = await failureOf(client.request({ url: `http://127.0.0.1:${server.port}/`, method: 'GET' }));

    expect(error).toMatchObject({ category: 'Transient', code: 'timeout' });
    expect(error.message).toContain('timed out after 300ms');
  });

  it("honours the caller's AbortSignal", async () => {
    const server = await startServer(() => undefined);
    const { client } = egress({ EGRESS_ALLOW_LIST: '127.0.0.1' });
    const controller = new AbortController();

    const pending = client.request({ url: `http://127.0.0.1:${server.port}/`, method: 'GET', signal: controller.signal, timeoutMs: 10_000 });
    setTimeout(() => controller.abort(), 50);

    expect(await failureOf(pending)).toMatchObject({ category: 'Transient', code: 'aborted' });
    expect(await failureOf(client.request({ url: `http://127.0.0.1:${server.port}/`, method: 'GET', signal: AbortSignal.abort() }))).toMatchObject({
      code: 'aborted',
    });
  });

  it.each([
    ['with a Content-Length', true],
    ['chunked', false],
  ])('fails a body over the cap (%s) as `response_too_large` and destroys the connection', async (_label, declared) => {
    const payload = Buffer.alloc(64 * 1024, 'x');
    const server = await startServer((_req, res) => {
      res.writeHead(200, declared ? { 'content-length': payload.length } : {});
      res.write(payload.subarray(0, 16 * 1024));
      setTimeout(() => res.end(payload.subarray(16 * 1024)), 20);
    });
    const { client } = egress({ EGRESS_ALLOW_LIST: '127.0.0.1', EGRESS_MAX_RESPONSE_BYTES: '1MiB' });

    const error = await failureOf(client.request({ url: `http://127.0.0.1:${server.port}/big`, method: 'GET', maxResponseBytes: 1024 }));

    expect(error).toMatchObject({ category: 'Validation', code: 'response_too_large' });
    // Drained, it would have stayed open for keep-alive.
    await waitFor(() => server.closedByClient >= 1);
    const within = await client.request({ url: `http://127.0.0.1:${server.port}/big`, method: 'GET' });
    expect(within.body.length).toBe(payload.length);
  });

  it('applies EGRESS_MAX_RESPONSE_BYTES when the caller sets no cap', async () => {
    const server = await startServer((_req, res) => res.end(Buffer.alloc(2048)));
    const { client } = egress({ EGRESS_ALLOW_LIST: '127.0.0.1', EGRESS_MAX_RESPONSE_BYTES: '1KiB' });

    expect(await failureOf(client.request({ url: `http://127.0.0.1:${server.port}/`, method: 'GET' }))).toMatchObject({ code: 'response_too_large' });
  });

  it.each([
    ['ftp://files.example.com/report.csv', 'only http and https URLs are allowed'],
    ['file:///etc/passwd', 'only http and https URLs are allowed'],
    ['http://user:pass@api.example.com/', 'user-info (user:password@) is not allowed'],
    ['https://token@api.example.com/', 'user-info (user:password@) is not allowed'],
    ['not a url', 'not an absolute URL'],
  ])('refuses %s as invalid_url', async (url, reason) => {
    const lookup = jest.spyOn(dns, 'lookup');
    const { client } = egress();

    const error = await failureOf(client.request({ url, method: 'GET' }));

    expect(error).toBeInstanceOf(InvalidEgressUrlError);
    expect(error).toMatchObject({ category: 'Validation', code: 'invalid_url' });
    expect(error.message).toContain(reason);
    expect(error.message).not.toMatch(/user:pass@|token@|\/etc/);
    await expect(client.assertDestinationAllowed(url)).rejects.toThrow(InvalidEgressUrlError);
    expect(lookup).not.toHaveBeenCalled();
  });

  it('classifies a refused connection as Transient `connection_refused`', async () => {
    const server = await startServer(ok);
    const { port } = server;
    await server.close();
    servers.pop();
    const { client } = egress({ EGRESS_ALLOW_LIST: '127.0.0.1' });

    const error = await failureOf(client.request({ url: `http://127.0.0.1:${port}/x?token=s3cret`, method: 'GET' }));

    expect(error).toMatchObject({ category: 'Transient', code: 'connection_refused', retryable: true });
    expect(error.message).toBe(`Egress to 127.0.0.1:${port}/x failed: connection refused`);
  });

  it('classifies a connection reset as Transient `connection_reset`', async () => {
    const server = await startServer((req) => req.socket.resetAndDestroy());
    const { client } = egress({ EGRESS_ALLOW_LIST: '127.0.0.1' });

    const error = await failureOf(client.request({ url: `http://127.0.0.1:${server.port}/`, method: 'GET' }));

    expect(error).toMatchObject({ category: 'Transient', retryable: true });
    expect(['connection_reset', 'socket_error']).toContain(error.code);
  });

  it('classifies DNS failures: NXDOMAIN as Validation `dns_not_found`, a resolver outage as Transient', async () => {
    fakeDns({
      'down.example': Object.assign(new Error('getaddrinfo EAI_AGAIN down.example'), { code: 'EAI_AGAIN' }),
      'broken.example': Object.assign(new Error('getaddrinfo EAI_FAIL broken.example'), { code: 'EAI_FAIL' }),
    });
    const { client } = egress();

    expect(await failureOf(client.request({ url: 'https://missing.example/x?key=s3cret', method: 'GET' }))).toMatchObject({
      category: 'Validation',
      code: 'dns_not_found',
      message: 'Egress to missing.example failed: the name does not resolve',
    });
    expect(await failureOf(client.request({ url: 'https://down.example/', method: 'GET' }))).toMatchObject({ category: 'Transient', code: 'dns_unavailable' });
    expect(await failureOf(client.assertDestinationAllowed('https://broken.example/'))).toMatchObject({ category: 'Transient', code: 'dns_failure' });
  });
});

/** undici returns a keep-alive connection to its pool on the next turn of the event loop. */
const connectionIdle = () => new Promise((resolve) => setImmediate(resolve));

async function waitFor(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
