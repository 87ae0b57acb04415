import type { VendorOperation } from '../../platform/vendors/vendor-descriptor';
import { CHECKOUT_SESSION_OPERATIONS } from './operations/checkout-sessions';
import { CUSTOMER_OPERATIONS } from './operations/customers';
import { PAYMENT_INTENT_OPERATIONS } from './operations/payment-intents';
import { REFUND_OPERATIONS } from './operations/refunds';

/** Stripe's operations by resource: payment intents, refunds, customers, Checkout sessions. */
export const STRIPE_OPERATIONS: readonly VendorOperation[] = [
  ...PAYMENT_INTENT_OPERATIONS,
  ...REFUND_OPERATIONS,
  ...CUSTOMER_OPERATIONS,
  ...CHECKOUT_SESSION_OPERATIONS,
] as readonly VendorOperation[];
