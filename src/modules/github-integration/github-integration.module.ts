import { Module } from '@nestjs/common';
import { provideOptions } from '../../platform/config/options.provider';
import { operationsController } from '../../platform/integrations/operations/operations.controller';
import { GitHubIntegrationOptions } from './github-integration.options';

/** The GitHubIntegrationService role: the GitHub operations under /github (the descriptor does the rest, in every role). */
@Module({
  controllers: [operationsController('github', ['github'])],
  providers: [provideOptions(GitHubIntegrationOptions)],
  exports: [GitHubIntegrationOptions],
})
export class GitHubIntegrationModule {
  static readonly options = [GitHubIntegrationOptions];
}
