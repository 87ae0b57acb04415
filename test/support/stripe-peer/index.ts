import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { headerValue, readBody } from '../peer-http';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Stripe objects as the peer keeps them
type StripeObject = Record<string, any>;

export interface StripeRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  raw: string;
  params: StripeObject;
}

interface StoredAnswer {
  path: string;
  raw: string;
  status: number;
  body: unknown;
}

/** Endpoints and the restricted-key permission each needs, as Stripe names them. */
const PERMISSIONS: Array<{ method: string; path: RegExp; permission: string }> = [
  { method: 'GET', path: /^\/v1\/balance$/, permission: 'rak_balance_read' },
  { method: 'GET', path: /^\/v1\/payment_intents\//, permission: 'rak_payment_intent_read' },
  { method: 'POST', path: /^\/v1\/payment_intents/, permission: 'rak_payment_intent_write' },
  { method: 'GET', path: /^\/v1\/refunds\//, permission: 'rak_refund_read' },
  { method: 'POST', path: /^\/v1\/refunds/, permission: 'rak_refund_write' },
  { method: 'GET', path: /^\/v1\/customers\//, permission: 'rak_customer_read' },
  { method: 'POST', path: /^\/v1\/customers/, permission: 'rak_customer_write' },
  { method: 'POST', path: /^\/v1\/checkout\/sessions$/, permission: 'rak_checkout_session_write' },
];

/** A card that declines, as in Stripe's test mode. */
export const DECLINING_PAYMENT_METHOD = 'pm_card_chargeDeclined';

/**
 * Stripe's API as it documents it (https://docs.stripe.com/api): Bearer secret (`sk_`) or restricted
 * (`rk_`) keys, form-encoded bodies with bracketed keys, `Stripe-Version` required in a date form,
 * errors as `{error: {type, code, message, param, decline_code}}` with a `Request-Id` on every answer,
 * and idempotency as https://docs.stripe.com/api/idempotent_requests describes it: a POST's
 * `Idempotency-Key` with the same parameters answers the stored result (`Idempotent-Replayed: true`),
 * with other parameters a 400 `idempotency_error`. A restricted key without an endpoint's permission is
 * answered 403 naming the `rak_` permission that would allow it.
 */
export class StripePeer {
  readonly requests: StripeRequest[] = [];
  readonly paymentIntents = new Map<string, StripeObject>();
  readonly refunds = new Map<string, StripeObject>();
  readonly customers = new Map<string, StripeObject>();
  readonly sessions = new Map<string, StripeObject>();
  /** Charges Stripe made (a confirmation that succeeded or authorised). */
  charges = 0;
  private readonly idempotent = new Map<string, StoredAnswer>();
  private readonly failures: Array<{ status: number; body: unknown }> = [];
  private dropsAfterProcessing = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly keys: ReadonlyMap<string, readonly string[] | 'all'>,
  ) {}

  /** `keys`: each API key with the permissions it has (`all` for a secret key). */
  static async start(keys: Record<string, readonly string[] | 'all'>): Promise<StripePeer> {
    const holder: { peer?: StripePeer } = {};
    const server = createServer((request, response) => void holder.peer!.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    holder.peer = new StripePeer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, new Map(Object.entries(keys)));
    return holder.peer;
  }

  /** The next request is answered so. */
  fail(status: number, body: unknown): void {
    this.failures.push({ status, body });
  }

  /** The next POST is processed (and its idempotent result stored), then the connection is dropped before the answer. */
  dropAfterProcessing(): void {
    this.dropsAfterProcessing++;
  }

  requestsTo(path: string): StripeRequest[] {
    return this.requests.filter((request) => request.path === path);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const raw = (await readBody(request)).toString('utf8');
    const url = new URL(request.url ?? '/', 'http://peer');
    const method = request.method ?? 'GET';
    const params = method === 'GET' ? parseForm(url.search.slice(1)) : parseForm(raw);
    this.requests.push({ method, path: url.pathname, headers: request.headers, raw, params });
    const answer = this.answer(method, url.pathname, raw, params, request);
    if (method === 'POST' && this.dropsAfterProcessing > 0) {
      this.dropsAfterProcessing--;
      request.socket.destroy();
      return;
    }
    response.writeHead(answer.status, { 'content-type': 'application/json', 'request-id': `req_${randomBytes(7).toString('hex')}`, ...(answer.headers ?? {}) });
    response.end(JSON.stringify(answer.body));
  }

  private answer(method: string, path: string, raw: string, params: StripeObject, request: IncomingMessage): { status: number; body: unknown; headers?: Record<string, string> } {
    const key = /^Bearer (\S+)$/.exec(headerValue(request.headers, 'authorization') ?? '')?.[1];
    const permissions = key ? this.keys.get(key) : undefined;
    if (!key || !permissions) {
      return error(401, { type: 'invalid_request_error', message: `Invalid API Key provided: ${key ? `${key.slice(0, 8)}${'*'.repeat(12)}${key.slice(-4)}` : '(none)'}` });
    }
    const version = headerValue(request.headers, 'stripe-version');
    if (version !== undefined && !/^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$/.test(version)) {
      return error(400, { type: 'invalid_request_error', message: `Invalid Stripe API version: ${version}` });
    }
    const needed = PERMISSIONS.find((entry) => entry.method === method && entry.path.test(path))?.permission;
    if (permissions !== 'all' && needed && !permissions.includes(needed)) {
      return error(403, {
        type: 'invalid_request_error',
        message: `The provided key '${key.slice(0, 8)}${'*'.repeat(24)}${key.slice(-4)}' does not have the required permissions for this endpoint on account 'acct_1PeerTest'. Having the '${needed}' permission would allow this request to continue.`,
      });
    }
    const scripted = this.failures.shift();
    if (scripted) return { status: scripted.status, body: scripted.body };
    const idempotencyKey = method === 'POST' ? headerValue(request.headers, 'idempotency-key') : undefined;
    if (idempotencyKey) {
      const stored = this.idempotent.get(idempotencyKey);
      if (stored && (stored.raw !== raw || stored.path !== path)) {
        return error(400, {
          type: 'idempotency_error',
          message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
        });
      }
      if (stored) return { status: stored.status, body: stored.body, headers: { 'idempotent-replayed': 'true', 'original-request': 'req_original' } };
    }
    const answer = this.route(method, path, params);
    // Stripe keeps the result of any request that began executing, failures included (a validation refusal is not kept).
    if (idempotencyKey && answer.status !== 400) this.idempotent.set(idempotencyKey, { path, raw, status: answer.status, body: answer.body });
    return answer;
  }

  private route(method: string, path: string, params: StripeObject): { status: number; body: unknown } {
    if (method === 'GET' && path === '/v1/balance') return { status: 200, body: { object: 'balance', livemode: false, available: [{ amount: 0, currency: 'usd' }], pending: [] } };
    const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
    const [version, resource, id, action] = segments;
    if (version !== 'v1') return missingRoute(path);
    switch (resource) {
      case 'payment_intents':
        return this.paymentIntent(method, id, action, params);
      case 'refunds':
        return this.refund(method, id, params);
      case 'customers':
        return this.customer(method, id, params);
      case 'checkout':
        return method === 'POST' && id === 'sessions' && action === undefined ? this.checkoutSession(params) : missingRoute(path);
      default:
        return missingRoute(path);
    }
  }

  private paymentIntent(method: string, id: string | undefined, action: string | undefined, params: StripeObject): { status: number; body: unknown } {
    if (method === 'POST' && id === undefined) {
      const missing = ['amount', 'currency'].find((name) => params[name] === undefined);
      if (missing) return error(400, { type: 'invalid_request_error', code: 'parameter_missing', param: missing, message: `Missing required param: ${missing}.` });
      if (!/^\d+$/.test(params.amount) || Number(params.amount) < 1)
        return error(400, { type: 'invalid_request_error', code: 'parameter_invalid_integer', param: 'amount', message: 'Invalid integer: ' + params.amount });
      const intent: StripeObject = {
        id: `pi_${randomBytes(12).toString('hex')}`,
        object: 'payment_intent',
        amount: Number(params.amount),
        amount_capturable: 0,
        amount_received: 0,
        currency: params.currency,
        customer: params.customer ?? null,
        payment_method: params.payment_method ?? null,
        capture_method: params.capture_method ?? 'automatic',
        description: params.description ?? null,
        metadata: params.metadata ?? {},
        status: params.payment_method ? 'requires_confirmation' : 'requires_payment_method',
        latest_charge: null,
        last_payment_error: null,
        cancellation_reason: null,
        client_secret: `pi_secret_${randomBytes(12).toString('hex')}`,
        livemode: false,
        created: Math.floor(Date.now() / 1000),
      };
      this.paymentIntents.set(intent.id, intent);
      return params.confirm === 'true' ? this.confirm(intent, params) : { status: 200, body: intent };
    }
    const intent = id ? this.paymentIntents.get(id) : undefined;
    if (!intent) return resourceMissing('payment_intent', id ?? '', 'intent');
    if (method === 'GET' && action === undefined) return { status: 200, body: intent };
    if (method !== 'POST') return missingRoute(`/v1/payment_intents/${id}`);
    switch (action) {
      case 'confirm':
        if (!['requires_payment_method', 'requires_confirmation'].includes(intent.status)) return unexpectedState(intent, 'confirm');
        return this.confirm(intent, params);
      case 'capture': {
        if (intent.status !== 'requires_capture') return unexpectedState(intent, 'capture');
        const amount = params.amount_to_capture !== undefined ? Number(params.amount_to_capture) : intent.amount_capturable;
        Object.assign(intent, { status: 'succeeded', amount_received: amount, amount_capturable: 0 });
        return { status: 200, body: intent };
      }
      case 'cancel':
        if (['succeeded', 'canceled'].includes(intent.status)) return unexpectedState(intent, 'cancel');
        Object.assign(intent, { status: 'canceled', cancellation_reason: params.cancellation_reason ?? null, amount_capturable: 0 });
        return { status: 200, body: intent };
      default:
        return missingRoute(`/v1/payment_intents/${id}/${action ?? ''}`);
    }
  }

  private confirm(intent: StripeObject, params: StripeObject): { status: number; body: unknown } {
    const paymentMethod = params.payment_method ?? intent.payment_method;
    if (!paymentMethod) {
      return error(400, {
        type: 'invalid_request_error',
        code: 'payment_intent_unexpected_state',
        message: 'You cannot confirm this PaymentIntent because it’s missing a payment method.',
      });
    }
    intent.payment_method = paymentMethod;
    if (paymentMethod === DECLINING_PAYMENT_METHOD) {
      Object.assign(intent, {
        status: 'requires_payment_method',
        last_payment_error: { type: 'card_error', code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.' },
      });
      return error(402, { type: 'card_error', code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.', payment_intent: intent });
    }
    this.charges++;
    const charge = `ch_${randomBytes(12).toString('hex')}`;
    if (intent.capture_method === 'manual') Object.assign(intent, { status: 'requires_capture', amount_capturable: intent.amount, latest_charge: charge });
    else Object.assign(intent, { status: 'succeeded', amount_received: intent.amount, latest_charge: charge });
    return { status: 200, body: intent };
  }

  private refund(method: string, id: string | undefined, params: StripeObject): { status: number; body: unknown } {
    if (method === 'GET' && id) {
      const refund = this.refunds.get(id);
      return refund ? { status: 200, body: refund } : resourceMissing('refund', id, 'refund');
    }
    if (method !== 'POST' || id !== undefined) return missingRoute('/v1/refunds');
    const intent = params.payment_intent ? this.paymentIntents.get(params.payment_intent) : undefined;
    if (!params.payment_intent && !params.charge)
      return error(400, {
        type: 'invalid_request_error',
        code: 'parameter_missing',
        message: 'One of the following params should be provided for this request: payment_intent or charge.',
      });
    if (!intent) return resourceMissing('payment_intent', params.payment_intent ?? params.charge, 'payment_intent');
    const refunded = [...this.refunds.values()].filter((refund) => refund.payment_intent === intent.id).reduce((sum, refund) => sum + refund.amount, 0);
    const amount = params.amount !== undefined ? Number(params.amount) : intent.amount_received - refunded;
    if (intent.status !== 'succeeded' || amount > intent.amount_received - refunded) {
      return error(400, { type: 'invalid_request_error', code: 'charge_already_refunded', message: `Charge ${intent.latest_charge} has already been refunded.` });
    }
    const refund = {
      id: `re_${randomBytes(12).toString('hex')}`,
      object: 'refund',
      amount,
      currency: intent.currency,
      payment_intent: intent.id,
      charge: intent.latest_charge,
      reason: params.reason ?? null,
      status: 'succeeded',
      failure_reason: null,
      metadata: params.metadata ?? {},
      created: Math.floor(Date.now() / 1000),
    };
    this.refunds.set(refund.id, refund);
    return { status: 200, body: refund };
  }

  private customer(method: string, id: string | undefined, params: StripeObject): { status: number; body: unknown } {
    if (method === 'POST' && id === undefined) {
      const customer = {
        id: `cus_${randomBytes(7).toString('hex')}`,
        object: 'customer',
        email: params.email ?? null,
        name: params.name ?? null,
        phone: params.phone ?? null,
        description: params.description ?? null,
        metadata: withoutEmpty(params.metadata ?? {}),
        created: Math.floor(Date.now() / 1000),
      };
      this.customers.set(customer.id, customer);
      return { status: 200, body: customer };
    }
    const customer = id ? this.customers.get(id) : undefined;
    if (!customer) return resourceMissing('customer', id ?? '', 'id');
    if (method === 'GET') return { status: 200, body: customer };
    for (const field of ['email', 'name', 'phone', 'description']) if (params[field] !== undefined) customer[field] = params[field] === '' ? null : params[field];
    if (params.metadata) customer.metadata = withoutEmpty({ ...customer.metadata, ...params.metadata });
    return { status: 200, body: customer };
  }

  private checkoutSession(params: StripeObject): { status: number; body: unknown } {
    if (!params.mode) return error(400, { type: 'invalid_request_error', code: 'parameter_missing', param: 'mode', message: 'Missing required param: mode.' });
    const items: StripeObject[] = params.line_items ?? [];
    if (params.mode === 'payment' && items.length === 0) {
      return error(400, { type: 'invalid_request_error', code: 'parameter_missing', param: 'line_items', message: 'You must provide at least one line item.' });
    }
    const total = items.reduce((sum, item) => sum + Number(item.price_data?.unit_amount ?? 1000) * Number(item.quantity ?? 1), 0);
    const id = `cs_test_${randomBytes(16).toString('hex')}`;
    const session = {
      id,
      object: 'checkout.session',
      url: `https://checkout.stripe.com/c/pay/${id}`,
      mode: params.mode,
      status: 'open',
      payment_status: 'unpaid',
      amount_total: total,
      currency: items[0]?.price_data?.currency ?? 'usd',
      customer: params.customer ?? null,
      payment_intent: null,
      client_reference_id: params.client_reference_id ?? null,
      success_url: params.success_url ?? null,
      expires_at: params.expires_at ? Number(params.expires_at) : Math.floor(Date.now() / 1000) + 86_400,
      metadata: params.metadata ?? {},
    };
    this.sessions.set(id, session);
    return { status: 200, body: session };
  }
}

/** `a[b][0]=x&a[b][1]=y&c=z` → `{a: {b: ['x', 'y']}, c: 'z'}`, as Stripe reads its form bodies. */
export function parseForm(text: string): StripeObject {
  const root: StripeObject = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const path = key.match(/[^[\]]+/g) ?? [key];
    let node: StripeObject = root;
    path.forEach((segment, index) => {
      if (index === path.length - 1) node[segment] = value;
      else node = node[segment] ??= /^\d+$/.test(path[index + 1]) ? [] : {};
    });
  }
  return normaliseArrays(root) as StripeObject;
}

function normaliseArrays(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((item) => item !== undefined).map(normaliseArrays);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, nested]) => [key, normaliseArrays(nested)]));
  return value;
}

function withoutEmpty(metadata: StripeObject): StripeObject {
  return Object.fromEntries(Object.entries(metadata).filter(([, value]) => value !== ''));
}

function error(status: number, body: StripeObject): { status: number; body: unknown } {
  return { status, body: { error: { ...body, doc_url: body.code ? `https://docs.stripe.com/error-codes/${String(body.code).replace(/_/g, '-')}` : undefined } } };
}

function resourceMissing(kind: string, id: string, param: string): { status: number; body: unknown } {
  return error(404, { type: 'invalid_request_error', code: 'resource_missing', param, message: `No such ${kind}: '${id}'` });
}

function unexpectedState(intent: StripeObject, action: string): { status: number; body: unknown } {
  return error(400, {
    type: 'invalid_request_error',
    code: 'payment_intent_unexpected_state',
    message: `This PaymentIntent's ${action} could not be performed because it has a status of ${intent.status}.`,
  });
}

function missingRoute(path: string): { status: number; body: unknown } {
  return error(404, { type: 'invalid_request_error', message: `Unrecognized request URL (${path}).` });
}
