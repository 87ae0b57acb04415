import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { ConnectionProfile } from '../../../platform/integrations/connections/connection-profile';
import { GovernedHttpClient } from '../../../platform/integrations/governed/governed-http-client';
import { IntegrationError } from '../../../platform/resilience/failure-classifier';
import { McpConnectorOptions } from '../mcp-connector.options';
import { mcpConfigurationOf } from '../mcp.configuration';
import { GovernedExchange, governedFetch } from '../../../platform/integrations/governed/governed-fetch';
import { mcpClient } from './mcp-client';
import { isSessionGone, mcpFailure } from './mcp-failures';
import type { McpTool } from './mcp-tools';

/** One initialized MCP session of a connection, and what it learned (its tools, until the server says they changed). */
export interface McpSession {
  readonly client: Client;
  tools?: { readonly list: McpTool[]; readonly at: number };
  lastUsedAt: number;
}

/** The exchanges made on behalf of one caller's request, so it can name the run of its tools/call. */
const exchanges = new AsyncLocalStorage<GovernedExchange[]>();

/**
 * MCP sessions per connection: initialized once and reused (the transport keeps `mcp-session-id`),
 * initialized again when the server has dropped the session, bounded (least recently used closed first),
 * closed when idle, when their connection is retired or its credential changes, and at shutdown. Every
 * exchange of a session is a governed call on its connection.
 */
@Injectable()
export class McpSessions implements OnModuleDestroy {
  private readonly logger = new Logger(McpSessions.name);
  private readonly sessions = new Map<string, Promise<McpSession>>();
  private readonly sweep: NodeJS.Timeout;

  constructor(
    private readonly governed: GovernedHttpClient,
    private readonly options: McpConnectorOptions,
  ) {
    this.sweep = setInterval(() => this.closeIdle(), Math.min(options.sessionIdleTimeoutMs, 60_000)).unref();
  }

  /**
   * Runs `work` on the connection's session, opening one if needed. A session the server has dropped
   * (HTTP 404) is opened again and the work done once more. Failures come out as IntegrationErrors.
   */
  async use<T>(profile: ConnectionProfile, work: (session: McpSession) => Promise<T>): Promise<{ result: T; exchanges: GovernedExchange[] }> {
    const key = sessionKey(profile);
    const recorded: GovernedExchange[] = [];
    const attempt = async () => {
      const session = await this.open(key, profile);
      session.lastUsedAt = Date.now();
      return exchanges.run(recorded, () => work(session));
    };
    try {
      return { result: await attempt(), exchanges: recorded };
    } catch (error) {
      if (!isSessionGone(error)) throw mcpFailure(error, profile.connection.id);
      await this.close(key);
      try {
        return { result: await attempt(), exchanges: recorded };
      } catch (again) {
        throw mcpFailure(again, profile.connection.id);
      }
    }
  }

  async closeConnection(profile: Pick<ConnectionProfile, 'connection'>): Promise<void> {
    for (const key of [...this.sessions.keys()]) if (key.startsWith(`${profile.connection.tenantId}\u0000${profile.connection.id}\u0000`)) await this.close(key);
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.sweep);
    await Promise.all([...this.sessions.keys()].map((key) => this.close(key)));
  }

  private open(key: string, profile: ConnectionProfile): Promise<McpSession> {
    let session = this.sessions.get(key);
    if (session) {
      // Most recently used last: the first key is the one to close when the pool is full.
      this.sessions.delete(key);
      this.sessions.set(key, session);
    } else {
      if (this.sessions.size >= this.options.maxSessions) void this.close(this.leastRecentlyUsed());
      session = this.connect(profile).then((client) => {
        const opened: McpSession = { client, lastUsedAt: Date.now() };
        client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
          opened.tools = undefined;
        });
        return opened;
      });
      // A failed initialize is not kept: the next caller tries again.
      session.catch(() => this.sessions.delete(key));
      this.sessions.set(key, session);
    }
    return session;
  }

  private async connect(profile: ConnectionProfile): Promise<Client> {
    const configuration = mcpConfigurationOf(profile.connection.configuration);
    if (!configuration) throw IntegrationError.validation('mcp_url_missing', `Connection ${profile.connection.id} has no MCP server URL (configuration.url)`);
    const fetch = governedFetch(this.governed, {
      tenantId: profile.connection.tenantId,
      connectionId: profile.connection.id,
      endpoint: configuration.url,
      purpose: 'call',
      operationPrefix: 'mcp',
      timeoutMs: this.options.requestTimeoutMs,
      idleTimeoutMs: this.options.sessionIdleTimeoutMs,
      onExchange: (exchange) => exchanges.getStore()?.push(exchange),
    });
    const { client, transport } = mcpClient(configuration, fetch);
    client.onerror = (error) => this.logger.debug({ msg: 'MCP session error', connectionId: profile.connection.id, error: error.name });
    await client.connect(transport, { timeout: this.options.requestTimeoutMs });
    return client;
  }

  private async close(key: string): Promise<void> {
    const session = this.sessions.get(key);
    this.sessions.delete(key);
    if (!session) return;
    try {
      const { client } = await session;
      await client.close();
    } catch {
      // A session that never opened, or whose server is gone: nothing left to close.
    }
  }

  private leastRecentlyUsed(): string {
    return this.sessions.keys().next().value as string;
  }

  private closeIdle(): void {
    const cutoff = Date.now() - this.options.sessionIdleTimeoutMs;
    for (const [key, session] of this.sessions) {
      void session.then(
        (opened) => (opened.lastUsedAt < cutoff ? this.close(key) : undefined),
        () => undefined,
      );
    }
  }
}

/** Per tenant, connection and credential version: a rotated credential opens a new session. */
function sessionKey(profile: ConnectionProfile): string {
  return `${profile.connection.tenantId}\u0000${profile.connection.id}\u0000${profile.credential?.secretVersion ?? '-'}`;
}
