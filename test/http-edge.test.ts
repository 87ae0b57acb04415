import { createHmac } from 'node:crypto';
import { Agent, request } from 'node:http';
import { connect, Socket } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { sign as signGithub } from '@octokit/webhooks-methods';
import Stripe from 'stripe';
import { DataSource } from 'typeorm';
import { InboundPayloadStore } from '../src/modules/webhook-gateway/ingest/inbound-payload-store';
import { WebhookDelivery } from '../src/platform/webhooks/entities/webhook-delivery.entity';
import { ProcessLifecycle } from '../src/platform/lifecycle/process-lifecycle';
import { signStandardWebhook, generateWebhookSecret } from '../src/platform/webhooks/standard-webhooks';
import { REGISTRY_SCOPES, TenantApi, waitFor, WEBHOOK_SCOPES } from './support/governed-api';
import { InProcessPlatform, startInProcess } from './support/platform-app';
import { PlatformProcess } from './support/platform-process';
import { newJwtSecret, signHs256 } from './support/tokens';
import { startVendorPeer, VendorPeer } from './support/vendor-peer';

const JSON_LIMIT = 2048;
const INGEST_LIMIT = 4096;
const GITHUB_SECRET = 'gh-edge-secret-51c2';

/** Sends raw bytes on a fresh socket and collects everything the server writes until it closes the socket. */
function rawExchange(port: number, bytes: string | Buffer, { endAfterWrite = false } = {}): Promise<{ text: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(bytes);
      if (endAfterWrite) socket.end();
    });
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => resolve({ text, closedAfterMs: Date.now() - started }));
  });
}

function statusLines(text: string): number[] {
  return [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((match) => Number(match[1]));
}

function post(
  url: string,
  path: string,
  body: Buffer | string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: 'POST', headers: { 'content-length': String(Buffer.byteLength(body)), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A JSON provider registration padded with whitespace to exactly `size` bytes. */
function providerBodyOfSize(id: string, size: number): string {
  const body = JSON.stringify({ id, displayName: 'Sized', category: 'generic', authModel: 'none' });
  return body.slice(0, -1) + ' '.repeat(size - body.length) + '}';
}

describe('the HTTP edge (Fastify): bodies, encodings, limits, hostile clients', () => {
  const jwtSecret = newJwtSecret();
  let platform: InProcessPlatform;
  let peer: VendorPeer;
  let api: TenantApi;
  let token: string;
  let port: number;
  let github: string;

  const connectionFor = async (providerId: string, secret: string, name: string, webhookSettings: Record<string, unknown> = {}): Promise<string> => {
    const credential = await api.post('/integrations/credentials', { name, kind: 'webhook-secret', value: secret });
    expect(credential.status).toBe(201);
    const connection = await api.post('/integrations/connections', {
      providerId,
      displayName: name,
      webhook: { secretCredentialId: credential.body.id, ...webhookSettings },
    });
    expect(connection.status).toBe(201);
    return connection.body.id;
  };

  const githubHeaders = async (body: Buffer | string, deliveryId: string) => ({
    'content-type': 'application/json',
    'x-github-event': 'push',
    'x-github-delivery': deliveryId,
    'x-hub-signature-256': await signGithub(GITHUB_SECRET, Buffer.isBuffer(body) ? body.toString('utf8') : body),
  });

  /** The bytes the platform kept for an accepted inbound delivery. */
  const storedBody = async (deliveryId: string): Promise<Buffer> => {
    const delivery = await platform.app.get(DataSource).getRepository(WebhookDelivery).findOneByOrFail({ id: deliveryId });
    return (await platform.app.get(InboundPayloadStore).read(delivery))!.body;
  };

  const storedHeaders = async (deliveryId: string): Promise<Record<string, unknown>> => {
    const delivery = await platform.app.get(DataSource).getRepository(WebhookDelivery).findOneByOrFail({ id: deliveryId });
    return (await platform.app.get(InboundPayloadStore).read(delivery))!.headers;
  };

  const httpWork = () => platform.app.get(ProcessLifecycle).activeWork().http;

  beforeAll(async () => {
    peer = await startVendorPeer({ auth: { anonymous: true } });
    platform = await startInProcess({
      AUTH_JWT_SECRET: jwtSecret,
      EGRESS_ALLOW_LIST: '127.0.0.1',
      HTTP_BODY_LIMIT: String(JSON_LIMIT),
      WEBHOOK_MAX_BODY_BYTES: String(INGEST_LIMIT),
      PUBLIC_BASE_URL: 'https://hooks.example.test',
      APP_ROLE: 'VendorApiClientRegistryService,WebhookGatewayService',
    });
    port = Number(new URL(platform.url).port);
    api = await TenantApi.create(platform.url, jwtSecret, 'tenant-edge', [], `${REGISTRY_SCOPES} ${WEBHOOK_SCOPES}`);
    token = await signHs256(jwtSecret, { tenantId: 'tenant-edge', scope: `${REGISTRY_SCOPES} ${WEBHOOK_SCOPES}`, expiresIn: 3600 });
    github = await connectionFor('github', GITHUB_SECRET, 'edge-github');
  });

  afterAll(async () => {
    await platform?.close();
    await peer?.close();
  });

  describe('body limits', () => {
    it('accepts a JSON body of exactly the limit and answers 413 at limit + 1 byte', async () => {
      const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      expect((await post(platform.url, '/integrations/providers', providerBodyOfSize('sized-exact', JSON_LIMIT), auth)).status).toBe(201);
      const over = await post(platform.url, '/integrations/providers', providerBodyOfSize('sized-over', JSON_LIMIT + 1), auth);
      expect(over.status).toBe(413);
      expect(JSON.parse(over.body)).toEqual({ statusCode: 413, error: 'Payload Too Large', message: `The request body exceeds the limit of ${JSON_LIMIT} bytes` });
      expect((await api.get('/integrations/providers/sized-over')).status).toBe(404);
    });

    it('applies the ingest route its own limit: exactly the limit is verified and accepted, limit + 1 byte is a 413', async () => {
      const sized = (size: number) => {
        const body = JSON.stringify({ ref: 'refs/heads/main', padding: '' });
        return body.slice(0, -2) + 'x'.repeat(size - body.length) + '"}';
      };
      const exact = sized(INGEST_LIMIT);
      expect(Buffer.byteLength(exact)).toBe(INGEST_LIMIT);
      expect((await post(platform.url, `/webhooks/ingest/${github}`, exact, await githubHeaders(exact, 'edge-exact'))).status).toBe(202);
      const over = sized(INGEST_LIMIT + 1);
      expect((await post(platform.url, `/webhooks/ingest/${github}`, over, await githubHeaders(over, 'edge-over'))).status).toBe(413);
    });

    it('refuses a declared Content-Length above the limit before reading the body', async () => {
      const head = `POST /integrations/providers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n`;
      const { text } = await rawExchange(port, head);
      expect(statusLines(text)).toEqual([413]);
    });
  });

  describe('Content-Encoding', () => {
    const provider = (id: string) => Buffer.from(JSON.stringify({ id, displayName: 'Compressed', category: 'generic', authModel: 'none' }));
    const headers = (encoding: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-encoding': encoding });

    it.each([
      ['gzip', gzipSync],
      ['deflate', deflateSync],
      ['br', brotliCompressSync],
    ])('decodes a %s body', async (encoding, compress) => {
      const answer = await post(platform.url, '/integrations/providers', compress(provider(`enc-${encoding}`)), headers(encoding));
      expect(answer.status).toBe(201);
      expect(JSON.parse(answer.body)).toMatchObject({ id: `enc-${encoding}` });
    });

    it.each(['gzip', 'deflate', 'br'])('answers 400 when the body is not %s data, on authenticated and public routes alike', async (encoding) => {
      const api = await post(platform.url, '/integrations/providers', provider('enc-bad'), headers(encoding));
      expect(api.status).toBe(400);
      expect(JSON.parse(api.body)).toMatchObject({ statusCode: 400, message: `The request body does not decode as ${encoding}` });
      const unauthenticated = await post(platform.url, '/integrations/providers', Buffer.from('not compressed'), {
        'content-type': 'application/json',
        'content-encoding': encoding,
      });
      expect(unauthenticated.status).toBe(400);
      const ingest = await post(platform.url, `/webhooks/ingest/${github}`, Buffer.from('{}'), { 'content-type': 'application/json', 'content-encoding': encoding });
      expect(ingest.status).toBe(400);
    });

    it('answers 415 for an encoding it does not decode, naming the accepted ones', async () => {
      const answer = await post(platform.url, '/integrations/providers', provider('enc-compress'), headers('compress'));
      expect(answer.status).toBe(415);
      expect(JSON.parse(answer.body).message).toBe('Content-Encoding "compress" is not supported; send identity, gzip, deflate or br');
    });

    it('answers 413 for a zip bomb: the limit applies to the decoded size', async () => {
      const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20));
      expect(bomb.length).toBeLessThan(JSON_LIMIT * 40);
      const answer = await post(platform.url, '/integrations/providers', bomb, headers('gzip'));
      expect(answer.status).toBe(413);
      expect(platform.app.get(ProcessLifecycle).activeWork().http).toBeLessThanOrEqual(1);
    });

    it('verifies a compressed webhook over its decoded bytes', async () => {
      const body = JSON.stringify({ ref: 'refs/heads/gzip' });
      const answer = await post(platform.url, `/webhooks/ingest/${github}`, gzipSync(body), { ...(await githubHeaders(body, 'edge-gzip')), 'content-encoding': 'gzip' });
      expect(answer.status).toBe(202);
      expect((await storedBody(JSON.parse(answer.body).deliveryId)).toString('utf8')).toBe(body);
    });
  });

  describe('content types and JSON', () => {
    it('answers 415 for a body that is not JSON on a JSON route', async () => {
      const answer = await post(platform.url, '/integrations/providers', 'id=x', { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' });
      expect(answer.status).toBe(415);
      expect(JSON.parse(answer.body)).toMatchObject({ statusCode: 415, error: 'Unsupported Media Type' });
    });

    it('answers 400 for malformed JSON and for bytes that are not UTF-8, without quoting the body back', async () => {
      const malformed = await post(platform.url, '/integrations/credentials', '{"name":"leak","value":"s3cr3t-value', {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
      });
      expect(malformed.status).toBe(400);
      expect(malformed.body).not.toContain('s3cr3t');
      const latin1 = await post(platform.url, '/integrations/providers', Buffer.from('{"id":"caf\xe9"}', 'latin1'), {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
      });
      expect(latin1.status).toBe(400);
      expect(JSON.parse(latin1.body).message).toBe('The request body is not valid UTF-8');
    });

    it.each([
      ['1,400 nested arrays', '['.repeat(1400) + ']'.repeat(1400)],
      ['2,400 nested objects', '{"a":'.repeat(2400) + '1' + '}'.repeat(2400)],
    ])('answers 400 for %s on an authenticated JSON route', async (_name, nested) => {
      for (const path of ['/integrations/providers', '/webhooks/subscriptions', '/webhooks/events', '/integrations/credentials']) {
        const answer = await post(platform.url, path, `{"data":${nested}}`.slice(0, JSON_LIMIT * 2), { authorization: `Bearer ${token}`, 'content-type': 'application/json' });
        expect([400, 413]).toContain(answer.status);
      }
      const small = await post(platform.url, '/webhooks/events', `{"type":"x","data":${'['.repeat(200)}${']'.repeat(200)}}`, {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
      });
      expect(small.status).toBe(400);
      expect(JSON.parse(small.body).message).toBe('The JSON body is nested deeper than 128 levels');
    });

    it('answers 400 for a validly signed ingest body nested 100,000 deep, so the vendor stops retrying', async () => {
      const roomy = await startInProcess({
        AUTH_JWT_SECRET: jwtSecret,
        EGRESS_ALLOW_LIST: '127.0.0.1',
        WEBHOOK_MAX_BODY_BYTES: '1MiB',
        APP_ROLE: 'VendorApiClientRegistryService,WebhookGatewayService',
      });
      try {
        const roomyApi = await TenantApi.create(roomy.url, jwtSecret, 'tenant-edge', [], `${REGISTRY_SCOPES} ${WEBHOOK_SCOPES}`);
        const credential = await roomyApi.post('/integrations/credentials', { name: 'deep-github', kind: 'webhook-secret', value: GITHUB_SECRET });
        const connection = await roomyApi.post('/integrations/connections', {
          providerId: 'github',
          displayName: 'deep',
          webhook: { secretCredentialId: credential.body.id },
        });
        const deep = '['.repeat(100_000) + ']'.repeat(100_000);
        const answer = await post(roomy.url, `/webhooks/ingest/${connection.body.id}`, deep, await githubHeaders(deep, 'edge-deep'));
        expect(answer.status).toBe(400);
        expect(JSON.parse(answer.body).message).toBe('The body is nested deeper than 512 levels');
        expect((await fetch(`${roomy.url}/health/ready`)).status).toBe(200);
      } finally {
        await roomy.close();
      }
    });
  });

  describe('authentication headers', () => {
    it('never reflects token header text into WWW-Authenticate (non-ASCII alg is a 401, not a 500)', async () => {
      const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      for (const alg of ['HS256\u0001', 'é\u00ff', 'RS256\r\nX-Injected: 1', '"quoted"']) {
        const forged = `${encode({ alg, typ: 'JWT' })}.${encode({ tenantId: 'tenant-edge' })}.c2ln`;
        const answer = await post(platform.url, '/integrations/providers', '{}', { authorization: `Bearer ${forged}`, 'content-type': 'application/json' });
        expect(answer.status).toBe(401);
        const challenge = String(answer.headers['www-authenticate']);
        expect(challenge).toMatch(/^Bearer error="invalid_token", error_description="[\x20-\x7e]*"$/);
        expect(challenge).not.toContain(alg);
        expect(answer.headers['x-injected']).toBeUndefined();
      }
    });
  });

  describe('raw bodies reach every verifier byte for byte', () => {
    const oddJson = '{ "b" : 1,\n\t"a":"caf\\u00e9 é 🚀",  "z": [ 1.50, 2e3 ] }\n';

    it('GitHub: unusual whitespace, escapes and key order are kept', async () => {
      const answer = await post(platform.url, `/webhooks/ingest/${github}`, oddJson, await githubHeaders(oddJson, 'edge-raw-gh'));
      expect(answer.status).toBe(202);
      expect((await storedBody(JSON.parse(answer.body).deliveryId)).toString('utf8')).toBe(oddJson);
    });

    it('Standard Webhooks: the signed bytes are the stored bytes', async () => {
      const secret = generateWebhookSecret();
      const connection = await connectionFor('standard-webhooks', secret, 'edge-standard');
      const body = oddJson.replace('"b"', '"type":"edge.raw", "b"');
      const signed = signStandardWebhook('msg_edge_raw', Date.now() / 1000, body, [secret]);
      const answer = await post(platform.url, `/webhooks/ingest/${connection}`, body, { 'content-type': 'application/json', ...(signed as unknown as Record<string, string>) });
      expect(answer.status).toBe(202);
      expect((await storedBody(JSON.parse(answer.body).deliveryId)).toString('utf8')).toBe(body);
    });

    it('Stripe: the signed payload is the stored payload', async () => {
      const secret = 'whsec_edge_stripe_4f1c';
      const connection = await connectionFor('stripe', secret, 'edge-stripe');
      const body = '{"id": "evt_edge_raw",  "type":"invoice.paid", "created": 1700000000, "data": {"object": {"id":"in_1", "memo":"é 🚀"}}}';
      const signature = new Stripe('sk_test_unused').webhooks.generateTestHeaderString({ payload: body, secret });
      const answer = await post(platform.url, `/webhooks/ingest/${connection}`, body, { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': signature });
      expect(answer.status).toBe(202);
      expect((await storedBody(JSON.parse(answer.body).deliveryId)).toString('utf8')).toBe(body);
    });

    it('Azure DevOps: Basic credentials verified, never stored, the body kept as sent', async () => {
      const connection = await connectionFor('azure-devops', 'hook-user:hook-password-77', 'edge-ado');
      const body = '{ "id":"ado-edge-1", "eventType":"git.push",\n "resource": {"refUpdates": [] } }';
      const answer = await post(platform.url, `/webhooks/ingest/${connection}`, body, {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from('hook-user:hook-password-77').toString('base64')}`,
      });
      expect(answer.status).toBe(202);
      const deliveryId = JSON.parse(answer.body).deliveryId;
      expect((await storedBody(deliveryId)).toString('utf8')).toBe(body);
      expect(JSON.stringify(await storedHeaders(deliveryId))).not.toMatch(/authorization|hook-password/i);
    });

    it('generic HMAC: the configured signature header is verified and withheld, the body kept as sent', async () => {
      const connection = await connectionFor('generic-hmac', 'generic-edge-secret', 'edge-generic', {
        verifierOptions: { header: 'x-edge-signature', encoding: 'base64', deliveryIdHeader: 'x-edge-id', eventTypeHeader: 'x-edge-event' },
      });
      const body = '{"z":1,  "a":"é"}';
      const signature = createHmac('sha256', 'generic-edge-secret').update(body).digest('base64');
      const answer = await post(platform.url, `/webhooks/ingest/${connection}`, body, {
        'content-type': 'application/json',
        'x-edge-signature': signature,
        'x-edge-id': 'edge-generic-1',
        'x-edge-event': 'thing',
      });
      expect(answer.status).toBe(202);
      const deliveryId = JSON.parse(answer.body).deliveryId;
      expect((await storedBody(deliveryId)).toString('utf8')).toBe(body);
      expect(await storedHeaders(deliveryId)).toMatchObject({ 'x-edge-id': 'edge-generic-1' });
      expect(JSON.stringify(await storedHeaders(deliveryId))).not.toContain(signature);
    });

    it('Slack: timestamped signature over the exact bytes', async () => {
      const connection = await connectionFor('slack', 'slack-edge-secret', 'edge-slack');
      const body = '{"type":"event_callback", "event_id":"Ev_EDGE", "event":{"type":"message","text":"é  🚀"}}';
      const timestamp = String(Math.floor(Date.now() / 1000));
      const signature = `v0=${createHmac('sha256', 'slack-edge-secret').update(`v0:${timestamp}:${body}`).digest('hex')}`;
      const answer = await post(platform.url, `/webhooks/ingest/${connection}`, body, {
        'content-type': 'application/json',
        'x-slack-request-timestamp': timestamp,
        'x-slack-signature': signature,
      });
      expect(answer.status).toBe(202);
      expect((await storedBody(JSON.parse(answer.body).deliveryId)).toString('utf8')).toBe(body);
    });

    it('Twilio: a form-encoded status callback is verified over the public URL and its fields, and kept as sent', async () => {
      const authToken = 'twilio-edge-auth-token';
      const connection = await connectionFor('twilio', authToken, 'edge-twilio');
      const fields: Array<[string, string]> = [
        ['MessageSid', 'SM_EDGE_1'],
        ['MessageStatus', 'delivered'],
        ['To', '+15551234567'],
        ['Body', 'caf\u00e9 & more=yes'],
      ];
      const body = fields.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value).replace(/%20/g, '+')}`).join('&');
      const url = `https://hooks.example.test/webhooks/ingest/${connection}`;
      const signed = [...fields].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).reduce((text, [key, value]) => text + key + value, url);
      const signature = createHmac('sha1', authToken).update(signed).digest('base64');
      const answer = await post(platform.url, `/webhooks/ingest/${connection}`, body, { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature });
      expect(answer.status).toBe(202);
      expect((await storedBody(JSON.parse(answer.body).deliveryId)).toString('utf8')).toBe(body);
    });
  });

  describe('connections: keep-alive, pipelining, aborts, slow clients', () => {
    it('serves many requests on one keep-alive connection', async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      let sockets = 0;
      const answers: number[] = [];
      for (let i = 0; i < 5; i++) {
        answers.push(
          await new Promise<number>((resolve, reject) => {
            const req = request(`${platform.url}/health/live`, { agent }, (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode ?? 0));
            });
            req.on('socket', (socket: Socket) => {
              if (!(socket as Socket & { counted?: boolean }).counted) {
                (socket as Socket & { counted?: boolean }).counted = true;
                sockets++;
              }
            });
            req.on('error', reject);
            req.end();
          }),
        );
      }
      agent.destroy();
      expect(answers).toEqual([200, 200, 200, 200, 200]);
      expect(sockets).toBe(1);
    });

    it('answers pipelined requests in order', async () => {
      const one = 'GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n';
      const { text } = await rawExchange(port, one.repeat(3) + 'GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      expect(statusLines(text)).toEqual([200, 200, 200, 200]);
    });

    it('releases the in-flight count of pipelined requests whose client hung up', async () => {
      await waitFor(() => httpWork() === 0, 5_000, 'no request in flight before the test');
      const body = JSON.stringify({ id: 'pipelined', displayName: 'P', category: 'generic', authModel: 'none' });
      const one = `POST /integrations/providers HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
      for (let round = 0; round < 5; round++) {
        await new Promise<void>((resolve) => {
          const socket = connect(port, '127.0.0.1', () => {
            socket.write(one.repeat(40), () => {
              socket.destroy();
              resolve();
            });
          });
          socket.on('error', () => resolve());
        });
      }
      await waitFor(() => httpWork() === 0, 5_000, 'every abandoned request released');
      const metrics = await (await fetch(`${platform.url}/metrics`)).text();
      // The scrape itself is the one request in flight.
      expect(metrics).toMatch(/^inflight_work\{[^}]*kind="http"[^}]*\} 1$/m);
    });

    it('survives a request aborted mid-body and releases its in-flight count', async () => {
      await waitFor(() => httpWork() === 0, 5_000, 'no request in flight before the test');
      const head = `POST /integrations/providers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"id":"aborted",`;
      await new Promise<void>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => socket.write(head, () => setTimeout(() => (socket.destroy(), resolve()), 100)));
      });
      await waitFor(() => httpWork() === 0, 5_000, 'the aborted request released');
      expect((await api.get('/integrations/providers/aborted')).status).toBe(404);
      expect((await fetch(`${platform.url}/health/ready`)).status).toBe(200);
    });
  });
});

describe('the HTTP edge: listener timeouts and shutdown', () => {
  const jwtSecret = newJwtSecret();

  it('closes slow-header, slow-body and idle clients within the configured timeouts', async () => {
    const platform = await startInProcess({
      AUTH_JWT_SECRET: jwtSecret,
      APP_ROLE: 'VendorApiClientRegistryService',
      HTTP_HEADERS_TIMEOUT: '1s',
      HTTP_REQUEST_TIMEOUT: '2s',
      HTTP_KEEP_ALIVE_TIMEOUT: '1s',
      HTTP_IDLE_TIMEOUT: '3s',
    });
    try {
      const port = Number(new URL(platform.url).port);
      const trickle = (lead: string, unit: string) =>
        new Promise<{ text: string; closedAfterMs: number }>((resolve) => {
          const started = Date.now();
          let text = '';
          const socket = connect(port, '127.0.0.1', () => socket.write(lead));
          const timer = setInterval(() => socket.writable && socket.write(unit), 200);
          socket.on('data', (chunk) => (text += chunk.toString('latin1')));
          socket.on('error', () => undefined);
          socket.on('close', () => {
            clearInterval(timer);
            resolve({ text, closedAfterMs: Date.now() - started });
          });
        });

      const [slowHeader, slowBody] = await Promise.all([
        trickle('GET /health/live HTTP/1.1\r\nHost: x\r\n', 'X-Slow: 1\r\n'),
        trickle('POST /integrations/providers HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n', ' '),
      ]);
      expect(slowHeader.closedAfterMs).toBeLessThan(4_000);
      expect(slowBody.closedAfterMs).toBeLessThan(5_000);
      expect(statusLines(slowBody.text).every((status) => status === 408 || status === 400)).toBe(true);

      const idle = await rawExchange(port, 'GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n');
      expect(statusLines(idle.text)).toEqual([200]);
      expect(idle.closedAfterMs).toBeLessThan(4_000);
      expect((await fetch(`${platform.url}/health/ready`)).status).toBe(200);
    } finally {
      await platform.close();
    }
  });

  it('after pipelined requests are abandoned, SIGTERM drains at once and exits 0', async () => {
    const platform = await PlatformProcess.start({ APP_ROLE: 'VendorApiClientRegistryService', AUTH_JWT_SECRET: jwtSecret, SHUTDOWN_GRACE_PERIOD: '20s' });
    const body = JSON.stringify({ id: 'pipelined', displayName: 'P', category: 'generic', authModel: 'none' });
    const one = `POST /integrations/providers HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    await new Promise<void>((resolve) => {
      const socket = connect(platform.port!, '127.0.0.1', () => socket.write(one.repeat(50), () => (socket.destroy(), resolve())));
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const started = Date.now();
    const code = await platform.stop('SIGTERM', 30_000);
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(platform.logs().find((line) => line.msg === 'Shutdown complete')).toMatchObject({ drained: true });
  });
});
