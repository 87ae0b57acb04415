import type { VendorDescriptor } from '../../platform/vendors/vendor-descriptor';
import { GITHUB_APP_AUTH } from './github-app.auth';
import { apiVersionOf, configurationProblems, GITHUB_API_URL } from './github.configuration';
import { normaliseGitHubEvent } from './github.events';
import { GITHUB_OPERATIONS } from './github.operations';
import { classifyGitHubAnswer } from './github.rate-limits';
import { GITHUB_SYNC_SOURCES } from './github.sync-sources';
import { GithubVerifier } from './github.verifier';

/** GitHub (REST v3; GitHub Enterprise Server with configuration.baseUrl `https://HOST/api/v3`). */
export const GITHUB: VendorDescriptor = {
  provider: {
    id: 'github',
    displayName: 'GitHub',
    category: 'source-control',
    capabilities: ['repos', 'pull-requests', 'actions', 'checks', 'webhooks'],
    authModes: ['bearer', GITHUB_APP_AUTH.mode],
    defaultBaseUrl: GITHUB_API_URL,
    docsUrl: 'https://docs.github.com/rest',
  },
  http: {
    healthPath: '/rate_limit', // does not count against the rate limit
    defaultHeaders: (configuration) => ({ accept: 'application/vnd.github+json', 'x-github-api-version': apiVersionOf(configuration) }),
    classify: (answer) => classifyGitHubAnswer(answer),
    configurationProblems: (configuration) => configurationProblems(configuration),
  },
  webhooks: { verifier: new GithubVerifier(), normalise: normaliseGitHubEvent },
  authStrategies: [GITHUB_APP_AUTH],
  operations: GITHUB_OPERATIONS,
  syncSources: GITHUB_SYNC_SOURCES,
};
