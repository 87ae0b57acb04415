import type { VerifiedWebhook } from '../../platform/webhooks/verification/webhook-verifier';
import { stripeFailureMessage } from './stripe.answers';
import { stripeConfigurationProblems, stripeVersionOf } from './stripe.configuration';
import { normaliseStripeEvent } from './stripe.events';
import { stripeForm } from './stripe.form';

describe('Stripe form encoding', () => {
  it('brackets nested keys and indexes arrays, leaves undefined out and sends null as empty', () => {
    expect(
      stripeForm({
        amount: 2000,
        confirm: true,
        metadata: { order: '42', 'a b': 'c&d', gone: null },
        line_items: [{ price: 'price_1', quantity: 2 }, { price_data: { product_data: { name: 'Ünïcode' } } }],
        customer: undefined,
      }),
    ).toBe(
      'amount=2000&confirm=true&metadata[order]=42&metadata[a%20b]=c%26d&metadata[gone]=&line_items[0][price]=price_1&line_items[0][quantity]=2&line_items[1][price_data][product_data][name]=%C3%9Cn%C3%AFcode',
    );
  });
});

describe('Stripe failures in one line', () => {
  it('names the permission a restricted key lacks, never the key', () => {
    const said = stripeFailureMessage({
      status: 403,
      body: {
        error: {
          type: 'invalid_request_error',
          message:
            "The provided key 'rk_test_51Pe********ted' does not have the required permissions … Having the 'rak_refund_write' permission would allow this request to continue.",
        },
      },
    });
    expect(said).toBe("the connection's restricted key lacks the rak_refund_write permission");
  });

  it('keeps type, code and decline code, and masks any key a message quotes', () => {
    expect(
      stripeFailureMessage({
        status: 402,
        body: { error: { type: 'card_error', code: 'card_declined', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.' } },
      }),
    ).toBe('card_error / card_declined / insufficient_funds: Your card has insufficient funds.');
    expect(stripeFailureMessage({ status: 401, body: { error: { message: 'Invalid API Key provided: sk_test_abc' } } })).toBe('the API key was not accepted');
    expect(stripeFailureMessage({ status: 400, body: { error: { type: 'invalid_request_error', param: 'amount', message: 'Bad key sk_live_1234abcd here' } } })).toBe(
      'invalid_request_error: param amount: Bad key [key] here',
    );
    expect(stripeFailureMessage({ status: 500, body: 'upstream text' })).toBeUndefined();
  });
});

describe('Stripe configuration and events', () => {
  it('pins the API version per connection', () => {
    expect(stripeVersionOf({})).toBe('2024-06-20');
    expect(stripeVersionOf({ apiVersion: '2025-03-31.basil' })).toBe('2025-03-31.basil');
    expect(stripeConfigurationProblems({ apiVersion: 'latest' })).toHaveLength(1);
    expect(stripeConfigurationProblems({ apiVersion: '2025-03-31.basil' })).toEqual([]);
  });

  it('namespaces the event type and names the object as subject', () => {
    const verified = { deliveryId: 'evt_1', eventType: 'charge.refunded', payload: { data: { object: { id: 'ch_1' } } } } as VerifiedWebhook;
    expect(normaliseStripeEvent(verified)).toEqual({ type: 'com.stripe.charge.refunded', subject: 'ch_1' });
    expect(normaliseStripeEvent({ ...verified, payload: {} })).toEqual({ type: 'com.stripe.charge.refunded' });
  });
});
