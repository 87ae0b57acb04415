import { AzureDevOpsVerifier } from './azure-devops.verifier';
import { GenericHmacVerifier } from './generic-hmac.verifier';
import { GithubVerifier } from './github.verifier';
import { SlackVerifier } from './slack.verifier';
import { StandardWebhooksVerifier } from './standard-webhooks.verifier';
import { StripeVerifier } from './stripe.verifier';
import { TwilioVerifier } from './twilio.verifier';
import type { WebhookVerifier } from './webhook-verifier';

/** Every inbound scheme by its name: `github | stripe | standard-webhooks | azure-devops | twilio | slack | generic-hmac`. */
export const WEBHOOK_VERIFIERS: ReadonlyMap<string, WebhookVerifier> = new Map(
  [
    new GithubVerifier(),
    new StripeVerifier(),
    new StandardWebhooksVerifier(),
    new AzureDevOpsVerifier(),
    new TwilioVerifier(),
    new SlackVerifier(),
    new GenericHmacVerifier(),
  ].map((verifier): [string, WebhookVerifier] => [verifier.name, verifier]),
);
