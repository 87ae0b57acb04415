import { createHmac, randomBytes } from 'node:crypto';

/**
 * Standard Webhooks (https://www.standardwebhooks.com): secrets are `whsec_` + base64 of the key bytes;
 * a signature is `v1,` + base64 HMAC-SHA256 over `"<webhook-id>.<webhook-timestamp>.<body>"`, and a
 * message may carry several, space-separated (one per valid secret during a rotation).
 */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

export function generateWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

/** The key bytes of a `whsec_` secret (a bare base64 key is accepted too). */
export function webhookSecretKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith(WEBHOOK_SECRET_PREFIX) ? secret.slice(WEBHOOK_SECRET_PREFIX.length) : secret, 'base64');
}

export interface StandardWebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** The three headers for one attempt: `timestampSeconds` is the attempt's own time, `messageId` stays the same across attempts. */
export function signStandardWebhook(messageId: string, timestampSeconds: number, body: Buffer | string, secrets: readonly string[]): StandardWebhookHeaders {
  if (secrets.length === 0) throw new Error('At least one signing secret is needed');
  const timestamp = String(Math.floor(timestampSeconds));
  const signatures = secrets.map((secret) => {
    const hmac = createHmac('sha256', webhookSecretKey(secret));
    hmac.update(`${messageId}.${timestamp}.`);
    hmac.update(body);
    return `v1,${hmac.digest('base64')}`;
  });
  return { 'webhook-id': messageId, 'webhook-timestamp': timestamp, 'webhook-signature': signatures.join(' ') };
}
