/** The Zendesk side of a connection's `configuration` (beside the generic baseUrl, auth, healthPath). */
export interface ZendeskConfiguration {
  /** The account's subdomain: the base URL is `https://{subdomain}.zendesk.com`. */
  subdomain?: string;
  baseUrl?: string;
}

/** A Zendesk subdomain: letters, digits and hyphens, not starting or ending with a hyphen. */
export const SUBDOMAIN_PATTERN = '^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$';
const SUBDOMAIN = new RegExp(SUBDOMAIN_PATTERN);

export function zendeskConfiguration(configuration: Readonly<Record<string, unknown>>): ZendeskConfiguration {
  return configuration as ZendeskConfiguration;
}

/** `https://{subdomain}.zendesk.com` when configuration.subdomain is one; undefined otherwise (configurationProblems says why). */
export function baseUrlFromSubdomain(configuration: Readonly<Record<string, unknown>>): string | undefined {
  const { subdomain } = zendeskConfiguration(configuration);
  return typeof subdomain === 'string' && SUBDOMAIN.test(subdomain) ? `https://${subdomain.toLowerCase()}.zendesk.com` : undefined;
}

/**
 * The account is named either by `subdomain` or by `baseUrl` (a host-mapped or test endpoint), not both.
 * The base URL is the account's origin: every path the module calls starts with `/api/v2`.
 */
export function configurationProblems(configuration: Readonly<Record<string, unknown>>): string[] {
  const { subdomain, baseUrl } = zendeskConfiguration(configuration);
  const problems: string[] = [];
  if (subdomain !== undefined && !(typeof subdomain === 'string' && SUBDOMAIN.test(subdomain))) {
    problems.push('configuration.subdomain must be the Zendesk account subdomain (letters, digits and hyphens: acme for https://acme.zendesk.com)');
  }
  if (subdomain !== undefined && baseUrl !== undefined) problems.push('configuration.subdomain and configuration.baseUrl name the account twice: set one of them');
  if (typeof baseUrl === 'string' && URL.canParse(baseUrl) && !['', '/'].includes(new URL(baseUrl).pathname)) {
    problems.push('configuration.baseUrl must be the account origin (https://{subdomain}.zendesk.com) without a path: the module adds /api/v2');
  }
  return problems;
}
