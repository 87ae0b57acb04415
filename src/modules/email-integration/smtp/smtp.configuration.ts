import type { SocketDestination } from '../../../platform/egress/egress-sockets';

export const SMTP_SECURITY = ['tls', 'starttls', 'none'] as const;
export type SmtpSecurity = (typeof SMTP_SECURITY)[number];

/** A connection's SMTP settings (its `configuration`). */
export interface SmtpConfiguration {
  host: string;
  port: number;
  /** `tls`: TLS from the first byte (465); `starttls`: plain, upgraded by STARTTLS before anything else is sent (587); `none`: no TLS at all. */
  security: SmtpSecurity;
  /** Certificates are checked unless this is false. */
  rejectUnauthorized: boolean;
  /** PEM of a private CA the server's certificate is issued by (kept in configuration, not a secret). */
  ca?: string;
  /** Pooled connections to the server per connection and process. */
  maxConnections: number;
  /** Messages sent on one pooled connection before it is replaced. */
  maxMessages: number;
  /** The name this platform gives itself in EHLO. */
  clientName?: string;
}

const DEFAULT_PORTS: Readonly<Record<SmtpSecurity, number>> = { tls: 465, starttls: 587, none: 25 };
const HOST = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$|^\d{1,3}(\.\d{1,3}){3}$|^\[[0-9A-Fa-f:.]+\]$/;

/** Problems with a connection's SMTP configuration, in words a caller can act on. */
export function smtpConfigurationProblems(configuration: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  const { host, port, security, rejectUnauthorized, ca, maxConnections, maxMessages, clientName } = configuration;
  if (typeof host !== 'string' || !HOST.test(host)) problems.push('configuration.host must be the SMTP server’s host name or IP address');
  if (port !== undefined && (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65_535)) problems.push('configuration.port must be a TCP port (1–65535)');
  if (security !== undefined && !(SMTP_SECURITY as readonly unknown[]).includes(security)) problems.push(`configuration.security must be one of: ${SMTP_SECURITY.join(', ')}`);
  if (rejectUnauthorized !== undefined && typeof rejectUnauthorized !== 'boolean') problems.push('configuration.rejectUnauthorized must be a boolean');
  if (ca !== undefined && (typeof ca !== 'string' || !ca.includes('-----BEGIN CERTIFICATE-----'))) problems.push('configuration.ca must be a PEM certificate');
  if (maxConnections !== undefined && (!Number.isInteger(maxConnections) || (maxConnections as number) < 1 || (maxConnections as number) > 50)) {
    problems.push('configuration.maxConnections must be an integer from 1 to 50');
  }
  if (maxMessages !== undefined && (!Number.isInteger(maxMessages) || (maxMessages as number) < 1 || (maxMessages as number) > 100_000)) {
    problems.push('configuration.maxMessages must be an integer from 1 to 100000');
  }
  if (clientName !== undefined && (typeof clientName !== 'string' || !HOST.test(clientName))) problems.push('configuration.clientName must be a host name');
  return problems;
}

export function smtpConfigurationOf(configuration: Readonly<Record<string, unknown>>): SmtpConfiguration {
  const security = (configuration.security as SmtpSecurity | undefined) ?? 'starttls';
  return {
    host: configuration.host as string,
    port: (configuration.port as number | undefined) ?? DEFAULT_PORTS[security],
    security,
    rejectUnauthorized: configuration.rejectUnauthorized !== false,
    ...(typeof configuration.ca === 'string' ? { ca: configuration.ca } : {}),
    maxConnections: (configuration.maxConnections as number | undefined) ?? 5,
    maxMessages: (configuration.maxMessages as number | undefined) ?? 100,
    ...(typeof configuration.clientName === 'string' ? { clientName: configuration.clientName } : {}),
  };
}

/** The nodemailer transport settings of a configuration; sockets come from `openSocket` (the egress policy), credentials from the vault. */
export function transportOptions(
  smtp: SmtpConfiguration,
  auth: { user: string; pass: string } | undefined,
  openSocket: (destination: SocketDestination) => Promise<import('node:net').Socket>,
  timeoutMs: number,
) {
  return {
    host: smtp.host.replace(/^\[|\]$/g, ''),
    port: smtp.port,
    secure: smtp.security === 'tls',
    requireTLS: smtp.security === 'starttls',
    ignoreTLS: smtp.security === 'none',
    tls: { rejectUnauthorized: smtp.rejectUnauthorized, ...(smtp.ca ? { ca: smtp.ca } : {}), minVersion: 'TLSv1.2' as const },
    ...(auth ? { auth } : {}),
    ...(smtp.clientName ? { name: smtp.clientName } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: Math.max(timeoutMs, 30_000),
    logger: false,
    debug: false,
    // nodemailer's own socket opening is replaced: the socket is the egress policy's.
    getSocket: (options: { host?: string; port?: number }, callback: (error: Error | null, socket?: { connection: import('node:net').Socket }) => void) => {
      openSocket({ host: options.host ?? smtp.host, port: options.port ?? smtp.port, timeoutMs }).then(
        (connection) => callback(null, { connection }),
        (error: Error) => callback(error),
      );
    },
  };
}

/** `user:password` (split on the first colon), as the basic auth mode stores it. */
export function smtpAuthOf(secret: string | undefined): { user: string; pass: string } | undefined {
  if (secret === undefined) return undefined;
  const colon = secret.indexOf(':');
  return colon === -1 ? { user: secret, pass: '' } : { user: secret.slice(0, colon), pass: secret.slice(colon + 1) };
}
