import { str, url } from '../../platform/config/codecs';
import { Env, OptionsSection } from '../../platform/config/options';

@OptionsSection('GitHub', 'Options of the GitHubIntegrationService role')
export class GitHubIntegrationOptions {
  @Env('GITHUB_API_URL', url({ protocols: ['https', 'http'] }), {
    default: 'https://api.github.com',
    description: 'GitHub REST API base URL (GitHub Enterprise Server: https://HOST/api/v3)',
  })
  readonly apiUrl: string;

  @Env('GITHUB_API_VERSION', str({ minLength: 1 }), { default: '2022-11-28', description: 'Value of the X-GitHub-Api-Version header' })
  readonly apiVersion: string;
}
