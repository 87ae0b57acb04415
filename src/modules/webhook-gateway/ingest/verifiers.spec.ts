import { sign as signGithub } from '@octokit/webhooks-methods';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { Webhook as SvixWebhook } from 'svix';
import twilio from 'twilio';
import { VENDOR_DESCRIPTORS } from '../../vendor-catalogue';
import { parseGenericHmacOptions } from '../../../platform/webhooks/verification/generic-hmac.verifier';
import { InboundWebhook, MalformedWebhookError, VerificationContext, VerifiedWebhook, WebhookVerificationError } from '../../../platform/webhooks/verification/webhook-verifier';
import { VendorsModule } from '../../../platform/vendors/vendors.module';

/** Every verifier of the catalogue, as the gateway uses them: the verified delivery with its normalised event type. */
const catalogue = VendorsModule.catalogueOf(VENDOR_DESCRIPTORS);

const NOW = 1_700_000_000_000;
const TOLERANCE_MS = 300_000;
const TWILIO_URL = 'https://ingest.example.com/webhooks/in/conn_1?tenant=t1';
const stripe = new Stripe('sk_test_x');

type Headers = InboundWebhook['headers'];

function inbound(body: string | Buffer, headers: Headers, extra: Partial<InboundWebhook> = {}): InboundWebhook {
  return { rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body), headers, url: TWILIO_URL, contentType: 'application/json', ...extra };
}

function verify(verifierName: string, webhook: InboundWebhook, context: Partial<VerificationContext> & { secrets: readonly string[] }): VerifiedWebhook {
  const verifier = catalogue.verifier(verifierName);
  if (!verifier) throw new Error(`no verifier ${verifierName}`);
  const verified = verifier.verify(webhook, { now: NOW, toleranceMs: TOLERANCE_MS, ...context });
  const normalised = catalogue.normaliser(verifierName)?.(verified);
  return normalised ? { ...verified, eventType: normalised.type } : verified;
}

function rejection(run: () => unknown): WebhookVerificationError | MalformedWebhookError {
  try {
    run();
  } catch (error) {
    if (error instanceof WebhookVerificationError || error instanceof MalformedWebhookError) return error;
    throw error;
  }
  throw new Error('expected the webhook to be rejected');
}

function reasonOf(run: () => unknown): string {
  const error = rejection(run);
  return error instanceof WebhookVerificationError ? error.reason : 'malformed';
}

const hexHmac = (algorithm: string, secret: string, content: string | Buffer) => createHmac(algorithm, secret).update(content).digest('hex');
const sha256Hex = (content: string | Buffer) => createHash('sha256').update(content).digest('hex');
const seconds = (epochMs: number) => Math.floor(epochMs / 1000);

/** What the shared contract needs to know about one scheme. */
interface Scheme {
  verifier: string;
  newSecret(): string;
  /** A well-formed body the scheme accepts, and what verification must make of it. */
  body: string;
  expected: Partial<VerifiedWebhook>;
  /** Signs `body` the way the vendor does, at `at` (epoch ms) for timestamped schemes. */
  sign(secret: string, body: string, at: number): Promise<InboundWebhook>;
  /** Headers whose absence means "not signed". */
  signatureHeaders: string[];
  timestamped: boolean;
  /** Whether the body bytes are under the signature (Azure DevOps authenticates with Basic credentials instead). */
  signsBody: boolean;
  /** A body that is not JSON, signed correctly; undefined where the scheme has no JSON body. */
  malformedBody?: string;
  options?: Record<string, string>;
}

const randomHexSecret = () => randomBytes(16).toString('hex');

const SCHEMES: Scheme[] = [
  {
    verifier: 'github',
    newSecret: randomHexSecret,
    body: JSON.stringify({ action: 'opened', number: 7, pull_request: { id: 1 } }),
    expected: { deliveryId: '72d3162e-cc78-11e3-81ab-4c9367dc0958', eventType: 'com.github.pull_request.opened' },
    sign: async (secret, body) =>
      inbound(body, { 'x-hub-signature-256': await signGithub(secret, body), 'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958', 'x-github-event': 'pull_request' }),
    signatureHeaders: ['x-hub-signature-256'],
    timestamped: false,
    signsBody: true,
    malformedBody: '{"action": "opened",',
  },
  {
    verifier: 'stripe',
    newSecret: () => `whsec_${randomHexSecret()}`,
    body: JSON.stringify({ id: 'evt_1NG8Du2eZvKYlo2CUI79vXWy', object: 'event', type: 'invoice.paid', created: 1_699_999_990 }),
    expected: { deliveryId: 'evt_1NG8Du2eZvKYlo2CUI79vXWy', eventType: 'com.stripe.invoice.paid', occurredAt: new Date(1_699_999_990_000).toISOString() },
    sign: async (secret, body, at) => inbound(body, { 'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: seconds(at) }) }),
    signatureHeaders: ['stripe-signature'],
    timestamped: true,
    signsBody: true,
    malformedBody: '{"id": "evt_1"',
  },
  {
    verifier: 'standard-webhooks',
    newSecret: () => `whsec_${randomBytes(24).toString('base64')}`,
    body: JSON.stringify({ type: 'invoice.created', timestamp: '2023-11-14T22:13:10Z', data: { id: 'inv_1' } }),
    expected: { deliveryId: 'msg_2Xb4Yb4y1N6p7Q', eventType: 'invoice.created', occurredAt: '2023-11-14T22:13:10.000Z' },
    sign: async (secret, body, at) =>
      inbound(body, {
        'webhook-id': 'msg_2Xb4Yb4y1N6p7Q',
        'webhook-timestamp': String(seconds(at)),
        'webhook-signature': new StandardWebhook(secret).sign('msg_2Xb4Yb4y1N6p7Q', new Date(at), body),
      }),
    signatureHeaders: ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
    timestamped: true,
    signsBody: true,
    malformedBody: '{"type": ',
  },
  {
    verifier: 'azure-devops',
    newSecret: () => `hooks:${randomHexSecret()}`,
    body: JSON.stringify({
      id: '03c164c2-8912-4d5e-8009-3707d5f83734',
      eventType: 'git.pullrequest.created',
      publisherId: 'tfs',
      resource: { pullRequestId: 1 },
      createdDate: '2024-05-01T10:00:00.000Z',
    }),
    expected: { deliveryId: '03c164c2-8912-4d5e-8009-3707d5f83734', eventType: 'com.azure-devops.git.pullrequest.created', occurredAt: '2024-05-01T10:00:00.000Z' },
    // No signing library exists: the service hook sends the configured credentials as RFC 7617 Basic auth
    // (https://learn.microsoft.com/azure/devops/service-hooks/services/webhooks).
    sign: async (secret, body) => inbound(body, { authorization: `Basic ${Buffer.from(secret).toString('base64')}` }),
    signatureHeaders: ['authorization'],
    timestamped: false,
    signsBody: false,
    malformedBody: '{"id": ',
  },
  {
    verifier: 'twilio',
    newSecret: randomHexSecret,
    body: new URLSearchParams({ MessageSid: 'SM1f0e8ae6ade43cb3c0ce4525424e404f', MessageStatus: 'delivered', To: '+15558675310', AccountSid: 'AC1' }).toString(),
    expected: { deliveryId: 'SM1f0e8ae6ade43cb3c0ce4525424e404f:delivered', eventType: 'com.twilio.message.delivered' },
    sign: async (secret, body) =>
      inbound(
        body,
        { 'x-twilio-signature': twilio.getExpectedTwilioSignature(secret, TWILIO_URL, Object.fromEntries(new URLSearchParams(body))) },
        { contentType: 'application/x-www-form-urlencoded' },
      ),
    signatureHeaders: ['x-twilio-signature'],
    timestamped: false,
    signsBody: true,
  },
  {
    verifier: 'slack',
    newSecret: randomHexSecret,
    body: JSON.stringify({ type: 'event_callback', event_id: 'Ev08MFMKH6', event_time: 1_699_999_999, event: { type: 'app_mention', text: 'hi' } }),
    expected: { deliveryId: 'Ev08MFMKH6', eventType: 'com.slack.app_mention', occurredAt: new Date(1_699_999_999_000).toISOString() },
    // https://api.slack.com/authentication/verifying-requests-from-slack: v0=hex(HMAC-SHA256(secret, "v0:" + ts + ":" + body)).
    sign: async (secret, body, at) =>
      inbound(body, { 'x-slack-signature': `v0=${hexHmac('sha256', secret, `v0:${seconds(at)}:${body}`)}`, 'x-slack-request-timestamp': String(seconds(at)) }),
    signatureHeaders: ['x-slack-signature', 'x-slack-request-timestamp'],
    timestamped: true,
    signsBody: true,
    malformedBody: '{"type": "event_callback"',
  },
  {
    verifier: 'zendesk',
    newSecret: () => randomBytes(32).toString('base64'),
    body: JSON.stringify({ type: 'zen:event-type:ticket.created', id: '01HZX2Y3W4V5T6S7R8Q9P0N1M2', subject: 'zen:ticket:35', time: '2023-11-14T22:13:10Z', detail: { id: '35' } }),
    expected: { deliveryId: '01HZX2Y3W4V5T6S7R8Q9P0N1M2', eventType: 'com.zendesk.ticket.created', occurredAt: '2023-11-14T22:13:10.000Z' },
    // https://developer.zendesk.com/documentation/webhooks/verifying: base64(HMAC-SHA256(secret, timestamp + body)), the timestamp ISO 8601.
    sign: async (secret, body, at) => {
      const timestamp = new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
      return inbound(body, {
        'x-zendesk-webhook-signature': createHmac('sha256', secret)
          .update(timestamp + body)
          .digest('base64'),
        'x-zendesk-webhook-signature-timestamp': timestamp,
      });
    },
    signatureHeaders: ['x-zendesk-webhook-signature', 'x-zendesk-webhook-signature-timestamp'],
    timestamped: true,
    signsBody: true,
    malformedBody: '{"type": ',
  },
  {
    verifier: 'generic-hmac',
    newSecret: randomHexSecret,
    options: { header: 'x-signature', prefix: 'sha256=', timestampHeader: 'x-timestamp', signedContent: 'timestamp.body', deliveryIdHeader: 'x-delivery', eventTypeField: 'event' },
    body: JSON.stringify({ event: 'order.shipped', order: 42 }),
    expected: { deliveryId: 'dlv-9', eventType: 'generic.order.shipped' },
    sign: async (secret, body, at) =>
      inbound(body, { 'x-signature': `sha256=${hexHmac('sha256', secret, `${seconds(at)}.${body}`)}`, 'x-timestamp': String(seconds(at)), 'x-delivery': 'dlv-9' }),
    signatureHeaders: ['x-signature', 'x-timestamp'],
    timestamped: true,
    signsBody: true,
    malformedBody: '{"event": ',
  },
];

describe.each(SCHEMES)('$verifier verifier: the shared contract', (scheme) => {
  const { verifier, options } = scheme;
  const secret = scheme.newSecret();
  const run =
    (webhook: InboundWebhook, secrets: readonly string[] = [secret]) =>
    () =>
      verify(verifier, webhook, { secrets, options });

  it('is registered under its name', () => {
    expect(catalogue.verifier(verifier)?.name).toBe(verifier);
  });

  it('accepts a good signature and normalises the delivery', async () => {
    const verified = run(await scheme.sign(secret, scheme.body, NOW))();
    expect(verified).toMatchObject(scheme.expected);
    expect(verified.payload).toEqual(verifier === 'twilio' ? Object.fromEntries(new URLSearchParams(scheme.body)) : JSON.parse(scheme.body));
  });

  it('rejects a bad signature (the bytes changed after signing) without echoing secrets or signatures', async () => {
    const signed = await scheme.sign(secret, scheme.body, NOW);
    const tampered = scheme.signsBody
      ? { ...signed, rawBody: Buffer.from(scheme.body.replace(/\d/, (digit) => String((Number(digit) + 1) % 10))) }
      : { ...signed, headers: { ...signed.headers, authorization: `Basic ${Buffer.from(`${secret}x`).toString('base64')}` } };
    const error = rejection(run(tampered));
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect((error as WebhookVerificationError).reason).toBe('bad_signature');
    const signatureValues = scheme.signatureHeaders.map((name) => String(signed.headers[name]));
    for (const secretText of [secret, ...signatureValues.filter((value) => value.length > 12)]) expect(error.message).not.toContain(secretText);
  });

  it('rejects a signature made with a different secret', async () => {
    expect(reasonOf(run(await scheme.sign(scheme.newSecret(), scheme.body, NOW)))).toBe('bad_signature');
  });

  it('rejects a request without its signature headers as missing_signature', async () => {
    const signed = await scheme.sign(secret, scheme.body, NOW);
    for (const name of scheme.signatureHeaders) {
      const headers = { ...signed.headers };
      delete headers[name];
      expect(reasonOf(run({ ...signed, headers }))).toBe('missing_signature');
      expect(reasonOf(run({ ...signed, headers: { ...signed.headers, [name]: '' } }))).toBe('missing_signature');
    }
  });

  it('verifies with every secret of a rotation overlap, and with nothing else', async () => {
    const [current, previous, stranger] = [scheme.newSecret(), scheme.newSecret(), scheme.newSecret()];
    expect(run(await scheme.sign(previous, scheme.body, NOW), [current, previous])()).toMatchObject(scheme.expected);
    expect(run(await scheme.sign(current, scheme.body, NOW), [current, previous])()).toMatchObject(scheme.expected);
    expect(reasonOf(run(await scheme.sign(stranger, scheme.body, NOW), [current, previous]))).toBe('bad_signature');
  });

  it('refuses to verify without a secret', async () => {
    expect(reasonOf(run(await scheme.sign(secret, scheme.body, NOW), []))).toBe('no_secret');
  });

  if (scheme.malformedBody !== undefined) {
    it('reports an unparseable body after a valid signature as malformed (400), not as a signature failure', async () => {
      const error = rejection(run(await scheme.sign(secret, scheme.malformedBody!, NOW)));
      expect(error).toBeInstanceOf(MalformedWebhookError);
      expect(error).not.toBeInstanceOf(WebhookVerificationError);
    });
  }

  if (scheme.timestamped) {
    it('rejects a stale timestamp and a future one, and accepts one just inside the tolerance', async () => {
      expect(reasonOf(run(await scheme.sign(secret, scheme.body, NOW - TOLERANCE_MS - 1_000)))).toBe('stale_timestamp');
      expect(reasonOf(run(await scheme.sign(secret, scheme.body, NOW + TOLERANCE_MS + 1_000)))).toBe('stale_timestamp');
      expect(run(await scheme.sign(secret, scheme.body, NOW - TOLERANCE_MS + 1_000))()).toMatchObject(scheme.expected);
      expect(run(await scheme.sign(secret, scheme.body, NOW + TOLERANCE_MS - 1_000))()).toMatchObject(scheme.expected);
    });

    it('checks the signature before the timestamp', async () => {
      expect(reasonOf(run(await scheme.sign(scheme.newSecret(), scheme.body, NOW - 10 * TOLERANCE_MS)))).toBe('bad_signature');
    });
  }

  it('hashes a 1 MiB body as bytes: linear, and never decoded to a string unless it verifies', async () => {
    const body = scheme.body.replace(/}$/, `, "padding": "${'x'.repeat(1024 * 1024)}"}`);
    const large = verifier === 'twilio' ? `${scheme.body}&Body=${'x'.repeat(1024 * 1024)}` : body;
    expect(run(await scheme.sign(secret, large, NOW))()).toMatchObject(scheme.expected);

    const forged = await scheme.sign(scheme.newSecret(), large, NOW);
    const toString = jest.spyOn(forged.rawBody, 'toString');
    expect(reasonOf(run(forged))).toBe('bad_signature');
    // Twilio signs the decoded form fields, so it must read the form first; every other scheme hashes the raw bytes.
    if (verifier !== 'twilio') expect(toString).not.toHaveBeenCalled();
  });
});

describe('github', () => {
  const secret = "It's a Secret to Everybody";

  it("matches GitHub's published example (docs: validating webhook deliveries)", async () => {
    const signature = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    expect(await signGithub(secret, 'Hello, World!')).toBe(signature);
    const webhook = inbound('Hello, World!', { 'x-hub-signature-256': signature, 'x-github-delivery': 'd1', 'x-github-event': 'ping' });
    // The signature verifies; the body is then not JSON.
    expect(rejection(() => verify('github', webhook, { secrets: [secret] }))).toBeInstanceOf(MalformedWebhookError);
  });

  it('types events without an action by the event header alone', async () => {
    const body = JSON.stringify({ ref: 'refs/heads/main' });
    const webhook = inbound(body, { 'x-hub-signature-256': await signGithub(secret, body), 'x-github-delivery': 'd2', 'x-github-event': 'push' });
    expect(verify('github', webhook, { secrets: [secret] })).toMatchObject({ deliveryId: 'd2', eventType: 'com.github.push' });
  });

  it('reads the form-encoded flavour (payload=<json>)', async () => {
    const body = new URLSearchParams({ payload: JSON.stringify({ action: 'created', issue: { number: 1 } }) }).toString();
    const webhook = inbound(
      body,
      { 'x-hub-signature-256': await signGithub(secret, body), 'x-github-delivery': 'd3', 'x-github-event': 'issue_comment' },
      { contentType: 'application/x-www-form-urlencoded' },
    );
    expect(verify('github', webhook, { secrets: [secret] })).toMatchObject({ eventType: 'com.github.issue_comment.created', payload: { issue: { number: 1 } } });
  });

  it('treats a signed request without delivery id or event as malformed, and a non-sha256 header as malformed_header', async () => {
    const body = '{"action":"opened"}';
    const signature = await signGithub(secret, body);
    expect(rejection(() => verify('github', inbound(body, { 'x-hub-signature-256': signature, 'x-github-event': 'issues' }), { secrets: [secret] }))).toBeInstanceOf(
      MalformedWebhookError,
    );
    const sha1 = `sha1=${hexHmac('sha1', secret, body)}`;
    expect(reasonOf(() => verify('github', inbound(body, { 'x-hub-signature-256': sha1, 'x-github-delivery': 'd', 'x-github-event': 'issues' }), { secrets: [secret] }))).toBe(
      'malformed_header',
    );
  });
});

describe('stripe', () => {
  const secret = 'whsec_test_secret';
  const body = JSON.stringify({ id: 'evt_2', type: 'customer.subscription.updated', created: 1_700_000_000 });

  it('passes when any of several v1 signatures matches, ignoring v0', () => {
    const good = stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: seconds(NOW) }).split('v1=')[1];
    const header = `t=${seconds(NOW)},v1=${'0'.repeat(64)},v1=${good},v0=${'1'.repeat(64)}`;
    expect(verify('stripe', inbound(body, { 'stripe-signature': header }), { secrets: [secret] })).toMatchObject({
      deliveryId: 'evt_2',
      eventType: 'com.stripe.customer.subscription.updated',
    });
  });

  it('rejects a header without t or without v1 as malformed_header', () => {
    const good = stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: seconds(NOW) });
    expect(reasonOf(() => verify('stripe', inbound(body, { 'stripe-signature': good.replace(/^t=\d+,/, '') }), { secrets: [secret] }))).toBe('malformed_header');
    expect(reasonOf(() => verify('stripe', inbound(body, { 'stripe-signature': `t=${seconds(NOW)},v0=${'1'.repeat(64)}` }), { secrets: [secret] }))).toBe('malformed_header');
  });

  it('rejects an event without id or type after a valid signature as malformed', () => {
    const noType = JSON.stringify({ id: 'evt_3' });
    const header = stripe.webhooks.generateTestHeaderString({ payload: noType, secret, timestamp: seconds(NOW) });
    expect(rejection(() => verify('stripe', inbound(noType, { 'stripe-signature': header }), { secrets: [secret] }))).toBeInstanceOf(MalformedWebhookError);
  });
});

describe('standard-webhooks', () => {
  it("matches the published Svix / Standard Webhooks example, and Svix's svix-* headers", () => {
    // From the Standard Webhooks and Svix docs ("verifying manually").
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const msgId = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
    const payload = '{"test": 2432232314}';
    const signature = new SvixWebhook(secret).sign(msgId, new Date(1_614_265_330_000), payload);
    expect(signature).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
    const webhook = inbound(payload, { 'svix-id': msgId, 'svix-timestamp': '1614265330', 'svix-signature': signature });
    // Signature and timestamp verify; the payload has no `type`.
    expect(rejection(() => verify('standard-webhooks', webhook, { secrets: [secret], now: 1_614_265_330_000 }))).toBeInstanceOf(MalformedWebhookError);
  });

  it('verifies svix-* headers signed by the svix library, with a secret given without its whsec_ prefix', () => {
    const key = randomBytes(32).toString('base64');
    const body = JSON.stringify({ type: 'user.created', data: {} });
    const webhook = inbound(body, {
      'svix-id': 'msg_1',
      'svix-timestamp': String(seconds(NOW)),
      'svix-signature': new SvixWebhook(`whsec_${key}`).sign('msg_1', new Date(NOW), body),
    });
    expect(verify('standard-webhooks', webhook, { secrets: [key] })).toMatchObject({ deliveryId: 'msg_1', eventType: 'user.created' });
  });

  it('accepts a space-separated list of signatures (a sender mid-rotation), skipping other versions', () => {
    const [oldSecret, newSecret] = [`whsec_${randomBytes(24).toString('base64')}`, `whsec_${randomBytes(24).toString('base64')}`];
    const body = JSON.stringify({ type: 'invoice.paid' });
    const signatures = [new StandardWebhook(newSecret).sign('msg_9', new Date(NOW), body), new StandardWebhook(oldSecret).sign('msg_9', new Date(NOW), body)];
    const header = `v1a,${randomBytes(64).toString('base64')} ${signatures.join(' ')}`;
    const webhook = inbound(body, { 'webhook-id': 'msg_9', 'webhook-timestamp': String(seconds(NOW)), 'webhook-signature': header });
    expect(verify('standard-webhooks', webhook, { secrets: [oldSecret] }).eventType).toBe('invoice.paid');
  });

  it('signs the id: the same signature under another webhook-id fails', () => {
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    const body = JSON.stringify({ type: 'invoice.paid' });
    const webhook = inbound(body, {
      'webhook-id': 'msg_other',
      'webhook-timestamp': String(seconds(NOW)),
      'webhook-signature': new StandardWebhook(secret).sign('msg_1', new Date(NOW), body),
    });
    expect(reasonOf(() => verify('standard-webhooks', webhook, { secrets: [secret] }))).toBe('bad_signature');
  });
});

describe('azure-devops', () => {
  it('decodes the RFC 7617 published Basic example', () => {
    const body = JSON.stringify({ id: 'n1', eventType: 'workitem.updated' });
    const webhook = inbound(body, { authorization: 'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==' });
    expect(verify('azure-devops', webhook, { secrets: ['Aladdin:open sesame'] })).toMatchObject({ deliveryId: 'n1', eventType: 'com.azure-devops.workitem.updated' });
    expect(reasonOf(() => verify('azure-devops', webhook, { secrets: ['Aladdin:open sesame!'] }))).toBe('bad_signature');
    expect(reasonOf(() => verify('azure-devops', webhook, { secrets: ['Aladdin:open sesam'] }))).toBe('bad_signature');
  });

  it('rejects other authorization schemes as malformed_header', () => {
    const webhook = inbound('{}', { authorization: 'Bearer abc' });
    expect(reasonOf(() => verify('azure-devops', webhook, { secrets: ['u:p'] }))).toBe('malformed_header');
  });
});

describe('twilio', () => {
  const token = randomHexSecret();

  it("matches Twilio's published example (docs: webhooks security)", () => {
    const params = { CallSid: 'CA1234567890ABCDE', Caller: '+12349013030', Digits: '1234', From: '+12349013030', To: '+18005551212' };
    const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
    expect(twilio.getExpectedTwilioSignature('12345', url, params)).toBe('0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
    const webhook = inbound(
      new URLSearchParams(params).toString(),
      { 'x-twilio-signature': '0/KCTR6DLpKmkAf8muzZqo1nDgQ=' },
      { url, contentType: 'application/x-www-form-urlencoded' },
    );
    // A voice callback: the signature verifies, but there is no message status to key on.
    expect(rejection(() => verify('twilio', webhook, { secrets: ['12345'] }))).toBeInstanceOf(MalformedWebhookError);
  });

  it('verifies a JSON body through bodySHA256 in the signed URL (validateRequestWithBody semantics)', () => {
    const body = JSON.stringify({ MessageSid: 'SM2', MessageStatus: 'undelivered' });
    const url = `${TWILIO_URL}&bodySHA256=${sha256Hex(body)}`;
    const signature = twilio.getExpectedTwilioSignature(token, url, {});
    expect(twilio.validateRequestWithBody(token, signature, url, body)).toBe(true);

    const webhook = inbound(body, { 'x-twilio-signature': signature }, { url });
    expect(verify('twilio', webhook, { secrets: [token] })).toMatchObject({
      deliveryId: 'SM2:undelivered',
      eventType: 'com.twilio.message.undelivered',
      payload: JSON.parse(body),
    });
    // The body hash binds the body: other bytes under the same URL and signature fail.
    expect(reasonOf(() => verify('twilio', { ...webhook, rawBody: Buffer.from(body.replace('SM2', 'SM3')) }, { secrets: [token] }))).toBe('bad_signature');
    // A JSON body whose URL carries no bodySHA256 is not covered by any signature.
    const unsigned = inbound(body, { 'x-twilio-signature': twilio.getExpectedTwilioSignature(token, TWILIO_URL, {}) });
    expect(reasonOf(() => verify('twilio', unsigned, { secrets: [token] }))).toBe('bad_signature');
    // Valid signature and hash over a body that is not JSON.
    const broken = '{"MessageSid":';
    const brokenUrl = `${TWILIO_URL}&bodySHA256=${sha256Hex(broken)}`;
    const brokenWebhook = inbound(broken, { 'x-twilio-signature': twilio.getExpectedTwilioSignature(token, brokenUrl, {}) }, { url: brokenUrl });
    expect(rejection(() => verify('twilio', brokenWebhook, { secrets: [token] }))).toBeInstanceOf(MalformedWebhookError);
  });

  it('accepts a URL signed with the default port when it arrives without one, as twilio-node does', () => {
    const params = { SmsSid: 'SM4', SmsStatus: 'sent' };
    const signature = twilio.getExpectedTwilioSignature(token, TWILIO_URL.replace('.com/', '.com:443/'), params);
    const webhook = inbound(new URLSearchParams(params).toString(), { 'x-twilio-signature': signature }, { contentType: 'application/x-www-form-urlencoded' });
    expect(verify('twilio', webhook, { secrets: [token] })).toMatchObject({ deliveryId: 'SM4:sent', eventType: 'com.twilio.message.sent' });
  });

  it('signs the URL: the same signature for another URL fails', () => {
    const params = { MessageSid: 'SM5', MessageStatus: 'failed' };
    const signature = twilio.getExpectedTwilioSignature(token, TWILIO_URL, params);
    const webhook = inbound(
      new URLSearchParams(params).toString(),
      { 'x-twilio-signature': signature },
      { url: `${TWILIO_URL}x`, contentType: 'application/x-www-form-urlencoded' },
    );
    expect(reasonOf(() => verify('twilio', webhook, { secrets: [token] }))).toBe('bad_signature');
  });
});

describe('slack', () => {
  const secret = randomHexSecret();
  const signed = (body: string, contentType: string, at = NOW) =>
    inbound(body, { 'x-slack-signature': `v0=${hexHmac('sha256', secret, `v0:${seconds(at)}:${body}`)}`, 'x-slack-request-timestamp': String(seconds(at)) }, { contentType });

  it("matches Slack's published example (a slash command) from the verifying-requests docs", () => {
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA' +
      '&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN' +
      '&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    const webhook = inbound(
      body,
      { 'x-slack-signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503', 'x-slack-request-timestamp': '1531420618' },
      { contentType: 'application/x-www-form-urlencoded' },
    );
    const verified = verify('slack', webhook, { secrets: ['8f742231b10e8888abcd99yyyzzz85a5'], now: 1_531_420_618_000 });
    expect(verified).toMatchObject({ eventType: 'com.slack.slash_command', deliveryId: `1531420618:${sha256Hex(body)}`, payload: { command: '/webhook-collect' } });
  });

  it('types a url_verification by its type and keys it on timestamp + body hash', () => {
    const body = JSON.stringify({ token: 't', challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P', type: 'url_verification' });
    expect(verify('slack', signed(body, 'application/json'), { secrets: [secret] })).toMatchObject({
      eventType: 'com.slack.url_verification',
      deliveryId: `${seconds(NOW)}:${sha256Hex(body)}`,
    });
  });

  it('reads interactive payloads from the form field `payload`', () => {
    const body = new URLSearchParams({ payload: JSON.stringify({ type: 'block_actions', actions: [{ action_id: 'approve' }] }) }).toString();
    expect(verify('slack', signed(body, 'application/x-www-form-urlencoded'), { secrets: [secret] })).toMatchObject({
      eventType: 'com.slack.block_actions',
      payload: { actions: [{ action_id: 'approve' }] },
    });
  });

  it('rejects a non-v0 signature as malformed_header', () => {
    const webhook = signed('{}', 'application/json');
    const headers = { ...webhook.headers, 'x-slack-signature': String(webhook.headers['x-slack-signature']).replace('v0=', 'v1=') };
    expect(reasonOf(() => verify('slack', { ...webhook, headers }, { secrets: [secret] }))).toBe('malformed_header');
  });
});

describe('generic-hmac', () => {
  const secret = randomHexSecret();
  const body = JSON.stringify({ kind: 'ping' });

  it('defaults to a hex HMAC-SHA256 of the body, keyed on the body hash, typed generic.webhook', () => {
    const webhook = inbound(body, { 'x-signature': hexHmac('sha256', secret, body) });
    expect(verify('generic-hmac', webhook, { secrets: [secret], options: { header: 'X-Signature' } })).toMatchObject({ deliveryId: sha256Hex(body), eventType: 'generic.webhook' });
  });

  it('honours algorithm, encoding, prefix and an event type header', () => {
    const signature = `sha512=${createHmac('sha512', secret).update(body).digest('base64')}`;
    const webhook = inbound(body, { 'x-hook-sig': signature, 'x-event': 'thing.happened', 'x-id': 'id-1' });
    const options = { header: 'x-hook-sig', algorithm: 'sha512', encoding: 'base64', prefix: 'sha512=', eventTypeHeader: 'x-event', deliveryIdHeader: 'x-id' };
    expect(verify('generic-hmac', webhook, { secrets: [secret], options })).toMatchObject({ deliveryId: 'id-1', eventType: 'generic.thing.happened' });
    expect(reasonOf(() => verify('generic-hmac', webhook, { secrets: [secret], options: { ...options, algorithm: 'sha256' } }))).toBe('bad_signature');
  });

  it('supports sha1 and a dotted event type field', () => {
    const nested = JSON.stringify({ event: { type: 'build.finished' } });
    const webhook = inbound(nested, { 'x-signature': hexHmac('sha1', secret, nested) });
    expect(verify('generic-hmac', webhook, { secrets: [secret], options: { header: 'x-signature', algorithm: 'sha1', eventTypeField: 'event.type' } }).eventType).toBe(
      'generic.build.finished',
    );
  });

  it('rejects a misconfiguration as a configuration error, not as the sender’s fault', () => {
    expect(() => parseGenericHmacOptions({})).toThrow(TypeError);
    expect(() => parseGenericHmacOptions({ header: 'x-s', algorithm: 'md5' })).toThrow(/algorithm/);
    expect(() => parseGenericHmacOptions({ header: 'x-s', signedContent: 'timestamp.body' })).toThrow(/timestampHeader/);
  });
});
