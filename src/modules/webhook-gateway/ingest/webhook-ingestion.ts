import { createHash, randomUUID } from 'node:crypto';
import { Injectable, Logger, MethodNotAllowedException, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { RequestContext } from '../../../platform/context/request-context';
import { buildCloudEvent } from '../../../platform/events/cloud-event';
import { ConnectionHealthService } from '../../../platform/integrations/connections/connection-health';
import { ConnectionProfile } from '../../../platform/integrations/connections/connection-profile';
import { ConnectionResolver } from '../../../platform/integrations/connections/connection-resolver';
import { CredentialVault } from '../../../platform/integrations/credentials/credential-vault';
import { IntegrationConnection } from '../../../platform/integrations/entities/integration-connection.entity';
import { IntegrationCredential } from '../../../platform/integrations/entities/integration-credential.entity';
import { IntegrationsOptions } from '../../../platform/integrations/integrations.options';
import { BusPublisher } from '../../../platform/messaging/bus-publisher';
import { GroupedOutboxCommits } from '../../../platform/messaging/outbox/grouped-outbox-commits';
import { TransactionalOutbox } from '../../../platform/messaging/outbox/transactional-outbox';
import { PlatformMetrics } from '../../../platform/observability/platform-metrics';
import { newId } from '../../../platform/persistence/ids';
import { IntegrationError } from '../../../platform/resilience/failure-classifier';
import { VendorCatalogue } from '../../../platform/vendors/vendor-catalogue';
import type { NormalisedEvent } from '../../../platform/vendors/vendor-descriptor';
import { WebhookDelivery } from '../../../platform/webhooks/entities/webhook-delivery.entity';
import {
  HandshakeReply,
  InboundWebhook,
  MalformedWebhookError,
  VerifiedWebhook,
  WebhookVerificationError,
  WebhookVerifier,
} from '../../../platform/webhooks/verification/webhook-verifier';
import { WebhookGatewayOptions } from '../webhook-gateway.options';
import { InboundPayload, InboundPayloadStore } from './inbound-payload-store';
import { KnownDeliveries, KnownDelivery } from './known-deliveries';
import { EVENTS } from '../../../platform/messaging/contracts';

export interface IngestResult {
  deliveryId: string;
  duplicate: boolean;
}

/** A vendor validating the endpoint: answered with the verifier's reply, nothing recorded. */
export interface HandshakeResult {
  handshake: HandshakeReply;
}

export interface RawInboundWebhook {
  rawBody: Buffer;
  headers: Record<string, string | string[] | undefined>;
  /** The URL as the vendor called it (PUBLIC_BASE_URL + path + query). */
  url: string;
}

/** Payload of `WebhookReceived`: a CloudEvent whose `type` is the normalised vendor event and whose `data` is the vendor's payload. */
export interface WebhookReceivedExtensions {
  connectionid: string;
  deliveryid: string;
  provider: string;
}

interface Receiver {
  connection: IntegrationConnection;
  profile: ConnectionProfile;
  verifier: WebhookVerifier;
  /** The vendor's event type and subject; undefined: the verifier's event type as it is. */
  normalise?: (verified: VerifiedWebhook) => NormalisedEvent;
  /** Health comes from verified traffic (inbound-only): set once it is proven. */
  healthFromTraffic: boolean;
  secrets: string[];
  /** Headers never stored with the payload: credentials, and this connection's signature headers. */
  withheldHeaders: ReadonlySet<string>;
}

const MAX_CACHED_RECEIVERS = 10_000;

/** Headers that carry credentials whatever the scheme: never stored. */
const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization', 'cookie']);

/**
 * IngestWebhook: the public vendor callback. Order (DESIGN.md): size limit (the raw-body parser) →
 * connection (unknown or retired: 404) → signature over the raw bytes (401, nothing stored) → timestamp
 * → parse (400, recorded as a failed ingestion) → dedupe on the vendor's delivery id (200, duplicate) →
 * payload and headers to the blob port → the WebhookDelivery row and WebhookReceived, in one store
 * transaction → 202. The blob is written first: a crash before the commit leaves an unreferenced blob,
 * never a row or an event without its payload.
 */
@Injectable()
export class WebhookIngestion {
  private readonly logger = new Logger(WebhookIngestion.name);
  private readonly receivers = new Map<string, { receiver: Receiver; expiresAt: number }>();
  /** Rows and WebhookReceived events of concurrent webhooks share one transaction. */
  private readonly commits: GroupedOutboxCommits;

  constructor(
    @InjectRepository(IntegrationConnection) private readonly connections: Repository<IntegrationConnection>,
    @InjectRepository(IntegrationCredential) private readonly credentials: Repository<IntegrationCredential>,
    @InjectRepository(WebhookDelivery) private readonly deliveries: Repository<WebhookDelivery>,
    private readonly vault: CredentialVault,
    private readonly payloads: InboundPayloadStore,
    private readonly known: KnownDeliveries,
    private readonly publisher: BusPublisher,
    outbox: TransactionalOutbox,
    private readonly metrics: PlatformMetrics,
    private readonly options: WebhookGatewayOptions,
    private readonly integrations: IntegrationsOptions,
    private readonly catalogue: VendorCatalogue,
    private readonly resolver: ConnectionResolver,
    private readonly health: ConnectionHealthService,
  ) {
    this.commits = new GroupedOutboxCommits(outbox);
  }

  /** The public endpoint: the connection's verifier decides. */
  async ingest(connectionId: string, webhook: RawInboundWebhook): Promise<IngestResult | HandshakeResult> {
    const receiver = await this.receiverOf(connectionId);
    const { connection, profile, verifier } = receiver;
    RequestContext.bindIds({ connectionId });

    let verified: VerifiedWebhook;
    try {
      const inbound = this.inboundOf(webhook);
      const context = this.contextOf(receiver);
      const handshake = verifier.handshake?.(inbound, context);
      if (handshake) {
        this.metrics.webhooksReceived.inc({ verifier: verifier.name, outcome: 'handshake' });
        return { handshake };
      }
      verified = verifier.verify(inbound, context);
    } catch (error) {
      if (error instanceof WebhookVerificationError) throw this.rejected(verifier, error);
      if (error instanceof MalformedWebhookError) {
        this.metrics.webhooksReceived.inc({ verifier: verifier.name, outcome: 'invalid' });
        await this.recordFailedIngestion(connection, this.payloadOf(webhook, receiver.withheldHeaders), 'malformed', error.message);
        throw error;
      }
      throw error;
    }
    const normalised = receiver.normalise?.(verified) ?? { type: verified.eventType };
    const result = await this.accept(connection, profile.provider.id, verifier.name, verified, normalised, this.payloadOf(webhook, receiver.withheldHeaders));
    if (receiver.healthFromTraffic && !result.duplicate) await this.provenHealthy(receiver);
    return result;
  }

  /**
   * An OPTIONS request to the callback URL: the connection's verifier answers a vendor's endpoint check
   * (CloudEvents abuse protection) when its scheme has one; 405 otherwise.
   */
  async preflight(connectionId: string, webhook: RawInboundWebhook): Promise<HandshakeReply> {
    const receiver = await this.receiverOf(connectionId);
    const { verifier } = receiver;
    let reply: HandshakeReply | undefined;
    try {
      reply = verifier.preflight?.(this.inboundOf(webhook), this.contextOf(receiver));
    } catch (error) {
      if (error instanceof WebhookVerificationError) throw this.rejected(verifier, error);
      throw error;
    }
    if (!reply) throw new MethodNotAllowedException(`Connection ${connectionId} takes webhooks as POST only`);
    this.metrics.webhooksReceived.inc({ verifier: verifier.name, outcome: 'handshake' });
    return reply;
  }

  private inboundOf(webhook: RawInboundWebhook): InboundWebhook {
    return { rawBody: webhook.rawBody, headers: webhook.headers, url: webhook.url, contentType: headerValue(webhook.headers, 'content-type') };
  }

  private contextOf(receiver: Receiver) {
    return { secrets: receiver.secrets, now: Date.now(), toleranceMs: this.options.timestampToleranceMs, options: receiver.connection.webhook?.verifierOptions };
  }

  private rejected(verifier: WebhookVerifier, error: WebhookVerificationError): UnauthorizedException {
    this.metrics.webhooksReceived.inc({ verifier: verifier.name, outcome: 'rejected' });
    this.logger.warn({ msg: 'Inbound webhook rejected', verifier: verifier.name, reason: error.reason });
    return new UnauthorizedException(`Webhook signature rejected: ${error.message}`);
  }

  private async provenHealthy(receiver: Receiver): Promise<void> {
    receiver.healthFromTraffic = false;
    try {
      await this.health.recordVerifiedTraffic(receiver.profile);
    } catch (error) {
      // The webhook is accepted and committed; its health verdict is retried with the next one.
      receiver.healthFromTraffic = true;
      this.logger.warn({ msg: 'Health from verified traffic not recorded', connectionId: receiver.connection.id, err: error });
    }
  }

  /**
   * The connection, its verifier and the secrets that verify now, read once per CONNECTION_CACHE_TTL:
   * a busy vendor sends many webhooks a second to one connection. Unknown, retired, or not set up for
   * webhooks: 404.
   */
  private async receiverOf(connectionId: string): Promise<Receiver> {
    const cached = this.receivers.get(connectionId);
    if (cached && cached.expiresAt > Date.now()) return cached.receiver;
    const connection = await this.connections.findOneBy({ id: connectionId });
    if (!connection || connection.status === 'Retired') throw new NotFoundException(`Connection ${connectionId} not found`);
    const profile = await this.profileOf(connection);
    const verifierName = profile?.provider.webhookVerifier;
    const verifier = verifierName ? this.catalogue.verifier(verifierName) : undefined;
    if (!profile || !verifier || !connection.webhook) throw new NotFoundException(`Connection ${connectionId} does not receive webhooks`);
    const withheldHeaders = new Set([...CREDENTIAL_HEADERS, ...verifier.signatureHeaders(connection.webhook.verifierOptions)]);
    const receiver: Receiver = {
      connection,
      profile,
      verifier,
      normalise: this.catalogue.normaliser(verifier.name),
      healthFromTraffic: profile.inboundOnly && connection.health !== 'Healthy',
      secrets: await this.secretsOf(connection),
      withheldHeaders,
    };
    if (this.integrations.connectionCacheTtlMs > 0) {
      if (this.receivers.size >= MAX_CACHED_RECEIVERS) this.receivers.clear();
      this.receivers.set(connectionId, { receiver, expiresAt: Date.now() + this.integrations.connectionCacheTtlMs });
    }
    return receiver;
  }

  /** A trusted edge verified the vendor already: the same pipeline from dedupe on. */
  async ingestVerified(connection: IntegrationConnection, verified: VerifiedWebhook, headers: Record<string, string | string[] | undefined>): Promise<IngestResult> {
    if (connection.status === 'Retired') throw new NotFoundException(`Connection ${connection.id} not found`);
    const body = Buffer.from(JSON.stringify(verified.payload));
    return this.accept(
      connection,
      connection.providerId,
      'trusted-edge',
      verified,
      { type: verified.eventType },
      this.payloadOf({ rawBody: body, headers, url: '' }, CREDENTIAL_HEADERS),
    );
  }

  private payloadOf(webhook: RawInboundWebhook, withheldHeaders: ReadonlySet<string>): InboundPayload {
    return { body: webhook.rawBody, headers: storableHeaders(webhook.headers, withheldHeaders), sha256: createHash('sha256').update(webhook.rawBody).digest('hex') };
  }

  private async accept(
    connection: IntegrationConnection,
    providerId: string,
    verifierName: string,
    verified: VerifiedWebhook,
    normalised: NormalisedEvent,
    payload: InboundPayload,
  ): Promise<IngestResult> {
    const tenantId = connection.tenantId;
    const vendorDeliveryId = verified.deliveryId.slice(0, 256);
    const existing = this.known.checkBeforeInsert ? await this.known.find(tenantId, connection.id, vendorDeliveryId) : undefined;
    if (existing) return this.duplicate(connection, existing, vendorDeliveryId, verifierName, payload);

    const now = new Date();
    const deliveryId = newId('dlv');
    const stored = await this.payloads.prepare(tenantId, inboundBlobName(connection, deliveryId), payload, now);
    const delivery = Object.assign(new WebhookDelivery(), {
      id: deliveryId,
      tenantId,
      direction: 'in' as const,
      connectionId: connection.id,
      subscriptionId: null,
      vendorDeliveryId,
      eventId: randomUUID(),
      eventType: normalised.type.slice(0, 256),
      status: 'Delivered' as const,
      ...stored,
      payloadSha256: payload.sha256,
      attemptCount: 0,
      series: 1,
      seriesAttempt: 0,
      nextAttemptAt: null,
      lastError: null,
      completedAt: now,
      createdAt: now,
      updatedAt: now,
    });
    const event = buildCloudEvent({
      type: delivery.eventType,
      source: `urn:integration-platform:connections:${connection.id}`,
      id: delivery.eventId,
      subject: (normalised.subject ?? verified.deliveryId).slice(0, 256),
      time: verified.occurredAt ?? now,
      data: verified.payload,
      tenantid: tenantId,
      extensions: { connectionid: connection.id, deliveryid: deliveryId, provider: providerId },
    });
    const received = {
      pattern: EVENTS.WebhookReceived,
      message: this.publisher.prepareEvent(EVENTS.WebhookReceived, event, { tenantId, messageId: delivery.eventId, detectDuplicates: false }),
    };
    try {
      await this.commits.commit({ inserts: [{ target: WebhookDelivery, rows: [delivery] }] }, [received]);
    } catch (error) {
      // A duplicate not looked up first (SQLite), or the same delivery arriving twice at once: the unique index kept the first.
      const winner = await this.known.find(tenantId, connection.id, vendorDeliveryId);
      await this.payloads.discard(tenantId, stored);
      if (winner) return this.duplicate(connection, winner, vendorDeliveryId, verifierName, payload);
      throw error;
    }
    this.metrics.webhooksReceived.inc({ verifier: verifierName, outcome: 'accepted' });
    RequestContext.bindIds({ deliveryId });
    return { deliveryId, duplicate: false };
  }

  /**
   * A delivery id seen before. The same body is the vendor retrying: answered as a duplicate. A different,
   * validly signed body under a reused id is answered the same way (the vendor must not retry it forever),
   * but kept as a Failed `conflict` delivery with its payload, logged and counted, so it is never lost silently.
   */
  private async duplicate(
    connection: IntegrationConnection,
    existing: KnownDelivery,
    vendorDeliveryId: string,
    verifierName: string,
    payload: InboundPayload,
  ): Promise<IngestResult> {
    if (existing.payloadSha256 !== null && existing.payloadSha256 !== payload.sha256) {
      this.metrics.webhooksReceived.inc({ verifier: verifierName, outcome: 'conflict' });
      const conflictId = await this.recordFailedIngestion(
        connection,
        payload,
        'conflict',
        `Delivery id ${vendorDeliveryId} was received before (${existing.id}) with a different body`,
      );
      this.logger.warn({ msg: 'Inbound webhook reused a delivery id with a different body', verifier: verifierName, firstDeliveryId: existing.id, conflictDeliveryId: conflictId });
    } else {
      this.metrics.webhooksReceived.inc({ verifier: verifierName, outcome: 'duplicate' });
    }
    return { deliveryId: existing.id, duplicate: true };
  }

  /** A correctly signed body we cannot accept (unreadable, or a conflicting reuse of a delivery id): kept for audit (status Failed), announced to nobody. */
  private async recordFailedIngestion(connection: IntegrationConnection, payload: InboundPayload, eventType: 'malformed' | 'conflict', reason: string): Promise<string> {
    const now = new Date();
    const deliveryId = newId('dlv');
    const stored = await this.payloads.prepare(connection.tenantId, inboundBlobName(connection, deliveryId), payload, now);
    await this.deliveries.insert({
      id: deliveryId,
      tenantId: connection.tenantId,
      direction: 'in',
      connectionId: connection.id,
      subscriptionId: null,
      vendorDeliveryId: null,
      eventId: randomUUID(),
      eventType,
      status: 'Failed',
      ...stored,
      payloadSha256: payload.sha256,
      attemptCount: 0,
      lastError: reason.slice(0, 1000),
      completedAt: now,
    });
    return deliveryId;
  }

  /** The connection as the pipeline sees it (its provider, whether it is inbound-only); undefined when its provider is gone. */
  private async profileOf(connection: IntegrationConnection): Promise<ConnectionProfile | undefined> {
    try {
      return await this.resolver.resolve(connection.tenantId, connection.id, { fresh: true });
    } catch (error) {
      if (error instanceof IntegrationError && error.category === 'Validation') return undefined;
      throw error;
    }
  }

  private async secretsOf(connection: IntegrationConnection): Promise<string[]> {
    const credential = await this.credentials.findOneBy({ tenantId: connection.tenantId, id: connection.webhook!.secretCredentialId });
    if (!credential || credential.status !== 'Active') throw new NotFoundException(`Connection ${connection.id} does not receive webhooks`);
    return this.vault.acceptedValues(credential);
  }
}

function inboundBlobName(connection: IntegrationConnection, deliveryId: string): string {
  return `inbound/${connection.id}/${deliveryId}.json`;
}

function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function storableHeaders(headers: Record<string, string | string[] | undefined>, withheld: ReadonlySet<string>): Record<string, string | string[]> {
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !withheld.has(name.toLowerCase())) kept[name] = value;
  return kept;
}
