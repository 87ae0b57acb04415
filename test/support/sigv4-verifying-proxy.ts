import { createServer, request as httpRequest, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { readBody } from './peer-http';

/**
 * s3rver checks the access key but not the Signature Version 4 itself: this proxy in front of it does,
 * recomputing each request's signature with AWS's own signer (@smithy/signature-v4) over the signed
 * headers, the payload hash and the date the request names, and answers S3's 403
 * SignatureDoesNotMatch (or XAmzContentSHA256Mismatch) before anything reaches s3rver. Presigned
 * (query-signed) requests are checked the same way.
 */
export class SigV4VerifyingProxy {
  readonly rejected: string[] = [];
  /** `METHOD path?query (N bytes)` of every request passed on to the server. */
  readonly forwarded: string[] = [];
  /** Requests answered 500 InternalError instead of being forwarded (scripted S3 failures). */
  private readonly failing: Array<(method: string, url: URL) => boolean> = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(upstream: string, credentials: { accessKeyId: string; secretAccessKey: string }, region = 'us-east-1'): Promise<SigV4VerifyingProxy> {
    const signer = new SignatureV4({ credentials, region, service: 's3', sha256: Sha256, uriEscapePath: false, applyChecksum: false });
    const holder: { proxy?: SigV4VerifyingProxy } = {};
    const server = createServer((request, response) => void holder.proxy!.handle(request, response, signer, new URL(upstream)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    holder.proxy = new SigV4VerifyingProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return holder.proxy;
  }

  /** The next request that matches is answered 500 InternalError, as S3 answers a fault of its own. */
  failNext(matches: (method: string, url: URL) => boolean): void {
    this.failing.push(matches);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse, signer: SignatureV4, upstream: URL): Promise<void> {
    let body: Buffer;
    try {
      body = await readBody(request);
    } catch {
      return; // the client went away mid-body
    }
    const problem = await this.problemOf(request, body, signer);
    if (problem) {
      this.rejected.push(`${request.method} ${request.url}: ${problem.code}`);
      response
        .writeHead(403, { 'content-type': 'application/xml' })
        .end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${problem.code}</Code><Message>${problem.message}</Message></Error>`);
      return;
    }
    const url = new URL(request.url ?? '/', 'http://proxy');
    const scripted = this.failing.findIndex((matches) => matches(request.method ?? 'GET', url));
    if (scripted >= 0) {
      this.failing.splice(scripted, 1);
      response
        .writeHead(500, { 'content-type': 'application/xml' })
        .end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>');
      return;
    }
    this.forwarded.push(`${request.method} ${request.url} (${body.length} bytes)`);
    const forwarded = httpRequest({ host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    forwarded.on('error', () => response.destroy());
    forwarded.end(body);
  }

  private async problemOf(request: IncomingMessage, body: Buffer, signer: SignatureV4): Promise<{ code: string; message: string } | undefined> {
    const url = new URL(request.url ?? '/', `http://${request.headers.host}`);
    const query: Record<string, string> = {};
    for (const [name, value] of url.searchParams) query[name] = value;
    if (query['X-Amz-Signature']) return this.presignedProblem(request, url, query, signer);
    const authorization = request.headers.authorization ?? '';
    const match = /^AWS4-HMAC-SHA256 Credential=([^,]+), ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(authorization);
    if (!match) return { code: 'AccessDenied', message: 'Not a Signature Version 4 Authorization header' };
    const payloadHash = String(request.headers['x-amz-content-sha256'] ?? '');
    if (payloadHash !== 'UNSIGNED-PAYLOAD' && payloadHash !== (await hashOf(body)))
      return { code: 'XAmzContentSHA256Mismatch', message: 'The provided x-amz-content-sha256 header does not match what was computed' };
    const signedHeaders = match[2].split(';');
    const headers: Record<string, string> = {};
    for (const name of signedHeaders) headers[name] = String(request.headers[name] ?? '');
    const date = String(request.headers['x-amz-date'] ?? '');
    const signed = await signer.sign(
      { method: request.method ?? 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, query, headers, body },
      { signingDate: parseAmzDate(date), unsignableHeaders: new Set(), signableHeaders: new Set(signedHeaders) },
    );
    const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization))?.[1];
    return expected === match[3] ? undefined : { code: 'SignatureDoesNotMatch', message: 'The request signature we calculated does not match the signature you provided' };
  }

  private async presignedProblem(request: IncomingMessage, url: URL, query: Record<string, string>, signer: SignatureV4): Promise<{ code: string; message: string } | undefined> {
    const signingDate = parseAmzDate(query['X-Amz-Date']);
    const expiresIn = Number(query['X-Amz-Expires']);
    if (Date.now() > signingDate.getTime() + expiresIn * 1000) return { code: 'AccessDenied', message: 'Request has expired' };
    const unsigned = { ...query };
    for (const name of ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature', 'X-Amz-Security-Token'])
      delete unsigned[name];
    const presigned = await signer.presign(
      {
        method: request.method ?? 'GET',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: url.pathname,
        query: unsigned,
        // S3's presigned URLs sign no payload: UNSIGNED-PAYLOAD, as AWS's own presigner asks for it.
        headers: { host: String(request.headers.host), 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
      },
      { signingDate, expiresIn, unhoistableHeaders: new Set(['x-amz-content-sha256']), unsignableHeaders: new Set(['x-amz-content-sha256']) },
    );
    return presigned.query?.['X-Amz-Signature'] === query['X-Amz-Signature'] ? undefined : { code: 'SignatureDoesNotMatch', message: 'The presigned URL signature does not match' };
  }
}

/** The hash constructor AWS's signer takes: SHA-256, or HMAC-SHA256 when given a secret. */
class Sha256 {
  private hash: Hash | Hmac;

  constructor(private readonly secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = this.fresh();
  }

  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytesOf(data));
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }

  reset(): void {
    this.hash = this.fresh();
  }

  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', bytesOf(this.secret));
  }
}

function bytesOf(data: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

function parseAmzDate(text: string): Date {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  return match ? new Date(Date.UTC(+match[1], +match[2] - 1, +match[3], +match[4], +match[5], +match[6])) : new Date(NaN);
}

async function hashOf(body: Buffer): Promise<string> {
  return createHash('sha256').update(body).digest('hex');
}
