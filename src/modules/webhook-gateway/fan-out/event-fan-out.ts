import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { BlobStore } from '../../../platform/blob/blob-store';
import type { CloudEvent } from '../../../platform/events/cloud-event';
import { LiveEvents } from '../../../platform/live/live-events';
import { BusPublisher } from '../../../platform/messaging/bus-publisher';
import { GroupedOutboxCommits } from '../../../platform/messaging/outbox/grouped-outbox-commits';
import { TransactionalOutbox } from '../../../platform/messaging/outbox/transactional-outbox';
import { newId } from '../../../platform/persistence/ids';
import { DeliverWebhookCommand, deliverMessageId } from '../../../platform/webhooks/deliver-webhook.command';
import { WebhookDelivery } from '../../../platform/webhooks/entities/webhook-delivery.entity';
import { WebhookSubscription } from '../../../platform/webhooks/entities/webhook-subscription.entity';
import { eventTypeMatches } from '../../../platform/vendors/event-types';
import { WebhookGatewayOptions } from '../webhook-gateway.options';
import { COMMANDS } from '../../../platform/messaging/contracts';

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
 * often the event is published. The envelope is kept in each delivery row when it is small
 * (WEBHOOK_INLINE_PAYLOAD_MAX, committed with the row), else stored once as a blob every delivery points to.
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
    private readonly options: WebhookGatewayOptions,
    private readonly live: LiveEvents,
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

  fanOut(event: CloudEvent): Promise<FanOutResult> {
    return this.fanOutAll([event]).then(([result]) => result);
  }

  /**
   * Events of one tenant fanned out as if published one after another (an id seen earlier in the batch is
   * a repeat), every delivery and DeliverWebhook of the batch committed in one store transaction.
   */
  async fanOutAll(events: readonly CloudEvent[]): Promise<FanOutResult[]> {
    const tenantId = events[0].tenantid;
    if (events.some((event) => event.tenantid !== tenantId)) throw new TypeError('A fan-out batch belongs to one tenant');
    const active = await this.activeSubscriptions(tenantId);
    const matchingByEvent = events.map((event) => active.filter((subscription) => eventTypeMatches(subscription.eventTypes, event.type)));
    const matched = [...new Set(matchingByEvent.flat())];
    const delivered = matched.length === 0 ? new Set<string>() : await this.deliveredPairs(tenantId, events, matched);

    const now = new Date();
    const rows: WebhookDelivery[] = [];
    /** The envelopes too large for their rows, by blob name: a repeated id with new deliveries stores its own, as a later publish would. */
    const blobs = new Map<string, Buffer>();
    const results = events.map((event, index): FanOutResult => {
      const fresh = matchingByEvent[index].filter((subscription) => !delivered.has(pairKey(event.id, subscription.id)));
      if (fresh.length === 0) return { eventId: event.id, deliveries: 0, matched: matchingByEvent[index].length };
      const envelope = Buffer.from(JSON.stringify(event));
      const payload = envelope.length <= this.options.inlinePayloadMaxBytes ? { payloadRef: null, payloadBody: envelope } : { payloadRef: payloadRefOf(event), payloadBody: null };
      if (payload.payloadRef) blobs.set(payload.payloadRef, envelope);
      for (const subscription of fresh) {
        delivered.add(pairKey(event.id, subscription.id));
        rows.push(outboundDelivery(event, subscription.id, payload, now));
      }
      return { eventId: event.id, deliveries: fresh.length, matched: matchingByEvent[index].length };
    });
    if (rows.length === 0) return this.announced(events, results);

    await Promise.all([...blobs].map(([payloadRef, envelope]) => this.blobs.put(tenantId, payloadRef, envelope, { contentType: 'application/cloudevents+json' })));
    const commands = rows.map((row) => {
      const command: DeliverWebhookCommand = { deliveryId: row.id, series: 1, attempt: 1 };
      return { pattern: COMMANDS.DeliverWebhook, message: this.publisher.prepareCommand(COMMANDS.DeliverWebhook, command, { tenantId, messageId: deliverMessageId(command) }) };
    });
    try {
      await this.commits.commit({ inserts: [{ target: WebhookDelivery, rows }] }, commands);
    } catch (error) {
      // The same event fanned out concurrently: the unique (tenant, subscription, event) index kept one; retry what is left.
      const raced = await this.deliveredPairs(tenantId, events, matched);
      if (!rows.some((row) => raced.has(pairKey(row.eventId, row.subscriptionId!)))) throw error;
      this.logger.debug({ msg: 'Concurrent fan-out of the same event; retrying the rest', eventIds: [...new Set(rows.map((row) => row.eventId))] });
      return this.fanOutAll(events);
    }
    return this.announced(events, results);
  }

  /** The events on the tenant's live feed, once their deliveries are committed (a console that refetches sees them). */
  private announced(events: readonly CloudEvent[], results: FanOutResult[]): FanOutResult[] {
    for (const event of events) this.live.publish(event.tenantid, { id: event.id, type: event.type, subject: event.subject, time: event.time, data: event.data });
    return results;
  }

  /** Which of the events already have a delivery to which of the subscriptions, as pairKey()s. */
  private async deliveredPairs(tenantId: string, events: readonly CloudEvent[], subscriptions: ReadonlyArray<Pick<WebhookSubscription, 'id'>>): Promise<Set<string>> {
    const existing = await this.deliveries.find({
      select: { eventId: true, subscriptionId: true },
      where: { tenantId, eventId: In([...new Set(events.map((event) => event.id))]), subscriptionId: In(subscriptions.map((subscription) => subscription.id)) },
    });
    return new Set(existing.map((delivery) => pairKey(delivery.eventId, delivery.subscriptionId!)));
  }
}

function pairKey(eventId: string, subscriptionId: string): string {
  return `${eventId}\u0000${subscriptionId}`;
}

/** One blob per event id: every delivery of the event points to it. */
function payloadRefOf(event: CloudEvent): string {
  return `events/${createHash('sha256').update(event.id).digest('hex')}.json`;
}

function outboundDelivery(event: CloudEvent, subscriptionId: string, payload: Pick<WebhookDelivery, 'payloadRef' | 'payloadBody'>, now: Date): WebhookDelivery {
  return Object.assign(new WebhookDelivery(), {
    id: newId('dlv'),
    tenantId: event.tenantid,
    direction: 'out' as const,
    connectionId: null,
    subscriptionId,
    vendorDeliveryId: null,
    eventId: event.id,
    eventType: event.type,
    status: 'Pending' as const,
    ...payload,
    attemptCount: 0,
    series: 1,
    seriesAttempt: 0,
    nextAttemptAt: now,
    lastError: null,
    completedAt: null,
    createdAt: now,
    updatedAt: now,
  });
}
