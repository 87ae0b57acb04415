import { namespacedEvents } from '../../platform/vendors/event-types';
import type { VendorDescriptor } from '../../platform/vendors/vendor-descriptor';
import { StripeVerifier } from './stripe.verifier';

export const STRIPE: VendorDescriptor = {
  provider: {
    id: 'stripe',
    displayName: 'Stripe',
    category: 'payment',
    capabilities: ['charges', 'refunds', 'webhooks'],
    authModes: ['bearer'],
    defaultBaseUrl: 'https://api.stripe.com',
    docsUrl: 'https://docs.stripe.com/api',
  },
  http: { healthPath: '/v1/balance' },
  webhooks: { verifier: new StripeVerifier(), normalise: namespacedEvents('com.stripe') },
};
