import { WebhookVerificationError } from '../../../platform/webhooks/verification/webhook-verifier';
import { EventGridVerifier } from './event-grid.verifier';

describe('the Event Grid verifier', () => {
  const verifier = new EventGridVerifier();
  const secret = 'event-grid-delivery-secret-5d2c';
  const context = { secrets: ['previous-secret-1a2b', secret], now: Date.parse('2026-12-01T10:00:00Z'), toleranceMs: 300_000 };
  const url = (query = `?code=${secret}`) => `https://platform.example/webhooks/ingest/conn-0123456789abcdef0123456789abcdef${query}`;
  const webhook = (body: unknown, headers: Record<string, string> = {}, query?: string) => ({
    rawBody: Buffer.from(JSON.stringify(body)),
    headers,
    url: url(query),
    contentType: 'application/json',
  });
  const report = (id: string) => ({
    id,
    topic: '/subscriptions/s/resourceGroups/r/providers/Microsoft.Communication/communicationServices/contoso',
    subject: 'sender/+15550100/recipient/+15550199',
    eventType: 'Microsoft.Communication.SMSDeliveryReportReceived',
    eventTime: '2026-12-01T09:59:58Z',
    data: { MessageId: `Outgoing_${id}`, DeliveryStatus: 'Delivered' },
    dataVersion: '1.0',
  });

  it('answers the SubscriptionValidation handshake with the validation code, once the secret checks', () => {
    const validation = [
      {
        id: 'v-1',
        eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent',
        data: { validationCode: '512d38b6-c7b8-40c8-89fe-f46f9e9622b6' },
        eventTime: '2026-12-01T10:00:00Z',
      },
    ];
    const reply = verifier.handshake(webhook(validation, { 'aeg-event-type': 'SubscriptionValidation' }), context);
    expect(reply).toEqual({ status: 200, headers: { 'content-type': 'application/json' }, body: { validationResponse: '512d38b6-c7b8-40c8-89fe-f46f9e9622b6' } });
    expect(() => verifier.handshake(webhook(validation, { 'aeg-event-type': 'SubscriptionValidation' }, '?code=wrong'), context)).toThrow(WebhookVerificationError);
    expect(verifier.handshake(webhook([report('e-1')], { 'aeg-event-type': 'Notification' }), context)).toBeUndefined();
  });

  it('grants the CloudEvents abuse-protection OPTIONS request to the origin that asked, with the secret', () => {
    const options = { rawBody: Buffer.alloc(0), headers: { 'webhook-request-origin': 'eventgrid.azure.net' }, url: url() };
    expect(verifier.preflight(options, context)).toEqual({ status: 200, headers: { 'webhook-allowed-origin': 'eventgrid.azure.net', 'webhook-allowed-rate': '*' } });
    expect(() => verifier.preflight({ ...options, url: url('') }, context)).toThrow(/no secret/);
    expect(verifier.preflight({ ...options, headers: {} }, context)).toBeUndefined();
  });

  it('verifies a delivery by the secret in the URL, a header or a bearer token, the previous secret too', () => {
    expect(verifier.verify(webhook([report('e-1')]), context)).toMatchObject({
      deliveryId: 'e-1',
      eventType: 'Microsoft.Communication.SMSDeliveryReportReceived',
      occurredAt: '2026-12-01T09:59:58.000Z',
    });
    expect(verifier.verify(webhook([report('e-2')], { 'x-webhook-secret': secret }, ''), context).deliveryId).toBe('e-2');
    expect(verifier.verify(webhook([report('e-3')], { authorization: 'Bearer previous-secret-1a2b' }, ''), context).deliveryId).toBe('e-3');
    expect(() => verifier.verify(webhook([report('e-4')], {}, '?code=not-it'), context)).toThrow(/does not match/);
  });

  it('takes a batch as one delivery whose id is derived from its events’ ids', () => {
    const first = verifier.verify(webhook([report('a'), report('b')]), context);
    expect(first).toMatchObject({ eventType: 'batch', deliveryId: expect.stringMatching(/^batch-[0-9a-f]{32}$/) });
    expect((first.payload as unknown[]).length).toBe(2);
    expect(verifier.verify(webhook([report('a'), report('b')]), context).deliveryId).toBe(first.deliveryId);
    expect(verifier.verify(webhook([report('a'), report('c')]), context).deliveryId).not.toBe(first.deliveryId);
  });

  it('reads a CloudEvents 1.0 event, and refuses events without an id or a type', () => {
    const cloudEvent = { specversion: '1.0', id: 'ce-1', source: '/contoso', type: 'Microsoft.Communication.EmailDeliveryReportReceived', time: '2026-12-01T09:59:00Z', data: {} };
    expect(verifier.verify(webhook(cloudEvent), context)).toMatchObject({ deliveryId: 'ce-1', eventType: 'Microsoft.Communication.EmailDeliveryReportReceived' });
    expect(() => verifier.verify(webhook([{ eventType: 'x' }]), context)).toThrow(/"id"/);
    expect(() => verifier.verify(webhook([{ id: 'x' }]), context)).toThrow(/eventType/);
  });
});
