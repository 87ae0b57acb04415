import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { TenantContext } from '../../../platform/context/tenant-context';
import { EgressClient } from '../../../platform/egress/egress-client';
import { refusedUrlAsBadRequest } from '../../../platform/http/refused-url';
import { newId } from '../../../platform/persistence/ids';
import { WebhookSubscription } from '../../../platform/webhooks/entities/webhook-subscription.entity';
import { SubscriptionSecrets } from '../../../platform/webhooks/subscription-secrets';
import { EventFanOut } from '../fan-out/event-fan-out';
import { WebhookGatewayOptions } from '../webhook-gateway.options';
import { CreateSubscriptionDto, UpdateSubscriptionDto } from './subscription.dto';

export interface SubscriptionView {
  id: string;
  url: string;
  eventTypes: string[];
  description: string | null;
  status: string;
  disabledReason: string | null;
  consecutiveDeadLetters: number;
  secretRotatedUntil: string | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * SubscribeWebhook: a tenant's endpoints. The signing secret (`whsec_…`) is answered once, by create and
 * by rotate-secret; it lives in the secrets port, the row keeps a reference. URLs pass the egress policy
 * at create and update (400), and again on every delivery.
 */
@Injectable()
export class SubscriptionsService {
  constructor(
    @InjectRepository(WebhookSubscription) private readonly subscriptions: Repository<WebhookSubscription>,
    private readonly secrets: SubscriptionSecrets,
    private readonly egress: EgressClient,
    private readonly options: WebhookGatewayOptions,
    private readonly fanOut: EventFanOut,
    private readonly tenant: TenantContext,
  ) {}

  async create(request: CreateSubscriptionDto): Promise<SubscriptionView & { secret: string }> {
    const tenantId = this.tenant.tenantId;
    await refusedUrlAsBadRequest(() => this.egress.assertDestinationAllowed(request.url));
    const id = newId('sub');
    const { ref, secret } = await this.secrets.create(tenantId, id);
    const row = this.subscriptions.create({
      id,
      tenantId,
      url: request.url,
      eventTypes: unique(request.eventTypes),
      description: request.description ?? null,
      signingSecretRef: ref,
      previousSigningSecretRef: null,
      previousSecretValidUntil: null,
      status: 'Active',
      disabledReason: null,
      consecutiveDeadLetters: 0,
    });
    await this.subscriptions.save(row);
    this.fanOut.forgetTenant(tenantId);
    return { ...toView(await this.find(id)), secret };
  }

  async list(): Promise<SubscriptionView[]> {
    const rows = await this.subscriptions.find({ where: { tenantId: this.tenant.tenantId }, order: { createdAt: 'DESC' }, take: 500 });
    return rows.map(toView);
  }

  async get(id: string): Promise<SubscriptionView> {
    return toView(await this.find(id));
  }

  async update(id: string, request: UpdateSubscriptionDto): Promise<SubscriptionView> {
    const subscription = await this.find(id);
    const { url } = request;
    if (url !== undefined) await refusedUrlAsBadRequest(() => this.egress.assertDestinationAllowed(url));
    await this.subscriptions.update(
      { tenantId: subscription.tenantId, id },
      {
        ...(url !== undefined ? { url } : {}),
        ...(request.eventTypes !== undefined ? { eventTypes: unique(request.eventTypes) } : {}),
        ...(request.description !== undefined ? { description: request.description } : {}),
        // Re-enabling clears the reason and the dead-letter streak that may have disabled it.
        ...(request.status === 'Active' ? { status: 'Active', disabledReason: null, consecutiveDeadLetters: 0 } : {}),
        ...(request.status === 'Disabled' ? { status: 'Disabled', disabledReason: 'disabled by the tenant' } : {}),
      },
    );
    this.fanOut.forgetTenant(subscription.tenantId);
    return toView(await this.find(id));
  }

  async remove(id: string): Promise<void> {
    const subscription = await this.find(id);
    await this.subscriptions.delete({ tenantId: subscription.tenantId, id });
    this.fanOut.forgetTenant(subscription.tenantId);
  }

  /** A new secret; the previous one keeps signing (both signatures on every delivery) for WEBHOOK_SECRET_OVERLAP. */
  async rotateSecret(id: string): Promise<SubscriptionView & { secret: string }> {
    const subscription = await this.find(id);
    const { ref, secret } = await this.secrets.rotate(subscription);
    await this.subscriptions.update(
      { tenantId: subscription.tenantId, id },
      { signingSecretRef: ref, previousSigningSecretRef: subscription.signingSecretRef, previousSecretValidUntil: new Date(Date.now() + this.options.secretOverlapMs) },
    );
    return { ...toView(await this.find(id)), secret };
  }

  private async find(id: string): Promise<WebhookSubscription> {
    const subscription = await this.subscriptions.findOneBy({ tenantId: this.tenant.tenantId, id });
    if (!subscription) throw new NotFoundException(`Subscription ${id} not found`);
    return subscription;
  }
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function toView(row: WebhookSubscription): SubscriptionView {
  const overlapActive = row.previousSecretValidUntil && row.previousSecretValidUntil.getTime() > Date.now();
  return {
    id: row.id,
    url: row.url,
    eventTypes: row.eventTypes,
    description: row.description,
    status: row.status,
    disabledReason: row.disabledReason,
    consecutiveDeadLetters: row.consecutiveDeadLetters,
    secretRotatedUntil: overlapActive ? row.previousSecretValidUntil!.toISOString() : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
