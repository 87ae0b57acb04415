/** The Stripe-Version a connection pins unless its configuration names another (`configuration.apiVersion`). */
export const DEFAULT_STRIPE_VERSION = '2024-06-20';
const STRIPE_VERSION = /^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$/;

export function stripeVersionOf(configuration: Readonly<Record<string, unknown>>): string {
  return typeof configuration.apiVersion === 'string' ? configuration.apiVersion : DEFAULT_STRIPE_VERSION;
}

export function stripeConfigurationProblems(configuration: Readonly<Record<string, unknown>>): string[] {
  const { apiVersion } = configuration;
  if (apiVersion !== undefined && (typeof apiVersion !== 'string' || !STRIPE_VERSION.test(apiVersion))) {
    return ['configuration.apiVersion must be a Stripe API version such as 2024-06-20 (or 2025-03-31.basil)'];
  }
  return [];
}
