/**
 * Server-sent events read with fetch (EventSource cannot carry an Authorization header): an incremental
 * parser of the text/event-stream format (WHATWG HTML §9.2) and a reconnecting reader with backoff and
 * Last-Event-ID.
 */

export interface SseEvent {
  /** The `event:` field; `message` when none was given. */
  type: string;
  data: string;
  /** The last event id seen so far on the stream (the spec's "last event ID buffer"). */
  id: string;
}

/** Feed it decoded text in chunks of any size; it answers the events each chunk completed. */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private type = '';
  private hasData = false;
  private afterCr = false;
  /** The stream's last event id: carried over to the next event, sent back as Last-Event-ID on reconnect. */
  lastEventId = '';
  /** The `retry:` field, in ms, when the server sent one. */
  retry: number | undefined;

  constructor(lastEventId = '') {
    this.lastEventId = lastEventId;
  }

  push(chunk: string): SseEvent[] {
    let text = chunk;
    // A CR ended the previous chunk: an LF opening this one is the rest of that CRLF.
    if (this.afterCr && text.startsWith('\n')) text = text.slice(1);
    this.afterCr = false;
    this.buffer += text;
    const events: SseEvent[] = [];
    let start = 0;
    for (let index = 0; index < this.buffer.length; index += 1) {
      const char = this.buffer[index];
      if (char !== '\n' && char !== '\r') continue;
      const line = this.buffer.slice(start, index);
      if (char === '\r') {
        if (index === this.buffer.length - 1) this.afterCr = true;
        else if (this.buffer[index + 1] === '\n') index += 1;
      }
      start = index + 1;
      const event = this.line(line);
      if (event) events.push(event);
    }
    this.buffer = this.buffer.slice(start);
    return events;
  }

  private line(line: string): SseEvent | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined; // a comment (heartbeat)
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        this.data.push(value);
        this.hasData = true;
        break;
      case 'event':
        this.type = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastEventId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
      default:
        break; // unknown fields are ignored
    }
    return undefined;
  }

  private dispatch(): SseEvent | undefined {
    const event = this.hasData ? { type: this.type || 'message', data: this.data.join('\n'), id: this.lastEventId } : undefined;
    this.data = [];
    this.type = '';
    this.hasData = false;
    return event;
  }
}

export type LiveStatus = 'connecting' | 'open' | 'retrying' | 'stopped';

export interface LiveOptions {
  url: string;
  token: string;
  onEvent(event: SseEvent): void;
  onStatus?(status: LiveStatus, detail?: string): void;
  fetchImpl?: typeof fetch;
  /** Backoff: first delay, doubled per failure up to the cap, ±20 % jitter; reset once a stream opened. */
  minDelayMs?: number;
  maxDelayMs?: number;
  sleep?(ms: number, signal: AbortSignal): Promise<void>;
}

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/** The delay before reconnect attempt `failures` (1-based). */
export function backoffDelay(failures: number, minDelayMs: number, maxDelayMs: number, random: () => number = Math.random): number {
  const base = Math.min(maxDelayMs, minDelayMs * 2 ** Math.max(0, failures - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/** Reads the stream until stopped (the answer's function); reconnects with backoff, sending Last-Event-ID. 401 and 403 stop it. */
export function connectLive(options: LiveOptions): () => void {
  const controller = new AbortController();
  const { signal } = controller;
  const fetchImpl = options.fetchImpl ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  const sleep = options.sleep ?? defaultSleep;
  const minDelay = options.minDelayMs ?? 1000;
  const maxDelay = options.maxDelayMs ?? 30_000;
  let lastEventId = '';
  let failures = 0;
  let serverRetry: number | undefined;

  void (async () => {
    while (!signal.aborted) {
      options.onStatus?.('connecting');
      try {
        const headers: Record<string, string> = { authorization: `Bearer ${options.token}`, accept: 'text/event-stream', 'cache-control': 'no-cache' };
        if (lastEventId) headers['last-event-id'] = lastEventId;
        const response = await fetchImpl(options.url, { headers, signal });
        if (response.status === 401 || response.status === 403) {
          options.onStatus?.('stopped', `${response.status}: live updates refused`);
          return;
        }
        if (!response.ok || !response.body) throw new Error(`live events answered ${response.status}`);
        failures = 0;
        options.onStatus?.('open');
        const parser = new SseParser(lastEventId);
        const reader = response.body.getReader();
        const decoder = new TextDecoder();
        while (true) {
          const { value, done } = await reader.read();
          if (done) break;
          for (const event of parser.push(decoder.decode(value, { stream: true }))) {
            lastEventId = event.id;
            options.onEvent(event);
          }
          lastEventId = parser.lastEventId;
        }
        serverRetry = parser.retry ?? serverRetry;
      } catch (error) {
        if (signal.aborted) break;
        options.onStatus?.('retrying', error instanceof Error ? error.message : String(error));
      }
      if (signal.aborted) break;
      failures += 1;
      options.onStatus?.('retrying');
      // The server's `retry:` is a floor; repeated failures back off beyond it.
      await sleep(Math.max(serverRetry ?? 0, backoffDelay(failures, minDelay, maxDelay)), signal);
    }
    options.onStatus?.('stopped');
  })();

  return () => controller.abort();
}
