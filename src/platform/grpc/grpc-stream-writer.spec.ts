import { EventEmitter } from 'node:events';
import type { ServerWritableStream } from '@grpc/grpc-js';
import { CallStreamWriter } from './grpc-stream-writer';

/** A server stream whose transport buffer is full until the test says 'drain'. */
class FullStream extends EventEmitter {
  readonly written: unknown[] = [];
  full = true;

  write(event: unknown): boolean {
    this.written.push(event);
    return !this.full;
  }
}

const settled = async (promise: Promise<unknown>) => {
  let state = 'pending';
  promise.then(
    () => (state = 'resolved'),
    () => (state = 'rejected'),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return state;
};

describe('CallStreamWriter', () => {
  it('resolves at once while the transport takes more, and waits for drain when it does not', async () => {
    const stream = new FullStream();
    const writer = new CallStreamWriter(stream as unknown as ServerWritableStream<unknown, string>, new AbortController().signal);
    stream.full = false;
    expect(await settled(writer.write('a'))).toBe('resolved');
    stream.full = true;
    const pending = writer.write('b');
    expect(await settled(pending)).toBe('pending');
    stream.emit('drain');
    expect(await settled(pending)).toBe('resolved');
    expect(stream.written).toEqual(['a', 'b']);
    expect(stream.listenerCount('drain')).toBe(0);
  });

  it('rejects a waiting write with the reason when the call is cancelled, and writes nothing after', async () => {
    const stream = new FullStream();
    const controller = new AbortController();
    const writer = new CallStreamWriter(stream as unknown as ServerWritableStream<unknown, string>, controller.signal);
    const pending = writer.write('a');
    const reason = new Error('cancelled');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await expect(writer.write('b')).rejects.toBe(reason);
    expect(stream.written).toEqual(['a']);
    expect(stream.listenerCount('drain')).toBe(0);
  });
});
