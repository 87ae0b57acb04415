import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { TenantContext } from '../../context/tenant-context';
import { ConnectionResolver } from '../../integrations/connections/connection-resolver';
import { IntegrationError } from '../../resilience/failure-classifier';
import { MESSAGE_STATUSES, MessageChannel, MessageStatus, SendEmailCommand, SendSmsCommand } from '../message-contracts';
import { MessageDraft, MessageRecords } from '../message-records';
import type { ChannelDefinition } from '../message-sending';
import { newId } from '../../persistence/ids';
import { MessageRoutes } from '../message-routes';
import { MessageRouteDto } from './message-route.dto';
import { MessageRouteView, MessageView, toMessageView, toRouteView } from './message-views';

/** The HTTP side of both channels, for the tenant in scope: queue, read, list, and the routes. */
@Injectable()
export class MessagesApi {
  constructor(
    private readonly records: MessageRecords,
    private readonly routes: MessageRoutes,
    private readonly resolver: ConnectionResolver,
    private readonly tenant: TenantContext,
  ) {}

  /**
   * Validates a message, records it and queues its command in one transaction. The target must exist now
   * (a connection of the tenant that can carry the channel, or a route), so a typo is a 400, not a Failed
   * message. What the channel stages outside the command (large attachments) is removed again for a duplicate.
   */
  async queue<C extends SendEmailCommand | SendSmsCommand>(definition: ChannelDefinition<C>, body: unknown): Promise<{ view: MessageView; duplicate: boolean }> {
    const tenantId = this.tenant.tenantId;
    let parsed: { command: C; draft: MessageDraft };
    try {
      parsed = definition.draft(body);
    } catch (error) {
      if (error instanceof IntegrationError && error.category === 'Validation') throw new BadRequestException(error.message);
      throw error;
    }
    const { draft } = parsed;
    if (draft.routeName) {
      if (!(await this.routes.find(tenantId, draft.channel, draft.routeName))) throw new BadRequestException(`routeName: no ${draft.channel} route named ${draft.routeName}`);
    } else if (draft.connectionId) {
      await this.assertCarries(tenantId, draft.channel, draft.connectionId, 'connectionId');
    }
    const id = newId('msg');
    const command = definition.stage ? await definition.stage(tenantId, id, parsed.command) : parsed.command;
    const { message, duplicate } = await this.records.record(tenantId, draft, command, id);
    if (duplicate) await definition.settle?.(tenantId, id, command);
    return { view: toMessageView(message), duplicate };
  }

  async get(channel: MessageChannel, id: string): Promise<MessageView> {
    const message = await this.records.find(this.tenant.tenantId, channel, id);
    if (!message) throw new NotFoundException(`Message ${id} not found`);
    return toMessageView(message);
  }

  async list(channel: MessageChannel, query: { status?: string; limit?: number; cursor?: string }): Promise<{ items: MessageView[]; nextCursor: string | null }> {
    const status = query.status ? query.status.split(',').map((value) => value.trim()) : undefined;
    const unknown = status?.find((value) => !(MESSAGE_STATUSES as readonly string[]).includes(value));
    if (unknown !== undefined) throw new BadRequestException(`status must be one or more (comma-separated) of: ${MESSAGE_STATUSES.join(', ')}`);
    const page = await this.records.page(this.tenant.tenantId, channel, { status: status as MessageStatus[] | undefined, limit: query.limit, cursor: query.cursor });
    return { items: page.items.map(toMessageView), nextCursor: page.nextCursor };
  }

  async putRoute(channel: MessageChannel, name: string, body: MessageRouteDto): Promise<{ view: MessageRouteView; created: boolean }> {
    const tenantId = this.tenant.tenantId;
    for (const [index, connectionId] of body.connectionIds.entries()) await this.assertCarries(tenantId, channel, connectionId, `connectionIds[${index}]`);
    const { route, created } = await this.routes.put(tenantId, channel, name, body);
    return { view: toRouteView(route), created };
  }

  async listRoutes(channel: MessageChannel): Promise<MessageRouteView[]> {
    return (await this.routes.list(this.tenant.tenantId, channel)).map(toRouteView);
  }

  async getRoute(channel: MessageChannel, name: string): Promise<MessageRouteView> {
    const route = await this.routes.find(this.tenant.tenantId, channel, name);
    if (!route) throw new NotFoundException(`No ${channel} route named ${name}`);
    return toRouteView(route);
  }

  async deleteRoute(channel: MessageChannel, name: string): Promise<void> {
    if (!(await this.routes.delete(this.tenant.tenantId, channel, name))) throw new NotFoundException(`No ${channel} route named ${name}`);
  }

  /** The connection is the tenant's, not retired, and its provider has the channel as a capability. */
  private async assertCarries(tenantId: string, channel: MessageChannel, connectionId: string, field: string): Promise<void> {
    let capabilities: readonly string[];
    try {
      const profile = await this.resolver.resolve(tenantId, connectionId);
      if (profile.connection.status === 'Retired') throw new BadRequestException(`${field}: connection ${connectionId} is retired`);
      capabilities = profile.provider.capabilities;
    } catch (error) {
      if (error instanceof IntegrationError && error.category === 'Validation') throw new BadRequestException(`${field}: connection ${connectionId} not found`);
      throw error;
    }
    if (!capabilities.includes(channel))
      throw new BadRequestException(`${field}: connection ${connectionId} cannot send ${channel} (its provider's capabilities: ${capabilities.join(', ')})`);
  }
}
