import { VendorCatalogue } from '../../platform/vendors/vendor-catalogue';
import { BUILT_IN_AUTH_STRATEGIES } from '../../platform/integrations/auth/built-in-strategies';
import { GITHUB } from './github.descriptor';

describe('GitHub descriptor', () => {
  it('sends GitHub’s media type and API version, the configured version overriding the default', () => {
    expect(GITHUB.http!.defaultHeaders!({})).toEqual({ accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' });
    expect(GITHUB.http!.defaultHeaders!({ apiVersion: '2026-03-10' })['x-github-api-version']).toBe('2026-03-10');
  });

  it('offers bearer tokens and GitHub App installations, and the catalogue takes it', () => {
    expect(GITHUB.provider.authModes).toEqual(['bearer', 'github-app']);
    const catalogue = new VendorCatalogue([GITHUB], BUILT_IN_AUTH_STRATEGIES);
    expect(catalogue.authStrategy('github-app')?.needsCredential).toBe(true);
    expect(catalogue.operations(['github'])).toHaveLength(GITHUB.operations!.length);
    expect(catalogue.syncSources('github').map((source) => source.name)).toEqual(['repositories', 'pull_requests', 'issues']);
  });

  it('names what is wrong with its own configuration fields', () => {
    const problems = GITHUB.http!.configurationProblems!;
    expect(problems({ apiVersion: '2022-11-28', installationId: 42, repositories: ['octo/hello'], syncOrg: 'octo-org' }, 'bearer')).toEqual([]);
    expect(problems({ apiVersion: 'latest', installationId: -1, repositories: ['no-slash'], syncOrg: 'bad org' }, 'bearer')).toEqual([
      'configuration.apiVersion must be a GitHub API version date such as 2022-11-28',
      'configuration.installationId must be a GitHub App installation id (a positive integer)',
      'configuration.repositories must be a list of at most 500 owner/repo names',
      'configuration.syncOrg must be a GitHub organisation login',
    ]);
  });
});
