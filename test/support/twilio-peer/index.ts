import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TwilioMessageRequest {
  accountSid: string;
  form: Record<string, string>;
}

/**
 * Twilio's Messages API as its documentation describes it: `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`,
 * form-encoded, HTTP Basic with the account SID (or an API key) and the auth token; 201 with the message
 * resource as JSON; errors as `{code, message, more_info, status}`. `GET /2010-04-01/Accounts.json` answers
 * the connection's test. `fail(status, code)` scripts the next answers.
 */
export class TwilioPeer {
  readonly messages: TwilioMessageRequest[] = [];
  private readonly failures: Array<{ status: number; code: number }> = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly accountSid: string,
    private readonly authToken: string,
  ) {}

  static async start(accountSid: string, authToken: string): Promise<TwilioPeer> {
    const holder: { peer?: TwilioPeer } = {};
    const server = createServer((request, response) => void holder.peer!.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    holder.peer = new TwilioPeer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, accountSid, authToken);
    return holder.peer;
  }

  fail(status: number, code: number): void {
    this.failures.push({ status, code });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const expected = `Basic ${Buffer.from(`${this.accountSid}:${this.authToken}`).toString('base64')}`;
    if (request.headers.authorization !== expected) return this.error(response, 401, 20003, 'Authenticate');
    if (request.method === 'GET' && request.url?.startsWith('/2010-04-01/Accounts.json')) {
      return this.json(response, 200, { accounts: [{ sid: this.accountSid, status: 'active' }] });
    }
    const match = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(request.url ?? '');
    if (request.method !== 'POST' || !match) return this.error(response, 404, 20404, 'The requested resource was not found');
    if (!String(request.headers['content-type']).startsWith('application/x-www-form-urlencoded')) return this.error(response, 400, 21601, 'Invalid content type');
    const failure = this.failures.shift();
    if (failure) return this.error(response, failure.status, failure.code, 'Scripted failure');
    const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    if (!form.To || !form.Body || !(form.From || form.MessagingServiceSid)) return this.error(response, 400, 21604, "A 'To' phone number is required.");
    this.messages.push({ accountSid: match[1], form });
    const sid = `SM${randomBytes(16).toString('hex')}`;
    return this.json(response, 201, { sid, account_sid: match[1], to: form.To, from: form.From ?? null, body: form.Body, status: 'queued', num_segments: '1', error_code: null });
  }

  private json(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  private error(response: ServerResponse, status: number, code: number, message: string): void {
    this.json(response, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
  }
}
