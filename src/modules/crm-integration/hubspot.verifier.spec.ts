import { createHmac } from 'node:crypto';
import { WebhookVerificationError } from '../../platform/webhooks/verification/webhook-verifier';
import { normaliseHubSpotEvent } from './hubspot.events';
import { hubSpotSignedUri, HubSpotVerifier } from './hubspot.verifier';

/**
 * HubSpot's v3 signature (developers.hubspot.com/docs/api/webhooks/validating-requests): the vector was
 * computed outside this code base, as the docs describe it (Python's hmac over
 * `POST` + URI with %3A decoded + body + timestamp, base64).
 */
const SECRET = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';
const SENT_URL = 'https://hooks.example.com/webhooks/ingest/conn-1?tag=a%3Ab';
const TIMESTAMP = '1767225600000';
const BODY =
  '[{"eventId":100,"subscriptionId":7,"portalId":62515,"occurredAt":1767225600000,"subscriptionType":"contact.propertyChange","attemptNumber":0,"objectId":123,"changeSource":"CRM","propertyName":"email","propertyValue":"a@example.com"}]';
const SIGNATURE = 'KybRc9HeOVhlK/qrf/bFDNE5pCf3KKxh1ifPNfTMIxk=';

const verifier = new HubSpotVerifier();
const context = (now = Number(TIMESTAMP) + 1000, secrets = [SECRET]) => ({ secrets, now, toleranceMs: 300_000 });
const webhook = (headers: Record<string, string>, body = BODY, url = SENT_URL) => ({
  rawBody: Buffer.from(body),
  headers: { 'content-type': 'application/json', ...headers },
  url,
  contentType: 'application/json',
});
const signed = (extra: Record<string, string> = {}) => ({ 'x-hubspot-signature-v3': SIGNATURE, 'x-hubspot-request-timestamp': TIMESTAMP, ...extra });

/** A delivery signed here, for payload cases (the signature itself is checked against the vector above). */
function signedDelivery(events: unknown, timestamp = '1000') {
  const body = JSON.stringify(events);
  const signature = createHmac('sha256', SECRET).update(`POSThttps://h.example/x${body}${timestamp}`).digest('base64');
  return () =>
    verifier.verify(
      { rawBody: Buffer.from(body), headers: { 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': timestamp }, url: 'https://h.example/x' },
      { secrets: [SECRET], now: Number(timestamp), toleranceMs: 300_000 },
    );
}

function reasonOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error.reason;
    throw error;
  }
  return undefined;
}

describe('HubSpotVerifier (signature v3)', () => {
  it('verifies the documented vector, with the listed escapes of the URI decoded', () => {
    expect(hubSpotSignedUri(SENT_URL)).toBe('https://hooks.example.com/webhooks/ingest/conn-1?tag=a:b');
    expect(hubSpotSignedUri('https://h.example/p%2Fq%40r%2a%3b%20x')).toBe('https://h.example/p/q@r*;%20x');
    const verified = verifier.verify(webhook(signed()), context());
    expect(verified).toEqual({
      deliveryId: '100',
      eventType: 'contact.propertyChange',
      occurredAt: '2026-01-01T00:00:00.000Z',
      payload: [expect.objectContaining({ objectId: 123, propertyName: 'email' })],
    });
    expect(normaliseHubSpotEvent(verified)).toEqual({ type: 'com.hubspot.contact.propertyChange', subject: 'contacts/123' });
  });

  it('verifies with the previous secret during a rotation overlap', () => {
    expect(verifier.verify(webhook(signed()), context(undefined, ['another-secret', SECRET])).deliveryId).toBe('100');
  });

  it('refuses a changed body, URL, timestamp or secret, and a missing or malformed header', () => {
    expect(reasonOf(() => verifier.verify(webhook(signed(), BODY.replace('a@example.com', 'b@example.com')), context()))).toBe('bad_signature');
    expect(reasonOf(() => verifier.verify(webhook(signed(), BODY, SENT_URL.replace('conn-1', 'conn-2')), context()))).toBe('bad_signature');
    expect(reasonOf(() => verifier.verify(webhook(signed({ 'x-hubspot-request-timestamp': '1767225600001' })), context()))).toBe('bad_signature');
    expect(reasonOf(() => verifier.verify(webhook(signed()), context(undefined, ['wrong'])))).toBe('bad_signature');
    expect(reasonOf(() => verifier.verify(webhook({ 'x-hubspot-request-timestamp': TIMESTAMP }), context()))).toBe('missing_signature');
    expect(reasonOf(() => verifier.verify(webhook(signed({ 'x-hubspot-signature-v3': 'not base64!' })), context()))).toBe('malformed_header');
    expect(reasonOf(() => verifier.verify(webhook(signed({ 'x-hubspot-request-timestamp': '2026-01-01' })), context()))).toBe('malformed_header');
    expect(reasonOf(() => verifier.verify(webhook(signed()), context(undefined, [])))).toBe('no_secret');
  });

  it('refuses a correctly signed request older than five minutes (or as far ahead)', () => {
    expect(reasonOf(() => verifier.verify(webhook(signed()), context(Number(TIMESTAMP) + 300_000)))).toBeUndefined();
    expect(reasonOf(() => verifier.verify(webhook(signed()), context(Number(TIMESTAMP) + 300_001)))).toBe('stale_timestamp');
    expect(reasonOf(() => verifier.verify(webhook(signed()), context(Number(TIMESTAMP) - 300_001)))).toBe('stale_timestamp');
  });

  it('declares every HubSpot signature header, so none is stored', () => {
    expect(verifier.signatureHeaders()).toEqual(expect.arrayContaining(['x-hubspot-signature-v3', 'x-hubspot-signature']));
  });
});

describe('HubSpot events', () => {
  const batch = [
    { eventId: 1, portalId: 9, subscriptionType: 'deal.creation', objectId: 5, occurredAt: 1 },
    { eventId: 2, portalId: 9, subscriptionType: 'company.propertyChange', objectId: 6, occurredAt: 2 },
  ];

  it('delivers several events as one batch with a derived id, subject the portal', () => {
    const verified = signedDelivery(batch)();
    expect(verified.eventType).toBe('batch');
    expect(verified.deliveryId).toMatch(/^batch-[0-9a-f]{32}$/);
    expect(verified.payload).toEqual(batch);
    expect(normaliseHubSpotEvent(verified)).toEqual({ type: 'com.hubspot.batch', subject: 'portals/9' });
  });

  it('names the object of each event type, and none it does not know', () => {
    const of = (subscriptionType: string, objectId: unknown = 42) =>
      normaliseHubSpotEvent({ deliveryId: '1', eventType: subscriptionType, payload: [{ eventId: 1, subscriptionType, objectId }] });
    expect(of('deal.creation')).toEqual({ type: 'com.hubspot.deal.creation', subject: 'deals/42' });
    expect(of('company.deletion')).toEqual({ type: 'com.hubspot.company.deletion', subject: 'companies/42' });
    expect(of('contact.associationChange')).toEqual({ type: 'com.hubspot.contact.associationChange', subject: 'contacts/42' });
    expect(of('app.install')).toEqual({ type: 'com.hubspot.app.install' });
    expect(of('contact.creation', 'x/../y')).toEqual({ type: 'com.hubspot.contact.creation' });
  });

  it('refuses events without an eventId or a subscriptionType, and an empty array', () => {
    const verify = (events: unknown) => signedDelivery(events);
    expect(verify([{ subscriptionType: 'contact.creation' }])).toThrow('eventId');
    expect(verify([{ eventId: 1 }])).toThrow('subscriptionType');
    expect(verify([])).toThrow('non-empty array');
  });
});
