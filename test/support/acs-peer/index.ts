import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { headerValue, readBody } from '../peer-http';

const EMAIL_API_VERSION = '2023-03-31';
const SMS_API_VERSION = '2021-03-07';
/** How far x-ms-date may be from the peer's clock, as ACS allows for its signatures. */
const CLOCK_SKEW_MS = 15 * 60_000;

export interface AcsEmailOperation {
  id: string;
  request: Record<string, unknown>;
  body: string;
  polls: number[];
  status: 'Running' | 'Succeeded' | 'Failed';
}

export interface AcsSmsSend {
  messageId: string;
  at: number;
  request: Record<string, unknown>;
  repeatabilityRequestId: string;
  repeatabilityFirstSent: string;
  item: Record<string, unknown>;
}

interface ScriptedOperation {
  pollsBeforeEnd: number;
  outcome: 'Succeeded' | 'Failed';
  error?: { code: string; message: string };
}

/**
 * Azure Communication Services' Email and SMS data plane as Azure documents it, with every request's
 * HMAC-SHA256 signature checked exactly as https://learn.microsoft.com/azure/communication-services/tutorials/hmac-header-tutorial
 * describes it (x-ms-date within 15 minutes, x-ms-content-sha256 the body's hash, the string to sign
 * over verb, path and query, date, host and hash). A bad signature answers 401 `Denied`.
 *
 * - `POST /emails:send` → 202 `{id, status: Running}` with `Operation-Location` and `Retry-After`; a
 *   repeated `Operation-Id` with the same body answers the same operation (nothing sent twice), with a
 *   different body 409. `GET /emails/operations/{id}` → the operation, ending as scripted; unknown 404.
 * - `POST /sms` → 202 `{value: [{to, messageId, httpStatusCode, repeatabilityResult, successful}]}`; a
 *   repeated `repeatabilityRequestId` answers the first result (accepted) and sends nothing.
 */
export class AcsPeer {
  readonly operations = new Map<string, AcsEmailOperation>();
  readonly emailRequests: Array<{ operationId: string | undefined; body: string }> = [];
  readonly sms: AcsSmsSend[] = [];
  readonly smsRequests: Array<Record<string, unknown>> = [];
  readonly signed: Array<{ method: string; path: string }> = [];
  retryAfterSeconds = 0;
  private readonly scripted: ScriptedOperation[] = [];
  private readonly endings = new Map<string, ScriptedOperation>();
  private readonly failures: Array<{ status: number; code: string; afterAccepting: boolean }> = [];
  private readonly smsItemFailures: Array<{ httpStatusCode: number; errorMessage: string }> = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly accessKey: Buffer,
  ) {}

  static async start(accessKey: string): Promise<AcsPeer> {
    const holder: { peer?: AcsPeer } = {};
    const server = createServer((request, response) => void holder.peer!.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    holder.peer = new AcsPeer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, Buffer.from(accessKey, 'base64'));
    return holder.peer;
  }

  /** The next email operation stays Running for `pollsBeforeEnd` polls, then ends so. */
  scriptOperation(operation: ScriptedOperation): void {
    this.scripted.push(operation);
  }

  /** The next send (email or SMS) answers this error; `afterAccepting`: it is taken first, as when the answer is lost on the way back. */
  fail(status: number, code: string, afterAccepting = false): void {
    this.failures.push({ status, code, afterAccepting });
  }

  /** The next SMS send answers 202 with this recipient not taken. */
  failSmsRecipient(httpStatusCode: number, errorMessage: string): void {
    this.smsItemFailures.push({ httpStatusCode, errorMessage });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const url = new URL(request.url ?? '/', 'http://peer');
    const denied = this.signatureProblem(request, url, body);
    if (denied) return this.error(response, 401, 'Denied', denied);
    this.signed.push({ method: request.method ?? '', path: url.pathname });
    if (request.method === 'POST' && url.pathname === '/emails:send') return this.sendEmail(request, url, body, response);
    const operation = /^\/emails\/operations\/([^/]+)$/.exec(url.pathname);
    if (request.method === 'GET' && operation) return this.operation(decodeURIComponent(operation[1]), url, response);
    if (request.method === 'POST' && url.pathname === '/sms') return this.sendSms(url, body, response);
    return this.error(response, 404, 'NotFound', 'The requested resource was not found');
  }

  private signatureProblem(request: IncomingMessage, url: URL, body: Buffer): string | undefined {
    const date = headerValue(request.headers, 'x-ms-date');
    const contentHash = headerValue(request.headers, 'x-ms-content-sha256');
    const authorization = headerValue(request.headers, 'authorization');
    if (!date || !contentHash || !authorization) return 'The request is not signed (x-ms-date, x-ms-content-sha256 and Authorization are required)';
    if (Math.abs(Date.parse(date) - Date.now()) > CLOCK_SKEW_MS) return 'x-ms-date is outside the allowed clock skew';
    if (createHash('sha256').update(body).digest('base64') !== contentHash) return 'x-ms-content-sha256 does not match the body';
    const match = /^HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=(.+)$/.exec(authorization);
    if (!match) return 'The Authorization header is not an HMAC-SHA256 signature over x-ms-date;host;x-ms-content-sha256';
    const stringToSign = `${request.method}\n${url.pathname}${url.search}\n${date};${request.headers.host};${contentHash}`;
    const expected = createHmac('sha256', this.accessKey).update(stringToSign, 'utf8').digest();
    const given = Buffer.from(match[1], 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected) ? undefined : 'The signature does not match';
  }

  private sendEmail(request: IncomingMessage, url: URL, body: Buffer, response: ServerResponse): void {
    if (url.searchParams.get('api-version') !== EMAIL_API_VERSION) return this.error(response, 400, 'InvalidApiVersion', 'Unsupported api-version');
    const operationId = headerValue(request.headers, 'operation-id');
    this.emailRequests.push({ operationId, body: body.toString('utf8') });
    const failure = this.failures.shift();
    if (failure && !failure.afterAccepting) return this.error(response, failure.status, failure.code, 'Scripted failure');
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch {
      return this.error(response, 400, 'InvalidRequestBody', 'The body is not JSON');
    }
    const problem = emailProblem(parsed);
    if (problem) return this.error(response, 400, 'InvalidRequest', problem);
    const existing = operationId ? this.operations.get(operationId) : undefined;
    if (existing && existing.body !== body.toString('utf8')) return this.error(response, 409, 'Conflict', 'An operation with this Operation-Id exists with another request');
    const operation = existing ?? this.accept(operationId ?? randomUUID(), parsed, body.toString('utf8'));
    if (failure) return this.error(response, failure.status, failure.code, 'Scripted failure after accepting');
    response
      .writeHead(202, {
        'content-type': 'application/json',
        'operation-location': `${this.url}/emails/operations/${operation.id}?api-version=${EMAIL_API_VERSION}`,
        'retry-after': String(this.retryAfterSeconds),
        'operation-id': operation.id,
      })
      .end(JSON.stringify({ id: operation.id, status: 'Running' }));
  }

  private accept(id: string, request: Record<string, unknown>, body: string): AcsEmailOperation {
    const operation: AcsEmailOperation = { id, request, body, polls: [], status: 'Running' };
    this.operations.set(id, operation);
    return operation;
  }

  private operation(id: string, url: URL, response: ServerResponse): void {
    if (url.searchParams.get('api-version') !== EMAIL_API_VERSION) return this.error(response, 400, 'InvalidApiVersion', 'Unsupported api-version');
    const operation = this.operations.get(id);
    if (!operation) return this.error(response, 404, 'NotFound', `Operation ${id} not found`);
    let ending = this.endings.get(id);
    if (!ending) {
      ending = this.scripted.shift() ?? { pollsBeforeEnd: 0, outcome: 'Succeeded' };
      this.endings.set(id, ending);
    }
    operation.polls.push(Date.now());
    if (operation.polls.length > ending.pollsBeforeEnd) operation.status = ending.outcome;
    const answer: Record<string, unknown> = { id, status: operation.status };
    if (operation.status === 'Failed') answer.error = ending.error ?? { code: 'InternalError', message: 'The email could not be sent' };
    response.writeHead(200, { 'content-type': 'application/json', 'retry-after': String(this.retryAfterSeconds) }).end(JSON.stringify(answer));
  }

  private sendSms(url: URL, body: Buffer, response: ServerResponse): void {
    if (url.searchParams.get('api-version') !== SMS_API_VERSION) return this.error(response, 400, 'InvalidApiVersion', 'Unsupported api-version');
    const failure = this.failures.shift();
    if (failure && !failure.afterAccepting) return this.error(response, failure.status, failure.code, 'Scripted failure');
    let parsed: { from?: unknown; message?: unknown; smsRecipients?: unknown; smsSendOptions?: unknown };
    try {
      parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
    } catch {
      return this.error(response, 400, 'InvalidRequestBody', 'The body is not JSON');
    }
    this.smsRequests.push(parsed as Record<string, unknown>);
    const recipients = Array.isArray(parsed.smsRecipients) ? (parsed.smsRecipients as Array<Record<string, unknown>>) : [];
    if (typeof parsed.from !== 'string' || typeof parsed.message !== 'string' || recipients.length === 0) {
      return this.error(response, 400, 'InvalidRequest', 'from, message and smsRecipients are required');
    }
    const items = recipients.map((recipient) => {
      const to = String(recipient.to);
      if (!/^\+[1-9]\d{6,14}$/.test(to)) return { to, httpStatusCode: 400, successful: false, errorMessage: 'Invalid To phone number format.', repeatabilityResult: 'accepted' };
      const requestId = typeof recipient.repeatabilityRequestId === 'string' ? recipient.repeatabilityRequestId : undefined;
      const firstSent = typeof recipient.repeatabilityFirstSent === 'string' ? recipient.repeatabilityFirstSent : undefined;
      if (requestId && !firstSent) return { to, httpStatusCode: 400, successful: false, errorMessage: 'repeatabilityFirstSent is required with repeatabilityRequestId' };
      const repeated = requestId ? this.sms.find((sent) => sent.repeatabilityRequestId === requestId) : undefined;
      if (repeated) return repeated.item;
      const itemFailure = this.smsItemFailures.shift();
      if (itemFailure) return { to, ...itemFailure, successful: false, repeatabilityResult: 'accepted' };
      const item = {
        to,
        messageId: `Outgoing_${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}_${randomUUID()}_noam`,
        httpStatusCode: 202,
        repeatabilityResult: 'accepted',
        successful: true,
      };
      this.sms.push({
        messageId: item.messageId,
        at: Date.now(),
        request: parsed as Record<string, unknown>,
        repeatabilityRequestId: requestId ?? '',
        repeatabilityFirstSent: firstSent ?? '',
        item,
      });
      return item;
    });
    if (failure) return this.error(response, failure.status, failure.code, 'Scripted failure after accepting');
    response.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ value: items }));
  }

  private error(response: ServerResponse, status: number, code: string, message: string): void {
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code, message } }));
  }
}

/** What the EmailMessage schema requires of a send. */
function emailProblem(request: Record<string, unknown>): string | undefined {
  if (typeof request.senderAddress !== 'string' || !request.senderAddress.includes('@')) return 'senderAddress is required';
  const content = request.content as { subject?: unknown; plainText?: unknown; html?: unknown } | undefined;
  if (typeof content?.subject !== 'string') return 'content.subject is required';
  if (content.plainText === undefined && content.html === undefined) return 'content needs plainText or html';
  const recipients = request.recipients as { to?: unknown; cc?: unknown; bcc?: unknown } | undefined;
  const all = [recipients?.to, recipients?.cc, recipients?.bcc].flatMap((list) => (Array.isArray(list) ? list : []));
  if (all.length === 0) return 'recipients needs at least one address';
  if (!all.every((entry) => typeof (entry as { address?: unknown }).address === 'string')) return 'every recipient needs an address';
  const attachments = request.attachments;
  if (attachments !== undefined) {
    if (!Array.isArray(attachments)) return 'attachments must be an array';
    for (const attachment of attachments as Array<Record<string, unknown>>) {
      if (typeof attachment.name !== 'string' || typeof attachment.contentType !== 'string' || typeof attachment.contentInBase64 !== 'string') {
        return 'each attachment needs name, contentType and contentInBase64';
      }
    }
  }
  return undefined;
}
