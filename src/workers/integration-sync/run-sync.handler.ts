import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { RequestContext } from '../../platform/context/request-context';
import type { RunSyncCommand } from '../../platform/integrations/syncs/sync-events';
import { COMMANDS } from '../../platform/messaging/contracts';
import { PoisonMessageError } from '../../platform/messaging/bus-message';
import { SyncScheduler } from './sync-scheduler';

/**
 * RunSync: a nudge to run a sync now. The request is already recorded on the sync (`runRequestedAt`), so
 * a replica with no room, or a lost message, only delays the run until the next tick finds it due.
 */
@Controller()
export class RunSyncHandler {
  constructor(private readonly scheduler: SyncScheduler) {}

  @MessagePattern(COMMANDS.RunSync)
  run(@Payload() command: RunSyncCommand): void {
    if (typeof command?.syncId !== 'string') throw new PoisonMessageError('invalid_command', 'RunSync carries no syncId');
    RequestContext.bindIds({ syncId: command.syncId, connectionId: command.connectionId });
    this.scheduler.start(RequestContext.current()!.tenantId!, command.syncId);
  }
}
