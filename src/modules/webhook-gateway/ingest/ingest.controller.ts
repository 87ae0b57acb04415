import { BadRequestException, Body, Controller, HttpStatus, Post, Res } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { FastifyReply } from 'fastify';
import { IsDefined, IsObject, IsString, Length, Matches } from 'class-validator';
import { Repository } from 'typeorm';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { RequireScopes } from '../../../platform/auth/decorators';
import { TenantContext } from '../../../platform/context/tenant-context';
import { OptionalField } from '../../../platform/http/optional-field';
import { IntegrationConnection } from '../../../platform/integrations/entities/integration-connection.entity';
import { IngestResult, WebhookIngestion } from './webhook-ingestion';

export class TrustedDeliveryDto {
  @Matches(/^conn-[0-9a-f]{32}$/, { message: 'connectionId must be a connection id' })
  connectionId: string;

  @IsString()
  @Length(1, 256)
  vendorDeliveryId: string;

  @Matches(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,255}$/, { message: 'eventType must be an event type name' })
  eventType: string;

  @IsDefined({ message: 'payload is required' })
  payload: unknown;

  @OptionalField()
  @IsObject()
  headers?: Record<string, string>;
}

/**
 * `POST /webhooks/deliveries`: the ingest pipeline for a trusted edge that verified the vendor itself.
 * (The public vendor callback, `POST /webhooks/ingest/{connectionId}`, is PublicIngestRoute.)
 */
@Controller('webhooks')
export class IngestController {
  constructor(
    private readonly ingestion: WebhookIngestion,
    @InjectRepository(IntegrationConnection) private readonly connections: Repository<IntegrationConnection>,
    private readonly tenant: TenantContext,
  ) {}

  @Post('deliveries')
  @RequireScopes('webhooks.deliveries.ingest')
  @ApiOperation({ summary: 'IngestWebhook from a trusted edge that verified the vendor itself' })
  @ApiAcceptedResponse({ description: 'Stored; `WebhookReceived` published', schema: { type: 'object', required: ['deliveryId'], properties: { deliveryId: { type: 'string' } } } })
  @ApiOkResponse({
    description: 'A repeated vendor delivery: nothing is published again',
    schema: { type: 'object', required: ['deliveryId', 'duplicate'], properties: { deliveryId: { type: 'string' }, duplicate: { type: 'boolean' } } },
  })
  async ingestTrusted(@Body() delivery: TrustedDeliveryDto, @Res({ passthrough: true }) response: FastifyReply): Promise<IngestResult | { deliveryId: string }> {
    const connection = await this.connections.findOneBy({ tenantId: this.tenant.tenantId, id: delivery.connectionId });
    if (!connection) throw new BadRequestException(`Connection ${delivery.connectionId} not found`);
    const result = await this.ingestion.ingestVerified(
      connection,
      { deliveryId: delivery.vendorDeliveryId, eventType: delivery.eventType, payload: delivery.payload },
      delivery.headers ?? {},
    );
    return this.answer(result, response);
  }

  private answer(result: IngestResult, response: FastifyReply): IngestResult | { deliveryId: string } {
    if (result.duplicate) {
      response.code(HttpStatus.OK);
      return result;
    }
    response.code(HttpStatus.ACCEPTED);
    return { deliveryId: result.deliveryId };
  }
}
