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

  /** A named event (`event: progress`), its data as JSON. */
  async event(name: string, data: unknown): Promise<void> {
    await this.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
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
