import { createHmac } from 'node:crypto';
import { InboundWebhook, MalformedWebhookError, WebhookVerificationError } from '../../platform/webhooks/verification/webhook-verifier';
import { normaliseZendeskEvent } from './zendesk.events';
import { ZendeskVerifier } from './zendesk.verifier';

/**
 * Zendesk's webhook signature (developer.zendesk.com/documentation/webhooks/verifying):
 * `base64(HMACSHA256(TIMESTAMP + BODY))` keyed with the signing secret as its text. The vector below is
 * that formula over the docs' example secret, timestamp and body, computed independently of the verifier.
 */
const DOCS_SECRET = 'dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==';
const DOCS_TIMESTAMP = '2021-07-25T10:00:00Z';
const DOCS_BODY = '{"say": "hello"}';
const DOCS_SIGNATURE = 'gf3v0LzLRHPUnIdhbvwRDVEvzSb07/QN0GYjSNlkBT0=';
const AT_DOCS_TIME = Date.parse(DOCS_TIMESTAMP);
const TOLERANCE_MS = 300_000;

const verifier = new ZendeskVerifier();

function webhook(body: string, headers: InboundWebhook['headers']): InboundWebhook {
  return { rawBody: Buffer.from(body), headers, url: 'https://ingest.example.com/webhooks/ingest/conn_1', contentType: 'application/json' };
}

function signed(secret: string, body: string, timestamp: string, extra: InboundWebhook['headers'] = {}): InboundWebhook {
  const signature = createHmac('sha256', secret).update(timestamp).update(body).digest('base64');
  return webhook(body, { 'x-zendesk-webhook-signature': signature, 'x-zendesk-webhook-signature-timestamp': timestamp, ...extra });
}

const verify = (inbound: InboundWebhook, now = AT_DOCS_TIME, secrets: readonly string[] = [DOCS_SECRET]) => verifier.verify(inbound, { secrets, now, toleranceMs: TOLERANCE_MS });

function reasonOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error.reason;
    if (error instanceof MalformedWebhookError) return 'malformed';
    throw error;
  }
  return 'accepted';
}

describe('ZendeskVerifier', () => {
  it('computes the documented signature: base64(HMAC-SHA256(secret, timestamp + body))', () => {
    expect(
      createHmac('sha256', DOCS_SECRET)
        .update(DOCS_TIMESTAMP + DOCS_BODY)
        .digest('base64'),
    ).toBe(DOCS_SIGNATURE);
    const inbound = webhook(DOCS_BODY, { 'x-zendesk-webhook-signature': DOCS_SIGNATURE, 'x-zendesk-webhook-signature-timestamp': DOCS_TIMESTAMP });
    // A trigger-style body (no event type): accepted as com.zendesk.webhook, its delivery id a digest of the body.
    const verified = verify(inbound);
    expect(verified).toMatchObject({ eventType: 'webhook', payload: { say: 'hello' }, deliveryId: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    expect(verify(inbound).deliveryId).toBe(verified.deliveryId);
    expect(normaliseZendeskEvent(verified)).toEqual({ type: 'com.zendesk.webhook' });
  });

  it('refuses the documented signature over other bytes, another timestamp or another secret', () => {
    const good = { 'x-zendesk-webhook-signature': DOCS_SIGNATURE, 'x-zendesk-webhook-signature-timestamp': DOCS_TIMESTAMP };
    expect(reasonOf(() => verify(webhook('{"say": "hellO"}', good)))).toBe('bad_signature');
    expect(reasonOf(() => verify(webhook(DOCS_BODY, { ...good, 'x-zendesk-webhook-signature-timestamp': '2021-07-25T10:00:01Z' })))).toBe('bad_signature');
    expect(reasonOf(() => verify(webhook(DOCS_BODY, good), AT_DOCS_TIME, ['another-secret']))).toBe('bad_signature');
    // Signed as body + timestamp (the order of an older page of the docs) is not Zendesk's signature.
    const reversed = createHmac('sha256', DOCS_SECRET)
      .update(DOCS_BODY + DOCS_TIMESTAMP)
      .digest('base64');
    expect(reasonOf(() => verify(webhook(DOCS_BODY, { ...good, 'x-zendesk-webhook-signature': reversed })))).toBe('bad_signature');
  });

  it('checks freshness after the signature, and refuses malformed headers', () => {
    const inbound = signed(DOCS_SECRET, DOCS_BODY, DOCS_TIMESTAMP);
    expect(reasonOf(() => verify(inbound, AT_DOCS_TIME + TOLERANCE_MS + 1000))).toBe('stale_timestamp');
    expect(reasonOf(() => verify(inbound, AT_DOCS_TIME - TOLERANCE_MS - 1000))).toBe('stale_timestamp');
    expect(reasonOf(() => verify(inbound, AT_DOCS_TIME + TOLERANCE_MS - 1000))).toBe('accepted');
    expect(reasonOf(() => verify(signed(DOCS_SECRET, DOCS_BODY, '1627207200')))).toBe('malformed_header');
    expect(reasonOf(() => verify(signed(DOCS_SECRET, DOCS_BODY, 'yesterday')))).toBe('malformed_header');
    expect(reasonOf(() => verify(webhook(DOCS_BODY, { 'x-zendesk-webhook-signature': 'not base64!', 'x-zendesk-webhook-signature-timestamp': DOCS_TIMESTAMP })))).toBe(
      'malformed_header',
    );
    expect(reasonOf(() => verify(webhook(DOCS_BODY, { 'x-zendesk-webhook-signature-timestamp': DOCS_TIMESTAMP })))).toBe('missing_signature');
    expect(reasonOf(() => verify(webhook(DOCS_BODY, { 'x-zendesk-webhook-signature': DOCS_SIGNATURE })))).toBe('missing_signature');
  });

  it('reads an event webhook: the event id is the delivery id, zen:event-type:… the type, time when it happened', () => {
    const event = {
      type: 'zen:event-type:ticket.status_changed',
      account_id: 22129848,
      id: 'cbe4028c-7239-495d-b020-f22348516046',
      time: '2021-07-25T09:59:58Z',
      zendesk_event_version: '2022-11-06',
      subject: 'zen:ticket:35',
      detail: { id: '35', status: 'OPEN' },
      event: { current: 'OPEN', previous: 'NEW' },
    };
    const verified = verify(signed(DOCS_SECRET, JSON.stringify(event), DOCS_TIMESTAMP));
    expect(verified).toEqual({ deliveryId: event.id, eventType: 'ticket.status_changed', payload: event, occurredAt: '2021-07-25T09:59:58.000Z' });
    expect(normaliseZendeskEvent(verified)).toEqual({ type: 'com.zendesk.ticket.status_changed', subject: 'tickets/35' });
    expect(reasonOf(() => verify(signed(DOCS_SECRET, JSON.stringify({ ...event, id: undefined }), DOCS_TIMESTAMP)))).toBe('malformed');
    expect(reasonOf(() => verify(signed(DOCS_SECRET, '{"type": "zen:event', DOCS_TIMESTAMP)))).toBe('malformed');
  });

  it('takes a trigger webhook’s invocation id as its delivery id when Zendesk sends one', () => {
    const body = JSON.stringify({ ticket: { id: 812, title: 'Printer on fire' } });
    const verified = verify(signed(DOCS_SECRET, body, DOCS_TIMESTAMP, { 'x-zendesk-webhook-invocation-id': '8350205582' }));
    expect(verified.deliveryId).toBe('8350205582');
    expect(normaliseZendeskEvent(verified)).toEqual({ type: 'com.zendesk.webhook', subject: 'tickets/812' });
  });

  it('declares the signature headers so they are never stored', () => {
    expect(verifier.signatureHeaders()).toEqual(['x-zendesk-webhook-signature', 'x-zendesk-webhook-signature-timestamp']);
  });
});

describe('normaliseZendeskEvent', () => {
  const normalise = (eventType: string, payload: unknown) => normaliseZendeskEvent({ deliveryId: 'd', eventType, payload });

  it('names the resource of user and organization events, and a ticket event by detail.id alone', () => {
    expect(normalise('user.created', { subject: 'zen:user:4901', detail: { id: '4901' } })).toEqual({ type: 'com.zendesk.user.created', subject: 'users/4901' });
    expect(normalise('organization.created', { subject: 'zen:organization:77' })).toEqual({ type: 'com.zendesk.organization.created', subject: 'organizations/77' });
    expect(normalise('ticket.comment_added', { detail: { id: 35 } })).toEqual({ type: 'com.zendesk.ticket.comment_added', subject: 'tickets/35' });
    expect(normalise('ticket.created', { detail: { id: '../35' } })).toEqual({ type: 'com.zendesk.ticket.created' });
    expect(normalise('webhook', { ticket_id: '12' })).toEqual({ type: 'com.zendesk.webhook', subject: 'tickets/12' });
    expect(normalise('webhook', [1, 2])).toEqual({ type: 'com.zendesk.webhook' });
  });
});
