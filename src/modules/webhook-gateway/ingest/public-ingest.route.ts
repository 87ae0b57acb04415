import { Injectable, NotFoundException, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DocumentedRouteConfig } from '../../../platform/http/mounted-routes';
import { PublicUrlOptions } from '../../../platform/webhooks/public-url.options';
import type { HandshakeReply } from '../../../platform/webhooks/verification/webhook-verifier';
import { WebhookIngestion } from './webhook-ingestion';

const CONNECTION_ID = /^conn-[0-9a-f]{32}$/;

const JSON_TYPE = 'application/json; charset=utf-8';

const CONNECTION_PARAMETER = { name: 'connectionId', in: 'path', required: true, schema: { type: 'string', pattern: CONNECTION_ID.source } } as const;

const INGEST_DOCUMENTATION: DocumentedRouteConfig = {
  openapi: {
    operationId: 'webhooks.ingest',
    tags: ['Webhook ingest'],
    summary: "A vendor's callback: the connection's provider signature over the raw body is the authentication",
    security: [],
    parameters: [CONNECTION_PARAMETER],
    requestBody: { required: true, description: 'The vendor payload, exactly as sent (verified over its raw bytes)', content: { '*/*': { schema: {} } } },
    responses: {
      '202': {
        description: 'Verified and stored; `WebhookReceived` published',
        content: {
          'application/json': {
            schema: { type: 'object', required: ['deliveryId'], properties: { deliveryId: { type: 'string', example: 'dlv-0123456789abcdef0123456789abcdef' } } },
          },
        },
      },
      '200': {
        description: 'A repeated vendor delivery: nothing is published again',
        content: {
          'application/json': {
            schema: { type: 'object', required: ['deliveryId', 'duplicate'], properties: { deliveryId: { type: 'string' }, duplicate: { type: 'boolean', enum: [true] } } },
          },
        },
      },
      '401': { description: 'The signature or timestamp does not verify; nothing is stored' },
    },
  },
};

const PREFLIGHT_DOCUMENTATION: DocumentedRouteConfig = {
  openapi: {
    operationId: 'webhooks.ingestPreflight',
    tags: ['Webhook ingest'],
    summary: "A vendor's endpoint check (CloudEvents webhook abuse protection), answered by the connection's verifier",
    security: [],
    parameters: [CONNECTION_PARAMETER],
    responses: { '200': { description: 'The handshake the vendor expects' } },
  },
};

/**
 * `POST /webhooks/ingest/{connectionId}`: the public vendor callback. No bearer token: the vendor's
 * signature over the raw bytes is the authentication. 202 `{deliveryId}`; a repeated vendor delivery 200
 * `{deliveryId, duplicate: true}`; errors in the contract's shape (the platform's exception filter).
 *
 * The hottest route of the platform, so it is a Fastify route rather than a Nest controller method: it
 * needs no guard, pipe or interceptor, and Nest's per-request execution context costs more than the
 * route's own work. The platform's Fastify hooks (request context, in-flight work, metrics, raw body
 * with its own limit, Content-Encoding) apply to it as to every route.
 */
@Injectable()
export class PublicIngestRoute implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly ingestion: WebhookIngestion,
    private readonly publicUrls: PublicUrlOptions,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.route<{ Params: { connectionId: string }; Body: Buffer }>({
      method: 'POST',
      url: '/webhooks/ingest/:connectionId',
      config: INGEST_DOCUMENTATION,
      handler: (request, reply) => this.handle(request, reply),
    });
    fastify.route<{ Params: { connectionId: string } }>({
      method: 'OPTIONS',
      url: '/webhooks/ingest/:connectionId',
      config: PREFLIGHT_DOCUMENTATION,
      handler: (request, reply) => this.preflight(request, reply),
    });
  }

  /** A vendor's endpoint check (CloudEvents webhook abuse protection), answered by the connection's verifier. */
  private async preflight(request: FastifyRequest<{ Params: { connectionId: string } }>, reply: FastifyReply): Promise<unknown> {
    const { connectionId } = request.params;
    if (!CONNECTION_ID.test(connectionId)) throw new NotFoundException(`Connection ${connectionId} not found`);
    const answer = await this.ingestion.preflight(connectionId, { rawBody: Buffer.alloc(0), headers: request.headers, url: this.publicUrl(request) });
    return this.sendHandshake(reply, answer);
  }

  private sendHandshake(reply: FastifyReply, answer: HandshakeReply): FastifyReply {
    reply.code(answer.status).headers(answer.headers ?? {});
    if (answer.body === undefined) return reply.send();
    return typeof answer.body === 'string' ? reply.send(answer.body) : reply.type(JSON_TYPE).send(JSON.stringify(answer.body));
  }

  private async handle(request: FastifyRequest<{ Params: { connectionId: string }; Body: Buffer }>, reply: FastifyReply): Promise<unknown> {
    const { connectionId } = request.params;
    if (!CONNECTION_ID.test(connectionId)) throw new NotFoundException(`Connection ${connectionId} not found`);
    const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const result = await this.ingestion.ingest(connectionId, { rawBody, headers: request.headers, url: this.publicUrl(request) });
    if ('handshake' in result) return this.sendHandshake(reply, result.handshake);
    // Delivery ids are `dlv-` and hex: the answers are written directly, without a serialiser (a response
    // schema would load Ajv and fast-json-stringify into the role's boot for two fixed shapes).
    if (result.duplicate) return reply.code(200).type(JSON_TYPE).send(`{"deliveryId":"${result.deliveryId}","duplicate":true}`);
    return reply.code(202).type(JSON_TYPE).send(`{"deliveryId":"${result.deliveryId}"}`);
  }

  /** The URL the vendor called, as it sees it (Twilio signs over it): PUBLIC_BASE_URL when set, else this request's. */
  private publicUrl(request: FastifyRequest): string {
    const base = this.publicUrls.publicBaseUrl ?? `${request.protocol}://${request.host}`;
    return `${base.replace(/\/+$/, '')}${request.url}`;
  }
}
