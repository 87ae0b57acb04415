import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { BlobStore } from '../../../platform/blob/blob-store';
import type { CloudEvent } from '../../../platform/events/cloud-event';
import { BusPublisher } from '../../../platform/messaging/bus-publisher';
import { GroupedOutboxCommits } from '../../../platform/messaging/outbox/grouped-outbox-commits';
import { TransactionalOutbox } from '../../../platform/messaging/outbox/transactional-outbox';
import { newId } from '../../../platform/persistence/ids';
import { DeliverWebhookCommand, deliverMessageId } from '../../../platform/webhooks/deliver-webhook.command';
import { WebhookDelivery } from '../../../platform/webhooks/entities/webhook-delivery.entity';
import { WebhookSubscription } from '../../../platform/webhooks/entities/webhook-subscription.entity';

export interface FanOutResult {
  eventId: string;
  /** Deliveries created by this call (0 for a repeated event id). */
  deliveries: number;
  /** Subscriptions the event matched. */
  matched: number;
}

const ACTIVE_CACHE_MS = 1_000;
const MAX_CACHED_TENANTS = 10_000;

/**
 * Matches an event to the tenant's active subscriptions (exact type or `*`) and creates one outbound
 * WebhookDelivery per match with its first DeliverWebhook, rows and commands in one store transaction.
 * The event id is the idempotency key: a subscription gets at most one delivery per event id, however
 * often the event is published. The envelope is stored once, as a blob every delivery points to.
 */
@Injectable()
export class EventFanOut {
  /** Deliveries and their DeliverWebhook commands of concurrent events share one transaction. */
  private readonly commits: GroupedOutboxCommits;
  private readonly logger = new Logger(EventFanOut.name);
  private readonly activeByTenant = new Map<string, { subscriptions: Array<Pick<WebhookSubscription, 'id' | 'eventTypes'>>; expiresAt: number }>();

  constructor(
    @InjectRepository(WebhookSubscription) private readonly subscriptions: Repository<WebhookSubscription>,
    @InjectRepository(WebhookDelivery) private readonly deliveries: Repository<WebhookDelivery>,
    private readonly blobs: BlobStore,
    private readonly publisher: BusPublisher,
    outbox: TransactionalOutbox,
  ) {
    this.commits = new GroupedOutboxCommits(outbox);
  }

  /** A change to the tenant's subscriptions in this process is seen at once; in others within ACTIVE_CACHE_MS. */
  forgetTenant(tenantId: string): void {
    this.activeByTenant.delete(tenantId);
  }

  /**
   * The tenant's active subscriptions, read at most once per ACTIVE_CACHE_MS: every platform event
   * (one per governed call) is matched against them, and most tenants have none or a few.
   */
  private async activeSubscriptions(tenantId: string): Promise<Array<Pick<WebhookSubscription, 'id' | 'eventTypes'>>> {
    const cached = this.activeByTenant.get(tenantId);
    if (cached && cached.expiresAt > Date.now()) return cached.subscriptions;
    const subscriptions = await this.subscriptions.find({ select: { id: true, eventTypes: true }, where: { tenantId, status: 'Active' } });
    if (this.activeByTenant.size >= MAX_CACHED_TENANTS) this.activeByTenant.clear();
    this.activeByTenant.set(tenantId, { subscriptions, expiresAt: Date.now() + ACTIVE_CACHE_MS });
    return subscriptions;
  }

  async fanOut(event: CloudEvent): Promise<FanOutResult> {
    const tenantId = event.tenantid;
    const active = await this.activeSubscriptions(tenantId);
    const matching = active.filter((subscription) => subscription.eventTypes.includes('*') || subscription.eventTypes.includes(event.type));
    if (matching.length === 0) return { eventId: event.id, deliveries: 0, matched: 0 };

    const already = await this.deliveries.find({
      select: { subscriptionId: true },
      where: { tenantId, eventId: event.id, subscriptionId: In(matching.map((subscription) => subscription.id)) },
    });
    const delivered = new Set(already.map((delivery) => delivery.subscriptionId));
    const fresh = matching.filter((subscription) => !delivered.has(subscription.id));
    if (fresh.length === 0) return { eventId: event.id, deliveries: 0, matched: matching.length };

    const payloadRef = `events/${createHash('sha256').update(event.id).digest('hex')}.json`;
    await this.blobs.put(tenantId, payloadRef, Buffer.from(JSON.stringify(event)), { contentType: 'application/cloudevents+json' });

    const now = new Date();
    const rows = fresh.map((subscription) =>
      Object.assign(new WebhookDelivery(), {
        id: newId('dlv'),
        tenantId,
        direction: 'out' as const,
        connectionId: null,
        subscriptionId: subscription.id,
        vendorDeliveryId: null,
        eventId: event.id,
        eventType: event.type,
        status: 'Pending' as const,
        payloadRef,
        attemptCount: 0,
        series: 1,
        seriesAttempt: 0,
        nextAttemptAt: now,
        lastError: null,
        completedAt: null,
        createdAt: now,
        updatedAt: now,
      }),
    );
    const commands = rows.map((row) => {
      const command: DeliverWebhookCommand = { deliveryId: row.id, series: 1, attempt: 1 };
      return { pattern: 'DeliverWebhook', message: this.publisher.prepareCommand('DeliverWebhook', command, { tenantId, messageId: deliverMessageId(command) }) };
    });
    try {
      await this.commits.commit({ inserts: [{ target: WebhookDelivery, rows }] }, commands);
    } catch (error) {
      // The same event fanned out concurrently: the unique (tenant, subscription, event) index kept one; retry what is left.
      const raced = await this.deliveries.count({ where: { tenantId, eventId: event.id, subscriptionId: In(fresh.map((subscription) => subscription.id)) } });
      if (raced === 0) throw error;
      this.logger.debug({ msg: 'Concurrent fan-out of the same event; retrying the rest', eventId: event.id });
      return this.fanOut(event);
    }
    return { eventId: event.id, deliveries: rows.length, matched: matching.length };
  }
}
