import Stripe from 'stripe';
import { DataSource } from 'typeorm';
import { EventRecorderModule, RecordedEvents } from './support/event-recorder';
import { dumpStore, REGISTRY_SCOPES, TenantApi, waitFor, WEBHOOK_SCOPES } from './support/governed-api';
import { InProcessPlatform, startInProcess } from './support/platform-app';
import { DECLINING_PAYMENT_METHOD, StripePeer } from './support/stripe-peer';
import { newJwtSecret } from './support/tokens';

/**
 * PaymentIntegrationService against a peer speaking Stripe's API (form bodies, Stripe-Version,
 * Idempotency-Key replay, restricted keys, its error shapes): the payment intent lifecycle, refunds,
 * customers and Checkout; a run retried after a lost answer sends the same Idempotency-Key and charges
 * once; webhooks normalised to com.stripe.*; tenants apart; no key anywhere.
 */
const SECRET_KEY = `sk_test_${'51PeerSecretKey'.repeat(3)}`;
const RESTRICTED_KEY = `rk_test_${'51PeerRestricted'.repeat(3)}`;
const WEBHOOK_SECRET = 'whsec_stripe_peer_7e21';
const SCOPES = `${REGISTRY_SCOPES} ${WEBHOOK_SCOPES}`;

describe('Stripe payments', () => {
  const jwtSecret = newJwtSecret();
  const transcript: string[] = [];
  let peer: StripePeer;
  let platform: InProcessPlatform;
  let tenant: TenantApi;
  let other: TenantApi;
  let connectionId: string;

  const connect = async (api: TenantApi, name: string, key: string, extra: Record<string, unknown> = {}) =>
    api.post('/integrations/connections', {
      providerId: 'stripe',
      displayName: name,
      credentialId: await api.createCredential(name, key),
      configuration: { baseUrl: peer.url, apiVersion: '2025-03-31.basil' },
      ...extra,
    });
  const operate = (name: string, input: unknown, options: { idempotencyKey?: string; async?: boolean; connection?: string; api?: TenantApi } = {}) =>
    (options.api ?? tenant).post(`/stripe/connections/${options.connection ?? connectionId}/operations/${name}`, {
      input,
      ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
      ...(options.async ? { async: true } : {}),
    });

  beforeAll(async () => {
    peer = await StripePeer.start({ [SECRET_KEY]: 'all', [RESTRICTED_KEY]: ['rak_balance_read', 'rak_payment_intent_read', 'rak_payment_intent_write'] });
    platform = await startInProcess(
      {
        AUTH_JWT_SECRET: jwtSecret,
        APP_ROLE: 'VendorApiClientRegistryService,PaymentIntegrationService,WebhookGatewayService,IntegrationRetryWorker',
        EGRESS_ALLOW_LIST: '127.0.0.1',
        BUS_POLL_INTERVAL: '20ms',
        BUS_RETRY_BASE_DELAY: '50ms',
        HEALTH_PROBE_INTERVAL: '1h',
      },
      [EventRecorderModule],
    );
    tenant = await TenantApi.create(platform.url, jwtSecret, 'tenant-pay-a', transcript, SCOPES);
    other = await TenantApi.create(platform.url, jwtSecret, 'tenant-pay-b', transcript, SCOPES);
    const created = await connect(tenant, 'stripe', SECRET_KEY, { retryPolicy: { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 100 } });
    expect(created.body).toMatchObject({ status: 'Active', lastTest: { passed: true } });
    connectionId = created.body.id;
  });

  afterAll(async () => {
    await platform?.close();
    await peer?.close();
  });

  it('tests the connection on /v1/balance with the pinned Stripe-Version', () => {
    const [test] = peer.requestsTo('/v1/balance');
    expect(test.headers['stripe-version']).toBe('2025-03-31.basil');
    expect(test.headers.authorization).toBe(`Bearer ${SECRET_KEY}`);
  });

  it('runs a payment intent through authorise, capture and a partial refund', async () => {
    const created = await operate('stripe.paymentIntents.create', {
      amount: 2500,
      currency: 'usd',
      paymentMethod: 'pm_card_visa',
      captureMethod: 'manual',
      confirm: true,
      metadata: { order: '42', 'build id': 'b-7' },
    });
    expect(created.status).toBe(200);
    expect(created.body.output).toMatchObject({ status: 'requires_capture', amount: 2500, amountCapturable: 2500, currency: 'usd', metadata: { order: '42', 'build id': 'b-7' } });
    // Form-encoded as Stripe reads it: bracketed metadata keys, booleans as words.
    const [sent] = peer.requestsTo('/v1/payment_intents');
    expect(sent.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(sent.raw).toContain('metadata[order]=42');
    expect(sent.raw).toContain('metadata[build%20id]=b-7');
    expect(sent.params).toMatchObject({ amount: '2500', capture_method: 'manual', confirm: 'true', payment_method: 'pm_card_visa' });
    // The client secret stays out of answers (and so out of logs and runs).
    expect(JSON.stringify(created.body)).not.toContain('pi_secret_');

    const id = created.body.output.id;
    const captured = await operate('stripe.paymentIntents.capture', { id, amountToCapture: 2000 });
    expect(captured.body.output).toMatchObject({ status: 'succeeded', amountReceived: 2000 });
    const refund = await operate('stripe.refunds.create', { paymentIntent: id, amount: 500, reason: 'requested_by_customer' });
    expect(refund.body.output).toMatchObject({ status: 'succeeded', amount: 500, paymentIntent: id, reason: 'requested_by_customer' });
    expect((await operate('stripe.refunds.retrieve', { id: refund.body.output.id })).body.output).toMatchObject({ amount: 500 });
    expect((await operate('stripe.paymentIntents.retrieve', { id })).body.output).toMatchObject({ status: 'succeeded', amountReceived: 2000 });
    // Refunding more than is left is Stripe's refusal, passed on as the caller's 400.
    const tooMuch = await operate('stripe.refunds.create', { paymentIntent: id, amount: 5000 });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body.message).toContain('charge_already_refunded');
  });

  it('confirms and cancels payment intents, and answers Stripe’s state errors as 400', async () => {
    const pending = await operate('stripe.paymentIntents.create', { amount: 1000, currency: 'eur' });
    expect(pending.body.output.status).toBe('requires_payment_method');
    const confirmed = await operate('stripe.paymentIntents.confirm', { id: pending.body.output.id, paymentMethod: 'pm_card_visa' });
    expect(confirmed.body.output).toMatchObject({ status: 'succeeded', amountReceived: 1000 });
    const cancelLate = await operate('stripe.paymentIntents.cancel', { id: pending.body.output.id });
    expect(cancelLate.status).toBe(400);
    expect(cancelLate.body.message).toContain('payment_intent_unexpected_state');

    const abandoned = await operate('stripe.paymentIntents.create', { amount: 1000, currency: 'eur' });
    expect((await operate('stripe.paymentIntents.cancel', { id: abandoned.body.output.id, cancellationReason: 'abandoned' })).body.output).toMatchObject({
      status: 'canceled',
      cancellationReason: 'abandoned',
    });
  });

  it('answers a declined card as 402 with Stripe’s decline code', async () => {
    const declined = await operate('stripe.paymentIntents.create', { amount: 1200, currency: 'usd', paymentMethod: DECLINING_PAYMENT_METHOD, confirm: true });
    expect(declined.status).toBe(402);
    expect(declined.body.message).toContain('card_declined');
    expect(declined.body.message).toContain('generic_decline');
  });

  it('charges once when a retried run re-sends a charge whose answer was lost: the same Idempotency-Key, replayed by Stripe', async () => {
    const chargesBefore = peer.charges;
    peer.dropAfterProcessing();
    const submitted = await operate(
      'stripe.paymentIntents.create',
      { amount: 4200, currency: 'usd', paymentMethod: 'pm_card_visa', confirm: true },
      { idempotencyKey: 'order-4200', async: true },
    );
    expect(submitted.status).toBe(202);
    const run = await tenant.runIn(submitted.body.runId, ['Completed', 'Failed']);
    expect(run).toMatchObject({ state: 'Completed', responseStatus: 200, attempts: 2 });
    const attempts = peer.requests.filter((request) => request.path === '/v1/payment_intents' && request.raw.includes('amount=4200'));
    expect(attempts.map((request) => request.headers['idempotency-key'])).toEqual(['order-4200', 'order-4200']);
    expect(peer.charges - chargesBefore).toBe(1);
    expect([...peer.paymentIntents.values()].filter((intent) => intent.amount === 4200)).toHaveLength(1);
    // The platform will not send a used key again either.
    const reused = await operate('stripe.paymentIntents.create', { amount: 4200, currency: 'usd' }, { idempotencyKey: 'order-4200' });
    expect(reused.status).toBe(409);
  }, 20_000);

  it('manages customers and creates Checkout sessions', async () => {
    const created = await operate('stripe.customers.create', { email: 'buyer@example.com', name: 'Ada Buyer', metadata: { tier: 'gold', source: 'factory' } });
    expect(created.body.output).toMatchObject({ email: 'buyer@example.com', name: 'Ada Buyer', metadata: { tier: 'gold', source: 'factory' }, deleted: false });
    const id = created.body.output.id;
    const updated = await operate('stripe.customers.update', { id, name: 'Ada Lovelace', metadata: { source: null } });
    expect(updated.body.output).toMatchObject({ name: 'Ada Lovelace', metadata: { tier: 'gold' } });
    expect(peer.requestsTo(`/v1/customers/${id}`).at(-1)?.raw).toMatch(/(^|&)metadata\[source\]=(&|$)/);
    expect((await operate('stripe.customers.retrieve', { id })).body.output.metadata).toEqual({ tier: 'gold' });
    expect((await operate('stripe.customers.update', { id })).status).toBe(400);

    const session = await operate('stripe.checkoutSessions.create', {
      mode: 'payment',
      customer: id,
      successUrl: 'https://shop.example/thanks',
      lineItems: [{ quantity: 2, priceData: { currency: 'usd', unitAmount: 1500, productName: 'Build minutes' } }],
      clientReferenceId: 'cart-9',
    });
    expect(session.status).toBe(200);
    expect(session.body.output).toMatchObject({ mode: 'payment', status: 'open', amountTotal: 3000, customer: id, clientReferenceId: 'cart-9' });
    expect(session.body.output.url).toMatch(/^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_/);
    expect(peer.requestsTo('/v1/checkout/sessions')[0].params.line_items).toEqual([
      { quantity: '2', price_data: { currency: 'usd', unit_amount: '1500', product_data: { name: 'Build minutes' } } },
    ]);
  });

  it('validates input before calling Stripe, and passes Stripe’s 404 on', async () => {
    const before = peer.requests.length;
    const invalid = await operate('stripe.paymentIntents.create', { currency: 'usd' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.message).toContain('amount');
    expect((await operate('stripe.refunds.create', { amount: 100 })).status).toBe(400);
    expect(peer.requests.length).toBe(before);
    const missing = await operate('stripe.paymentIntents.retrieve', { id: 'pi_doesnotexist' });
    expect(missing.status).toBe(404);
    expect(missing.body.message).toContain('resource_missing');
  });

  it('works with a restricted key, and names the permission it lacks as an Auth failure (the key never quoted)', async () => {
    const restricted = await connect(tenant, 'stripe-restricted', RESTRICTED_KEY);
    expect(restricted.body).toMatchObject({ status: 'Active' });
    const intent = await operate(
      'stripe.paymentIntents.create',
      { amount: 800, currency: 'usd', paymentMethod: 'pm_card_visa', confirm: true },
      { connection: restricted.body.id },
    );
    expect(intent.status).toBe(200);
    const refused = await operate('stripe.refunds.create', { paymentIntent: intent.body.output.id }, { connection: restricted.body.id });
    expect(refused.status).toBe(502);
    expect(refused.body.message).toContain('rak_refund_write');
    expect(refused.body.message).toMatch(/auth/i);
    expect(refused.body.message).not.toContain('rk_test_');
    const run = await tenant.get(`/integrations/runs/${refused.headers.get('x-integration-run-id')}`);
    expect(run.body.failure).toMatchObject({ category: 'Auth' });
  });

  it('normalises verified webhooks to com.stripe.* with the object id as subject', async () => {
    const hooks = await tenant.post('/integrations/connections', {
      providerId: 'stripe',
      displayName: 'stripe-hooks',
      webhook: { secretCredentialId: await tenant.createCredential('stripe-hooks', WEBHOOK_SECRET, 'webhook-secret') },
    });
    const body = JSON.stringify({
      id: 'evt_peer_1',
      object: 'event',
      type: 'payment_intent.succeeded',
      created: Math.floor(Date.now() / 1000),
      data: { object: { id: 'pi_hooked', object: 'payment_intent' } },
    });
    const signature = new Stripe('sk_test_unused').webhooks.generateTestHeaderString({ payload: body, secret: WEBHOOK_SECRET });
    const answer = await fetch(`${platform.url}/webhooks/ingest/${hooks.body.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      body,
    });
    expect(answer.status).toBe(202);
    const recorded = platform.app.get(RecordedEvents);
    await waitFor(() => recorded.ofType('com.stripe.payment_intent.succeeded').length > 0, 5000, 'the normalised event');
    expect(recorded.ofType('com.stripe.payment_intent.succeeded')[0]).toMatchObject({ subject: 'pi_hooked', provider: 'stripe' });
  });

  it('keeps tenants apart', async () => {
    expect((await operate('stripe.customers.create', { name: 'x' }, { api: other })).status).toBe(404);
    expect((await other.get('/stripe/operations')).status).toBe(200);
  });

  it('never shows an API key or the webhook secret in answers, logs or rows', async () => {
    const store = JSON.stringify(await dumpStore(platform.app.get(DataSource)));
    for (const place of [transcript.join('\n'), platform.logs.text(), store]) {
      expect(place).not.toContain(SECRET_KEY);
      expect(place).not.toContain(RESTRICTED_KEY);
      expect(place).not.toContain(WEBHOOK_SECRET);
    }
  });
});

describe('the Stripe peer, driven by the official stripe library', () => {
  let peer: StripePeer;
  let stripe: Stripe;

  beforeAll(async () => {
    peer = await StripePeer.start({ [SECRET_KEY]: 'all' });
    const url = new URL(peer.url);
    stripe = new Stripe(SECRET_KEY, { host: url.hostname, port: Number(url.port), protocol: 'http', maxNetworkRetries: 0 });
  });

  afterAll(() => peer?.close());

  it('speaks the wire format the library expects: objects, errors and idempotent replays', async () => {
    const intent = await stripe.paymentIntents.create({ amount: 900, currency: 'usd', metadata: { order: '9' } }, { idempotencyKey: 'sdk-1' });
    expect(intent).toMatchObject({ object: 'payment_intent', amount: 900, metadata: { order: '9' } });
    const replayed = await stripe.paymentIntents.create({ amount: 900, currency: 'usd', metadata: { order: '9' } }, { idempotencyKey: 'sdk-1' });
    expect(replayed.id).toBe(intent.id);
    expect(replayed.lastResponse.headers['idempotent-replayed']).toBe('true');
    await expect(stripe.paymentIntents.create({ amount: 901, currency: 'usd' }, { idempotencyKey: 'sdk-1' })).rejects.toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    await expect(stripe.paymentIntents.retrieve('pi_missing')).rejects.toMatchObject({ type: 'StripeInvalidRequestError', code: 'resource_missing', statusCode: 404 });
    await expect(stripe.paymentIntents.create({ amount: 100, currency: 'usd', payment_method: DECLINING_PAYMENT_METHOD, confirm: true })).rejects.toMatchObject({
      type: 'StripeCardError',
      decline_code: 'generic_decline',
    });
    const session = await stripe.checkout.sessions.create({
      mode: 'payment',
      success_url: 'https://shop.example/ok',
      line_items: [{ price_data: { currency: 'usd', unit_amount: 700, product_data: { name: 'x' } }, quantity: 3 }],
    });
    expect(session.amount_total).toBe(2100);
  });
});
