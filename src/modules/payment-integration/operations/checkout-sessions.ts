import type { JsonSchema, VendorOperation } from '../../../platform/vendors/vendor-descriptor';
import { formBody } from '../stripe.form';
import { AMOUNT, bodyOf, CURRENCY, EMAIL, idOf, idOrNull, isoOf, METADATA, NULLABLE_INTEGER, NULLABLE_STRING, objectSchema, path, StripeJson, stringOrNull } from './shared';

interface LineItem {
  price?: string;
  quantity: number;
  priceData?: { currency: string; unitAmount: number; productName: string; recurringInterval?: 'day' | 'week' | 'month' | 'year' };
}

interface CreateCheckoutSessionInput {
  mode: 'payment' | 'subscription' | 'setup';
  lineItems?: LineItem[];
  successUrl: string;
  cancelUrl?: string;
  customer?: string;
  customerEmail?: string;
  clientReferenceId?: string;
  paymentMethodTypes?: string[];
  expiresAt?: string;
  metadata?: Record<string, string | null>;
}

const LINE_ITEM: JsonSchema = {
  ...objectSchema(
    {
      price: { type: 'string', pattern: '^price_[A-Za-z0-9_]+$', description: 'A price id' },
      quantity: { type: 'integer', minimum: 1, maximum: 999_999 },
      priceData: objectSchema(
        {
          currency: CURRENCY,
          unitAmount: AMOUNT,
          productName: { type: 'string', minLength: 1, maxLength: 250 },
          recurringInterval: { type: 'string', enum: ['day', 'week', 'month', 'year'] },
        },
        ['currency', 'unitAmount', 'productName'],
      ),
    },
    ['quantity'],
  ),
  oneOf: [{ required: ['price'] }, { required: ['priceData'] }],
};

export const CHECKOUT_SESSION_OUTPUT = objectSchema({
  id: idOf('cs', 'The checkout session'),
  url: { type: ['string', 'null'], description: 'Where to send the customer; null once the session is complete or expired' },
  status: NULLABLE_STRING,
  paymentStatus: { type: 'string' },
  mode: { type: 'string' },
  amountTotal: NULLABLE_INTEGER,
  currency: NULLABLE_STRING,
  customer: NULLABLE_STRING,
  paymentIntent: NULLABLE_STRING,
  clientReferenceId: NULLABLE_STRING,
  expiresAt: { type: ['string', 'null'], format: 'date-time' },
  metadata: { type: 'object', additionalProperties: { type: 'string' } },
});

export function toCheckoutSession(session: StripeJson) {
  return {
    id: session.id,
    url: stringOrNull(session.url),
    status: stringOrNull(session.status),
    paymentStatus: session.payment_status,
    mode: session.mode,
    amountTotal: typeof session.amount_total === 'number' ? session.amount_total : null,
    currency: stringOrNull(session.currency),
    customer: idOrNull(session.customer),
    paymentIntent: idOrNull(session.payment_intent),
    clientReferenceId: stringOrNull(session.client_reference_id),
    expiresAt: isoOf(session.expires_at),
    metadata: session.metadata ?? {},
  };
}

const CREATE: VendorOperation<CreateCheckoutSessionInput> = {
  name: 'stripe.checkoutSessions.create',
  description: 'Creates a Checkout session and answers its url, to send the customer to',
  effect: 'write',
  input: objectSchema(
    {
      mode: { type: 'string', enum: ['payment', 'subscription', 'setup'] },
      lineItems: { type: 'array', minItems: 1, maxItems: 100, items: LINE_ITEM },
      successUrl: { type: 'string', format: 'uri', maxLength: 5000 },
      cancelUrl: { type: 'string', format: 'uri', maxLength: 5000 },
      customer: idOf('cus', 'An existing customer'),
      customerEmail: EMAIL,
      clientReferenceId: { type: 'string', maxLength: 200 },
      paymentMethodTypes: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 64 }, maxItems: 20 },
      expiresAt: { type: 'string', format: 'date-time', description: '30 minutes to 24 hours from now' },
      metadata: METADATA,
    },
    ['mode', 'successUrl'],
  ),
  output: CHECKOUT_SESSION_OUTPUT,
  request: (input) => ({
    method: 'POST',
    path: path('checkout', 'sessions'),
    ...formBody({
      mode: input.mode,
      line_items: input.lineItems?.map((item) => ({
        price: item.price,
        quantity: item.quantity,
        price_data: item.priceData
          ? {
              currency: item.priceData.currency,
              unit_amount: item.priceData.unitAmount,
              product_data: { name: item.priceData.productName },
              recurring: item.priceData.recurringInterval ? { interval: item.priceData.recurringInterval } : undefined,
            }
          : undefined,
      })),
      success_url: input.successUrl,
      cancel_url: input.cancelUrl,
      customer: input.customer,
      customer_email: input.customerEmail,
      client_reference_id: input.clientReferenceId,
      payment_method_types: input.paymentMethodTypes,
      expires_at: input.expiresAt ? Math.floor(Date.parse(input.expiresAt) / 1000) : undefined,
      metadata: input.metadata,
    }),
  }),
  result: (answer) => toCheckoutSession(bodyOf(answer)),
};

export const CHECKOUT_SESSION_OPERATIONS = [CREATE] as const;
