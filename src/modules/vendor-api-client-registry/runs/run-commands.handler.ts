import { Controller, Logger } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { RequestContext } from '../../../platform/context/request-context';
import { GovernedHttpClient } from '../../../platform/integrations/governed/governed-http-client';
import { PoisonMessageError } from '../../../platform/messaging/bus-message';
import { RunRecorder } from '../../../platform/runs/run-recorder';
import { COMMANDS, ExecuteIntegrationRunCommand, RetryIntegrationRunCommand } from '../../../platform/messaging/contracts';

/**
 * ExecuteIntegrationRun and RetryIntegrationRun: one attempt of a stored run each. Both are idempotent:
 * the run's state and attempt count decide whether the attempt is still owed.
 */
@Controller()
export class RunCommandsHandler {
  private readonly logger = new Logger(RunCommandsHandler.name);

  constructor(
    private readonly governed: GovernedHttpClient,
    private readonly runs: RunRecorder,
  ) {}

  @MessagePattern(COMMANDS.ExecuteIntegrationRun)
  async execute(@Payload() command: ExecuteIntegrationRunCommand): Promise<void> {
    const run = await this.load(command.runId);
    if (!run) return;
    if (run.state !== 'Pending') {
      this.logger.debug({ msg: 'ExecuteIntegrationRun for a run already under way; ignored', runId: run.id, state: run.state });
      return;
    }
    await this.governed.execute(run, ['Pending']);
  }

  @MessagePattern(COMMANDS.RetryIntegrationRun)
  async retry(@Payload() command: RetryIntegrationRunCommand): Promise<void> {
    if (!Number.isInteger(command?.attempt) || command.attempt < 2) throw new PoisonMessageError('invalid_command', 'RetryIntegrationRun needs an attempt of 2 or more');
    const run = await this.load(command.runId);
    if (!run) return;
    if (run.attempts !== command.attempt - 1) {
      this.logger.debug({ msg: 'RetryIntegrationRun for an attempt already made; ignored', runId: run.id, attempt: command.attempt, attempts: run.attempts });
      return;
    }
    // Retrying normally; Failed when the command overtook the retry worker's own state change.
    await this.governed.execute(run, ['Retrying', 'Failed']);
  }

  private async load(runId: unknown) {
    if (typeof runId !== 'string') throw new PoisonMessageError('invalid_command', 'The command carries no runId');
    const tenantId = RequestContext.current()!.tenantId!;
    const run = await this.runs.find(tenantId, runId);
    if (!run) this.logger.warn({ msg: 'Command for an unknown run; ignored', runId });
    return run;
  }
}
