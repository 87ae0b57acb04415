import { GenericHmacVerifier } from '../webhooks/verification/generic-hmac.verifier';
import { StandardWebhooksVerifier } from '../webhooks/verification/standard-webhooks.verifier';
import type { VendorDescriptor } from './vendor-descriptor';

/** Providers that are mechanisms rather than vendors: any sender of Standard Webhooks or HMAC-signed webhooks, any REST API. */
export const STANDARD_WEBHOOKS: VendorDescriptor = {
  provider: {
    id: 'standard-webhooks',
    displayName: 'Standard Webhooks sender',
    category: 'generic',
    capabilities: ['webhooks'],
    authModes: [],
    docsUrl: 'https://www.standardwebhooks.com',
  },
  webhooks: { verifier: new StandardWebhooksVerifier() },
};

export const GENERIC_HMAC: VendorDescriptor = {
  provider: { id: 'generic-hmac', displayName: 'Generic HMAC-signed webhooks', category: 'generic', capabilities: ['webhooks'], authModes: [] },
  webhooks: { verifier: new GenericHmacVerifier() },
};

export const GENERIC_REST: VendorDescriptor = {
  provider: {
    id: 'generic-rest',
    displayName: 'Generic REST API',
    category: 'generic',
    capabilities: ['requests'],
    authModes: ['bearer', 'api-key', 'basic', 'oauth2-client-credentials', 'oauth2-refresh-token', 'none'],
  },
};

export const GENERIC_DESCRIPTORS: readonly VendorDescriptor[] = [STANDARD_WEBHOOKS, GENERIC_HMAC, GENERIC_REST];
