import { createServer, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface ReceivedRequest {
  readonly at: number;
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** Which of the receiver's secrets verified the request (standardwebhooks), or the error. */
  readonly verified: boolean;
  readonly verifyError?: string;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  delayMs?: number;
}

/** A local webhook receiver that verifies every request with the standardwebhooks library. */
export class Receiver {
  readonly requests: ReceivedRequest[] = [];
  secrets: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  connections = 0;
  private server!: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly answer: (index: number, request: IncomingMessage) => Answer = () => ({ status: 200, body: 'ok' })) {}

  static async start(answer?: (index: number, request: IncomingMessage) => Answer, host = '127.0.0.1'): Promise<Receiver> {
    const receiver = new Receiver(answer);
    receiver.server = createServer((request, response) => void receiver.handle(request, response));
    receiver.server.on('connection', (socket) => {
      receiver.connections += 1;
      receiver.sockets.add(socket);
      socket.on('close', () => receiver.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      receiver.server.once('error', reject);
      receiver.server.listen(0, host, () => resolve());
    });
    return receiver;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  url(path = '/hooks/in'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const index = this.requests.length;
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    let verified = false;
    let verifyError: string | undefined;
    for (const secret of this.secrets) {
      try {
        new Webhook(secret).verify(body, request.headers as Record<string, string>);
        verified = true;
        break;
      } catch (error) {
        verifyError = String(error);
      }
    }
    this.requests.push({ at: Date.now(), method: request.method!, url: request.url!, headers: request.headers, body, verified, verifyError });
    const answer = this.answer(index, request);
    if (answer.delayMs) await pause(answer.delayMs);
    this.inFlight -= 1;
    if (response.destroyed) return;
    response.writeHead(answer.status, answer.headers ?? {});
    response.end(answer.body ?? '');
  }
}
