import { Injectable } from '@nestjs/common';
import { BlobStore } from '../../../platform/blob/blob-store';
import type { WebhookDelivery } from '../../../platform/webhooks/entities/webhook-delivery.entity';
import { WebhookGatewayOptions } from '../webhook-gateway.options';

/** What is kept of an inbound webhook: the exact body, the headers worth keeping, and the body's hash. */
export interface InboundPayload {
  body: Buffer;
  headers: Record<string, string | string[]>;
  sha256: string;
}

export type StoredPayload = Pick<WebhookDelivery, 'payloadRef' | 'payloadBody' | 'payloadHeaders'>;

/**
 * Where an inbound payload lives. Bodies up to WEBHOOK_INLINE_PAYLOAD_MAX stay in the delivery row and are
 * committed with it (one write, and a row can never lack its payload); larger ones go to the blob store
 * before the row is committed (a crash in between leaves an unreferenced blob, never a row without one).
 */
@Injectable()
export class InboundPayloadStore {
  constructor(
    private readonly blobs: BlobStore,
    private readonly options: WebhookGatewayOptions,
  ) {}

  /** The row's payload columns; writes the blob first when the body is too large for the row. */
  async prepare(tenantId: string, blobName: string, payload: InboundPayload, receivedAt: Date): Promise<StoredPayload> {
    const headers = JSON.stringify(payload.headers);
    if (payload.body.length <= this.options.inlinePayloadMaxBytes) return { payloadRef: null, payloadBody: payload.body, payloadHeaders: headers };
    const document = { receivedAt: receivedAt.toISOString(), headers: payload.headers, body: payload.body.toString('base64') };
    await this.blobs.put(tenantId, blobName, Buffer.from(JSON.stringify(document)), { contentType: 'application/json' });
    return { payloadRef: blobName, payloadBody: null, payloadHeaders: null };
  }

  /** Undoes `prepare` for a row that was not committed. */
  async discard(tenantId: string, stored: StoredPayload): Promise<void> {
    if (stored.payloadRef) await this.blobs.delete(tenantId, stored.payloadRef).catch(() => undefined);
  }

  /** The bytes and headers received, wherever they were kept; undefined when the blob is gone. */
  async read(delivery: Pick<WebhookDelivery, 'tenantId'> & StoredPayload): Promise<{ body: Buffer; headers: Record<string, string | string[]> } | undefined> {
    if (delivery.payloadBody) return { body: Buffer.from(delivery.payloadBody), headers: JSON.parse(delivery.payloadHeaders ?? '{}') as Record<string, string | string[]> };
    if (!delivery.payloadRef) return undefined;
    const blob = await this.blobs.get(delivery.tenantId, delivery.payloadRef);
    if (!blob) return undefined;
    const document = JSON.parse(blob.data.toString('utf8')) as { headers: Record<string, string | string[]>; body: string };
    return { body: Buffer.from(document.body, 'base64'), headers: document.headers };
  }
}
