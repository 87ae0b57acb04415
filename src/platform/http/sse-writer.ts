import { once } from 'node:events';
import type { ServerResponse } from 'node:http';

/**
 * Writes server-sent events to a response the caller owns, waiting for the socket when it is full so a
 * slow reader holds back the vendor's stream instead of the process's memory.
 */
export class SseWriter {
  constructor(private readonly response: ServerResponse) {}

  get closed(): boolean {
    return this.response.destroyed || this.response.writableEnded;
  }

  start(headers: Record<string, string>): void {
    this.response.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
    });
  }

  /** A named event (`event: progress`), its data as JSON, with an `id:` line when given. */
  async event(name: string, data: unknown, id?: string): Promise<void> {
    await this.write(`${id === undefined ? '' : `id: ${id}\n`}event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** How long the client waits before reconnecting when the stream breaks. */
  async retryAfter(ms: number): Promise<void> {
    await this.write(`retry: ${ms}\n\n`);
  }

  /** A comment line: keeps proxies from closing an idle stream, and the client ignores it. */
  async comment(text: string): Promise<void> {
    await this.write(`: ${text}\n\n`);
  }

  /** Bytes written but not yet taken by the socket: how far behind the reader is. */
  get backlogBytes(): number {
    return this.response.writableLength;
  }

  /** Events written at once (one socket write for a batch that arrived together). */
  async data(payloads: readonly string[]): Promise<void> {
    let text = '';
    for (const payload of payloads) text += `data: ${payload}\n\n`;
    await this.write(text);
  }

  private async write(text: string): Promise<void> {
    if (this.closed) return;
    if (!this.response.write(text)) await Promise.race([once(this.response, 'drain'), once(this.response, 'close')]);
  }

  end(): void {
    if (!this.closed) this.response.end();
  }
}
