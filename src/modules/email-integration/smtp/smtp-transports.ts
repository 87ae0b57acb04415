import { createHash } from 'node:crypto';
import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import { EgressSockets } from '../../../platform/egress/egress-sockets';
import type { GovernedSession } from '../../../platform/integrations/governed/governed-http-client';
import { smtpAuthOf, smtpConfigurationOf, transportOptions } from './smtp.configuration';

const IDLE_MS = 5 * 60_000;
const MAX_TRANSPORTS = 1000;
const CONNECT_TIMEOUT_MS = 10_000;

interface PooledTransport {
  /** A promise, so that concurrent first sends share the one pool being created. */
  transport: Promise<Transporter>;
  usedAt: number;
}

/**
 * One pooled nodemailer transport per connection (its configuration and credential version): messages
 * reuse its SMTP connections, whose sockets the egress policy opened. A rotated credential or a changed
 * configuration gets a new pool; idle pools are closed.
 */
@Injectable()
export class SmtpTransports implements OnModuleDestroy {
  private readonly pools = new Map<string, PooledTransport>();
  private readonly sweeper = setInterval(() => this.closeIdle(), 60_000).unref();

  constructor(private readonly sockets: EgressSockets) {}

  for(session: GovernedSession): Promise<Transporter> {
    const { connection, credential } = session.profile;
    const key = [connection.tenantId, connection.id, credential?.secretVersion ?? '-', configurationHash(connection.configuration)].join('\n');
    const pooled = this.pools.get(key);
    if (pooled) {
      pooled.usedAt = Date.now();
      return pooled.transport;
    }
    this.retireOlder(connection.id);
    if (this.pools.size >= MAX_TRANSPORTS) this.closeOldest();
    const transport = this.create(session);
    this.pools.set(key, { transport, usedAt: Date.now() });
    // A pool that could not be created (the credential unreadable) is not kept: the next send tries again.
    transport.catch(() => this.pools.delete(key));
    return transport;
  }

  private async create(session: GovernedSession): Promise<Transporter> {
    const smtp = smtpConfigurationOf(session.profile.connection.configuration);
    return createTransport({
      ...transportOptions(smtp, smtpAuthOf(await session.secret()), (destination) => this.sockets.connect(destination), CONNECT_TIMEOUT_MS),
      pool: true,
      maxConnections: smtp.maxConnections,
      maxMessages: smtp.maxMessages,
    });
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
    for (const { transport } of this.pools.values()) close(transport);
    this.pools.clear();
  }

  /** A connection has one pool at a time: the one of its current credential version and configuration. */
  private retireOlder(connectionId: string): void {
    for (const [key, { transport }] of this.pools) {
      if (key.split('\n')[1] === connectionId) {
        close(transport);
        this.pools.delete(key);
      }
    }
  }

  private closeIdle(): void {
    const cutoff = Date.now() - IDLE_MS;
    for (const [key, { transport, usedAt }] of this.pools) {
      if (usedAt < cutoff) {
        close(transport);
        this.pools.delete(key);
      }
    }
  }

  private closeOldest(): void {
    const [oldest] = [...this.pools].sort(([, a], [, b]) => a.usedAt - b.usedAt);
    if (!oldest) return;
    close(oldest[1].transport);
    this.pools.delete(oldest[0]);
  }
}

function close(transport: Promise<Transporter>): void {
  transport.then(
    (created) => created.close(),
    () => undefined,
  );
}

/** A resolved connection's configuration is never mutated (a change resolves to a new object), so its hash is worked out once, not per message. */
const configurationHashes = new WeakMap<Readonly<Record<string, unknown>>, string>();

function configurationHash(configuration: Readonly<Record<string, unknown>>): string {
  let hash = configurationHashes.get(configuration);
  if (hash === undefined) {
    hash = createHash('sha256').update(JSON.stringify(configuration)).digest('hex').slice(0, 16);
    configurationHashes.set(configuration, hash);
  }
  return hash;
}
