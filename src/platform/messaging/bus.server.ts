import { Inject, Injectable, Logger } from '@nestjs/common';
import { BaseRpcContext, CustomTransportStrategy, MessageHandler as NestMessageHandler, Server } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { ProcessLifecycle } from '../lifecycle/process-lifecycle';
import { PlatformMetrics } from '../observability/platform-metrics';
import { ActiveRoles } from '../active-roles';
import { BusOptions } from './bus.options';
import type { MessageConsumer, ReceivedMessage } from './bus-message';
import { ConsumerSettings } from './consumer-settings';
import { MessageBus } from './message-bus';
import { MessageDispatcher } from './message-dispatcher';
import { ENTITY_DEFAULTS, MessageSource, routeFor, sourcePath } from './topology';

/** Handler extras: `@EventPattern('IntegrationFailed', { role: 'IntegrationRetryWorker' })` picks the subscription. */
export interface BusHandlerExtras {
  role?: string;
}

/** What a handler receives as its context argument (`@Ctx() context: BusContext`). */
export class BusContext extends BaseRpcContext<[ReceivedMessage]> {
  get message(): ReceivedMessage {
    return this.args[0];
  }
}

export class BusTopologyError extends Error {}

interface Subscription {
  source: MessageSource;
  handlers: NestMessageHandler[];
}

const DEPTH_INTERVAL_MS = 15_000;

/**
 * The bus as a Nest custom transport: every `@MessagePattern(command)` / `@EventPattern(event)` handler
 * of the mounted modules is consumed from its entity (the topology says which queue, or which role's
 * subscription of a topic), with the shared settlement policy of MessageDispatcher.
 */
@Injectable()
export class BusServer extends Server implements CustomTransportStrategy {
  private readonly log = new Logger(BusServer.name);
  private consumers: MessageConsumer[] = [];
  private depthTimer?: NodeJS.Timeout;
  private stopping?: Promise<void>;
  private receiving?: Promise<void>;

  constructor(
    private readonly bus: MessageBus,
    private readonly dispatcher: MessageDispatcher,
    private readonly settings: ConsumerSettings,
    private readonly roles: ActiveRoles,
    @Inject(BusOptions) private readonly options: BusOptions,
    private readonly lifecycle: ProcessLifecycle,
    private readonly metrics: PlatformMetrics,
  ) {
    super();
    // Draining only stops receiving: running handlers are counted in-flight work, which shutdown waits
    // for up to its grace period; close() then waits for whatever is still running.
    lifecycle.onDrain(() => this.stopReceiving());
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const subscriptions = this.subscriptions();
      for (const { source, handlers } of subscriptions) {
        const entity = sourcePath(source);
        const tuning = this.settings.get(entity);
        const maxDeliveryCount = this.bus.kind === 'store' ? this.options.maxDeliveryCount : ENTITY_DEFAULTS.maxDeliveryCount;
        const handle = this.dispatcher.wrap(entity, maxDeliveryCount, (message) => this.invoke(handlers, message));
        this.consumers.push(
          await this.bus.consume(source, handle, {
            concurrency: tuning.concurrency ?? this.options.defaultConcurrency,
            prefetch: tuning.prefetch ?? this.options.defaultPrefetch,
            maxDeliveryCount,
            lockDurationMs: this.options.lockDurationMs,
            maxLockRenewalMs: this.options.maxLockRenewalMs,
          }),
        );
      }
      if (subscriptions.length > 0) {
        this.log.log({ msg: 'Consuming from the bus', bus: this.bus.kind, entities: subscriptions.map(({ source }) => sourcePath(source)) });
        this.depthTimer = setInterval(() => void this.reportDepth(subscriptions.map(({ source }) => source)), DEPTH_INTERVAL_MS);
        this.depthTimer.unref();
        void this.reportDepth(subscriptions.map(({ source }) => source));
      }
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    await this.stopConsuming();
    await this.bus.close();
  }

  on(): never {
    throw new Error('The bus transport has no events to listen to');
  }

  unwrap<T>(): T {
    return this.bus as T;
  }

  private stopReceiving(): Promise<void> {
    this.receiving ??= (async () => {
      clearInterval(this.depthTimer);
      await Promise.all(this.consumers.map((consumer) => consumer.stopReceiving()));
    })();
    return this.receiving;
  }

  private stopConsuming(): Promise<void> {
    this.stopping ??= (async () => {
      clearInterval(this.depthTimer);
      await Promise.all(this.consumers.map((consumer) => consumer.close()));
      this.consumers = [];
    })();
    return this.stopping;
  }

  /** Groups the registered handlers by the entity they consume from. */
  private subscriptions(): Subscription[] {
    const bySource = new Map<string, Subscription>();
    for (const [pattern, head] of this.messageHandlers) {
      const route = routeFor(pattern);
      if (!route) throw new BusTopologyError(`No bus entity carries "${pattern}": add it to src/platform/messaging/topology.ts`);
      for (const handler of this.unchain(head)) {
        const source = this.sourceOf(pattern, route, handler.extras as BusHandlerExtras | undefined);
        const key = sourcePath(source);
        const entry = bySource.get(key) ?? { source, handlers: [] };
        entry.handlers.push(handler);
        bySource.set(key, entry);
      }
    }
    return [...bySource.values()];
  }

  private sourceOf(pattern: string, route: NonNullable<ReturnType<typeof routeFor>>, extras: BusHandlerExtras | undefined): MessageSource {
    if (route.kind === 'queue') {
      if (!this.roles.names.includes(route.definition.consumer)) {
        throw new BusTopologyError(`"${pattern}" is consumed by ${route.definition.consumer}, which this process does not run`);
      }
      return { queue: route.definition.name };
    }
    const candidates = route.definition.subscriptions.filter(
      (subscription) => this.roles.names.includes(subscription.consumer) && (!extras?.role || subscription.consumer === extras.role),
    );
    if (candidates.length !== 1) {
      throw new BusTopologyError(
        `Cannot tell which subscription of ${route.definition.name} a "${pattern}" handler consumes` +
          (extras?.role ? ` (no subscription for role ${extras.role})` : `: name it with @EventPattern('${pattern}', { role })`),
      );
    }
    return { topic: route.definition.name, subscription: candidates[0].name };
  }

  /**
   * Nest links event handlers of one pattern into a chain and calls the whole chain for each message.
   * Handlers of different roles consume different subscriptions, so the chain is split and each
   * handler is called on its own.
   */
  private unchain(head: NestMessageHandler): NestMessageHandler[] {
    const handlers: NestMessageHandler[] = [];
    for (let handler: NestMessageHandler | undefined = head; handler;) {
      const next: NestMessageHandler | undefined = handler.next;
      handler.next = undefined;
      handlers.push(handler);
      handler = next;
    }
    return handlers;
  }

  private async invoke(handlers: NestMessageHandler[], message: ReceivedMessage): Promise<void> {
    const context = new BusContext([message]);
    for (const handler of handlers) {
      await lastValueFrom(this.transformToObservable(await handler(message.body, context)), { defaultValue: undefined });
    }
  }

  private async reportDepth(sources: MessageSource[]): Promise<void> {
    for (const source of sources) {
      try {
        const depth = await this.bus.depth(source);
        if (depth !== undefined) this.metrics.busQueueDepth.set({ entity: sourcePath(source) }, depth);
      } catch (error) {
        this.log.debug({ msg: 'Reading queue depth failed', entity: sourcePath(source), err: error });
      }
    }
  }
}
