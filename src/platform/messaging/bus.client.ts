import { Injectable } from '@nestjs/common';
import { ClientProxy, ReadPacket, WritePacket } from '@nestjs/microservices';
import { BusPublisher, PublishOptions } from './bus-publisher';

/** Wraps a payload with envelope options for `client.emit(pattern, new BusRecord(data, { messageId }))`. */
export class BusRecord<T = unknown> {
  constructor(
    readonly data: T,
    readonly options: PublishOptions = {},
  ) {}
}

/**
 * The bus as a Nest ClientProxy: `client.emit('DeliverWebhook', payload)` sends a command,
 * `client.emit('IntegrationFailed', payload)` publishes an event. The bus is one-way (peek-lock,
 * at-least-once), so `send()` request/response is refused: reply with an event instead.
 */
@Injectable()
export class BusClient extends ClientProxy {
  constructor(private readonly publisher: BusPublisher) {
    super();
  }

  async connect(): Promise<void> {}

  async close(): Promise<void> {}

  unwrap<T>(): T {
    return this.publisher as T;
  }

  protected async dispatchEvent<T = unknown>(packet: ReadPacket): Promise<T> {
    const pattern = typeof packet.pattern === 'string' ? packet.pattern : JSON.stringify(packet.pattern);
    const { data, options } = packet.data instanceof BusRecord ? packet.data : new BusRecord(packet.data);
    return (await this.publisher.dispatch(pattern, data, options)) as T;
  }

  protected publish(_packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    callback({ err: new Error('The bus is one-way: use emit() and answer with an event'), isDisposed: true });
    return () => undefined;
  }
}
