import { StringDecoder } from 'node:string_decoder';
import { ModelStreamError } from './model-protocol';

/** The longest line a stream may send (1 MiB of text): more is a broken or hostile upstream, not a chunk. */
export const MAX_STREAM_LINE_LENGTH = 1024 * 1024;

/** What ends a line: SSE takes CR, LF and CRLF; NDJSON takes LF (a CR before it is trimmed). */
export type LineBreaks = 'cr-lf' | 'lf';

const BREAK: Readonly<Record<LineBreaks, RegExp>> = { 'cr-lf': /\r\n?|\n/g, lf: /\n/g };
const LINE_FEED = 10;
const CARRIAGE_RETURN = '\r';

/**
 * Splits a byte stream into text lines, the bytes arriving split anywhere: inside a UTF-8 sequence
 * (the StringDecoder holds it) or between a CR and its LF. An unfinished line is held as pieces and
 * joined once, so a long line arriving in many small chunks costs no repeated concatenation.
 */
export class LineDecoder {
  private readonly decoder = new StringDecoder('utf8');
  private readonly lineBreak: RegExp;
  private readonly trimsCarriageReturn: boolean;
  private held: string[] = [];
  private heldLength = 0;
  /** The last chunk ended on a CR: an LF opening the next one belongs to it. */
  private lineFeedMayFollow = false;

  constructor(
    breaks: LineBreaks,
    private readonly maxLineLength = MAX_STREAM_LINE_LENGTH,
  ) {
    this.lineBreak = new RegExp(BREAK[breaks]);
    this.trimsCarriageReturn = breaks === 'lf';
  }

  /** The lines these bytes complete, without their line breaks. */
  push(bytes: Buffer): string[] {
    return this.split(this.decoder.write(bytes));
  }

  /** The stream ended: the last line when it had no line break (bytes of a cut UTF-8 sequence become U+FFFD). */
  end(): string[] {
    const lines = this.split(this.decoder.end());
    if (this.held.length > 0) lines.push(this.takeHeld(''));
    return lines;
  }

  private split(text: string): string[] {
    if (text.length === 0) return [];
    let start = 0;
    if (this.lineFeedMayFollow) {
      this.lineFeedMayFollow = false;
      if (text.charCodeAt(0) === LINE_FEED) start = 1;
    }
    const lines: string[] = [];
    this.lineBreak.lastIndex = start;
    for (let found = this.lineBreak.exec(text); found !== null; found = this.lineBreak.exec(text)) {
      lines.push(this.takeHeld(text.slice(start, found.index)));
      start = found.index + found[0].length;
      if (found[0] === '\r' && start === text.length) this.lineFeedMayFollow = true;
    }
    if (start < text.length) this.hold(text.slice(start));
    return lines;
  }

  private hold(piece: string): void {
    this.assertLength(this.heldLength + piece.length);
    this.held.push(piece);
    this.heldLength += piece.length;
  }

  private takeHeld(last: string): string {
    this.assertLength(this.heldLength + last.length);
    const line = this.held.length === 0 ? last : this.held.join('') + last;
    this.held = [];
    this.heldLength = 0;
    return this.trimsCarriageReturn && line.endsWith(CARRIAGE_RETURN) ? line.slice(0, -1) : line;
  }

  private assertLength(length: number): void {
    if (length > this.maxLineLength) throw new ModelStreamError(`The stream sent a line longer than ${this.maxLineLength} characters`);
  }
}
