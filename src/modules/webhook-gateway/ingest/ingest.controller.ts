import { BadRequestException, Body, Controller, HttpStatus, NotFoundException, Param, Post, Req, Res } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IsDefined, IsObject, IsString, Length, Matches } from 'class-validator';
import { Repository } from 'typeorm';
import { Public, RequireScopes } from '../../../platform/auth/decorators';
import { TenantContext } from '../../../platform/context/tenant-context';
import { OptionalField } from '../../../platform/http/optional-field';
import { IntegrationConnection } from '../../../platform/integrations/entities/integration-connection.entity';
import { WebhookGatewayOptions } from '../webhook-gateway.options';
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
 * The webhook front door. `POST /webhooks/ingest/{connectionId}` is the public vendor callback: no bearer
 * token, the vendor's signature over the raw bytes is the authentication. `POST /webhooks/deliveries` is
 * the same pipeline for a trusted edge that verified the vendor itself.
 */
@Controller('webhooks')
export class IngestController {
  constructor(
    private readonly ingestion: WebhookIngestion,
    @InjectRepository(IntegrationConnection) private readonly connections: Repository<IntegrationConnection>,
    private readonly options: WebhookGatewayOptions,
    private readonly tenant: TenantContext,
  ) {}

  /** 202 `{deliveryId}`; a repeated vendor delivery 200 `{deliveryId, duplicate: true}`. */
  @Public()
  @Post('ingest/:connectionId')
  async ingest(@Param('connectionId') connectionId: string, @Req() request: FastifyRequest, @Res({ passthrough: true }) response: FastifyReply): Promise<IngestResult | { deliveryId: string }> {
    if (!/^conn-[0-9a-f]{32}$/.test(connectionId)) throw new NotFoundException(`Connection ${connectionId} not found`);
    const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const result = await this.ingestion.ingest(connectionId, { rawBody, headers: request.headers, url: this.publicUrl(request) });
    return this.answer(result, response);
  }

  @Post('deliveries')
  @RequireScopes('webhooks.deliveries.ingest')
  async ingestTrusted(@Body() delivery: TrustedDeliveryDto, @Res({ passthrough: true }) response: FastifyReply): Promise<IngestResult | { deliveryId: string }> {
    const connection = await this.connections.findOneBy({ tenantId: this.tenant.tenantId, id: delivery.connectionId });
    if (!connection) throw new BadRequestException(`Connection ${delivery.connectionId} not found`);
    const result = await this.ingestion.ingestVerified(connection, { deliveryId: delivery.vendorDeliveryId, eventType: delivery.eventType, payload: delivery.payload }, delivery.headers ?? {});
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

  /** The URL the vendor called, as it sees it (Twilio signs over it): PUBLIC_BASE_URL when set, else this request's. */
  private publicUrl(request: FastifyRequest): string {
    const base = this.options.publicBaseUrl ?? `${request.protocol}://${request.host}`;
    return `${base.replace(/\/+$/, '')}${request.url}`;
  }
}
