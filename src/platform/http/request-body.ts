import { BadRequestException, PayloadTooLargeException, UnsupportedMediaTypeException } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseRequestJson } from './json-body';
import { quotable } from './quotable';

/** A route prefix whose bodies reach the handler as the exact bytes received (webhook signatures). */
export interface RawBodyRule {
  readonly path: string;
  readonly limitBytes: number;
}

export interface RequestBodyRules {
  /** Largest body of a JSON route, after decompression. */
  readonly jsonLimitBytes: number;
  readonly jsonMaxDepth: number;
  readonly rawRoutes: readonly RawBodyRule[];
  /** Route prefixes whose handlers read the body as a stream themselves (object uploads): nothing is buffered. */
  readonly streamRoutes?: readonly string[];
  /**
   * A body must have arrived whole within this time of the request's start (slow-body clients are
   * answered 408 and closed); a streamed body must instead move at least STREAM_MIN_PROGRESS_BYTES in
   * every such period, so a large upload on a healthy link is never cut for its size.
   */
  readonly requestTimeoutMs: number;
}

export const STREAM_MIN_PROGRESS_BYTES = 64 * 1024;
const REQUEST_TIMEOUT_ANSWER = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

const DECODERS: Record<string, () => Transform> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};
const MAX_ENCODING_LAYERS = 2;
const JSON_CONTENT_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * One way in for every request body. Content-Encoding gzip, deflate and br are decoded (others are a 415,
 * undecodable bytes a 400); every limit applies to the decoded size, so a zip bomb is a 413 after at most
 * limit + one chunk of output. Raw-body routes get the decoded bytes untouched; every other route takes
 * JSON only (415 otherwise), parsed once with a nesting limit.
 */
export function installRequestBodyHandling(fastify: FastifyInstance, rules: RequestBodyRules): void {
  const rawLimitByRoute = new Map<string, number | null>();
  const rawLimitOf = (request: FastifyRequest): number | null => {
    const route = request.routeOptions.url ?? '';
    let limit = rawLimitByRoute.get(route);
    if (limit === undefined) {
      limit = rules.rawRoutes.find((rule) => route.startsWith(rule.path))?.limitBytes ?? null;
      rawLimitByRoute.set(route, limit);
    }
    return limit;
  };
  const streamed = new Map<string, boolean>();
  const isStreamRoute = (request: FastifyRequest): boolean => {
    const route = request.routeOptions.url ?? '';
    let answer = streamed.get(route);
    if (answer === undefined) {
      answer = (rules.streamRoutes ?? []).some((prefix) => route.startsWith(prefix));
      streamed.set(route, answer);
    }
    return answer;
  };

  fastify.addHook('onRequest', (request, reply, done) => {
    if (hasBody(request.raw)) watchBodyArrival(request.raw, reply.raw, rules.requestTimeoutMs, isStreamRoute(request));
    done();
  });

  fastify.addHook('preParsing', (request, _reply, payload, done) => {
    const encoding = request.headers['content-encoding'];
    // A GET or HEAD body is never read, so its encoding does not matter.
    if (encoding === undefined || request.method === 'GET' || request.method === 'HEAD') return done(null, payload);
    try {
      done(null, decodedPayload(payload, encoding));
    } catch (error) {
      done(error as Error);
    }
  });

  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (request, payload, done) => {
    // The handler reads (and bounds) the decoded stream itself.
    if (isStreamRoute(request)) return done(null, payload);
    const rawLimit = rawLimitOf(request);
    if (rawLimit !== null) {
      readBody(request.raw, payload, rawLimit).then((bytes) => done(null, bytes), done);
      return;
    }
    const contentType = request.headers['content-type'] ?? '';
    if (!JSON_CONTENT_TYPE.test(contentType)) {
      done(new UnsupportedMediaTypeException(`Content-Type ${contentType ? `"${quotable(contentType)}"` : '(none)'} is not supported; send application/json`));
      return;
    }
    readBody(request.raw, payload, rules.jsonLimitBytes).then((bytes) => {
      let body: unknown;
      try {
        body = parseRequestJson(bytes, rules.jsonMaxDepth);
      } catch (error) {
        done(error as Error);
        return;
      }
      done(null, body);
    }, done);
  });
}

function hasBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * The listener's own request timeout would cut any body that takes longer than it, however fast it
 * moves, so the deadline is kept here per request: measured by the bytes the socket has read, never by
 * listening to the body (that would start it flowing before its reader is attached).
 */
function watchBodyArrival(request: IncomingMessage, response: ServerResponse, timeoutMs: number, streamed: boolean): void {
  const socket = request.socket;
  let readAtLastCheck = socket.bytesRead;
  const check = () => {
    if (request.complete || socket.destroyed) return;
    if (streamed && socket.bytesRead - readAtLastCheck >= STREAM_MIN_PROGRESS_BYTES) {
      readAtLastCheck = socket.bytesRead;
      timer = setTimeout(check, timeoutMs).unref();
      return;
    }
    if (response.headersSent) socket.destroy();
    else socket.end(REQUEST_TIMEOUT_ANSWER, () => socket.destroy());
  };
  let timer = setTimeout(check, timeoutMs).unref();
  response.once('close', () => clearTimeout(timer));
}

/** A body stream behind one or more decoders: what was applied, and how many bytes came over the wire. */
interface DecodedPayload extends Readable {
  encodings: readonly string[];
  /** Read by Fastify and by readBody: Content-Length counts the encoded bytes, not the decoded ones. */
  readonly receivedEncodedLength: number;
}

const isDecoded = (payload: Readable): payload is DecodedPayload => Array.isArray((payload as Partial<DecodedPayload>).encodings);

function decodedPayload(payload: Readable, header: string): Readable {
  const encodings = header
    .split(',')
    .map((value) => value.trim().toLowerCase())
    .filter((value) => value !== '' && value !== 'identity');
  if (encodings.length === 0) return payload;
  if (encodings.length > MAX_ENCODING_LAYERS) throw new UnsupportedMediaTypeException(`At most ${MAX_ENCODING_LAYERS} content encodings are accepted`);
  for (const encoding of encodings) {
    if (!DECODERS[encoding]) throw new UnsupportedMediaTypeException(`Content-Encoding "${quotable(encoding)}" is not supported; send identity, gzip, deflate or br`);
  }
  let encodedLength = 0;
  payload.on('data', (chunk: Buffer) => (encodedLength += chunk.length));
  // Decoded in reverse order of application (RFC 9110 §8.4).
  let stream: Readable = payload;
  for (const encoding of [...encodings].reverse()) {
    const decoder = DECODERS[encoding]();
    stream.on('error', (error) => decoder.destroy(error));
    // Undecodable bytes surface where the body is read (a 400); a body nobody reads must not crash the process.
    decoder.on('error', ignoreUntilRead);
    stream = stream.pipe(decoder);
  }
  Object.defineProperty(stream, 'receivedEncodedLength', { get: () => encodedLength });
  return Object.assign(stream, { encodings });
}

/**
 * The whole body, refusing more than `limit` bytes (413 on the declared length before reading, or as
 * soon as the received bytes pass it), and a body that ends short of its Content-Length or is
 * abandoned mid-way (400).
 */
function readBody(request: IncomingMessage, payload: Readable, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  const decoded = isDecoded(payload) ? payload : undefined;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const finish = (error?: Error, body?: Buffer) => {
      payload.off('data', onData);
      payload.off('end', onEnd);
      payload.off('error', onError);
      payload.off('close', onClose);
      if (error) reject(error);
      else resolve(body!);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) {
        finish(tooLarge(limit));
        if (decoded) payload.destroy();
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      const onWire = decoded ? decoded.receivedEncodedLength : received;
      if (!Number.isNaN(declared) && onWire !== declared) return finish(new BadRequestException('The request body is shorter or longer than its Content-Length'));
      finish(undefined, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received));
    };
    const onError = () => finish(new BadRequestException(decoded ? `The request body does not decode as ${decoded.encodings.join(', ')}` : 'The request body could not be read'));
    const onClose = () => finish(new BadRequestException('The request was aborted before its body ended'));
    payload.on('data', onData);
    payload.once('end', onEnd);
    payload.once('error', onError);
    payload.once('close', onClose);
  });
}

function ignoreUntilRead(): void {}

function tooLarge(limit: number): PayloadTooLargeException {
  return new PayloadTooLargeException(`The request body exceeds the limit of ${limit} bytes`);
}
