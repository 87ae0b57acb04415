import { LineDecoder, MAX_STREAM_LINE_LENGTH } from './line-decoder';
import { ModelStreamError } from './model-protocol';

/**
 * An incremental newline-delimited JSON decoder: one value a line, blank lines skipped. A line that is
 * not JSON throws ModelStreamError, as does one longer than the limit.
 */
export class NdjsonDecoder {
  private readonly lines: LineDecoder;

  constructor(maxLineLength = MAX_STREAM_LINE_LENGTH) {
    this.lines = new LineDecoder('lf', maxLineLength);
  }

  /** The values of the lines these bytes complete. */
  push(bytes: Buffer): unknown[] {
    return this.lines
      .push(bytes)
      .filter((line) => line.trim() !== '')
      .map(parseLine);
  }

  /**
   * The stream ended: the value of a last line that had no line break. A cut last line (not JSON) is
   * dropped rather than thrown: the stream's own end marker is what tells a complete stream from a cut one.
   */
  end(): unknown[] {
    const values: unknown[] = [];
    for (const line of this.lines.end()) {
      if (line.trim() === '') continue;
      try {
        values.push(JSON.parse(line));
      } catch {
        // See above: a cut stream, reported by its missing end marker.
      }
    }
    return values;
  }
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    throw new ModelStreamError('The stream sent a line that is not JSON');
  }
}
