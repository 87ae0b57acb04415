import { Injectable } from '@nestjs/common';
import { CredentialVault } from '../integrations/credentials/credential-vault';
import { SecretStore } from '../secrets/secret-store';
import type { WebhookSubscription } from './entities/webhook-subscription.entity';
import { generateWebhookSecret } from './standard-webhooks';

/** A reference to one version of a subscription's signing secret: `<secret name>/<version>`. */
export type SecretVersionRef = string;

/**
 * Signing secrets of outbound webhook subscriptions, in the secrets port (the row holds references
 * only). A rotation adds a version; the previous one keeps signing until `previousSecretValidUntil`, so
 * receivers can switch over without dropping a delivery.
 */
@Injectable()
export class SubscriptionSecrets {
  constructor(private readonly secrets: SecretStore) {}

  /** A new `whsec_` secret for a subscription; the value is returned once, to be shown to the caller once. */
  async create(tenantId: string, subscriptionId: string): Promise<{ ref: SecretVersionRef; secret: string }> {
    const name = `${CredentialVault.tenantNamespace(tenantId)}${subscriptionId}-signing`;
    const secret = generateWebhookSecret();
    const stored = await this.secrets.set(name, secret, { contentType: 'text/plain' });
    return { ref: `${name}/${stored.version}`, secret };
  }

  /** A new version of the same secret. */
  async rotate(subscription: Pick<WebhookSubscription, 'signingSecretRef'>): Promise<{ ref: SecretVersionRef; secret: string }> {
    const [name] = subscription.signingSecretRef.split('/');
    const secret = generateWebhookSecret();
    const stored = await this.secrets.set(name, secret, { contentType: 'text/plain' });
    return { ref: `${name}/${stored.version}`, secret };
  }

  /** Every secret that signs now: the current one, then the previous one during its overlap window. */
  async signingSecrets(subscription: Pick<WebhookSubscription, 'signingSecretRef' | 'previousSigningSecretRef' | 'previousSecretValidUntil'>, now = Date.now()): Promise<string[]> {
    const refs = [subscription.signingSecretRef];
    if (subscription.previousSigningSecretRef && subscription.previousSecretValidUntil && subscription.previousSecretValidUntil.getTime() > now) {
      refs.push(subscription.previousSigningSecretRef);
    }
    return Promise.all(refs.map((ref) => this.read(ref)));
  }

  private async read(ref: SecretVersionRef): Promise<string> {
    const [name, version] = ref.split('/');
    return (await this.secrets.get(name, version)).value;
  }
}
