/**
 * What the pipeline needs to know about a built-in provider that its row does not say: the cheap,
 * side-effect-free call used as a connection's test and health probe, and the API-key header.
 * Vendor modules may refine these; a connection's `configuration` overrides them.
 */
export interface ProviderHttpDefaults {
  readonly healthPath?: string;
  readonly apiKeyHeader?: string;
}

export const PROVIDER_HTTP_DEFAULTS: Readonly<Record<string, ProviderHttpDefaults>> = {
  github: { healthPath: '/rate_limit' }, // does not count against the rate limit
  'azure-devops': { healthPath: '/_apis/connectionData' },
  openai: { healthPath: '/models' },
  'azure-openai': { healthPath: '/openai/models?api-version=2024-10-21', apiKeyHeader: 'api-key' },
  ollama: { healthPath: '/api/tags' },
  azure: { healthPath: '/subscriptions?api-version=2022-12-01' },
  'azure-communication-services': { apiKeyHeader: 'api-key' },
  twilio: { healthPath: '/2010-04-01/Accounts.json' },
  stripe: { healthPath: '/v1/balance' },
  hubspot: { healthPath: '/account-info/v3/details' },
  zendesk: { healthPath: '/api/v2/users/me.json' },
  slack: { healthPath: '/auth.test' },
};

export const DEFAULT_API_KEY_HEADER = 'X-API-Key';
