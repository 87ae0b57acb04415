import type { Readable } from 'node:stream';

/**
 * Reads a stream in pieces of a given size: a provider holds one part (or a few in flight) of an
 * upload, never the whole object. `read(n)` answers exactly n bytes, fewer at the end, null after it.
 */
export class PartReader {
  private readonly iterator: AsyncIterator<Buffer>;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private ended = false;
  /** Bytes read from the stream so far. */
  total = 0;

  constructor(private readonly stream: Readable) {
    this.iterator = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  }

  async read(size: number): Promise<Buffer | null> {
    while (this.pendingBytes < size && !this.ended) {
      const next = await this.iterator.next();
      if (next.done) {
        this.ended = true;
        break;
      }
      const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value as Uint8Array);
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      this.total += chunk.length;
    }
    if (this.pendingBytes === 0) return null;
    const joined = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    const part = joined.subarray(0, Math.min(size, joined.length));
    const rest = joined.subarray(part.length);
    this.pending = rest.length > 0 ? [rest] : [];
    this.pendingBytes = rest.length;
    return part;
  }

  /** Stops reading: the rest of the stream flows away unread, so the client can still be answered. */
  discard(): void {
    this.stream.resume();
  }
}
