import secureJson from 'secure-json-parse';
import { BadRequestException } from '@nestjs/common';

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The deepest nesting of arrays and objects in a JSON text, read from its bytes without parsing it.
 * Stops counting as soon as `limit` is exceeded, so a hostile body costs one linear scan at most.
 * Quotes and escapes are tracked, so brackets inside strings do not count.
 */
export function jsonDepthExceeds(bytes: Uint8Array, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (++depth > limit) return true;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const POISONING = { protoAction: 'error', constructorAction: 'error' } as const;

/**
 * Parses a JSON request body for the API: strict UTF-8, nesting bounded by `maxDepth` (validation walks
 * the value recursively, so depth is what a hostile client would use to exhaust the stack), and keys
 * that would poison prototypes refused. Every failure is a 400 that says what was wrong but never
 * quotes the body back (it may carry a secret).
 */
export function parseRequestJson(bytes: Buffer, maxDepth: number): unknown {
  if (bytes.length === 0) throw new BadRequestException('The request body is empty; send a JSON value');
  if (jsonDepthExceeds(bytes, maxDepth)) throw new BadRequestException(`The JSON body is nested deeper than ${maxDepth} levels`);
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw new BadRequestException('The request body is not valid UTF-8');
  }
  try {
    return secureJson.parse(text, undefined, POISONING);
  } catch (error) {
    const message = (error as Error).message;
    if (/prototype|constructor/i.test(message) && !/JSON/.test(message)) throw new BadRequestException('The JSON body contains a forbidden __proto__ or constructor.prototype key');
    const position = /position (\d+)/.exec(message)?.[1];
    throw new BadRequestException(`The request body is not valid JSON${position ? ` (at character ${position})` : ''}`);
  }
}
