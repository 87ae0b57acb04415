import { PassThrough } from 'node:stream';
import { prettyLogDestination } from './pretty-log-destination';

describe('prettyLogDestination', () => {
  const written = (lines: string[], isTTY = false) => {
    const out = Object.assign(new PassThrough(), { isTTY });
    const chunks: string[] = [];
    out.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
    const destination = prettyLogDestination(out);
    for (const line of lines) destination.write(line);
    return chunks.join('');
  };

  it('turns a JSON line into time, level, message and fields', () => {
    const line = JSON.stringify({ level: 'warn', time: '2026-12-03T13:40:57.123Z', role: 'all', msg: 'Webhook dead-lettered', deliveryId: 'dlv-1', status: 500, ids: ['a'] });
    expect(written([`${line}\n`])).toBe('13:40:57 WARN  Webhook dead-lettered deliveryId=dlv-1 status=500 ids=["a"]\n');
  });

  it('passes through what is not JSON, and colours levels on a terminal', () => {
    expect(written(['not json\n'])).toBe('not json\n');
    expect(written([JSON.stringify({ level: 'error', time: '2026-12-03T13:40:57.123Z', msg: 'x' })], true)).toContain('\u001b[31mERROR\u001b[0m');
  });
});
