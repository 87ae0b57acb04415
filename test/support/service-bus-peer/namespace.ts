import { Message } from 'rhea';
import { Annotation, messageIdKey } from './encoding';
import { DuplicateDetector, EntitySettings, MessageEntity } from './entity';

export interface QueueOptions {
  name: string;
  maxDeliveryCount?: number;
  lockDurationMs?: number;
  requiresDuplicateDetection?: boolean;
  duplicateDetectionWindowMs?: number;
}

export interface SubscriptionOptions {
  name: string;
  maxDeliveryCount?: number;
  lockDurationMs?: number;
}

export interface TopicOptions {
  name: string;
  subscriptions: SubscriptionOptions[];
  requiresDuplicateDetection?: boolean;
  duplicateDetectionWindowMs?: number;
}

export interface ServiceBusPeerOptions {
  queues?: QueueOptions[];
  topics?: TopicOptions[];
}

/** Where senders and `$management` scheduling requests deliver: a queue or a topic. */
export interface SendTarget {
  readonly path: string;
  send(message: Message): void;
  schedule(message: Message, at: Date): number;
  cancelScheduled(sequenceNumbers: number[]): void;
}

/** What a `<entity>/$management` address can act on. */
export interface ManagementTarget {
  readonly path: string;
  readonly sendTarget?: SendTarget;
  readonly source?: MessageEntity;
}

const DEFAULT_LOCK_DURATION_MS = 30_000;
const DEFAULT_MAX_DELIVERY_COUNT = 10;
const DEFAULT_DUPLICATE_DETECTION_WINDOW_MS = 10 * 60_000;
const DEAD_LETTER_QUEUE = '$DeadLetterQueue';
const MANAGEMENT_SUFFIX = '/$management';

/** A topic copies each message to every subscription; the copies share the topic's sequence number. */
export class Topic implements SendTarget {
  private nextSequenceNumber = 1;

  constructor(
    readonly path: string,
    readonly subscriptions: MessageEntity[],
    private readonly duplicates?: DuplicateDetector,
  ) {}

  send(message: Message): void {
    if (this.duplicates?.isDuplicate(messageIdKey(message.message_id))) return;
    const scheduledTime: unknown = message.message_annotations?.[Annotation.scheduledEnqueueTime];
    if (scheduledTime instanceof Date && scheduledTime.getTime() > Date.now()) {
      this.schedule(message, scheduledTime);
      return;
    }
    const sequenceNumber = this.nextSequenceNumber++;
    this.subscriptions.forEach((subscription) => subscription.enqueue(message, sequenceNumber));
  }

  schedule(message: Message, at: Date): number {
    const sequenceNumber = this.nextSequenceNumber++;
    this.subscriptions.forEach((subscription) => subscription.schedule(message, at, sequenceNumber));
    return sequenceNumber;
  }

  cancelScheduled(sequenceNumbers: number[]): void {
    this.subscriptions.forEach((subscription) => subscription.cancelScheduled(sequenceNumbers));
  }
}

/** The configured queues, topics and subscriptions, and how link addresses resolve to them. */
export class ServiceBusNamespace {
  private readonly sources = new Map<string, MessageEntity>();
  private readonly sendTargets = new Map<string, SendTarget>();

  constructor(options: ServiceBusPeerOptions) {
    options.queues?.forEach((queue) => this.addQueue(queue));
    options.topics?.forEach((topic) => this.addTopic(topic));
  }

  sendTarget(address: string): SendTarget | undefined {
    return this.sendTargets.get(normalizeAddress(address));
  }

  /** Queues, subscriptions and dead-letter queues: everything a receiver can attach to. */
  source(address: string): MessageEntity | undefined {
    return this.sources.get(normalizeAddress(address));
  }

  managementTarget(address: string): ManagementTarget | undefined {
    if (!isManagementAddress(address)) return undefined;
    const entityPath = address.slice(0, -MANAGEMENT_SUFFIX.length);
    const sendTarget = this.sendTarget(entityPath);
    const source = this.source(entityPath);
    return sendTarget || source ? { path: entityPath, sendTarget, source } : undefined;
  }

  /** Resolves an entity for the test helpers, failing loudly on a typo. */
  entity(path: string): MessageEntity {
    const entity = this.source(path);
    if (!entity) throw new Error(`The Service Bus peer has no queue or subscription "${path}"`);
    return entity;
  }

  entities(): MessageEntity[] {
    return [...this.sources.values()];
  }

  dispose(): void {
    this.sources.forEach((entity) => entity.dispose());
  }

  private addQueue(options: QueueOptions): void {
    const settings = entitySettings(options);
    if (options.requiresDuplicateDetection) {
      settings.duplicateDetectionWindowMs = options.duplicateDetectionWindowMs ?? DEFAULT_DUPLICATE_DETECTION_WINDOW_MS;
    }
    const queue = this.addReceivable(options.name, settings);
    this.sendTargets.set(normalizeAddress(options.name), queue);
  }

  private addTopic(options: TopicOptions): void {
    const subscriptions = options.subscriptions.map((subscription) => this.addReceivable(`${options.name}/Subscriptions/${subscription.name}`, entitySettings(subscription)));
    const duplicates = options.requiresDuplicateDetection ? new DuplicateDetector(options.duplicateDetectionWindowMs ?? DEFAULT_DUPLICATE_DETECTION_WINDOW_MS) : undefined;
    this.sendTargets.set(normalizeAddress(options.name), new Topic(options.name, subscriptions, duplicates));
  }

  private addReceivable(path: string, settings: EntitySettings): MessageEntity {
    const deadLetterPath = `${path}/${DEAD_LETTER_QUEUE}`;
    const deadLetterQueue = new MessageEntity(deadLetterPath, { lockDurationMs: settings.lockDurationMs, maxDeliveryCount: Infinity });
    const entity = new MessageEntity(path, settings, deadLetterQueue);
    this.sources.set(normalizeAddress(path), entity);
    this.sources.set(normalizeAddress(deadLetterPath), deadLetterQueue);
    return entity;
  }
}

export function isManagementAddress(address: string): boolean {
  return address.toLowerCase().endsWith(MANAGEMENT_SUFFIX.toLowerCase());
}

function entitySettings(options: { maxDeliveryCount?: number; lockDurationMs?: number }): EntitySettings {
  return {
    lockDurationMs: options.lockDurationMs ?? DEFAULT_LOCK_DURATION_MS,
    maxDeliveryCount: options.maxDeliveryCount ?? DEFAULT_MAX_DELIVERY_COUNT,
  };
}

/** Link addresses may be absolute (`sb://host/queue`); entity names compare case-insensitively. */
function normalizeAddress(address: string): string {
  return address
    .replace(/^[a-z]+:\/\/[^/]+\//i, '')
    .replace(/^\/+|\/+$/g, '')
    .toLowerCase();
}
