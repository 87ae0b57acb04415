import { randomUUID } from 'node:crypto';
import { createServer, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer, RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { headerValue, readBody, writeResponse } from '../peer-http';
import { CancelledCall, registerExtraTool, registerStandardTools, ToolCall, ToolObserver } from './tools';

export interface McpPeerOptions {
  /** Requires `Authorization: Bearer <token>`. */
  bearerToken?: string;
  /** With `apiKey`: requires this header to carry the key. */
  apiKeyHeader?: string;
  apiKey?: string;
  /** Answers every request 401: a server that refuses everything. */
  requireAuth401?: boolean;
  /** Sessions idle this long are forgotten (then 404 Session not found). */
  sessionTtlMs?: number;
  /** The interface to listen on (default 127.0.0.1). */
  host?: string;
}

export interface McpRecordedRequest {
  readonly method: string;
  readonly sessionId: string | undefined;
  /** The JSON-RPC method of a POST (the first of a batch; 'response' for a client's answer), 'GET-stream' or 'DELETE'. */
  readonly jsonrpcMethod: string;
  readonly headers: IncomingHttpHeaders;
  readonly at: number;
}

interface Session {
  readonly server: McpServer;
  readonly transport: StreamableHTTPServerTransport;
  readonly extraTools: Map<string, RegisteredTool>;
  lastSeen: number;
}

const MCP_PATH = '/mcp';

function jsonRpcError(status: number, code: number, message: string, headers: Record<string, string> = {}) {
  return { status, headers, body: { jsonrpc: '2.0', error: { code, message }, id: null } };
}

function firstMethod(body: unknown): string {
  const first: unknown = Array.isArray(body) ? body[0] : body;
  if (first && typeof first === 'object' && 'method' in first && typeof first.method === 'string') return first.method;
  return 'response';
}

/**
 * An MCP tool server over Streamable HTTP, built from the official SDK: one `McpServer` and one
 * stateful transport per session, kept by `mcp-session-id`, with the tools of `./tools`, optional
 * bearer or API-key auth, idle expiry, and logs of requests, tool calls and cancellations.
 */
export class McpPeer implements ToolObserver {
  readonly requests: McpRecordedRequest[] = [];
  readonly toolCalls: ToolCall[] = [];
  readonly cancelledCalls: CancelledCall[] = [];
  private initializationCount = 0;
  private openStreamCount = 0;
  private readonly sessions = new Map<string, Session>();
  private readonly extraToolNames = new Set<string>();
  private readonly server: Server;
  private readonly host: string;

  private constructor(private readonly options: McpPeerOptions) {
    this.host = options.host ?? '127.0.0.1';
    // The standalone GET stream stays open for the whole session.
    this.server = createServer({ requestTimeout: 0, headersTimeout: 0 });
    this.server.on('request', (incoming: IncomingMessage, response: ServerResponse) => {
      this.onRequest(incoming, response).catch((error: unknown) => {
        if (!response.headersSent) writeResponse(response, jsonRpcError(500, -32603, String(error)));
        else response.end();
      });
    });
  }

  static async start(options: McpPeerOptions = {}): Promise<McpPeer> {
    const peer = new McpPeer(options);
    await new Promise<void>((resolve, reject) => {
      peer.server.once('error', reject);
      peer.server.listen({ port: 0, host: peer.host }, () => resolve());
    });
    return peer;
  }

  get url(): string {
    const host = this.host === '0.0.0.0' || this.host === '::' ? '127.0.0.1' : this.host.includes(':') ? `[${this.host}]` : this.host;
    return `http://${host}:${(this.server.address() as AddressInfo).port}${MCP_PATH}`;
  }

  get initializations(): number {
    return this.initializationCount;
  }

  /** Standalone GET streams currently open. */
  get openStreams(): number {
    return this.openStreamCount;
  }

  get sessionIds(): string[] {
    return [...this.sessions.keys()];
  }

  called(call: ToolCall): void {
    this.toolCalls.push(call);
  }

  cancelled(call: CancelledCall): void {
    this.cancelledCalls.push(call);
  }

  /** Registers a trivial tool on every live session (each sends notifications/tools/list_changed) and on future ones. */
  addTool(name: string): void {
    this.extraToolNames.add(name);
    for (const session of this.sessions.values()) {
      if (!session.extraTools.has(name)) session.extraTools.set(name, registerExtraTool(session.server, name, this));
    }
  }

  /** Removes a tool `addTool` added, from every live session (each sends notifications/tools/list_changed). */
  removeTool(name: string): void {
    this.extraToolNames.delete(name);
    for (const session of this.sessions.values()) {
      session.extraTools.get(name)?.remove();
      session.extraTools.delete(name);
    }
  }

  /** Forgets every session: their next request meets 404 Session not found. */
  async expireSessions(): Promise<void> {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(sessions.map((session) => session.server.close().catch(() => undefined)));
  }

  /** Forgets the logs and counts (sessions and added tools stay). */
  reset(): void {
    this.requests.length = 0;
    this.toolCalls.length = 0;
    this.cancelledCalls.length = 0;
    this.initializationCount = 0;
  }

  async close(): Promise<void> {
    await this.expireSessions();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private async onRequest(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = incoming.method ?? 'GET';
    const raw = await readBody(incoming);
    let body: unknown = undefined;
    if (method === 'POST' && raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        writeResponse(response, jsonRpcError(400, -32700, 'Parse error'));
        return;
      }
    }
    const sessionId = headerValue(incoming.headers, 'mcp-session-id');
    const jsonrpcMethod = method === 'POST' ? firstMethod(body) : method === 'GET' ? 'GET-stream' : method;
    this.requests.push({ method, sessionId, jsonrpcMethod, headers: { ...incoming.headers }, at: Date.now() });

    if (new URL(incoming.url ?? '/', 'http://mcp-peer.invalid').pathname !== MCP_PATH) {
      writeResponse(response, jsonRpcError(404, -32601, 'Not found'));
      return;
    }
    const refusal = this.refusal(incoming.headers);
    if (refusal) {
      writeResponse(response, refusal);
      return;
    }

    if (sessionId !== undefined) {
      const session = this.liveSession(sessionId);
      if (!session) {
        writeResponse(response, jsonRpcError(404, -32001, 'Session not found'));
        return;
      }
      session.lastSeen = Date.now();
      if (method === 'GET') this.followStream(response);
      await session.transport.handleRequest(incoming, response, body);
      return;
    }
    const initializing = method === 'POST' && (Array.isArray(body) ? body.some((message) => isInitializeRequest(message)) : isInitializeRequest(body));
    if (!initializing) {
      writeResponse(response, jsonRpcError(400, -32000, 'Bad Request: No valid session ID provided'));
      return;
    }
    this.initializationCount++;
    await (await this.openSession()).transport.handleRequest(incoming, response, body);
  }

  private refusal(headers: IncomingHttpHeaders) {
    const unauthorized = (message: string) => jsonRpcError(401, -32001, message, { 'www-authenticate': 'Bearer error="invalid_token"' });
    if (this.options.requireAuth401) return unauthorized('Unauthorized');
    const { bearerToken, apiKeyHeader, apiKey } = this.options;
    if (bearerToken !== undefined && headerValue(headers, 'authorization') !== `Bearer ${bearerToken}`) return unauthorized('Invalid or missing bearer token');
    if (apiKeyHeader !== undefined && apiKey !== undefined && headerValue(headers, apiKeyHeader) !== apiKey) return unauthorized(`Invalid or missing ${apiKeyHeader}`);
    return undefined;
  }

  private liveSession(sessionId: string): Session | undefined {
    const session = this.sessions.get(sessionId);
    if (!session) return undefined;
    const ttl = this.options.sessionTtlMs;
    if (ttl !== undefined && Date.now() - session.lastSeen > ttl) {
      this.sessions.delete(sessionId);
      void session.server.close().catch(() => undefined);
      return undefined;
    }
    return session;
  }

  private async openSession(): Promise<Session> {
    const server = new McpServer({ name: 'mcp-peer', version: '1.0.0' }, { capabilities: { tools: { listChanged: true } } });
    const extraTools = new Map<string, RegisteredTool>();
    registerStandardTools(server, this);
    for (const name of this.extraToolNames) extraTools.set(name, registerExtraTool(server, name, this));
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        this.sessions.set(id, session);
      },
    });
    const session: Session = { server, transport, extraTools, lastSeen: Date.now() };
    transport.onclose = () => {
      const id = transport.sessionId;
      if (id !== undefined && this.sessions.get(id) === session) this.sessions.delete(id);
    };
    // connect() starts the transport; handleRequest then answers initialize.
    await server.connect(transport);
    return session;
  }

  private followStream(response: ServerResponse): void {
    this.openStreamCount++;
    response.once('close', () => this.openStreamCount--);
  }
}
