import { createServer, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer, headerValue, jsonResponse, listenLocally, PeerResponse, QueryObject, queryToObject, readBody, withHeaders, writeResponse } from '../peer-http';
import { PeerTicket, PeerUser, zendeskTime, ZendeskState } from './state';

/** An API token of a Zendesk agent: Basic `{email}/token:{token}`. */
export interface ApiToken {
  email: string;
  token: string;
}

export interface ZendeskPeerOptions {
  apiTokens?: ApiToken[];
  /** OAuth access tokens (Bearer), each acting as the first agent. */
  oauthTokens?: string[];
  /** Requests per minute per account (X-Rate-Limit); default 700. */
  rateLimit?: number;
  /** Tickets per page of the incremental export when the request names no per_page (Zendesk: 1000). */
  exportPageSize?: number;
}

export interface RecordedZendeskRequest {
  readonly method: string;
  readonly path: string;
  readonly query: QueryObject;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

const ERROR = (status: number, error: string, description?: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): PeerResponse =>
  jsonResponse(status, { error, ...(description === undefined ? {} : { description }), ...extra }, headers);
const NOT_FOUND = () => ERROR(404, 'RecordNotFound', 'Not found');
const INCREMENTAL_PATH = '/api/v2/incremental/tickets/cursor.json';
const LIST_PATHS = [/^\/api\/v2\/tickets\/\d+\/comments\.json$/, /^\/api\/v2\/users\/search\.json$/, /^\/api\/v2\/incremental\//];

/**
 * A local server speaking Zendesk Support API v2's wire format for what the Zendesk module uses: Basic
 * `{email}/token:{api_token}` and Bearer (OAuth) auth, `{"error", "description"}` error bodies, the
 * account's per-minute rate limit (`X-Rate-Limit`, `X-Rate-Limit-Remaining` on every answer, and
 * `ratelimit-*` on list endpoints; 429 with `Retry-After` once spent or when scripted), cursor pagination
 * (`page[size]`, `page[after]`, `meta.has_more`, `meta.after_cursor`, `links.next`) and, on user search, offset
 * pagination (`page`, `per_page`, `next_page`, `count`), and the cursor-based
 * incremental ticket export (`start_time`, then `cursor`, `end_of_stream`).
 */
export class ZendeskPeer {
  readonly requests: RecordedZendeskRequest[] = [];
  readonly state: ZendeskState;
  /** The account's first agent: the API tokens' (and OAuth tokens') user. */
  agent!: PeerUser;
  private readonly apiTokens: ApiToken[];
  private readonly oauthTokens: Set<string>;
  private readonly rateLimit: number;
  exportPageSize: number;
  private window = { startedAt: 0, used: 0 };
  private scriptedLimits: number[] = [];

  private constructor(
    private readonly server: Server,
    options: ZendeskPeerOptions,
  ) {
    this.apiTokens = [...(options.apiTokens ?? [])];
    this.oauthTokens = new Set(options.oauthTokens ?? []);
    this.rateLimit = options.rateLimit ?? 700;
    this.exportPageSize = options.exportPageSize ?? 1000;
    this.state = new ZendeskState(() => this.url);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      this.onRequest(request, response).catch((error: unknown) => writeResponse(response, ERROR(500, 'InternalError', String(error))));
    });
  }

  static async start(options: ZendeskPeerOptions = {}): Promise<ZendeskPeer> {
    const server = createServer();
    const peer = new ZendeskPeer(server, options);
    await listenLocally(server);
    // Users' API URLs name the server, so they exist once it listens.
    peer.agent = peer.state.addUser({ name: 'Peer Agent', email: peer.apiTokens[0]?.email ?? 'agent@example.com', role: 'admin' });
    for (const token of peer.apiTokens.slice(1)) if (!peer.state.userByEmail(token.email)) peer.state.addUser({ name: token.email, email: token.email, role: 'agent' });
    return peer;
  }

  /** The account origin: what a connection's configuration.baseUrl is (https://{subdomain}.zendesk.com in production). */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The next `count` requests answer 429 with `Retry-After: retryAfterSeconds` (an endpoint's own limit, say). */
  rateLimitNext(count: number, retryAfterSeconds: number): void {
    for (let index = 0; index < count; index++) this.scriptedLimits.push(retryAfterSeconds);
  }

  /** Accepts another agent's API token from now on (the agent is created when the peer does not know it). */
  acceptApiToken(email: string, token: string): void {
    this.apiTokens.push({ email, token });
    if (!this.state.userByEmail(email)) this.state.addUser({ name: email, email, role: 'agent' });
  }

  revokeApiToken(token: string): void {
    const index = this.apiTokens.findIndex((candidate) => candidate.token === token);
    if (index >= 0) this.apiTokens.splice(index, 1);
  }

  /** Tickets as if created in Zendesk's UI, `count` of them, changed one second apart from `from` (epoch ms). */
  seedTickets(count: number, from: number): PeerTicket[] {
    const requester = this.state.addUser({ name: 'Seeded Requester', email: `requester-${this.state.id()}@example.com` }, from);
    return Array.from({ length: count }, (_, index) =>
      this.state.addTicket(
        { subject: `Seeded ${index + 1}`, description: `Seeded ticket ${index + 1}`, status: 'open', requester_id: requester.id, submitter_id: requester.id },
        from + index * 1000,
      ),
    );
  }

  requestsTo(path: string, method?: string): RecordedZendeskRequest[] {
    return this.requests.filter((request) => request.path === path && (!method || request.method === method));
  }

  clearRequests(): void {
    this.requests.length = 0;
    this.scriptedLimits = [];
  }

  async close(): Promise<void> {
    await closeServer(this.server);
  }

  private async onRequest(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(incoming);
    const url = new URL(incoming.url ?? '/', 'http://zendesk-peer.invalid');
    const method = incoming.method ?? 'GET';
    this.requests.push({ method, path: url.pathname, query: queryToObject(url.searchParams), headers: { ...incoming.headers }, body: body.toString('utf8') });
    writeResponse(response, this.answer(method, url, incoming.headers, body));
  }

  private answer(method: string, url: URL, headers: IncomingHttpHeaders, body: Buffer): PeerResponse {
    const user = this.authenticated(headers);
    if (!user) return ERROR(401, "Couldn't authenticate you");
    const now = Date.now();
    // The minute starts at the first request after the last one ended (deterministic for tests; Zendesk's is a sliding minute).
    if (now - this.window.startedAt >= 60_000) this.window = { startedAt: now, used: 0 };
    const resetSeconds = Math.max(1, Math.ceil((this.window.startedAt + 60_000 - now) / 1000));
    const scripted = this.scriptedLimits.shift();
    const spent = this.window.used >= this.rateLimit;
    if (scripted !== undefined || spent) {
      const wait = scripted ?? resetSeconds;
      return ERROR(
        429,
        'APIRateLimitExceeded',
        'Number of allowed API requests per minute exceeded',
        {},
        { 'retry-after': String(wait), ...this.limitHeaders(url.pathname, 0, wait) },
      );
    }
    this.window.used += 1;
    const answer = this.route(method, url, body, user, now);
    return withHeaders(answer, this.limitHeaders(url.pathname, this.rateLimit - this.window.used, resetSeconds));
  }

  private limitHeaders(path: string, remaining: number, resetSeconds: number): Record<string, string> {
    const headers: Record<string, string> = { 'x-rate-limit': String(this.rateLimit), 'x-rate-limit-remaining': String(Math.max(0, remaining)), 'x-zendesk-api-version': 'v2' };
    if (LIST_PATHS.some((pattern) => pattern.test(path))) {
      Object.assign(headers, { 'ratelimit-limit': String(this.rateLimit), 'ratelimit-remaining': String(Math.max(0, remaining)), 'ratelimit-reset': String(resetSeconds) });
    }
    return headers;
  }

  private authenticated(headers: IncomingHttpHeaders): PeerUser | undefined {
    const authorization = headerValue(headers, 'authorization') ?? '';
    const bearer = /^Bearer (\S+)$/.exec(authorization);
    if (bearer) return this.oauthTokens.has(bearer[1]) ? this.agent : undefined;
    const basic = /^Basic ([A-Za-z0-9+/=]+)$/.exec(authorization);
    if (!basic) return undefined;
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const match = /^(.+)\/token:(.+)$/.exec(decoded);
    if (!match) return undefined; // passwords are not accepted: the account allows API tokens only
    const token = this.apiTokens.find((candidate) => candidate.email === match[1] && candidate.token === match[2]);
    return token ? this.state.userByEmail(token.email) : undefined;
  }

  private route(method: string, url: URL, raw: Buffer, user: PeerUser, now: number): PeerResponse {
    const path = url.pathname;
    const json = (): Record<string, unknown> | undefined => {
      try {
        const parsed = JSON.parse(raw.toString('utf8')) as unknown;
        return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
      } catch {
        return undefined;
      }
    };
    if (path === '/api/v2/users/me.json' && method === 'GET') return jsonResponse(200, { user });
    if (path === '/api/v2/tickets.json' && method === 'POST') return this.createTicket(json(), user, now);
    const ticketPath = /^\/api\/v2\/tickets\/(\d+)\.json$/.exec(path);
    if (ticketPath && method === 'GET') {
      const ticket = this.state.ticket(Number(ticketPath[1]));
      return ticket ? jsonResponse(200, { ticket: publicTicket(ticket) }) : NOT_FOUND();
    }
    if (ticketPath && method === 'PUT') return this.updateTicket(Number(ticketPath[1]), json(), user, now);
    const commentsPath = /^\/api\/v2\/tickets\/(\d+)\/comments\.json$/.exec(path);
    if (commentsPath && method === 'GET') {
      const ticket = this.state.ticket(Number(commentsPath[1]));
      if (!ticket) return NOT_FOUND();
      return this.cursorPage(url, 'comments', this.state.comments.get(ticket.id) ?? []);
    }
    if (path === '/api/v2/users/search.json' && method === 'GET') return this.searchUsers(url);
    if (path === INCREMENTAL_PATH && method === 'GET') return this.incrementalExport(url, now);
    return ERROR(404, 'InvalidEndpoint', 'Not found');
  }

  private createTicket(body: Record<string, unknown> | undefined, user: PeerUser, now: number): PeerResponse {
    const input = body?.ticket as Record<string, unknown> | undefined;
    if (!input || typeof input !== 'object') return ERROR(400, 'InvalidJSON', 'The request body must be {"ticket": {...}}');
    const comment = input.comment as { body?: string; html_body?: string; public?: boolean; author_id?: number } | undefined;
    if (!comment || (typeof comment.body !== 'string' && typeof comment.html_body !== 'string')) {
      return ERROR(422, 'RecordInvalid', 'Record validation errors', { details: { description: [{ description: 'Description: cannot be blank', error: 'BlankValue' }] } });
    }
    let requester = user;
    if (typeof input.requester_id === 'number') {
      const found = this.state.user(input.requester_id);
      if (!found) return ERROR(422, 'RecordInvalid', 'Record validation errors', { details: { requester: [{ description: 'Requester: is invalid', error: 'InvalidValue' }] } });
      requester = found;
    } else if (typeof input.requester === 'object' && input.requester !== null) {
      const { email, name } = input.requester as { email?: string; name?: string };
      if (typeof email !== 'string') return ERROR(422, 'RecordInvalid', 'Record validation errors', { details: { requester: [{ description: 'Requester: email is required' }] } });
      requester = this.state.userByEmail(email) ?? this.state.addUser({ name: name ?? email, email }, now);
    }
    const fields = this.ticketFields(input);
    if ('error' in fields) return fields.error;
    const ticket = this.state.addTicket({ ...fields.values, requester_id: requester.id, submitter_id: typeof input.submitter_id === 'number' ? input.submitter_id : user.id }, now);
    ticket.raw_subject = ticket.subject;
    const auditId = this.state.id();
    const added = this.state.addComment(
      ticket,
      { author_id: comment.author_id ?? requester.id, body: comment.body, html_body: comment.html_body, public: comment.public },
      auditId,
      now,
    );
    ticket.description = added.plain_body;
    return jsonResponse(201, { ticket: publicTicket(ticket), audit: audit(ticket, auditId, user, [{ ...added, attachments: [] }], now) }, { location: ticket.url });
  }

  private updateTicket(id: number, body: Record<string, unknown> | undefined, user: PeerUser, now: number): PeerResponse {
    const ticket = this.state.ticket(id);
    if (!ticket) return NOT_FOUND();
    const input = body?.ticket as Record<string, unknown> | undefined;
    if (!input || typeof input !== 'object') return ERROR(400, 'InvalidJSON', 'The request body must be {"ticket": {...}}');
    if (input.safe_update === true && input.updated_stamp !== ticket.updated_at) {
      return ERROR(409, 'UpdateConflict', 'Safe Update prevented the update due to outdated ticket data. Please fetch the latest ticket data and try again.');
    }
    if (ticket.status === 'closed')
      return ERROR(422, 'RecordInvalid', 'Record validation errors', { details: { status: [{ description: 'Status: closed prevents ticket update' }] } });
    const fields = this.ticketFields(input);
    if ('error' in fields) return fields.error;
    const events: unknown[] = [];
    for (const [name, value] of Object.entries(fields.values)) {
      events.push({ id: this.state.id(), type: 'Change', field_name: name, value, previous_value: (ticket as unknown as Record<string, unknown>)[name] ?? null });
    }
    Object.assign(ticket, fields.values);
    const auditId = this.state.id();
    const comment = input.comment as { body?: string; html_body?: string; public?: boolean; author_id?: number } | undefined;
    if (comment !== undefined) {
      if (typeof comment.body !== 'string' && typeof comment.html_body !== 'string') {
        return ERROR(422, 'RecordInvalid', 'Record validation errors', { details: { comment: [{ description: 'Comment: body cannot be blank' }] } });
      }
      const added = this.state.addComment(
        ticket,
        { author_id: comment.author_id ?? user.id, body: comment.body, html_body: comment.html_body, public: comment.public },
        auditId,
        now,
      );
      events.unshift({ ...added });
      if (ticket.status === 'new' && fields.values.status === undefined) ticket.status = 'open';
    }
    this.state.touch(ticket, now);
    return jsonResponse(200, { ticket: publicTicket(ticket), audit: audit(ticket, auditId, user, events, now) });
  }

  private ticketFields(input: Record<string, unknown>): { values: Partial<PeerTicket> } | { error: PeerResponse } {
    const values: Partial<PeerTicket> = {};
    const invalid = (field: string) => ({
      error: ERROR(422, 'RecordInvalid', 'Record validation errors', { details: { [field]: [{ description: `${field}: is invalid`, error: 'InvalidValue' }] } }),
    });
    const oneOf = (field: keyof PeerTicket, allowed: readonly string[]) => {
      const value = input[field];
      if (value === undefined) return true;
      if (typeof value !== 'string' || !allowed.includes(value)) return false;
      (values as Record<string, unknown>)[field] = value;
      return true;
    };
    if (!oneOf('priority', ['urgent', 'high', 'normal', 'low'])) return invalid('priority');
    if (!oneOf('type', ['problem', 'incident', 'question', 'task'])) return invalid('type');
    if (!oneOf('status', ['new', 'open', 'pending', 'hold', 'solved', 'closed'])) return invalid('status');
    if (typeof input.subject === 'string') values.subject = values.raw_subject = input.subject;
    if (Array.isArray(input.tags)) values.tags = [...new Set(input.tags.map((tag) => String(tag).toLowerCase()))];
    if (typeof input.external_id === 'string') values.external_id = input.external_id;
    if (Array.isArray(input.custom_fields)) values.custom_fields = input.custom_fields as PeerTicket['custom_fields'];
    for (const field of ['assignee_id', 'group_id', 'organization_id'] as const) {
      if (input[field] === undefined) continue;
      if (typeof input[field] !== 'number') return invalid(field);
      values[field] = input[field] as number;
    }
    if (typeof values.assignee_id === 'number' && this.state.user(values.assignee_id)?.role === 'end-user') return invalid('assignee_id');
    if (typeof input.due_at === 'string') values.due_at = input.due_at;
    return { values };
  }

  private searchUsers(url: URL): PeerResponse {
    const query = url.searchParams.get('query');
    const externalId = url.searchParams.get('external_id');
    if (query === null && externalId === null) return ERROR(400, 'InvalidParameter', 'query or external_id is required');
    const matches = this.state.users.filter((user) => {
      if (externalId !== null) return user.external_id === externalId;
      const term = query!.trim().toLowerCase();
      const [field, value] = term.includes(':') ? (term.split(/:(.*)/s) as [string, string]) : [undefined, term];
      if (field === 'email') return user.email?.toLowerCase() === value;
      if (field === 'role') return user.role === value;
      return user.name.toLowerCase().includes(value) || (user.email ?? '').toLowerCase().includes(value);
    });
    return this.offsetPage(url, 'users', matches);
  }

  /** Offset pagination (`page`, `per_page`, `next_page`, `count`): what the search endpoints take; they refuse `page[size]`. */
  private offsetPage<T>(url: URL, key: string, items: readonly T[]): PeerResponse {
    const pageText = url.searchParams.get('page') ?? '1';
    if (!/^\d+$/.test(pageText) || [...url.searchParams.keys()].some((name) => name.startsWith('page['))) {
      return jsonResponse(400, {
        error: {
          title: 'Invalid attribute',
          message: `You passed an invalid value for the page attribute. Invalid parameter: page must be an integer from ${url.pathname.slice(1)}`,
        },
      });
    }
    const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? '100'));
    const page = Math.max(1, Number(pageText));
    const link = (number: number) => {
      const target = new URL(`${this.url}${url.pathname}`);
      for (const [name, value] of url.searchParams) target.searchParams.set(name, value);
      target.searchParams.set('page', String(number));
      target.searchParams.set('per_page', String(perPage));
      return target.toString();
    };
    const slice = items.slice((page - 1) * perPage, page * perPage);
    return jsonResponse(200, {
      [key]: slice,
      next_page: page * perPage < items.length ? link(page + 1) : null,
      previous_page: page > 1 ? link(page - 1) : null,
      count: items.length,
    });
  }

  /** Cursor pagination (developer.zendesk.com/api-reference/introduction/pagination): the cursor is the position after the last item. */
  private cursorPage<T extends { id: number }>(url: URL, key: string, items: readonly T[]): PeerResponse {
    const sizeText = url.searchParams.get('page[size]');
    const size = sizeText === null ? 100 : Number(sizeText);
    if (!Number.isInteger(size) || size < 1 || size > 100) return ERROR(400, 'InvalidPaginationParameter', 'page[size] must be between 1 and 100');
    const after = url.searchParams.get('page[after]');
    let start = 0;
    if (after !== null) {
      const position = decodeCursor(after);
      if (position === undefined) return ERROR(400, 'InvalidPaginationParameter', 'Invalid cursor');
      start = items.findIndex((item) => item.id > position);
      if (start < 0) start = items.length;
    }
    const page = items.slice(start, start + size);
    const hasMore = start + size < items.length;
    const afterCursor = page.length > 0 ? encodeCursor(page[page.length - 1].id) : null;
    const beforeCursor = page.length > 0 ? encodeCursor(page[0].id) : null;
    const link = (cursor: string | null, direction: 'after' | 'before') => {
      if (cursor === null) return null;
      const next = new URL(`${this.url}${url.pathname}`);
      for (const [name, value] of url.searchParams) if (!name.startsWith('page[')) next.searchParams.set(name, value);
      next.searchParams.set(`page[${direction}]`, cursor);
      next.searchParams.set('page[size]', String(size));
      return next.toString();
    };
    return jsonResponse(200, {
      [key]: page,
      meta: { has_more: hasMore, after_cursor: afterCursor, before_cursor: beforeCursor },
      links: { prev: link(beforeCursor, 'before'), next: hasMore ? link(afterCursor, 'after') : null },
    });
  }

  /** developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/#incremental-ticket-export-cursor-based */
  private incrementalExport(url: URL, now: number): PeerResponse {
    const cursorText = url.searchParams.get('cursor');
    const startText = url.searchParams.get('start_time');
    const perPage = url.searchParams.has('per_page') ? Number(url.searchParams.get('per_page')) : this.exportPageSize;
    let position: { t: number; id: number };
    if (cursorText !== null) {
      const decoded = decodeExportCursor(cursorText);
      if (!decoded) return ERROR(400, 'InvalidPaginationParameter', 'Invalid cursor');
      position = decoded;
    } else if (startText !== null && /^\d+$/.test(startText)) {
      const start = Number(startText);
      if (start > Math.floor(now / 1000) - 60) return ERROR(400, 'InvalidValue', 'Too recent start_time. Use a start_time older than 1 minute');
      position = { t: start, id: 0 };
    } else {
      return ERROR(400, 'InvalidValue', 'start_time or cursor is required');
    }
    const ordered = [...this.state.tickets].sort((a, b) => a.generated_timestamp - b.generated_timestamp || a.id - b.id);
    const after = ordered.filter((ticket) => ticket.generated_timestamp > position.t || (ticket.generated_timestamp === position.t && ticket.id >= position.id));
    const page = after.slice(0, perPage);
    const endOfStream = page.length === after.length;
    const last = page[page.length - 1];
    const next = last ? { t: last.generated_timestamp, id: last.id + 1 } : position;
    const afterCursor = encodeExportCursor(next);
    return jsonResponse(200, {
      tickets: page.map((ticket) => ({ ...ticket })),
      after_url: `${this.url}${INCREMENTAL_PATH}?cursor=${encodeURIComponent(afterCursor)}`,
      after_cursor: afterCursor,
      before_url: null,
      before_cursor: null,
      end_of_stream: endOfStream,
    });
  }
}

/** A ticket as the Tickets API answers it (the export adds generated_timestamp). */
function publicTicket(ticket: PeerTicket): Omit<PeerTicket, 'generated_timestamp'> {
  const { generated_timestamp: _exportOnly, ...answer } = ticket;
  return answer;
}

function audit(ticket: PeerTicket, id: number, author: PeerUser, events: unknown[], at: number) {
  return { id, ticket_id: ticket.id, created_at: zendeskTime(at), author_id: author.id, metadata: { system: {}, custom: {} }, via: { channel: 'api' }, events };
}

function encodeCursor(id: number): string {
  return Buffer.from(JSON.stringify({ o: 'id', v: id })).toString('base64');
}

function decodeCursor(cursor: string): number | undefined {
  try {
    const value = (JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')) as { v?: unknown }).v;
    return typeof value === 'number' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Zendesk's export cursors look like base64 of `<timestamp>.0||<id>|`. */
function encodeExportCursor(position: { t: number; id: number }): string {
  return Buffer.from(`${position.t}.0||${position.id}|`).toString('base64');
}

function decodeExportCursor(cursor: string): { t: number; id: number } | undefined {
  const match = /^(\d+)\.0\|\|(\d+)\|$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  return match ? { t: Number(match[1]), id: Number(match[2]) } : undefined;
}

export function startZendeskPeer(options: ZendeskPeerOptions = {}): Promise<ZendeskPeer> {
  return ZendeskPeer.start(options);
}
