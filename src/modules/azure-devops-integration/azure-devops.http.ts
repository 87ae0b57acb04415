import { parseRetryAfter, readHeader } from '../../platform/resilience/retry-policy';
import type { FailureClassification } from '../../platform/resilience/failure-classifier';
import type { VendorHttpProfile } from '../../platform/vendors/vendor-descriptor';

export const DEFAULT_API_VERSION = '7.1';
/** `7.1`, `7.1-preview`, `7.1-preview.2`. */
const API_VERSION = /^\d{1,2}\.\d{1,2}(-preview(\.\d{1,2})?)?$/;
const AZURE_DEVOPS_SERVICES_HOST = 'dev.azure.com';
const MAX_REPOSITORIES = 100;

/** `configuration.apiVersion` when set, else 7.1. */
export function apiVersionOf(configuration: Readonly<Record<string, unknown>>): string {
  return typeof configuration.apiVersion === 'string' && API_VERSION.test(configuration.apiVersion) ? configuration.apiVersion : DEFAULT_API_VERSION;
}

/**
 * Azure DevOps throttles by "TSTUs" per user and resource (https://learn.microsoft.com/azure/devops/integrate/concepts/rate-limits):
 * a blocked request is a 429 with `Retry-After` (seconds) and `X-RateLimit-Reset` (epoch seconds at which
 * usage is back to zero). `Retry-After` wins; without one, the reset counts even when the answer does not
 * say `X-RateLimit-Remaining: 0`. The rate budgets read the same headers off every answer.
 */
export function classifyAzureDevOpsAnswer(answer: { status: number; headers: Readonly<Record<string, string | string[]>> }, now = Date.now()): FailureClassification | undefined {
  if (answer.status === 429) {
    const retryAfterMs = parseRetryAfter(answer.headers, now) ?? resetDelay(readHeader(answer.headers, 'x-ratelimit-reset'), now);
    return { category: 'RateLimited', retryable: true, code: 'azure_devops_throttled', status: 429, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  }
  // A request Azure DevOps did not authenticate may be answered 203 with its HTML sign-in page instead of a 401.
  if (answer.status === 203 && !/json/i.test(readHeader(answer.headers, 'content-type') ?? '')) {
    return { category: 'Auth', retryable: false, code: 'azure_devops_sign_in_page', status: 203 };
  }
  // Without `X-TFS-FedAuthRedirect: Suppress` (sent on every call) an unauthenticated call is redirected to the sign-in page.
  if (answer.status >= 300 && answer.status < 400 && /_signin|login\.microsoftonline\.com/i.test(readHeader(answer.headers, 'location') ?? '')) {
    return { category: 'Auth', retryable: false, code: 'azure_devops_sign_in_redirect', status: answer.status };
  }
  return undefined;
}

function resetDelay(value: string | undefined, now: number): number | undefined {
  const reset = Number(value?.trim());
  return value !== undefined && Number.isFinite(reset) && reset > 0 ? Math.max(0, reset * 1000 - now) : undefined;
}

/**
 * Problems with an Azure DevOps connection's configuration. The organisation is part of the base URL
 * (`https://dev.azure.com/{organization}`, or a Server collection URL); projects and repositories are
 * operation inputs, with `project` and `repositories` naming what the sync sources page.
 */
export function azureDevOpsConfigurationProblems(configuration: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  const { baseUrl, apiVersion, project, repositories } = configuration;
  if (typeof baseUrl === 'string' && URL.canParse(baseUrl)) {
    const url = new URL(baseUrl);
    if (url.hostname.toLowerCase() === AZURE_DEVOPS_SERVICES_HOST && url.pathname.split('/').filter(Boolean).length === 0) {
      problems.push('configuration.baseUrl must name the organization: https://dev.azure.com/{organization}');
    }
  }
  if (apiVersion !== undefined && (typeof apiVersion !== 'string' || !API_VERSION.test(apiVersion))) problems.push('configuration.apiVersion must look like 7.1 or 7.1-preview.1');
  if (project !== undefined && (typeof project !== 'string' || project.trim() === '' || project.length > 256)) problems.push('configuration.project must be a project name or id');
  if (repositories !== undefined) {
    const valid =
      Array.isArray(repositories) &&
      repositories.length <= MAX_REPOSITORIES &&
      repositories.every((repository) => typeof repository === 'string' && repository.trim() !== '' && repository.length <= 256);
    if (!valid) problems.push(`configuration.repositories must be a list of at most ${MAX_REPOSITORIES} repository names or ids`);
    else if (project === undefined) problems.push('configuration.repositories needs configuration.project');
  }
  return problems;
}

export const AZURE_DEVOPS_HTTP: VendorHttpProfile = {
  // Cheap and side-effect free: who the credential is, in the organisation.
  healthPath: '/_apis/connectionData',
  defaultQuery: (configuration) => ({ 'api-version': apiVersionOf(configuration) }),
  // Asks for a 401 instead of a redirect to the interactive sign-in page when a credential is refused.
  defaultHeaders: () => ({ 'x-tfs-fedauthredirect': 'Suppress' }),
  classify: (answer) => classifyAzureDevOpsAnswer(answer),
  configurationProblems: (configuration) => azureDevOpsConfigurationProblems(configuration),
};
