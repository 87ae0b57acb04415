import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { RequestContext } from '../context/request-context';
import { currentTraceparent } from '../observability/tracing';
import type { OutgoingMessage } from './bus-message';
import type { CommandContracts, CommandName, EventMessage, EventName } from './contracts';
import { MessageBus } from './message-bus';
import { routeFor } from './topology';

export interface PublishOptions {
  /** Defaults to the tenant in scope; required outside a request or message. */
  tenantId?: string;
  /** Defaults to a new UUID. Use a deterministic id to make a send idempotent (duplicate detection). */
  messageId?: string;
  /**
   * Defaults to true when a messageId is given. False skips the duplicate check for ids that are unique
   * by construction and sent once (it costs a write per message on the store bus).
   */
  detectDuplicates?: boolean;
  /** Defaults to the correlation id in scope, then the trace id. */
  correlationId?: string;
  scheduledEnqueueTime?: Date;
  applicationProperties?: Record<string, string | number | boolean>;
}

/**
 * Sends commands and publishes events by name: the topology decides the entity, the scope fills in
 * tenant, trace and correlation, so callers only say what happened or what to do.
 */
@Injectable()
export class BusPublisher {
  constructor(private readonly bus: MessageBus) {}

  /** A command, to the queue of its one consumer. */
  async send<C extends CommandName>(command: C, body: CommandContracts[C], options: PublishOptions = {}): Promise<string> {
    const route = routeFor(command);
    if (route?.kind !== 'queue') throw new Error(`${command} is not a command of the bus topology`);
    const message = this.envelope(command, body, options);
    await this.bus.send(route.definition.name, [message]);
    return message.messageId;
  }

  /** An event, to its topic (every subscribed role gets a copy). */
  async publish<E extends EventName>(event: E, body: EventMessage<E>, options: PublishOptions = {}): Promise<string> {
    const route = routeFor(event);
    if (route?.kind !== 'topic') throw new Error(`${event} is not an event of the bus topology`);
    const message = this.envelope(event, body, options);
    await this.bus.publish(route.definition.name, [message]);
    return message.messageId;
  }

  /**
   * An event's message, addressed and stamped now (tenant, trace and correlation of the current scope),
   * for the transactional outbox.
   */
  prepareEvent<E extends EventName>(event: E, body: EventMessage<E>, options: PublishOptions = {}): OutgoingMessage<EventMessage<E>> {
    if (routeFor(event)?.kind !== 'topic') throw new Error(`${event} is not an event of the bus topology`);
    return this.envelope(event, body, options);
  }

  /** A command's message, stamped now, for the transactional outbox. */
  prepareCommand<C extends CommandName>(command: C, body: CommandContracts[C], options: PublishOptions = {}): OutgoingMessage<CommandContracts[C]> {
    if (routeFor(command)?.kind !== 'queue') throw new Error(`${command} is not a command of the bus topology`);
    return this.envelope(command, body, options);
  }

  /**
   * A command or an event, whichever the name is, with a body checked only at run time: the Nest
   * ClientProxy path (`BusClient`), whose callers name patterns as strings.
   */
  dispatch(pattern: string, body: unknown, options: PublishOptions = {}): Promise<string> {
    const route = routeFor(pattern);
    if (route?.kind === 'topic') return this.publish(pattern as EventName, body as EventMessage<EventName>, options);
    return this.send(pattern as CommandName, body as CommandContracts[CommandName], options);
  }

  private envelope<T>(subject: string, body: T, options: PublishOptions): OutgoingMessage<T> {
    const scope = RequestContext.current();
    const tenantId = options.tenantId ?? scope?.tenantId;
    if (!tenantId) throw new Error(`Cannot send ${subject}: no tenant in scope and none given`);
    return {
      subject,
      body,
      tenantId,
      messageId: options.messageId ?? randomUUID(),
      detectDuplicates: options.detectDuplicates ?? options.messageId !== undefined,
      correlationId: options.correlationId ?? scope?.correlationId ?? scope?.trace?.traceId,
      traceparent: currentTraceparent(),
      contentType: 'application/json',
      scheduledEnqueueTime: options.scheduledEnqueueTime,
      applicationProperties: options.applicationProperties,
    };
  }
}
