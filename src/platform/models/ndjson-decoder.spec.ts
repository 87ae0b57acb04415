import fc from 'fast-check';
import { arbitraryCuts, cutAt, everySingleCut } from '../../../test/support/stream-pieces';
import { ModelStreamError } from './model-protocol';
import { NdjsonDecoder } from './ndjson-decoder';

function decode(pieces: readonly Buffer[], decoder = new NdjsonDecoder()) {
  return [...pieces.flatMap((piece) => decoder.push(piece)), ...decoder.end()];
}

const STREAM = Buffer.from('{"n":1,"text":"Zürich 🌧"}\n\n{"n":2}\r\n  \n{"n":3,"done":true}');
const VALUES = [{ n: 1, text: 'Zürich 🌧' }, { n: 2 }, { n: 3, done: true }];

describe('NdjsonDecoder', () => {
  it('parses one value a line, skipping blank lines, the last line ended by the stream', () => {
    expect(decode([STREAM])).toEqual(VALUES);
  });

  it('answers the same values whatever byte the stream is cut before', () => {
    for (const cuts of everySingleCut(STREAM)) expect(decode(cutAt(STREAM, cuts))).toEqual(VALUES);
  });

  it('answers the same values however the stream is cut into pieces', () => {
    fc.assert(fc.property(arbitraryCuts(STREAM.length), (cuts) => expect(decode(cutAt(STREAM, cuts))).toEqual(VALUES)));
  });

  it('throws on a complete line that is not JSON, and drops a last line the stream cut', () => {
    expect(() => new NdjsonDecoder().push(Buffer.from('{"n":1}\nnot json\n'))).toThrow(ModelStreamError);
    expect(decode([Buffer.from('{"n":1}\n{"n":')])).toEqual([{ n: 1 }]);
  });

  it('refuses a line over the limit, whether it arrives whole or in pieces', () => {
    expect(() => new NdjsonDecoder(16).push(Buffer.from(`{"text":"${'x'.repeat(20)}"}\n`))).toThrow(/longer than 16 characters/);
    const decoder = new NdjsonDecoder(16);
    decoder.push(Buffer.from('{"text":"'));
    expect(() => decoder.push(Buffer.from('x'.repeat(20)))).toThrow(ModelStreamError);
  });
});
