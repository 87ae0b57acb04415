import type { VendorOperation } from '../../../platform/vendors/vendor-descriptor';
import { formBody } from '../stripe.form';
import { AMOUNT, bodyOf, CREATED, CURRENCY, idOf, idOrNull, isoOf, METADATA, NULLABLE_STRING, objectSchema, path, StripeJson, stringOrNull } from './shared';

const REFUND_ID = idOf('re', 'The refund');

export const REFUND_OUTPUT = objectSchema({
  id: REFUND_ID,
  status: { type: ['string', 'null'], description: 'pending, requires_action, succeeded, failed or canceled' },
  amount: AMOUNT,
  currency: CURRENCY,
  paymentIntent: NULLABLE_STRING,
  charge: NULLABLE_STRING,
  reason: NULLABLE_STRING,
  failureReason: NULLABLE_STRING,
  metadata: { type: 'object', additionalProperties: { type: 'string' } },
  created: CREATED,
});

export function toRefund(refund: StripeJson) {
  return {
    id: refund.id,
    status: stringOrNull(refund.status),
    amount: refund.amount,
    currency: refund.currency,
    paymentIntent: idOrNull(refund.payment_intent),
    charge: idOrNull(refund.charge),
    reason: stringOrNull(refund.reason),
    failureReason: stringOrNull(refund.failure_reason),
    metadata: refund.metadata ?? {},
    created: isoOf(refund.created),
  };
}

interface CreateRefundInput {
  paymentIntent?: string;
  charge?: string;
  amount?: number;
  reason?: 'duplicate' | 'fraudulent' | 'requested_by_customer';
  metadata?: Record<string, string | null>;
}

const CREATE: VendorOperation<CreateRefundInput> = {
  name: 'stripe.refunds.create',
  description: 'Refunds a payment (its payment intent or charge), all of it or amount; the idempotency key becomes Stripe’s Idempotency-Key',
  effect: 'write',
  input: {
    ...objectSchema(
      {
        paymentIntent: idOf('pi', 'The payment intent to refund'),
        charge: idOf('ch', 'The charge to refund'),
        amount: { ...AMOUNT, minimum: 1 },
        reason: { type: 'string', enum: ['duplicate', 'fraudulent', 'requested_by_customer'] },
        metadata: METADATA,
      },
      [],
    ),
    oneOf: [{ required: ['paymentIntent'] }, { required: ['charge'] }],
  },
  output: REFUND_OUTPUT,
  request: (input) => ({
    method: 'POST',
    path: path('refunds'),
    ...formBody({ payment_intent: input.paymentIntent, charge: input.charge, amount: input.amount, reason: input.reason, metadata: input.metadata }),
  }),
  result: (answer) => toRefund(bodyOf(answer)),
};

const RETRIEVE: VendorOperation<{ id: string }> = {
  name: 'stripe.refunds.retrieve',
  description: 'Reads a refund',
  effect: 'read',
  input: objectSchema({ id: REFUND_ID }),
  output: REFUND_OUTPUT,
  request: (input) => ({ method: 'GET', path: path('refunds', input.id) }),
  result: (answer) => toRefund(bodyOf(answer)),
};

export const REFUND_OPERATIONS = [CREATE, RETRIEVE] as const;
