import fc from 'fast-check';
import { arbitraryCuts, cutAt, everySingleCut } from '../../../test/support/stream-pieces';
import { ModelStreamError } from './model-protocol';
import { SseDecoder } from './sse-decoder';

function decode(pieces: readonly Buffer[]) {
  const decoder = new SseDecoder();
  return [...pieces.flatMap((piece) => decoder.push(piece)), ...decoder.end()];
}

const STREAM = Buffer.from(
  '\uFEFF: keep-alive comment\r\n' +
    'event: delta\r\n' +
    'id: 7\r\n' +
    'data: {"text":"héllo 👋"}\r\n' +
    '\r\n' +
    'data:no space\n' +
    'data:  two spaces, one kept\n' +
    '\n' +
    'data: first line\r' +
    'data\r' +
    'data: third line\r' +
    '\r' +
    'retry: 1000\n' +
    'event: lonely\n' +
    '\n' +
    'data: [DONE]\n\n',
);

const EVENTS = [
  { event: 'delta', id: '7', data: '{"text":"héllo 👋"}' },
  { event: 'message', id: '7', data: 'no space\n two spaces, one kept' },
  { event: 'message', id: '7', data: 'first line\n\nthird line' },
  { event: 'message', id: '7', data: '[DONE]' },
];

describe('SseDecoder', () => {
  it('reads fields, comments, multi-line data and every line break as the specification says', () => {
    expect(decode([STREAM])).toEqual(EVENTS);
  });

  it('answers the same events whatever byte the stream is cut before, inside UTF-8 sequences and CRLFs included', () => {
    for (const cuts of everySingleCut(STREAM)) expect(decode(cutAt(STREAM, cuts))).toEqual(EVENTS);
  });

  it('answers the same events however the stream is cut into pieces', () => {
    fc.assert(fc.property(arbitraryCuts(STREAM.length), (cuts) => expect(decode(cutAt(STREAM, cuts))).toEqual(EVENTS)));
  });

  it('answers the same events fed one byte at a time', () => {
    expect(decode([...STREAM].map((byte) => Buffer.from([byte])))).toEqual(EVENTS);
  });

  it('discards an event the stream cut before its blank line', () => {
    expect(decode([Buffer.from('data: {"a":1}\n\ndata: {"b"')])).toEqual([{ event: 'message', data: '{"a":1}' }]);
    expect(decode([Buffer.from('data: whole line\n')])).toEqual([]);
  });

  it('refuses a line longer than the limit, even one that never ends', () => {
    const decoder = new SseDecoder();
    const piece = Buffer.alloc(64 * 1024, 'a');
    expect(() => {
      for (let sent = 0; sent <= 1024 * 1024; sent += piece.length) decoder.push(piece);
    }).toThrow(ModelStreamError);
  });
});
