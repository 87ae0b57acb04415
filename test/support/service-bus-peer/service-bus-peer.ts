import { randomUUID } from 'node:crypto';
import { AddressInfo, Server, Socket } from 'node:net';
import { Connection, Container, create_container, EventContext, Message, Receiver, Sender } from 'rhea';
import { EntityConsumers, ReceiveMode } from './consumers';
import { decodeTransfer, ErrorCondition, messageIdKey, PeerError, presentBody } from './encoding';
import { EntityState, MessageEntity, MessageState, StoredMessage } from './entity';
import { handleManagementRequest, ManagementResponse } from './management';
import { isManagementAddress, SendTarget, ServiceBusNamespace, ServiceBusPeerOptions } from './namespace';
import { setLocalAttach } from './rhea-link';

/** What a test can assert about a message the peer holds. */
export interface PeerMessage {
  sequenceNumber: number;
  messageId?: string;
  correlationId?: string;
  subject?: string;
  contentType?: string;
  /** As the SDK presents it: JSON in a data section is parsed. */
  body: unknown;
  applicationProperties: Record<string, unknown>;
  state: MessageState;
  deliveryCount: number;
  enqueuedTime: Date;
  lockedUntil?: Date;
  scheduledEnqueueTime?: Date;
  timeToLiveMs?: number;
  /** The AMQP message as the sender sent it (plus properties modified by settlement). */
  amqp: Message;
}

const CBS_NODE = '$cbs';
/** The Standard tier's limit; the SDK sizes batches by the max-message-size of the attach answer. */
const MAX_MESSAGE_SIZE = 256 * 1024;
const SESSION_FILTER = 'com.microsoft:session-filter';
const STOP_GRACE_MS = 200;

interface StatusProperties {
  code: string;
  description: string;
  condition: string;
}

/** CBS answers carry `status-code`; Service Bus `$management` answers carry `statusCode` (the SDK reads it for peek's 204). */
const cbsStatusProperties: StatusProperties = { code: 'status-code', description: 'status-description', condition: 'error-condition' };
const managementStatusProperties: StatusProperties = { code: 'statusCode', description: 'statusDescription', condition: 'errorCondition' };

/**
 * A Service Bus stand-in for tests: an AMQP 1.0 server (rhea) that the real `@azure/service-bus` SDK talks
 * to over plain TCP (`UseDevelopmentEmulator=true`). It speaks the wire protocol, CBS and `$management`
 * included; sessions, subscription rules and the HTTP/ATOM administration API are out of scope.
 *
 *   const peer = await ServiceBusPeer.start({ queues: [{ name: 'orders', lockDurationMs: 1_000 }] });
 *   const client = new ServiceBusClient(peer.connectionString);
 *   ...
 *   await client.close();
 *   await peer.stop();
 */
export class ServiceBusPeer {
  private readonly container: Container;
  private readonly consumersByEntity = new Map<MessageEntity, EntityConsumers>();
  private readonly connections = new Map<Connection, string>();
  private readonly replyLinks = new Map<Connection, Map<string, Sender>>();
  private readonly sockets = new Set<Socket>();
  private server?: Server;

  private constructor(private readonly namespace: ServiceBusNamespace) {
    this.container = create_container({
      id: 'service-bus-peer',
      // Abandon and defer arrive as `modified`; rhea would otherwise also report them as `released`.
      sender_options: { treat_modified_as_released: false },
      receiver_options: { autoaccept: false },
    });
    this.registerHandlers();
  }

  static async start(options: ServiceBusPeerOptions = {}): Promise<ServiceBusPeer> {
    const peer = new ServiceBusPeer(new ServiceBusNamespace(options));
    await peer.listen();
    return peer;
  }

  get port(): number {
    return (this.server?.address() as AddressInfo).port;
  }

  get connectionString(): string {
    return `Endpoint=sb://127.0.0.1:${this.port};SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true`;
  }

  /** Counts by state for a queue, subscription (`topic/Subscriptions/name`) or dead-letter queue. */
  entityState(path: string): EntityState {
    return this.namespace.entity(path).state();
  }

  messages(path: string): PeerMessage[] {
    return this.namespace.entity(path).snapshot().map(toPeerMessage);
  }

  /** Expires every lock on the entity now, as if its lock duration had passed; returns how many. */
  expireLocks(path: string): number {
    return this.namespace.entity(path).expireLocks();
  }

  async stop(): Promise<void> {
    for (const connection of this.connections.keys()) connection.close();
    await this.waitForSocketsToClose(STOP_GRACE_MS);
    this.sockets.forEach((socket) => socket.destroy());
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.consumersByEntity.forEach((consumers) => consumers.dispose());
    this.namespace.dispose();
  }

  private async listen(): Promise<void> {
    const server = this.container.listen({ host: '127.0.0.1', port: 0 });
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    this.server = server;
  }

  private async waitForSocketsToClose(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.sockets.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  private registerHandlers(): void {
    this.container.on('connection_open', (context: EventContext) => {
      this.connections.set(context.connection, randomUUID());
      this.replyLinks.set(context.connection, new Map());
    });
    this.container.on('connection_close', (context: EventContext) => this.forgetConnection(context.connection));
    this.container.on('disconnected', (context: EventContext) => this.forgetConnection(context.connection));
    this.container.on('sender_open', (context: EventContext) => this.onReceiverAttached(context.sender as Sender));
    this.container.on('receiver_open', (context: EventContext) => this.onSenderAttached(context.receiver as Receiver));
    // A misbehaving client must not crash the test process: rhea raises unhandled `error` events as exceptions.
    for (const event of ['error', 'connection_error', 'session_error', 'sender_error', 'receiver_error', 'protocol_error']) {
      this.container.on(event, () => undefined);
    }
  }

  /** A client that goes away loses its locks: the messages become available again. */
  private forgetConnection(connection: Connection): void {
    const ownerId = this.connections.get(connection);
    if (ownerId === undefined) return;
    this.connections.delete(connection);
    this.replyLinks.delete(connection);
    this.consumersByEntity.forEach((consumers) => consumers.detachOwner(ownerId));
    this.namespace.entities().forEach((entity) => entity.releaseLocksOf(ownerId));
  }

  /** The client attached a receiver, so the peer's end is a sender. */
  private onReceiverAttached(link: Sender): void {
    const address = link.source?.address ?? '';
    echoTermini(link);
    if (address === CBS_NODE || isManagementAddress(address)) {
      this.registerReplyLink(link);
      return;
    }
    if (hasSessionFilter(link)) {
      link.close({ condition: ErrorCondition.notImplemented, description: 'The Service Bus peer does not support sessions' });
      return;
    }
    const entity = this.namespace.source(address);
    if (!entity) {
      link.close(notFound(address));
      return;
    }
    // Receive-and-delete receivers ask for pre-settled deliveries; peek-lock receivers settle second.
    const mode: ReceiveMode = link.snd_settle_mode === 1 ? 'receiveAndDelete' : 'peekLock';
    setLocalAttach(link, { snd_settle_mode: link.snd_settle_mode, rcv_settle_mode: link.rcv_settle_mode });
    this.consumersOf(entity).attach(link, this.ownerOf(link.connection), mode);
  }

  /** The client attached a sender, so the peer's end is a receiver. */
  private onSenderAttached(link: Receiver): void {
    const address = link.target?.address ?? '';
    echoTermini(link);
    setLocalAttach(link, { max_message_size: MAX_MESSAGE_SIZE, rcv_settle_mode: link.rcv_settle_mode });
    if (address === CBS_NODE) {
      link.on('message', (context: EventContext) => this.answerRequest(context, cbsStatusProperties, () => answerPutToken(context.message)));
      return;
    }
    if (isManagementAddress(address)) {
      const target = this.namespace.managementTarget(address);
      if (!target) {
        link.close(notFound(address));
        return;
      }
      const ownerId = this.ownerOf(link.connection);
      link.on('message', (context: EventContext) =>
        this.answerRequest(context, managementStatusProperties, () => handleManagementRequest(context.message as Message, target, ownerId)),
      );
      return;
    }
    const sendTarget = this.namespace.sendTarget(address);
    if (!sendTarget) {
      link.close(this.namespace.source(address) ? notAllowed(address) : notFound(address));
      return;
    }
    link.on('message', (context: EventContext) => acceptMessages(context, sendTarget));
  }

  private registerReplyLink(link: Sender): void {
    const links = this.replyLinks.get(link.connection);
    // The SDK's $management receiver names its reply address as target; its $cbs receiver only as link name.
    links?.set(link.name, link);
    if (link.target?.address) links?.set(link.target.address, link);
  }

  private answerRequest(context: EventContext, statusProperties: StatusProperties, handle: () => ManagementResponse): void {
    const request = context.message as Message;
    context.delivery?.accept();
    const response = handle();
    const replyLink = this.replyLinks.get(context.connection)?.get(String(request.reply_to));
    if (!replyLink) return;
    replyLink.send({
      correlation_id: request.message_id,
      to: request.reply_to,
      application_properties: {
        [statusProperties.code]: response.statusCode,
        [statusProperties.description]: response.statusDescription,
        ...(response.errorCondition ? { [statusProperties.condition]: response.errorCondition } : {}),
      },
      body: response.body ?? {},
    });
  }

  private consumersOf(entity: MessageEntity): EntityConsumers {
    let consumers = this.consumersByEntity.get(entity);
    if (!consumers) {
      consumers = new EntityConsumers(entity);
      this.consumersByEntity.set(entity, consumers);
    }
    return consumers;
  }

  private ownerOf(connection: Connection): string {
    let ownerId = this.connections.get(connection);
    if (ownerId === undefined) {
      ownerId = randomUUID();
      this.connections.set(connection, ownerId);
    }
    return ownerId;
  }
}

/** CBS: the SDK puts a SAS token before each link; any well-formed put-token is authorised. */
function answerPutToken(request: Message | undefined): ManagementResponse {
  const properties = request?.application_properties ?? {};
  if (properties.operation !== 'put-token') {
    return { statusCode: 400, statusDescription: `Unsupported CBS operation ${String(properties.operation)}`, errorCondition: ErrorCondition.notImplemented };
  }
  return { statusCode: 202, statusDescription: 'Accepted' };
}

function acceptMessages(context: EventContext, sendTarget: SendTarget): void {
  const delivery = context.delivery;
  try {
    const format = (context as EventContext & { format?: number }).format;
    for (const message of decodeTransfer(context.message as Message, format)) {
      if (messageIdKey(message.message_id) === undefined || message.message_id === '') message.message_id = randomUUID();
      sendTarget.send(message);
    }
    delivery?.accept();
  } catch (error) {
    const peerError = error instanceof PeerError ? error : new PeerError(ErrorCondition.internalError, String(error), 500);
    delivery?.reject(peerError.toAmqpError());
  }
}

/** The attach answer names the same source and target as the client's attach. */
function echoTermini(link: Sender | Receiver): void {
  if (link.source) link.set_source({ address: link.source.address });
  if (link.target) link.set_target({ address: link.target.address });
}

function hasSessionFilter(link: Sender): boolean {
  const filter = (link.source as { filter?: Record<string, unknown> } | undefined)?.filter;
  return Boolean(filter && SESSION_FILTER in filter);
}

function notFound(address: string) {
  return { condition: ErrorCondition.notFound, description: `The messaging entity '${address}' could not be found.` };
}

function notAllowed(address: string) {
  return { condition: ErrorCondition.notAllowed, description: `Messages cannot be sent to '${address}'.` };
}

function toPeerMessage(entry: StoredMessage): PeerMessage {
  const message = entry.message;
  return {
    sequenceNumber: entry.sequenceNumber,
    messageId: messageIdKey(message.message_id),
    correlationId: messageIdKey(message.correlation_id),
    subject: message.subject,
    contentType: message.content_type,
    body: presentBody(message.body),
    applicationProperties: { ...message.application_properties },
    state: entry.state,
    deliveryCount: entry.deliveryCount,
    enqueuedTime: entry.enqueuedTime,
    lockedUntil: entry.lock?.lockedUntil,
    scheduledEnqueueTime: entry.scheduledEnqueueTime,
    timeToLiveMs: typeof message.ttl === 'number' ? message.ttl : undefined,
    amqp: message,
  };
}
