import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StreamFault } from './scripting';

/** A stream's frames (SSE events, NDJSON lines), made on demand so a long stream holds no array of them. */
export interface FrameSequence {
  readonly length: number;
  frame(index: number): string;
}

export function fixedFrames(frames: readonly string[]): FrameSequence {
  return { length: frames.length, frame: (index) => frames[index] };
}

/** A few frames of their own before and after one frame per answer piece. */
export class PieceFrames implements FrameSequence {
  readonly length: number;

  constructor(
    private readonly leading: readonly string[],
    private readonly pieces: readonly string[],
    private readonly pieceFrame: (piece: string) => string,
    private readonly trailing: readonly string[],
  ) {
    this.length = leading.length + pieces.length + trailing.length;
  }

  frame(index: number): string {
    if (index < this.leading.length) return this.leading[index];
    const pieceIndex = index - this.leading.length;
    if (pieceIndex < this.pieces.length) return this.pieceFrame(this.pieces[pieceIndex]);
    return this.trailing[pieceIndex - this.pieces.length];
  }
}

// A pause between chunks must not keep a test process alive after the peer has closed.
const UNREFERENCED_TIMER = { ref: false };

const PIECE_PLACEHOLDER = '\u2063piece\u2063';

/**
 * A frame builder for chunks that differ only in one string: the chunk is serialized once with a
 * placeholder, and each frame is the two halves around the piece's JSON string.
 */
export function pieceFrameTemplate(chunkWithPiece: (piece: string) => unknown, wrap: (json: string) => string): (piece: string) => string {
  const halves = wrap(JSON.stringify(chunkWithPiece(PIECE_PLACEHOLDER))).split(JSON.stringify(PIECE_PLACEHOLDER));
  if (halves.length !== 2) throw new Error('A piece frame template needs exactly one piece in its chunk');
  const [before, after] = halves;
  return (piece) => before + JSON.stringify(piece) + after;
}

export interface StreamEnding {
  /** Written after the last frame (SSE's `data: [DONE]`). */
  readonly terminator?: string;
  /** The vendor's in-stream error frame, for a scripted stream error. */
  readonly errorFrame: (error: unknown) => string;
}

/** A chat or embedding response the peer follows until it closes, to tell a client leaving from the peer's own doing. */
export class FollowedResponse {
  /** The peer dropped the connection itself (a scripted cut): its close is no client disconnect. */
  cutByPeer = false;

  constructor(
    readonly response: ServerResponse,
    readonly streaming: boolean,
  ) {}

  /** Drops the connection mid-answer: the client gets what was written, then the connection ends without the body's end. */
  cut(): void {
    this.cutByPeer = true;
    const socket = this.response.socket;
    if (!socket) return;
    // end() flushes what is written before the FIN; destroy() alone could discard it.
    socket.end(() => socket.destroy());
  }
}

/**
 * Writes the frames with `delayMs` between them, honouring backpressure, then the ending, or the
 * scripted fault after its `afterChunks` frames. Stops as soon as the client has gone.
 */
export async function writeFrames(stream: FollowedResponse, frames: FrameSequence, ending: StreamEnding, delayMs: number, fault?: StreamFault): Promise<void> {
  const { response } = stream;
  const count = fault ? Math.min(fault.afterChunks, frames.length) : frames.length;
  response.flushHeaders();
  for (let index = 0; index < count; index++) {
    if (index > 0 && delayMs > 0) await sleep(delayMs, undefined, UNREFERENCED_TIMER);
    if (response.destroyed) return;
    if (!response.write(frames.frame(index))) await drainedOrClosed(response);
  }
  if (response.destroyed) return;
  if (!fault) {
    response.end(ending.terminator);
  } else if (fault.kind === 'stream-error') {
    response.end(ending.errorFrame(fault.error));
  } else if (fault.kind === 'cut') {
    stream.cut();
  } else {
    await closed(response);
  }
}

export function closed(response: ServerResponse): Promise<void> {
  if (response.destroyed || response.writableFinished) return Promise.resolve();
  return new Promise((resolve) => response.once('close', resolve));
}

/** Waits `ms`, or less if the client goes away meanwhile. */
export async function pauseUnlessClosed(response: ServerResponse, ms: number): Promise<void> {
  if (ms <= 0) return;
  const abort = new AbortController();
  const onClose = () => abort.abort();
  response.once('close', onClose);
  await sleep(ms, undefined, { signal: abort.signal }).catch(() => undefined);
  response.off('close', onClose);
}

function drainedOrClosed(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.once('drain', done);
    response.once('close', done);
  });
}
