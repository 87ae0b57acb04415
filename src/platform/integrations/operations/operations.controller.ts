import { Body, Controller, Get, HttpStatus, Param, Post, Res, Type } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { RequireScopes } from '../../auth/decorators';
import { nameController } from '../../http/controller-name';
import { OperationListing, OperationOutcome, OperationRunner, SubmittedOperation } from './operation-runner';
import { DocumentsOperationsOf, OPERATION_LISTING_SCHEMA, SUBMITTED_OPERATION_SCHEMA } from './operation-paths';
import { RunOperationDto } from './run-operation.dto';

/**
 * The operations API of a vendor module, mounted under its role's prefix:
 *   GET  /{prefix}/operations                          the providers' operations with their schemas
 *   POST /{prefix}/connections/{id}/operations/{name}  run one (200 with the output, or 202 with the run when async)
 */
export function operationsController(prefix: string, providerIds: readonly string[]): Type<unknown> {
  @Controller(prefix)
  class OperationsController {
    constructor(private readonly runner: OperationRunner) {}

    @Get('operations')
    @RequireScopes('integration.runs.read')
    @ApiOperation({ summary: 'The operations served here, with their input and output JSON Schemas' })
    @ApiOkResponse({ schema: OPERATION_LISTING_SCHEMA })
    list(): { items: OperationListing[] } {
      return { items: this.runner.list(providerIds) };
    }

    @Post('connections/:id/operations/:name')
    @RequireScopes('integration.runs.execute')
    @DocumentsOperationsOf(providerIds)
    @ApiAcceptedResponse({ description: '`async: true`: the Pending run, executed from the bus and retried by policy', schema: SUBMITTED_OPERATION_SCHEMA })
    async run(
      @Param('id') connectionId: string,
      @Param('name') name: string,
      @Body() request: RunOperationDto,
      @Res({ passthrough: true }) reply: FastifyReply,
    ): Promise<OperationOutcome | SubmittedOperation> {
      const invocation = { input: request.input, idempotencyKey: request.idempotencyKey };
      if (request.async) {
        const submitted = await this.runner.submit(providerIds, connectionId, name, invocation);
        reply.code(HttpStatus.ACCEPTED).header('x-integration-run-id', submitted.runId);
        return submitted;
      }
      const outcome = await this.runner.run(providerIds, connectionId, name, invocation);
      reply.code(HttpStatus.OK);
      if (outcome.runId) reply.header('x-integration-run-id', outcome.runId);
      return outcome;
    }
  }
  nameController(OperationsController, prefix, 'OperationsController');
  return OperationsController;
}
