import type { TokenBucketRule } from '../../cache/cache.ports';
import { IntegrationError } from '../../resilience/failure-classifier';
import type { ExternalApiClient } from '../entities/external-api-client.entity';
import type { IntegrationConnection } from '../entities/integration-connection.entity';
import type { IntegrationCredential } from '../entities/integration-credential.entity';
import type { IntegrationProvider } from '../entities/integration-provider.entity';
import type { IntegrationsOptions } from '../integrations.options';
import { AUTH_MODES, AuthMode, HttpConnectionConfiguration, TokenAuthMethod } from './connection-configuration';
import { DEFAULT_API_KEY_HEADER, PROVIDER_HTTP_DEFAULTS } from './provider-defaults';

export interface ConnectionParts {
  connection: IntegrationConnection;
  provider: IntegrationProvider;
  client: ExternalApiClient | null;
  credential: IntegrationCredential | null;
}

/** Everything the pipeline needs about one connection, worked out once per read (connection over client over provider). */
export interface ConnectionProfile extends ConnectionParts {
  /** Undefined when neither the connection, its client nor its provider names one (the connection cannot call out). */
  readonly baseUrl: URL | undefined;
  readonly healthPath: string | undefined;
  readonly auth: AuthMode;
  readonly apiKeyHeader: string;
  readonly tokenUrl: string | undefined;
  readonly scopes: readonly string[];
  readonly tokenAuthMethod: TokenAuthMethod;
  /** `provider:host`, the breaker every connection to the same vendor endpoint shares. */
  readonly breakerKey: string;
  readonly connectionBudget: TokenBucketRule;
  readonly providerBudget: TokenBucketRule;
  readonly connectionBudgetKey: string;
  readonly providerBudgetKey: string;
}

export function buildProfile(parts: ConnectionParts, options: IntegrationsOptions): ConnectionProfile {
  const { connection, provider, client } = parts;
  const configuration = connection.configuration as HttpConnectionConfiguration;
  const defaults = PROVIDER_HTTP_DEFAULTS[provider.id] ?? {};
  const baseUrlText = baseUrlOf(parts);
  const baseUrl = baseUrlText ? parseBaseUrl(baseUrlText, connection.id) : undefined;
  const endpoint = baseUrl ? baseUrl.host : 'unconfigured';
  const providerProfile = client?.rateLimitProfile;
  return {
    ...parts,
    baseUrl,
    healthPath: configuration.healthPath ?? defaults.healthPath,
    auth: connectionAuthMode(connection, provider),
    apiKeyHeader: configuration.apiKeyHeader ?? defaults.apiKeyHeader ?? DEFAULT_API_KEY_HEADER,
    tokenUrl: configuration.tokenUrl,
    scopes: configuration.scopes ?? [],
    tokenAuthMethod: configuration.tokenAuthMethod ?? 'client_secret_basic',
    breakerKey: breakerKeyFor(provider.id, endpoint),
    connectionBudget: connection.rateLimitBudget
      ? { capacity: connection.rateLimitBudget.burst, refillPerSecond: connection.rateLimitBudget.requestsPerSecond }
      : { capacity: options.connectionBurst, refillPerSecond: options.connectionRequestsPerSecond },
    providerBudget: providerProfile
      ? { capacity: providerProfile.burst, refillPerSecond: providerProfile.requestsPerSecond }
      : { capacity: options.providerBurst, refillPerSecond: options.providerRequestsPerSecond },
    connectionBudgetKey: `budget:connection:${connection.id}`,
    providerBudgetKey: `budget:provider:${connection.tenantId}:${provider.id}:${endpoint}`,
  };
}

/** The base URL a connection calls: its configuration's, else its provider's current client's, else the provider's default. */
export function baseUrlOf({ connection, client, provider }: { connection: Pick<IntegrationConnection, 'configuration'>; client: Pick<ExternalApiClient, 'baseUrl'> | null; provider: Pick<IntegrationProvider, 'defaultBaseUrl'> }): string | undefined {
  return (connection.configuration as HttpConnectionConfiguration).baseUrl ?? client?.baseUrl ?? provider.defaultBaseUrl ?? undefined;
}

/** A stored base URL that does not parse (say, a provider's registered before base URLs were checked) is the connection's state, not a crash. */
function parseBaseUrl(text: string, connectionId: string): URL {
  try {
    return new URL(text);
  } catch {
    throw IntegrationError.validation('base_url_invalid', `Connection ${connectionId} has no usable base URL (its provider's or client's is not a valid URL): set configuration.baseUrl`);
  }
}

/** The auth mode a connection's calls use: its configuration's, else its provider's when the pipeline supports that model. */
export function connectionAuthMode(connection: Pick<IntegrationConnection, 'configuration'>, provider: Pick<IntegrationProvider, 'authModel'>): AuthMode {
  const configured = (connection.configuration as HttpConnectionConfiguration).auth;
  if (configured) return configured;
  return (AUTH_MODES as readonly string[]).includes(provider.authModel) ? (provider.authModel as AuthMode) : 'bearer';
}

export function breakerKeyFor(providerId: string, endpoint: string): string {
  return `${providerId}:${endpoint}`.replace(/[^A-Za-z0-9._:/-]/g, '_').slice(0, 200);
}
