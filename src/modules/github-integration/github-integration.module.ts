import { Module } from '@nestjs/common';
import { provideOptions } from '../../platform/config/options.provider';
import { GitHubIntegrationOptions } from './github-integration.options';

/** The GitHubIntegrationService role. Its capability lands with its own issue; until then it mounts nothing but its options. */
@Module({
  providers: [provideOptions(GitHubIntegrationOptions)],
  exports: [GitHubIntegrationOptions],
})
export class GitHubIntegrationModule {
  static readonly options = [GitHubIntegrationOptions];
}
