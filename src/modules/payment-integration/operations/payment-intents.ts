import type { VendorOperation } from '../../../platform/vendors/vendor-descriptor';
import { formBody } from '../stripe.form';
import { AMOUNT, bodyOf, CREATED, CURRENCY, EMAIL, idOf, idOrNull, isoOf, METADATA, NULLABLE_STRING, objectSchema, path, StripeJson, stringOrNull, TEXT } from './shared';

const PAYMENT_INTENT_ID = idOf('pi', 'The payment intent');
const STATUSES = ['requires_payment_method', 'requires_confirmation', 'requires_action', 'processing', 'requires_capture', 'canceled', 'succeeded'];

/** The client secret is left out: it lets a browser act on the payment, and answers are logged and stored. */
export const PAYMENT_INTENT_OUTPUT = objectSchema({
  id: PAYMENT_INTENT_ID,
  status: { type: 'string', enum: STATUSES },
  amount: AMOUNT,
  amountReceived: AMOUNT,
  amountCapturable: AMOUNT,
  currency: CURRENCY,
  customer: NULLABLE_STRING,
  paymentMethod: NULLABLE_STRING,
  captureMethod: { type: 'string' },
  description: NULLABLE_STRING,
  latestCharge: NULLABLE_STRING,
  lastPaymentError: { type: ['object', 'null'], additionalProperties: false, properties: { code: NULLABLE_STRING, declineCode: NULLABLE_STRING, message: NULLABLE_STRING } },
  cancellationReason: NULLABLE_STRING,
  metadata: { type: 'object', additionalProperties: { type: 'string' } },
  livemode: { type: 'boolean' },
  created: CREATED,
});

export function toPaymentIntent(intent: StripeJson) {
  const error = intent.last_payment_error as StripeJson | null | undefined;
  return {
    id: intent.id,
    status: intent.status,
    amount: intent.amount,
    amountReceived: intent.amount_received ?? 0,
    amountCapturable: intent.amount_capturable ?? 0,
    currency: intent.currency,
    customer: idOrNull(intent.customer),
    paymentMethod: idOrNull(intent.payment_method),
    captureMethod: intent.capture_method,
    description: stringOrNull(intent.description),
    latestCharge: idOrNull(intent.latest_charge),
    lastPaymentError: error ? { code: stringOrNull(error.code), declineCode: stringOrNull(error.decline_code), message: stringOrNull(error.message) } : null,
    cancellationReason: stringOrNull(intent.cancellation_reason),
    metadata: intent.metadata ?? {},
    livemode: intent.livemode === true,
    created: isoOf(intent.created),
  };
}

interface CreatePaymentIntentInput {
  amount: number;
  currency: string;
  customer?: string;
  paymentMethod?: string;
  paymentMethodTypes?: string[];
  automaticPaymentMethods?: boolean;
  captureMethod?: 'automatic' | 'automatic_async' | 'manual';
  confirm?: boolean;
  returnUrl?: string;
  description?: string;
  receiptEmail?: string;
  statementDescriptorSuffix?: string;
  metadata?: Record<string, string | null>;
}

const CREATE: VendorOperation<CreatePaymentIntentInput> = {
  name: 'stripe.paymentIntents.create',
  description: 'Creates a payment intent (confirm: true to charge at once); the idempotency key becomes Stripe’s Idempotency-Key',
  effect: 'write',
  input: objectSchema(
    {
      amount: { ...AMOUNT, minimum: 1 },
      currency: CURRENCY,
      customer: idOf('cus', 'The customer paying'),
      paymentMethod: { type: 'string', minLength: 1, maxLength: 255, description: 'A payment method id (pm_…)' },
      paymentMethodTypes: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 64 }, maxItems: 20 },
      automaticPaymentMethods: { type: 'boolean', description: 'Let Stripe choose the methods enabled in the Dashboard' },
      captureMethod: { type: 'string', enum: ['automatic', 'automatic_async', 'manual'] },
      confirm: { type: 'boolean' },
      returnUrl: { type: 'string', format: 'uri', maxLength: 2048 },
      description: TEXT,
      receiptEmail: EMAIL,
      statementDescriptorSuffix: { type: 'string', maxLength: 22 },
      metadata: METADATA,
    },
    ['amount', 'currency'],
  ),
  output: PAYMENT_INTENT_OUTPUT,
  request: (input) => ({
    method: 'POST',
    path: path('payment_intents'),
    ...formBody({
      amount: input.amount,
      currency: input.currency,
      customer: input.customer,
      payment_method: input.paymentMethod,
      payment_method_types: input.paymentMethodTypes,
      automatic_payment_methods: input.automaticPaymentMethods === undefined ? undefined : { enabled: input.automaticPaymentMethods },
      capture_method: input.captureMethod,
      confirm: input.confirm,
      return_url: input.returnUrl,
      description: input.description,
      receipt_email: input.receiptEmail,
      statement_descriptor_suffix: input.statementDescriptorSuffix,
      metadata: input.metadata,
    }),
  }),
  result: (answer) => toPaymentIntent(bodyOf(answer)),
};

const RETRIEVE: VendorOperation<{ id: string }> = {
  name: 'stripe.paymentIntents.retrieve',
  description: 'Reads a payment intent',
  effect: 'read',
  input: objectSchema({ id: PAYMENT_INTENT_ID }),
  output: PAYMENT_INTENT_OUTPUT,
  request: (input) => ({ method: 'GET', path: path('payment_intents', input.id) }),
  result: (answer) => toPaymentIntent(bodyOf(answer)),
};

const CONFIRM: VendorOperation<{ id: string; paymentMethod?: string; returnUrl?: string }> = {
  name: 'stripe.paymentIntents.confirm',
  description: 'Confirms a payment intent: Stripe attempts the payment',
  effect: 'write',
  input: objectSchema({ id: PAYMENT_INTENT_ID, paymentMethod: { type: 'string', minLength: 1, maxLength: 255 }, returnUrl: { type: 'string', format: 'uri', maxLength: 2048 } }, [
    'id',
  ]),
  output: PAYMENT_INTENT_OUTPUT,
  request: (input) => ({ method: 'POST', path: path('payment_intents', input.id, 'confirm'), ...formBody({ payment_method: input.paymentMethod, return_url: input.returnUrl }) }),
  result: (answer) => toPaymentIntent(bodyOf(answer)),
};

const CAPTURE: VendorOperation<{ id: string; amountToCapture?: number }> = {
  name: 'stripe.paymentIntents.capture',
  description: 'Captures an authorised payment intent (captureMethod manual), all of it or amountToCapture',
  effect: 'write',
  input: objectSchema({ id: PAYMENT_INTENT_ID, amountToCapture: { ...AMOUNT, minimum: 1 } }, ['id']),
  output: PAYMENT_INTENT_OUTPUT,
  request: (input) => ({ method: 'POST', path: path('payment_intents', input.id, 'capture'), ...formBody({ amount_to_capture: input.amountToCapture }) }),
  result: (answer) => toPaymentIntent(bodyOf(answer)),
};

const CANCEL: VendorOperation<{ id: string; cancellationReason?: string }> = {
  name: 'stripe.paymentIntents.cancel',
  description: 'Cancels a payment intent that has not succeeded',
  effect: 'write',
  input: objectSchema({ id: PAYMENT_INTENT_ID, cancellationReason: { type: 'string', enum: ['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'] } }, ['id']),
  output: PAYMENT_INTENT_OUTPUT,
  request: (input) => ({ method: 'POST', path: path('payment_intents', input.id, 'cancel'), ...formBody({ cancellation_reason: input.cancellationReason }) }),
  result: (answer) => toPaymentIntent(bodyOf(answer)),
};

export const PAYMENT_INTENT_OPERATIONS = [CREATE, RETRIEVE, CONFIRM, CAPTURE, CANCEL] as const;
