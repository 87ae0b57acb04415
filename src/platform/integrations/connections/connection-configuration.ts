export const TOKEN_AUTH_METHODS = ['client_secret_basic', 'client_secret_post'] as const;
export type TokenAuthMethod = (typeof TOKEN_AUTH_METHODS)[number];

/**
 * The HTTP side of a connection's `configuration` (the generic-rest shape; every HTTP provider accepts
 * it, and built-in providers fill the gaps from their defaults). Anything else in `configuration` is
 * the vendor module's business and is kept as given.
 */
export interface HttpConnectionConfiguration {
  baseUrl?: string;
  healthPath?: string;
  /** An auth mode of the catalogue (built-in or a vendor's); default: the provider's. */
  auth?: string;
  apiKeyHeader?: string;
  tokenUrl?: string;
  scopes?: string[];
  tokenAuthMethod?: TokenAuthMethod;
}

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/;
const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]{1,200}$/; // RFC 6749 scope-token

/** The configuration's problems, in words a caller can act on; empty when it is usable. `authModes`: the modes the provider accepts. */
export function configurationProblems(configuration: Record<string, unknown>, authModes: readonly string[]): string[] {
  const problems: string[] = [];
  const { baseUrl, healthPath, auth, apiKeyHeader, tokenUrl, scopes, tokenAuthMethod } = configuration;
  if (baseUrl !== undefined && !isHttpUrl(baseUrl)) problems.push('configuration.baseUrl must be an http(s) URL without user-info, query or fragment');
  if (healthPath !== undefined && !isRelativePath(healthPath)) problems.push('configuration.healthPath must be a path starting with "/"');
  if (auth !== undefined && !authModes.includes(auth as string))
    problems.push(`configuration.auth must be one of: ${authModes.join(', ') || '(none: the provider has no outbound API)'}`);
  if (apiKeyHeader !== undefined && (typeof apiKeyHeader !== 'string' || !HEADER_NAME.test(apiKeyHeader))) problems.push('configuration.apiKeyHeader must be an HTTP header name');
  if (tokenUrl !== undefined && !isHttpUrl(tokenUrl, true)) problems.push('configuration.tokenUrl must be an http(s) URL without user-info or fragment');
  if (scopes !== undefined && !(Array.isArray(scopes) && scopes.length <= 50 && scopes.every((scope) => typeof scope === 'string' && SCOPE.test(scope)))) {
    problems.push('configuration.scopes must be a list of at most 50 OAuth scope tokens');
  }
  if (tokenAuthMethod !== undefined && !(TOKEN_AUTH_METHODS as readonly unknown[]).includes(tokenAuthMethod)) {
    problems.push(`configuration.tokenAuthMethod must be one of: ${TOKEN_AUTH_METHODS.join(', ')}`);
  }
  return problems;
}

export function isRelativePath(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') && value.length <= 2048 && !/[\s#]/.test(value);
}

function isHttpUrl(value: unknown, allowQuery = false): value is string {
  if (typeof value !== 'string' || value.length > 2048) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password && !url.hash && (allowQuery || !url.search);
  } catch {
    return false;
  }
}
