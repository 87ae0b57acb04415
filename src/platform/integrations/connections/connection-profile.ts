import type { TokenBucketRule } from '../../cache/cache.ports';
import { IntegrationError } from '../../resilience/failure-classifier';
import type { ExternalApiClient } from '../entities/external-api-client.entity';
import type { IntegrationConnection } from '../entities/integration-connection.entity';
import type { IntegrationCredential } from '../entities/integration-credential.entity';
import type { IntegrationProvider } from '../entities/integration-provider.entity';
import type { IntegrationsOptions } from '../integrations.options';
import type { VendorCatalogue } from '../../vendors/vendor-catalogue';
import type { VendorHttpProfile } from '../../vendors/vendor-descriptor';
import { HttpConnectionConfiguration, TokenAuthMethod } from './connection-configuration';

const DEFAULT_API_KEY_HEADER = 'X-API-Key';

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
  readonly auth: string;
  readonly apiKeyHeader: string;
  readonly tokenUrl: string | undefined;
  readonly scopes: readonly string[];
  readonly tokenAuthMethod: TokenAuthMethod;
  /** The vendor's side of the pipeline (default headers and query, failure reading), from its descriptor. */
  readonly vendor: VendorHttpProfile;
  /**
   * Receives webhooks only: no API credential where its auth mode needs one, or no API at all. Active once
   * its webhook secret resolves; governed calls on it are refused (409).
   */
  readonly inboundOnly: boolean;
  /** `provider:host`, the breaker every connection to the same vendor endpoint shares. */
  readonly breakerKey: string;
  readonly connectionBudget: TokenBucketRule;
  readonly providerBudget: TokenBucketRule;
  readonly connectionBudgetKey: string;
  readonly providerBudgetKey: string;
}

export function buildProfile(parts: ConnectionParts, options: IntegrationsOptions, catalogue: VendorCatalogue): ConnectionProfile {
  const { connection, provider, client } = parts;
  const configuration = connection.configuration as HttpConnectionConfiguration;
  const defaults = catalogue.http(provider.id);
  const auth = connectionAuthMode(connection, provider);
  const baseUrlText = baseUrlOf(parts, defaults);
  const baseUrl = baseUrlText ? parseBaseUrl(baseUrlText, connection.id) : undefined;
  const endpoint = baseUrl ? baseUrl.host : 'unconfigured';
  const providerProfile = client?.rateLimitProfile;
  return {
    ...parts,
    baseUrl,
    healthPath: configuration.healthPath ?? defaults.healthPath,
    auth,
    vendor: defaults,
    inboundOnly: isInboundOnly(connection, catalogue.authStrategy(auth)?.needsCredential ?? true, baseUrlText !== undefined),
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
export function baseUrlOf(
  {
    connection,
    client,
    provider,
  }: {
    connection: Pick<IntegrationConnection, 'configuration'>;
    client: Pick<ExternalApiClient, 'baseUrl'> | null;
    provider: Pick<IntegrationProvider, 'defaultBaseUrl'>;
  },
  vendor: Pick<VendorHttpProfile, 'baseUrlFrom'> = {},
): string | undefined {
  const configuration = connection.configuration as HttpConnectionConfiguration;
  return configuration.baseUrl ?? vendor.baseUrlFrom?.(connection.configuration) ?? client?.baseUrl ?? provider.defaultBaseUrl ?? undefined;
}

/** A stored base URL that does not parse (say, a provider's registered before base URLs were checked) is the connection's state, not a crash. */
function parseBaseUrl(text: string, connectionId: string): URL {
  try {
    return new URL(text);
  } catch {
    throw IntegrationError.validation(
      'base_url_invalid',
      `Connection ${connectionId} has no usable base URL (its provider's or client's is not a valid URL): set configuration.baseUrl`,
    );
  }
}

/** The auth mode a connection's calls use: its configuration's, else its provider's default. */
export function connectionAuthMode(connection: Pick<IntegrationConnection, 'configuration'>, provider: Pick<IntegrationProvider, 'authModel'>): string {
  return (connection.configuration as HttpConnectionConfiguration).auth ?? provider.authModel;
}

/** The auth modes a connection of the provider may choose: its declared ones, else (a provider registered before they were declared) any. */
export function allowedAuthModes(provider: Pick<IntegrationProvider, 'authModel' | 'authModes'>, catalogue: VendorCatalogue): readonly string[] {
  return provider.authModes ?? catalogue.authModes;
}

/** Webhook settings, and either no credential where the auth mode needs one or no API to call at all. */
export function isInboundOnly(connection: Pick<IntegrationConnection, 'webhook' | 'credentialId'>, authNeedsCredential: boolean, hasApi: boolean): boolean {
  if (!connection.webhook) return false;
  return !hasApi || (authNeedsCredential && !connection.credentialId);
}

export function breakerKeyFor(providerId: string, endpoint: string): string {
  return `${providerId}:${endpoint}`.replace(/[^A-Za-z0-9._:/-]/g, '_').slice(0, 200);
}
