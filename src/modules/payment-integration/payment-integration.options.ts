import { str, url } from '../../platform/config/codecs';
import { Env, OptionsSection } from '../../platform/config/options';

@OptionsSection('Payments', 'Options of the PaymentIntegrationService role')
export class PaymentIntegrationOptions {
  @Env('STRIPE_API_URL', url({ protocols: ['https', 'http'] }), { default: 'https://api.stripe.com', description: 'Stripe API base URL' })
  readonly stripeApiUrl: string;

  @Env('STRIPE_API_VERSION', str({ minLength: 1 }), { default: '2024-06-20', description: 'Stripe-Version header sent on every call' })
  readonly stripeApiVersion: string;
}
