import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, SMTPServerOptions } from 'smtp-server';

const TEST_CA_DIR = join(__dirname, '..', '..', '..', '.tmp', 'test-ca');

export interface SmtpPeerOptions {
  /** `tls`: TLS from the first byte; `starttls`: STARTTLS offered; `none`: no TLS. */
  security: 'tls' | 'starttls' | 'none';
  user: string;
  password: string;
}

export interface ReceivedMail {
  envelope: { from: string; to: string[] };
  secure: boolean;
  user: string | undefined;
  mail: ParsedMail;
}

/**
 * A real SMTP server (smtp-server) with the test CA's certificate for 127.0.0.1: AUTH PLAIN/LOGIN against
 * one user, every accepted message parsed with mailparser. `reject(code)` scripts the reply to the next
 * messages' DATA (a 451 to defer, a 550 to refuse).
 */
export class SmtpPeer {
  readonly received: ReceivedMail[] = [];
  readonly logins: Array<{ user: string; accepted: boolean }> = [];
  private readonly replies: number[] = [];

  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
  ) {}

  static async start(options: SmtpPeerOptions): Promise<SmtpPeer> {
    // The server's callbacks reach the peer, which exists once the server listens.
    const self: { peer?: SmtpPeer } = {};
    const settings: SMTPServerOptions = {
      secure: options.security === 'tls',
      disabledCommands: options.security === 'none' ? ['STARTTLS'] : [],
      key: readFileSync(join(TEST_CA_DIR, 'server-key.pem')),
      cert: readFileSync(join(TEST_CA_DIR, 'server.pem')),
      authMethods: ['PLAIN', 'LOGIN'],
      allowInsecureAuth: options.security === 'none',
      size: 25 * 1024 * 1024,
      logger: false,
      onAuth: (auth, _session, callback) => {
        const accepted = auth.username === options.user && auth.password === options.password;
        self.peer!.logins.push({ user: auth.username ?? '', accepted });
        if (!accepted) return callback(new Error('Invalid username or password'));
        callback(null, { user: auth.username });
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const reply = self.peer!.replies.shift();
          if (reply !== undefined) return callback(Object.assign(new Error(`Scripted reply ${reply}`), { responseCode: reply }));
          simpleParser(Buffer.concat(chunks)).then(
            (mail) => {
              self.peer!.received.push({
                envelope: { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((rcpt) => rcpt.address) },
                secure: session.secure,
                user: session.user as string | undefined,
                mail,
              });
              callback();
            },
            (error: Error) => callback(error),
          );
        });
      },
    };
    const server = new SMTPServer(settings);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self.peer = new SmtpPeer(server, (server.server.address() as AddressInfo).port);
    return self.peer;
  }

  /** The next messages' DATA is answered with these codes, in order. */
  reject(...codes: number[]): void {
    this.replies.push(...codes);
  }

  bySubject(subject: string): ReceivedMail[] {
    return this.received.filter((received) => received.mail.subject === subject);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
