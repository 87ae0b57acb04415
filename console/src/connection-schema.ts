import type { JsonSchema } from './schema';
import type { Provider } from './types';

/** The HTTP side of every connection's `configuration` (src/platform/integrations/connections/connection-configuration.ts). */
function httpConfiguration(provider: Provider): Record<string, JsonSchema> {
  const authModes = provider.authModes ?? [];
  const properties: Record<string, JsonSchema> = {
    baseUrl: {
      type: 'string',
      format: 'uri',
      title: 'Base URL',
      description: provider.defaultBaseUrl ? `Default: ${provider.defaultBaseUrl}` : 'The vendor API this connection calls',
      maxLength: 2048,
    },
    healthPath: { type: 'string', title: 'Health path', description: 'A cheap GET used as the test and health probe, starting with /', pattern: '^/(?!/)[^\\s#]*$' },
  };
  if (authModes.length > 0) properties.auth = { type: 'string', title: 'Auth mode', enum: authModes, description: `Default: ${authModes[0]}` };
  if (authModes.some((mode) => mode.includes('api-key')) || authModes.length === 0) {
    properties.apiKeyHeader = { type: 'string', title: 'API key header', pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$" };
  }
  if (authModes.some((mode) => mode.startsWith('oauth2'))) {
    properties.tokenUrl = { type: 'string', format: 'uri', title: 'Token URL' };
    properties.scopes = { type: 'array', items: { type: 'string', pattern: '^[\\x21\\x23-\\x5B\\x5D-\\x7E]{1,200}$' }, maxItems: 50, title: 'OAuth scopes' };
    properties.tokenAuthMethod = { type: 'string', title: 'Token auth method', enum: ['client_secret_basic', 'client_secret_post'] };
  }
  return properties;
}

/**
 * The create-connection form of a provider, as a JSON Schema: the request's own fields, the provider's
 * configuration (its descriptor's `configurationSchema` when it publishes one, merged over the HTTP
 * fields every connection takes), and the optional rate-limit budget and retry policy.
 */
export function connectionSchema(provider: Provider): JsonSchema {
  const vendor = provider.configurationSchema ?? null;
  const hasApi = (provider.authModes ?? []).length > 0 || provider.defaultBaseUrl !== null;
  const configuration: JsonSchema = {
    type: 'object',
    title: 'Configuration',
    properties: { ...(hasApi ? httpConfiguration(provider) : {}), ...((vendor?.properties as Record<string, JsonSchema> | undefined) ?? {}) },
    required: vendor?.required ?? [],
  };
  return {
    type: 'object',
    required: (vendor?.required ?? []).length > 0 ? ['displayName', 'configuration'] : ['displayName'],
    properties: {
      displayName: { type: 'string', title: 'Display name', minLength: 1, maxLength: 200 },
      projectId: { type: 'string', title: 'Project id', maxLength: 128 },
      ...(Object.keys(configuration.properties ?? {}).length > 0 ? { configuration } : {}),
      ...(hasApi
        ? {
            rateLimitBudget: {
              type: 'object',
              title: 'Rate-limit budget',
              required: ['requestsPerSecond', 'burst'],
              properties: {
                requestsPerSecond: { type: 'integer', title: 'Requests per second', minimum: 1, maximum: 100000 },
                burst: { type: 'integer', title: 'Burst', minimum: 1, maximum: 100000 },
              },
            },
            retryPolicy: {
              type: 'object',
              title: 'Retry policy',
              required: ['maxAttempts', 'baseDelayMs', 'maxDelayMs'],
              properties: {
                maxAttempts: { type: 'integer', title: 'Max attempts', minimum: 1, maximum: 50 },
                baseDelayMs: { type: 'integer', title: 'Base delay (ms)', minimum: 0, maximum: 86400000 },
                maxDelayMs: { type: 'integer', title: 'Max delay (ms)', minimum: 0, maximum: 86400000 },
                retryOn: { type: 'array', title: 'Retry on', items: { type: 'string', enum: ['Transient', 'RateLimited'] } },
              },
            },
          }
        : {}),
    },
  };
}

/** The credential kinds the provider's auth mode takes, when its descriptor says; else every kind. */
export const CREDENTIAL_KINDS = ['secret', 'basic', 'webhook-secret', 'oauth2-client', 'oauth2-refresh-token'] as const;

export function credentialKindsFor(provider: Provider, authMode: string | undefined): string[] {
  const mode = authMode ?? provider.authModes?.[0] ?? provider.authModel;
  const kinds = provider.credentialKinds?.[mode];
  return kinds && kinds.length > 0 ? kinds : [...CREDENTIAL_KINDS];
}

/** Whether the provider's auth mode needs an API credential at all (`none` does not). */
export function needsCredential(provider: Provider, authMode: string | undefined): boolean {
  const mode = authMode ?? provider.authModes?.[0] ?? provider.authModel;
  return (provider.authModes ?? []).length > 0 && mode !== 'none';
}
