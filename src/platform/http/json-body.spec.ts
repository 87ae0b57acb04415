import { BadRequestException } from '@nestjs/common';
import { jsonDepthExceeds, parseRequestJson } from './json-body';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('jsonDepthExceeds', () => {
  it('counts nesting of arrays and objects, and stops at the first level past the limit', () => {
    expect(jsonDepthExceeds(bytes('[[[]]]'), 3)).toBe(false);
    expect(jsonDepthExceeds(bytes('[[[[]]]]'), 3)).toBe(true);
    expect(jsonDepthExceeds(bytes('{"a":{"b":[1]}}'), 3)).toBe(false);
    expect(jsonDepthExceeds(bytes('{"a":{"b":[{}]}}'), 3)).toBe(true);
    // Siblings do not add up: depth is the deepest path, not the count of brackets.
    expect(jsonDepthExceeds(bytes('[[],[],[],[]]'), 2)).toBe(false);
    // An unterminated body is judged by the depth it reached.
    expect(jsonDepthExceeds(bytes('['.repeat(100_000)), 64)).toBe(true);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(jsonDepthExceeds(bytes('{"text":"[[[[{{{{"}'), 1)).toBe(false);
    expect(jsonDepthExceeds(bytes('{"text":"a \\" [[[[ \\\\"}'), 1)).toBe(false);
    expect(jsonDepthExceeds(bytes('{"text":"\\\\", "x":[[1]]}'), 2)).toBe(true);
  });
});

describe('parseRequestJson', () => {
  const refusal = (text: string | Buffer, depth = 8): string => {
    try {
      parseRequestJson(Buffer.isBuffer(text) ? text : bytes(text), depth);
    } catch (error) {
      expect(error).toBeInstanceOf(BadRequestException);
      return (error as BadRequestException).message;
    }
    throw new Error('expected a refusal');
  };

  it('parses a valid body once', () => {
    expect(parseRequestJson(bytes('{"a":[1,"é"],"b":null}'), 8)).toEqual({ a: [1, 'é'], b: null });
  });

  it('refuses empty, too deep, non-UTF-8, malformed and prototype-poisoning bodies with a message that does not quote them', () => {
    expect(refusal('')).toBe('The request body is empty; send a JSON value');
    expect(refusal('[[[[[[[[[[]]]]]]]]]]')).toBe('The JSON body is nested deeper than 8 levels');
    expect(refusal(Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x3a, 0x31, 0x7d]))).toBe('The request body is not valid UTF-8');
    const malformed = refusal('{"secret":"s3cr3t-value');
    expect(malformed).toMatch(/^The request body is not valid JSON/);
    expect(malformed).not.toContain('s3cr3t');
    expect(refusal('{"__proto__":{"admin":true}}')).toMatch(/forbidden __proto__/);
    expect(refusal('{"constructor":{"prototype":{"admin":true}}}')).toMatch(/forbidden __proto__ or constructor.prototype/);
  });
});
