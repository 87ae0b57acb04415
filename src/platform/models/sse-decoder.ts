import { LineDecoder } from './line-decoder';

/** One dispatched Server-Sent Event. */
export interface ServerSentEvent {
  /** `message` unless an `event:` field named it. */
  readonly event: string;
  /** The event's `data:` lines, joined by LF. */
  readonly data: string;
  readonly id?: string;
}

const BYTE_ORDER_MARK = '\uFEFF';

/**
 * An incremental Server-Sent Events decoder (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation):
 * fields up to the blank line that dispatches them, comments (`:`) skipped, one space after the colon
 * dropped, an event without data not dispatched. `retry:` is ignored: reconnecting is not ours to do.
 */
export class SseDecoder {
  private readonly lines = new LineDecoder('cr-lf');
  private data: string[] = [];
  private event = '';
  private id: string | undefined;
  private firstLine = true;

  /** The events these bytes complete. */
  push(bytes: Buffer): ServerSentEvent[] {
    return this.interpret(this.lines.push(bytes));
  }

  /** The stream ended: an event not closed by a blank line is discarded, as the specification says. */
  end(): ServerSentEvent[] {
    return this.interpret(this.lines.end());
  }

  private interpret(lines: readonly string[]): ServerSentEvent[] {
    const events: ServerSentEvent[] = [];
    for (let line of lines) {
      if (this.firstLine) {
        this.firstLine = false;
        if (line.startsWith(BYTE_ORDER_MARK)) line = line.slice(1);
      }
      if (line === '') {
        const event = this.dispatch();
        if (event) events.push(event);
      } else if (!line.startsWith(':')) {
        this.field(line);
      }
    }
    return events;
  }

  private field(line: string): void {
    const colon = line.indexOf(':');
    const name = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(line.charCodeAt(colon + 1) === 32 ? colon + 2 : colon + 1);
    if (name === 'data') this.data.push(value);
    else if (name === 'event') this.event = value;
    else if (name === 'id' && !value.includes('\0')) this.id = value;
  }

  private dispatch(): ServerSentEvent | undefined {
    const { data, event, id } = this;
    this.data = [];
    this.event = '';
    if (data.length === 0) return undefined;
    return { event: event || 'message', data: data.join('\n'), ...(id === undefined ? {} : { id }) };
  }
}
