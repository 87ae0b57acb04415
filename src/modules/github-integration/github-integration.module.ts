import { Module } from '@nestjs/common';
import { operationsController } from '../../platform/integrations/operations/operations.controller';

/** The GitHubIntegrationService role: the GitHub operations under /github (the descriptor does the rest, in every role). */
@Module({
  controllers: [operationsController('github', ['github'])],
})
export class GitHubIntegrationModule {
  /** Connection configuration carries everything per vendor account (base URL, API version): no process options. */
  static readonly options = [];
}
