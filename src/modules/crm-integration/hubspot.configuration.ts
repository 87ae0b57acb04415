/** HubSpot's API root (every account; EU accounts too). */
export const HUBSPOT_API_URL = 'https://api.hubapi.com';
/** HubSpot's OAuth token endpoint: `configuration.tokenUrl` of an `oauth2-refresh-token` connection. */
export const HUBSPOT_TOKEN_URL = 'https://api.hubapi.com/oauth/v1/token';
/** The most results one HubSpot search can page through. */
export const HUBSPOT_SEARCH_RESULT_LIMIT = 10_000;
/** Sync page size (HubSpot's search answers at most 200 per page). */
export const DEFAULT_SYNC_PAGE_SIZE = 100;

const isIntegerIn = (value: unknown, min: number, max: number) => typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

/** The sync page size: `configuration.pageSize` (1–200), default 100. */
export function pageSizeOf(configuration: Readonly<Record<string, unknown>>): number {
  return isIntegerIn(configuration.pageSize, 1, 200) ? (configuration.pageSize as number) : DEFAULT_SYNC_PAGE_SIZE;
}

/** How far a search can page (`configuration.searchResultLimit`, default HubSpot's 10,000). */
export function searchResultLimitOf(configuration: Readonly<Record<string, unknown>>): number {
  return isIntegerIn(configuration.searchResultLimit, 1, HUBSPOT_SEARCH_RESULT_LIMIT) ? (configuration.searchResultLimit as number) : HUBSPOT_SEARCH_RESULT_LIMIT;
}

export function configurationProblems(configuration: Readonly<Record<string, unknown>>, authMode: string): string[] {
  const problems: string[] = [];
  if (configuration.pageSize !== undefined && !isIntegerIn(configuration.pageSize, 1, 200)) problems.push('configuration.pageSize must be an integer from 1 to 200');
  if (configuration.searchResultLimit !== undefined && !isIntegerIn(configuration.searchResultLimit, 1, HUBSPOT_SEARCH_RESULT_LIMIT)) {
    problems.push(`configuration.searchResultLimit must be an integer from 1 to ${HUBSPOT_SEARCH_RESULT_LIMIT}`);
  }
  if (authMode === 'oauth2-refresh-token' && configuration.tokenAuthMethod !== 'client_secret_post') {
    // HubSpot's token endpoint reads client_id and client_secret from the form only.
    problems.push(`HubSpot's token endpoint takes the client in the form: set configuration.tokenAuthMethod to client_secret_post (and tokenUrl to ${HUBSPOT_TOKEN_URL})`);
  }
  return problems;
}
