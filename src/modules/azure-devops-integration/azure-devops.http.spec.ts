import { AZURE_DEVOPS_HTTP, azureDevOpsConfigurationProblems, classifyAzureDevOpsAnswer } from './azure-devops.http';

const NOW = 1_750_000_000_000;

describe('Azure DevOps HTTP profile', () => {
  it('sends api-version 7.1 on every call unless the connection configures another', () => {
    expect(AZURE_DEVOPS_HTTP.defaultQuery!({})).toEqual({ 'api-version': '7.1' });
    expect(AZURE_DEVOPS_HTTP.defaultQuery!({ apiVersion: '7.2-preview.1' })).toEqual({ 'api-version': '7.2-preview.1' });
  });

  it('asks for a 401 rather than a redirect to the sign-in page', () => {
    expect(AZURE_DEVOPS_HTTP.defaultHeaders!({})).toEqual({ 'x-tfs-fedauthredirect': 'Suppress' });
  });

  describe('classify', () => {
    it('reads a throttled 429 as RateLimited, waiting what Retry-After says', () => {
      const classification = classifyAzureDevOpsAnswer(
        {
          status: 429,
          headers: { 'retry-after': '30', 'x-ratelimit-resource': 'Core', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW / 1000 + 600), 'x-ratelimit-limit': '200' },
        },
        NOW,
      );
      expect(classification).toEqual({ category: 'RateLimited', retryable: true, code: 'azure_devops_throttled', status: 429, retryAfterMs: 30_000 });
    });

    it('falls back to X-RateLimit-Reset (epoch seconds) when a 429 carries no Retry-After', () => {
      const classification = classifyAzureDevOpsAnswer(
        { status: 429, headers: { 'x-ratelimit-resource': 'Core', 'x-ratelimit-remaining': '15', 'x-ratelimit-reset': String(NOW / 1000 + 45) } },
        NOW,
      );
      expect(classification).toMatchObject({ category: 'RateLimited', retryAfterMs: 45_000 });
    });

    it('reads the 203 sign-in page Azure DevOps answers for a refused PAT as Auth, a 203 with JSON as success', () => {
      expect(classifyAzureDevOpsAnswer({ status: 203, headers: { 'content-type': 'text/html' } })).toEqual({
        category: 'Auth',
        retryable: false,
        code: 'azure_devops_sign_in_page',
        status: 203,
      });
      expect(classifyAzureDevOpsAnswer({ status: 203, headers: { 'content-type': 'application/json; charset=utf-8' } })).toBeUndefined();
    });

    it('reads a redirect to the sign-in page as Auth', () => {
      expect(classifyAzureDevOpsAnswer({ status: 302, headers: { location: 'https://spsprodweu5.vssps.visualstudio.com/_signin?realm=dev.azure.com' } })).toMatchObject({
        category: 'Auth',
        code: 'azure_devops_sign_in_redirect',
      });
    });

    it('leaves every other answer to the generic classification', () => {
      expect(classifyAzureDevOpsAnswer({ status: 401, headers: {} })).toBeUndefined();
      expect(classifyAzureDevOpsAnswer({ status: 503, headers: { 'retry-after': '5' } })).toBeUndefined();
      expect(classifyAzureDevOpsAnswer({ status: 302, headers: { location: 'https://dev.azure.com/fabrikam/other' } })).toBeUndefined();
    });
  });

  describe('configuration problems', () => {
    it('needs the organization in a dev.azure.com base URL', () => {
      expect(azureDevOpsConfigurationProblems({ baseUrl: 'https://dev.azure.com' })).toEqual([
        'configuration.baseUrl must name the organization: https://dev.azure.com/{organization}',
      ]);
      expect(azureDevOpsConfigurationProblems({ baseUrl: 'https://dev.azure.com/' })).toHaveLength(1);
      expect(azureDevOpsConfigurationProblems({ baseUrl: 'https://dev.azure.com/fabrikam' })).toEqual([]);
      // Azure DevOps Server and the legacy host carry the collection differently.
      expect(azureDevOpsConfigurationProblems({ baseUrl: 'https://fabrikam.visualstudio.com' })).toEqual([]);
      expect(azureDevOpsConfigurationProblems({ baseUrl: 'https://tfs.fabrikam.example/tfs/DefaultCollection' })).toEqual([]);
    });

    it('checks apiVersion, project and repositories', () => {
      expect(azureDevOpsConfigurationProblems({ apiVersion: 'latest' })).toEqual(['configuration.apiVersion must look like 7.1 or 7.1-preview.1']);
      expect(azureDevOpsConfigurationProblems({ project: '' })).toEqual(['configuration.project must be a project name or id']);
      expect(azureDevOpsConfigurationProblems({ repositories: ['web'] })).toEqual(['configuration.repositories needs configuration.project']);
      expect(azureDevOpsConfigurationProblems({ project: 'Fabrikam', repositories: 'web' })).toEqual([
        'configuration.repositories must be a list of at most 100 repository names or ids',
      ]);
      expect(azureDevOpsConfigurationProblems({ project: 'Fabrikam', repositories: ['web', 'api'], apiVersion: '7.1' })).toEqual([]);
    });
  });
});
