import type { VendorDescriptor } from '../../platform/vendors/vendor-descriptor';
import { stripeFailureMessage } from './stripe.answers';
import { stripeConfigurationProblems, stripeVersionOf } from './stripe.configuration';
import { normaliseStripeEvent } from './stripe.events';
import { STRIPE_OPERATIONS } from './stripe.operations';
import { StripeVerifier } from './stripe.verifier';

/**
 * Stripe: secret or restricted keys as bearer tokens, the Stripe-Version pinned per connection
 * (`configuration.apiVersion`), and a run's idempotency key sent as Idempotency-Key on every attempt, so
 * a retried charge is answered by Stripe with the first result instead of charging twice.
 */
export const STRIPE: VendorDescriptor = {
  provider: {
    id: 'stripe',
    displayName: 'Stripe',
    category: 'payment',
    capabilities: ['payment-intents', 'refunds', 'customers', 'checkout', 'webhooks'],
    authModes: ['bearer'],
    defaultBaseUrl: 'https://api.stripe.com',
    docsUrl: 'https://docs.stripe.com/api',
  },
  http: {
    healthPath: '/v1/balance',
    defaultHeaders: (configuration) => ({ 'stripe-version': stripeVersionOf(configuration), accept: 'application/json' }),
    idempotencyHeader: 'Idempotency-Key',
    failureMessage: stripeFailureMessage,
    configurationProblems: (configuration) => stripeConfigurationProblems(configuration),
  },
  webhooks: { verifier: new StripeVerifier(), normalise: normaliseStripeEvent },
  operations: STRIPE_OPERATIONS,
};
