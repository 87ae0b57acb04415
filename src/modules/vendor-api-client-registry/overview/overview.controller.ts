import { Controller, Get, Header } from '@nestjs/common';
import { RequireScopes } from '../../../platform/auth/decorators';
import { OperationsOverview, OperationsOverviewService } from './operations-overview.service';

@Controller('integrations/overview')
export class OverviewController {
  constructor(private readonly overview: OperationsOverviewService) {}

  /** The console's first page: unwell connections, open breakers, bus depths, the last hour's failures. */
  @Get()
  @Header('Cache-Control', 'no-store')
  @RequireScopes('integration.connections.read')
  get(): Promise<OperationsOverview> {
    return this.overview.overview();
  }
}
