import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { FindOptionsWhere, MoreThan, Repository } from 'typeorm';
import { TenantContext } from '../../../platform/context/tenant-context';
import { afterCursor, PageCursor, toPage } from '../../../platform/http/page-cursor';
import { BusPublisher } from '../../../platform/messaging/bus-publisher';
import { TransactionalOutbox } from '../../../platform/messaging/outbox/transactional-outbox';
import { RowConflictError } from '../../../platform/persistence/row-writer';
import { DeliveryAttempt } from '../../../platform/webhooks/entities/delivery-attempt.entity';
import { DeliveryStatus, WebhookDelivery } from '../../../platform/webhooks/entities/webhook-delivery.entity';
import { WebhookSubscription } from '../../../platform/webhooks/entities/webhook-subscription.entity';
import { DeliverWebhookCommand, deliverMessageId } from '../../../platform/webhooks/deliver-webhook.command';
import { isoOrNull } from '../../../platform/http/iso-date';
import { COMMANDS } from '../../../platform/messaging/contracts';

/** Deliveries replayed per transaction by a bulk replay. */
const REPLAY_BATCH = 100;

export interface DeliveryView {
  id: string;
  direction: 'in' | 'out';
  connectionId: string | null;
  subscriptionId: string | null;
  vendorDeliveryId: string | null;
  eventId: string;
  eventType: string;
  status: DeliveryStatus;
  attemptCount: number;
  series: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  completedAt: string | null;
  createdAt: string;
  attempts?: Array<{ attempt: number; attemptedAt: string; statusCode: number | null; latencyMs: number; error: string | null; responseExcerpt: string | null }>;
}

export interface DeliveryFilter {
  subscriptionId?: string;
  connectionId?: string;
  status?: DeliveryStatus;
  direction?: 'in' | 'out';
  limit: number;
  cursor?: PageCursor;
}

@Injectable()
export class DeliveriesService {
  constructor(
    @InjectRepository(WebhookDelivery) private readonly deliveries: Repository<WebhookDelivery>,
    @InjectRepository(DeliveryAttempt) private readonly attempts: Repository<DeliveryAttempt>,
    @InjectRepository(WebhookSubscription) private readonly subscriptions: Repository<WebhookSubscription>,
    private readonly publisher: BusPublisher,
    private readonly outbox: TransactionalOutbox,
    private readonly tenant: TenantContext,
  ) {}

  async list(filter: DeliveryFilter): Promise<{ items: DeliveryView[]; nextCursor: string | null }> {
    const scope: FindOptionsWhere<WebhookDelivery> = {
      tenantId: this.tenant.tenantId,
      ...(filter.subscriptionId ? { subscriptionId: filter.subscriptionId } : {}),
      ...(filter.connectionId ? { connectionId: filter.connectionId } : {}),
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.direction ? { direction: filter.direction } : {}),
    };
    const rows = await this.deliveries.find({ where: afterCursor(scope, filter.cursor), order: { createdAt: 'DESC', id: 'DESC' }, take: filter.limit + 1 });
    return toPage(rows, filter.limit, toView);
  }

  async get(id: string): Promise<DeliveryView> {
    const delivery = await this.find(id);
    const attempts = await this.attempts.find({ where: { tenantId: delivery.tenantId, deliveryId: id }, order: { attemptNumber: 'ASC' } });
    return {
      ...toView(delivery),
      attempts: attempts.map((attempt) => ({
        attempt: attempt.attemptNumber,
        attemptedAt: attempt.attemptedAt.toISOString(),
        statusCode: attempt.statusCode,
        latencyMs: attempt.latencyMs,
        error: attempt.error,
        responseExcerpt: attempt.responseExcerpt,
      })),
    };
  }

  /**
   * A new attempt series for an outbound delivery, from the top of the retry schedule, with the same
   * `webhook-id`. The series counter and the first command commit together; a replay that races another
   * (both read series n) stores one of them and answers 409 to the other.
   */
  async replay(id: string): Promise<DeliveryView> {
    const delivery = await this.find(id);
    if (delivery.direction !== 'out') throw new ConflictException('Only outbound deliveries can be replayed');
    try {
      await this.commitReplays([delivery]);
    } catch (error) {
      if (error instanceof RowConflictError) throw new ConflictException('The delivery was replayed concurrently; try again');
      throw error;
    }
    return this.get(id);
  }

  /**
   * Replays every dead-lettered delivery of an active subscription, oldest first, REPLAY_BATCH per
   * transaction. A delivery replayed concurrently is left to that replay; the answer counts the others.
   */
  async replayDeadLettered(subscriptionId: string): Promise<{ replayed: number }> {
    const tenantId = this.tenant.tenantId;
    const subscription = await this.subscriptions.findOne({ select: { id: true, status: true }, where: { tenantId, id: subscriptionId } });
    if (!subscription) throw new NotFoundException(`Subscription ${subscriptionId} not found`);
    if (subscription.status !== 'Active') throw new ConflictException(`Subscription ${subscriptionId} is ${subscription.status}: enable it before replaying its deliveries`);
    let replayed = 0;
    for (let after = ''; ;) {
      const batch = await this.deliveries.find({
        where: { tenantId, subscriptionId, direction: 'out', status: 'DeadLettered', id: MoreThan(after) },
        order: { id: 'ASC' },
        take: REPLAY_BATCH,
      });
      if (batch.length === 0) return { replayed };
      replayed += await this.commitReplays(batch).then(
        () => batch.length,
        (error: unknown) => (error instanceof RowConflictError ? this.replayOneByOne(batch) : Promise.reject(error)),
      );
      after = batch[batch.length - 1].id;
    }
  }

  private async replayOneByOne(deliveries: readonly WebhookDelivery[]): Promise<number> {
    let replayed = 0;
    for (const delivery of deliveries) {
      try {
        await this.commitReplays([delivery]);
        replayed++;
      } catch (error) {
        if (!(error instanceof RowConflictError)) throw error;
      }
    }
    return replayed;
  }

  /**
   * A new attempt series for each outbound delivery, from the top of the retry schedule, with the same
   * `webhook-id`. The series counters and the first commands commit together; a replay that races another
   * (both read series n) stores one of them and fails the other with a RowConflictError.
   */
  private async commitReplays(deliveries: readonly WebhookDelivery[]): Promise<void> {
    const now = new Date();
    const updates = deliveries.map((delivery) => ({
      target: WebhookDelivery,
      where: { tenantId: delivery.tenantId, id: delivery.id, series: delivery.series },
      set: { series: delivery.series + 1, seriesAttempt: 0, status: 'Pending' as const, lastError: null, completedAt: null, nextAttemptAt: now },
      expectAffected: 1,
    }));
    const commands = deliveries.map((delivery) => {
      const command: DeliverWebhookCommand = { deliveryId: delivery.id, series: delivery.series + 1, attempt: 1 };
      return {
        pattern: COMMANDS.DeliverWebhook,
        message: this.publisher.prepareCommand(COMMANDS.DeliverWebhook, command, { tenantId: delivery.tenantId, messageId: deliverMessageId(command) }),
      };
    });
    await this.outbox.commit({ updates }, commands);
  }

  private async find(id: string): Promise<WebhookDelivery> {
    const delivery = await this.deliveries.findOneBy({ tenantId: this.tenant.tenantId, id });
    if (!delivery) throw new NotFoundException(`Delivery ${id} not found`);
    return delivery;
  }
}

function toView(row: WebhookDelivery): DeliveryView {
  return {
    id: row.id,
    direction: row.direction,
    connectionId: row.connectionId,
    subscriptionId: row.subscriptionId,
    vendorDeliveryId: row.vendorDeliveryId,
    eventId: row.eventId,
    eventType: row.eventType,
    status: row.status,
    attemptCount: row.attemptCount,
    series: row.series,
    nextAttemptAt: isoOrNull(row.nextAttemptAt),
    lastError: row.lastError,
    completedAt: isoOrNull(row.completedAt),
    createdAt: row.createdAt.toISOString(),
  };
}
