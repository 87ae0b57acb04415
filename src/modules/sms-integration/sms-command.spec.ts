import { parseSendSms } from './sms-command';
import { countSegments } from './sms-segments';

const parse = (input: Record<string, unknown>) => parseSendSms({ connectionId: 'c1', to: '+972501234567', body: 'hi', ...input }, { maxSegments: 10 });

describe('SMS segments', () => {
  it.each([
    ['a'.repeat(160), 'GSM-7', 1],
    ['a'.repeat(161), 'GSM-7', 2],
    ['€'.repeat(80), 'GSM-7', 1],
    ['€'.repeat(81), 'GSM-7', 2],
    ['ש'.repeat(70), 'UCS-2', 1],
    ['ש'.repeat(71), 'UCS-2', 2],
    ['😀'.repeat(35), 'UCS-2', 1],
  ])('counts %#', (body, encoding, segments) => {
    expect(countSegments(body)).toMatchObject({ encoding, segments });
  });

  it('counts []{} as two septets each', () => {
    expect(countSegments('[]{}').units).toBe(8);
  });
});

describe('parseSendSms', () => {
  it('normalises the number and sizes the draft by segments', () => {
    const { command, draft } = parse({ to: '+972 50-123-4567', body: 'a'.repeat(161) });
    expect(command.to).toBe('+972501234567');
    expect(draft.size).toBe(2);
  });

  it.each([
    [{ to: '0501234567' }, /^to /],
    [{ to: '+1555' }, /^to /],
    [{ to: null }, /^to /],
    [{ from: 'Too long sender' }, /^from /],
    [{ from: '12' }, /^from /],
    [{ body: 'a'.repeat(153 * 10 + 1) }, /^body /],
    [{ routeName: 'r' }, /^connectionId /],
    [{ idempotencyKey: '' }, /^idempotencyKey /],
  ])('names the field of %j', (input, message) => {
    expect(() => parse(input)).toThrow(message);
  });

  it('accepts an alphanumeric sender and a short code', () => {
    expect(parse({ from: 'Acme 2' }).command.from).toBe('Acme 2');
    expect(parse({ from: '12345' }).command.from).toBe('12345');
  });
});
