import { createHmac } from 'node:crypto';
import { DataSource } from 'typeorm';
import { dumpStore, REGISTRY_SCOPES, TenantApi, until, waitFor, WEBHOOK_SCOPES } from './support/governed-api';
import { InProcessPlatform, startInProcess } from './support/platform-app';
import { newJwtSecret } from './support/tokens';
import { Receiver } from './support/webhook-receiver';
import { startZendeskPeer, ZendeskPeer } from './support/zendesk-peer';

/**
 * The Zendesk module end to end against the Zendesk peer (Support API v2's wire format): a connection on
 * an API token (Basic `{email}/token:{token}`) or an OAuth token (Bearer), every operation under
 * /zendesk through the governed pipeline, cursor pagination, a 429 holding the connection's budget, the
 * tickets sync over the incremental cursor export, and signed Zendesk webhooks. One instance on SQLite.
 */

const EMAIL = 'agent@acme.example';
const API_TOKEN = 'zdApiToken6wLqT3vN8yXc2'; // the agent's API token
const BASIC_CREDENTIAL = `${EMAIL}/token:${API_TOKEN}`;
const OAUTH_TOKEN = 'zdOauthAccessToken0f9e8d7c';
const WEBHOOK_SECRET = 'zdWebhookSigningSecret5Hq2Lm9Rt4==';
const SCOPES = `${REGISTRY_SCOPES} ${WEBHOOK_SCOPES}`;

type Sync = {
  state: string;
  lastPass: { number: number; kind: string; pages: number; seen: number; created: number; updated: number; deleted: number } | null;
  lastError: unknown;
};

describe('Zendesk integration (one instance, SQLite)', () => {
  const jwtSecret = newJwtSecret();
  const transcript: string[] = [];
  let peer: ZendeskPeer;
  let platform: InProcessPlatform;
  let tenantA: TenantApi;
  let tenantB: TenantApi;
  let connectionId: string;

  const run = (api: TenantApi, connection: string, name: string, input: unknown, extra: Record<string, unknown> = {}) =>
    api.post(`/zendesk/connections/${connection}/operations/${name}`, { input, ...extra });

  const connect = async (api: TenantApi, name: string, value: string, configuration: Record<string, unknown>) => {
    const credentialId = await api.createCredential(name, value);
    const created = await api.post('/integrations/connections', { providerId: 'zendesk', displayName: name, credentialId, configuration });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'Active', lastTest: { passed: true } });
    return created.body.id as string;
  };

  beforeAll(async () => {
    peer = await startZendeskPeer({ apiTokens: [{ email: EMAIL, token: API_TOKEN }], oauthTokens: [OAUTH_TOKEN] });
    platform = await startInProcess({
      AUTH_JWT_SECRET: jwtSecret,
      EGRESS_ALLOW_LIST: '127.0.0.1',
      BUS_POLL_INTERVAL: '20ms',
      SYNC_TICK: '50ms',
      HEALTH_PROBE_INTERVAL: '1h',
    });
    tenantA = await TenantApi.create(platform.url, jwtSecret, 'tenant-zd-a', transcript, SCOPES);
    tenantB = await TenantApi.create(platform.url, jwtSecret, 'tenant-zd-b', transcript, SCOPES);
    connectionId = await connect(tenantA, 'zendesk-api-token', BASIC_CREDENTIAL, { baseUrl: peer.url });
  });

  afterAll(async () => {
    await platform?.close();
    await peer?.close();
  });

  afterEach(() => peer.clearRequests());

  describe('connections', () => {
    it('tests an API-token connection on /api/v2/users/me.json with Basic {email}/token:{token}; basic is the default auth', async () => {
      const connection = await tenantA.get(`/integrations/connections/${connectionId}`);
      expect(connection.body).toMatchObject({ status: 'Active', authMode: 'basic', providerId: 'zendesk' });
      expect((await tenantA.post(`/integrations/connections/${connectionId}/test`)).body).toMatchObject({ status: 'Active', lastTest: { passed: true, status: 200 } });
      const [probe] = peer.requestsTo('/api/v2/users/me.json');
      expect(probe.headers.authorization).toBe(`Basic ${Buffer.from(BASIC_CREDENTIAL).toString('base64')}`);
    });

    it('takes an OAuth access token as bearer', async () => {
      const oauth = await connect(tenantA, 'zendesk-oauth', OAUTH_TOKEN, { baseUrl: peer.url, auth: 'bearer' });
      const ticket = await run(tenantA, oauth, 'zendesk.tickets.create', { subject: 'Via OAuth', comment: { body: 'Sent with a bearer token' } });
      expect(ticket.status).toBe(200);
      expect(peer.requestsTo('/api/v2/tickets.json', 'POST')[0].headers.authorization).toBe(`Bearer ${OAUTH_TOKEN}`);
    });

    it('is not Active when Zendesk refuses the credential, and refuses a malformed subdomain', async () => {
      const credentialId = await tenantA.createCredential('zendesk-wrong', `${EMAIL}/token:not-the-token`);
      const created = await tenantA.post('/integrations/connections', { providerId: 'zendesk', displayName: 'wrong', credentialId, configuration: { baseUrl: peer.url } });
      expect(created.status).toBe(201);
      expect(created.body.status).not.toBe('Active');
      expect(created.body.lastTest).toMatchObject({ passed: false });

      const malformed = await tenantA.post('/integrations/connections', {
        providerId: 'zendesk',
        displayName: 'bad',
        credentialId,
        configuration: { subdomain: 'acme.zendesk.com' },
      });
      expect(malformed.status).toBe(400);
      expect(malformed.body.message).toContain('configuration.subdomain must be the Zendesk account subdomain');
    });
  });

  describe('operations', () => {
    it('lists the Zendesk operations with their schemas', async () => {
      const answer = await tenantA.get('/zendesk/operations');
      expect(answer.status).toBe(200);
      expect(answer.body.items.map((item: { name: string }) => item.name).sort()).toEqual(
        [
          'zendesk.tickets.create',
          'zendesk.tickets.get',
          'zendesk.tickets.update',
          'zendesk.tickets.comments.list',
          'zendesk.tickets.comments.create',
          'zendesk.users.search',
        ].sort(),
      );
      expect(answer.body.items.find((item: { name: string }) => item.name === 'zendesk.tickets.create')).toMatchObject({
        providerId: 'zendesk',
        effect: 'write',
        input: { type: 'object', required: ['comment'], additionalProperties: false },
        output: { type: 'object', properties: { id: { type: 'integer' }, status: { type: 'string' } } },
      });
    });

    it('creates, reads and updates a ticket, comments on it and finds its requester', async () => {
      const created = await run(tenantA, connectionId, 'zendesk.tickets.create', {
        subject: 'Printer on fire',
        comment: { body: 'The smoke is very colorful.' },
        requester: { email: 'jane@customer.example', name: 'Jane Customer' },
        priority: 'urgent',
        type: 'incident',
        tags: ['printer', 'fire'],
        externalId: 'crm-4711',
        customFields: [{ id: 360001, value: 'emea' }],
      });
      expect(created.status).toBe(200);
      const ticket = created.body.output;
      expect(ticket).toMatchObject({
        id: expect.any(Number),
        subject: 'Printer on fire',
        description: 'The smoke is very colorful.',
        status: 'new',
        priority: 'urgent',
        type: 'incident',
        tags: ['printer', 'fire'],
        externalId: 'crm-4711',
        customFields: [{ id: 360001, value: 'emea' }],
        submitterId: peer.agent.id,
      });
      const [sent] = peer.requestsTo('/api/v2/tickets.json', 'POST');
      expect(sent.headers['content-type']).toBe('application/json');
      expect(JSON.parse(sent.body)).toEqual({
        ticket: {
          subject: 'Printer on fire',
          priority: 'urgent',
          type: 'incident',
          tags: ['printer', 'fire'],
          external_id: 'crm-4711',
          custom_fields: [{ id: 360001, value: 'emea' }],
          comment: { body: 'The smoke is very colorful.', public: true },
          requester: { email: 'jane@customer.example', name: 'Jane Customer' },
        },
      });
      expect((await tenantA.get(`/integrations/runs/${created.body.runId}`)).body).toMatchObject({ operation: 'zendesk.tickets.create', state: 'Completed', responseStatus: 201 });

      const read = await run(tenantA, connectionId, 'zendesk.tickets.get', { ticketId: ticket.id });
      expect(read.body.output).toEqual(ticket);

      const updated = await run(tenantA, connectionId, 'zendesk.tickets.update', {
        ticketId: ticket.id,
        status: 'pending',
        assigneeId: peer.agent.id,
        updatedStamp: ticket.updatedAt,
      });
      expect(updated.status).toBe(200);
      expect(updated.body.output).toMatchObject({ id: ticket.id, status: 'pending', assigneeId: peer.agent.id });
      expect(JSON.parse(peer.requestsTo(`/api/v2/tickets/${ticket.id}.json`, 'PUT')[0].body)).toEqual({
        ticket: { status: 'pending', assignee_id: peer.agent.id, safe_update: true, updated_stamp: ticket.updatedAt },
      });

      const note = await run(tenantA, connectionId, 'zendesk.tickets.comments.create', { ticketId: ticket.id, body: 'Internal: replaced the toner', public: false });
      expect(note.status).toBe(200);
      expect(note.body.output).toMatchObject({
        ticketId: ticket.id,
        commentId: expect.any(Number),
        auditId: expect.any(Number),
        public: false,
        body: 'Internal: replaced the toner',
        authorId: peer.agent.id,
      });
      const reply = await run(tenantA, connectionId, 'zendesk.tickets.comments.create', { ticketId: ticket.id, htmlBody: '<p>Fixed, <b>sorry</b></p>', status: 'solved' });
      expect(reply.body.output).toMatchObject({ public: true, htmlBody: '<p>Fixed, <b>sorry</b></p>', status: 'solved' });

      const comments = await run(tenantA, connectionId, 'zendesk.tickets.comments.list', { ticketId: ticket.id });
      expect(comments.body.output).toMatchObject({ hasMore: false, afterCursor: null });
      expect(comments.body.output.items.map((comment: { plainBody: string; public: boolean }) => [comment.plainBody, comment.public])).toEqual([
        ['The smoke is very colorful.', true],
        ['Internal: replaced the toner', false],
        ['Fixed, sorry', true],
      ]);

      const found = await run(tenantA, connectionId, 'zendesk.users.search', { query: 'email:jane@customer.example' });
      expect(found.body.output).toEqual({
        nextPage: null,
        count: 1,
        items: [expect.objectContaining({ id: ticket.requesterId, name: 'Jane Customer', email: 'jane@customer.example', role: 'end-user', active: true })],
      });
      expect(peer.requestsTo('/api/v2/users/search.json')[0].query).toEqual({ query: 'email:jane@customer.example' });
    });

    it('pages a user search by page and per_page (offset pagination: Zendesk refuses page[size] there)', async () => {
      for (const name of ['Pat Alpha', 'Pat Beta', 'Pat Gamma']) peer.state.addUser({ name, email: `${name.split(' ')[1].toLowerCase()}@pat.example` });
      const first = await run(tenantA, connectionId, 'zendesk.users.search', { query: 'pat.example', perPage: 2 });
      expect(first.body.output).toMatchObject({ nextPage: 2, count: 3 });
      const second = await run(tenantA, connectionId, 'zendesk.users.search', { query: 'pat.example', perPage: 2, page: first.body.output.nextPage });
      expect(second.body.output).toMatchObject({ nextPage: null, count: 3 });
      expect([...first.body.output.items, ...second.body.output.items].map((user: { name: string }) => user.name)).toEqual(['Pat Alpha', 'Pat Beta', 'Pat Gamma']);
      expect(peer.requestsTo('/api/v2/users/search.json').map((request) => request.query)).toEqual([
        { query: 'pat.example', per_page: '2' },
        { query: 'pat.example', per_page: '2', page: '2' },
      ]);
    });

    it('pages a ticket’s comments with page[size] and page[after] until has_more is false', async () => {
      const ticket = (await run(tenantA, connectionId, 'zendesk.tickets.create', { subject: 'Chatty', comment: { body: 'Comment 1' } })).body.output;
      for (let index = 2; index <= 5; index++)
        expect((await run(tenantA, connectionId, 'zendesk.tickets.comments.create', { ticketId: ticket.id, body: `Comment ${index}` })).status).toBe(200);
      const seen: string[] = [];
      const pages: Array<{ hasMore: boolean; afterCursor: string | null }> = [];
      let after: string | undefined;
      do {
        const page = await run(tenantA, connectionId, 'zendesk.tickets.comments.list', { ticketId: ticket.id, pageSize: 2, ...(after ? { after } : {}) });
        expect(page.status).toBe(200);
        seen.push(...page.body.output.items.map((comment: { body: string }) => comment.body));
        pages.push({ hasMore: page.body.output.hasMore, afterCursor: page.body.output.afterCursor });
        after = page.body.output.afterCursor ?? undefined;
      } while (after);
      expect(seen).toEqual(['Comment 1', 'Comment 2', 'Comment 3', 'Comment 4', 'Comment 5']);
      expect(pages.map((page) => page.hasMore)).toEqual([true, true, false]);
      const sent = peer.requestsTo(`/api/v2/tickets/${ticket.id}/comments.json`);
      expect(sent.map((request) => request.query['page[size]'])).toEqual(['2', '2', '2']);
      expect(sent[0].query['page[after]']).toBeUndefined();
      expect(sent[1].query['page[after]']).toBe(pages[0].afterCursor);
    });

    it('creates a ticket asynchronously: 202 with the run, executed from the bus, once per idempotency key', async () => {
      const input = { subject: 'Queued', comment: { body: 'Created from the bus' } };
      const submitted = await run(tenantA, connectionId, 'zendesk.tickets.create', input, { async: true, idempotencyKey: 'zd-async-1' });
      expect(submitted.status).toBe(202);
      expect(submitted.body.run).toMatchObject({ state: 'Pending', mode: 'async', operation: 'zendesk.tickets.create', idempotencyKey: 'zd-async-1' });
      const again = await run(tenantA, connectionId, 'zendesk.tickets.create', input, { async: true, idempotencyKey: 'zd-async-1' });
      expect(again.body.runId).toBe(submitted.body.runId);
      expect(await tenantA.runIn(submitted.body.runId, ['Completed', 'Failed', 'Retrying'])).toMatchObject({ state: 'Completed', responseStatus: 201 });
      const [created] = peer.requestsTo('/api/v2/tickets.json', 'POST');
      expect(peer.requestsTo('/api/v2/tickets.json', 'POST')).toHaveLength(1);
      // The run's key travels as Zendesk's Idempotency-Key, so Zendesk itself drops a repeat.
      expect(created.headers['idempotency-key']).toBe('zd-async-1');
      expect(peer.state.tickets.filter((ticket) => ticket.subject === 'Queued')).toHaveLength(1);
    }, 20_000);

    it('answers 400 naming the field for input that fails the schema, before any call', async () => {
      const answer = await run(tenantA, connectionId, 'zendesk.tickets.create', { subject: 'No comment' });
      expect(answer.status).toBe(400);
      expect(answer.body.message).toContain("input must have required property 'comment'");
      expect((await run(tenantA, connectionId, 'zendesk.tickets.get', { ticketId: '1/../2' })).body.message).toContain('input/ticketId must be integer');
      expect(peer.requests).toEqual([]);
    });

    it('passes Zendesk’s 404, 409 and 422 through with Zendesk’s error', async () => {
      const missing = await run(tenantA, connectionId, 'zendesk.tickets.get', { ticketId: 999_999 });
      expect(missing.status).toBe(404);
      expect(missing.body.message).toBe('Zendesk answered HTTP 404: RecordNotFound');

      const ticket = (await run(tenantA, connectionId, 'zendesk.tickets.create', { subject: 'Stale', comment: { body: 'x' } })).body.output;
      await run(tenantA, connectionId, 'zendesk.tickets.comments.create', { ticketId: ticket.id, body: 'moves updated_at' });
      const conflict = await run(tenantA, connectionId, 'zendesk.tickets.update', { ticketId: ticket.id, priority: 'low', updatedStamp: '2001-01-01T00:00:00Z' });
      expect(conflict.status).toBe(409);
      expect(conflict.body.message).toBe('Zendesk answered HTTP 409: UpdateConflict');

      const invalid = await run(tenantA, connectionId, 'zendesk.tickets.create', { comment: { body: 'x' }, requesterId: 424242 });
      expect(invalid.status).toBe(422);
      expect(invalid.body.message).toBe('Zendesk answered HTTP 422: RecordInvalid');
    });

    it('answers 502 naming auth when Zendesk stops accepting the API token', async () => {
      const email = 'second@acme.example';
      const token = 'zdSecondTokenRevokedLater';
      const second = await ZendeskPeerScope.withToken(peer, email, token, () => connect(tenantA, 'zendesk-revoked', `${email}/token:${token}`, { baseUrl: peer.url }));
      const refused = await run(tenantA, second, 'zendesk.tickets.get', { ticketId: 1 });
      expect(refused.status).toBe(502);
      expect(refused.body.message).toBe("Zendesk refused the connection's credential (auth; HTTP 401: Couldn't authenticate you)");
      expect(refused.text).not.toContain(token);
    });

    it('keeps tenants apart: another tenant’s connection is not found, and runs nothing', async () => {
      const answer = await run(tenantB, connectionId, 'zendesk.tickets.get', { ticketId: 1 });
      expect(answer.status).toBe(404);
      expect(answer.body.message).toContain(connectionId);
      expect((await run(tenantB, connectionId, 'zendesk.tickets.create', { comment: { body: 'x' } }, { async: true })).status).toBe(404);
      expect((await tenantB.get(`/integrations/connections/${connectionId}/syncs/tickets`)).status).toBe(404);
      expect(peer.requests).toEqual([]);
    });

    it('honours a 429: RateLimited with Zendesk’s Retry-After, and the connection’s budget held without calling Zendesk', async () => {
      const limited = await connect(tenantA, 'zendesk-limited', BASIC_CREDENTIAL, { baseUrl: peer.url });
      peer.rateLimitNext(1, 45);
      const answer = await run(tenantA, limited, 'zendesk.tickets.create', { subject: 'Too fast', comment: { body: 'x' } });
      expect(answer.status).toBe(429);
      expect(answer.headers.get('retry-after')).toBe('45');
      expect(answer.body.message).toContain('Zendesk rate limit reached (HTTP 429: APIRateLimitExceeded)');
      expect((await tenantA.get(`/integrations/runs/${answer.headers.get('x-integration-run-id')}`)).body).toMatchObject({
        state: 'Failed',
        responseStatus: 429,
        failure: { category: 'RateLimited' },
      });
      expect(peer.requests.at(-1)).toMatchObject({ method: 'POST', path: '/api/v2/tickets.json' });

      peer.clearRequests();
      const held = await run(tenantA, limited, 'zendesk.tickets.get', { ticketId: 1 });
      expect(held.status).toBe(429);
      expect(Number(held.headers.get('retry-after'))).toBeGreaterThan(30);
      expect(peer.requests).toEqual([]);
      // Another connection's budget is its own.
      expect((await run(tenantA, connectionId, 'zendesk.users.search', { query: 'jane' })).status).toBe(200);
    });
  });

  it('holds the budget when a list answer says the minute is spent (ratelimit-remaining: 0, ratelimit-reset), before any 429', async () => {
    const small = await startZendeskPeer({ apiTokens: [{ email: EMAIL, token: API_TOKEN }], rateLimit: 2 });
    try {
      const connection = await connect(tenantA, 'zendesk-small-account', BASIC_CREDENTIAL, { baseUrl: small.url });
      const last = await run(tenantA, connection, 'zendesk.users.search', { query: 'agent' });
      expect(last.status).toBe(200);
      expect(small.requests).toHaveLength(2);
      const held = await run(tenantA, connection, 'zendesk.users.search', { query: 'agent' });
      expect(held.status).toBe(429);
      expect(Number(held.headers.get('retry-after'))).toBeGreaterThan(30);
      expect(small.requests).toHaveLength(2);
    } finally {
      await small.close();
    }
  });

  describe('tickets sync (incremental cursor export)', () => {
    let exportPeer: ZendeskPeer;
    let syncConnection: string;
    const syncPath = () => `/integrations/connections/${syncConnection}/syncs/tickets`;
    const runPass = async (number: number): Promise<Sync> => {
      expect((await tenantA.post(`${syncPath()}/run`)).status).toBe(202);
      return until(
        async () => (await tenantA.get(syncPath())).body as Sync,
        (state) => (state.lastPass?.number ?? 0) >= number || state.state === 'Failed',
        20_000,
        `pass ${number} of tickets`,
      );
    };
    const records = async () => {
      const items: Array<{ externalId: string; deletedAt: string | null; data: Record<string, unknown> }> = [];
      let cursor: string | null = null;
      do {
        const answer = await tenantA.get(`${syncPath()}/records?limit=500${cursor ? `&cursor=${cursor}` : ''}`);
        items.push(...answer.body.items);
        cursor = answer.body.nextCursor;
      } while (cursor);
      return items;
    };

    beforeAll(async () => {
      // An account of its own: its tickets all changed hours ago, as the export's watermark needs.
      exportPeer = await startZendeskPeer({ apiTokens: [{ email: EMAIL, token: API_TOKEN }], exportPageSize: 4 });
      syncConnection = await connect(tenantA, 'zendesk-sync', BASIC_CREDENTIAL, { baseUrl: exportPeer.url });
    });
    afterAll(async () => {
      await exportPeer?.close();
    });

    it('pages the export to end_of_stream, then resumes from the watermark and picks up a ticket updated later', async () => {
      const twoHoursAgo = Date.now() - 2 * 3600_000;
      const seeded = exportPeer.seedTickets(10, twoHoursAgo);
      expect((await tenantA.request('PUT', syncPath(), { enabled: false, intervalMs: 3_600_000 })).status).toBe(200);

      const first = await runPass(1);
      // 10 tickets, 4 a page: 4, 4 and 2 (end_of_stream).
      expect(first).toMatchObject({ lastError: null, lastPass: { number: 1, kind: 'full', pages: 3, seen: 10, created: 10 } });
      const exports = exportPeer.requestsTo('/api/v2/incremental/tickets/cursor.json');
      expect(exports[0].query).toEqual({ start_time: '0' });
      expect(exports.slice(1).map((request) => Object.keys(request.query))).toEqual([['cursor'], ['cursor']]);
      const stored = await records();
      expect(stored.map((record) => Number(record.externalId)).sort((a, b) => a - b)).toEqual(seeded.map((ticket) => ticket.id));
      expect(stored[0].data).toMatchObject({ subject: expect.stringMatching(/^Seeded /), status: 'open' });

      exportPeer.clearRequests();
      const changed = seeded[2];
      changed.subject = 'Seeded 3, escalated';
      exportPeer.state.touch(changed, Date.now() - 3600_000);
      const second = await runPass(2);
      expect(second).toMatchObject({ lastError: null, lastPass: { number: 2, kind: 'incremental', created: 0, updated: 1 } });
      const [resumed] = exportPeer.requestsTo('/api/v2/incremental/tickets/cursor.json');
      // From the newest updated_at of the first pass (the last seeded ticket), not from zero.
      expect(resumed.query).toEqual({ start_time: String(Math.floor(Date.parse(seeded[9].updated_at) / 1000)) });
      expect((await records()).find((record) => record.externalId === String(changed.id))?.data).toMatchObject({ subject: 'Seeded 3, escalated' });
    });

    it('waits out the export’s 429 (Retry-After) at its checkpoint and completes the pass', async () => {
      const later = exportPeer.state.tickets[5];
      later.status = 'solved';
      exportPeer.state.touch(later, Date.now() - 1800_000);
      exportPeer.clearRequests();
      exportPeer.rateLimitNext(1, 1);
      const third = await runPass(3);
      expect(third).toMatchObject({ lastError: null, lastPass: { number: 3, kind: 'incremental', updated: 1 } });
      const exports = exportPeer.requestsTo('/api/v2/incremental/tickets/cursor.json');
      // The refused page is asked for again, from the same position, once Zendesk's wait is over.
      expect(exports.length).toBeGreaterThanOrEqual(2);
      expect(exports[1].query).toEqual(exports[0].query);
      expect((await records()).find((record) => record.externalId === String(later.id))?.data).toMatchObject({ status: 'solved' });
    });
  });

  describe('webhooks', () => {
    let receiver: Receiver;
    let inbound: string;
    const sign = (body: string, timestamp: string, secret = WEBHOOK_SECRET) =>
      createHmac('sha256', secret)
        .update(timestamp + body)
        .digest('base64');
    const ingest = (body: string, headers: Record<string, string>) =>
      fetch(`${platform.url}/webhooks/ingest/${inbound}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

    beforeAll(async () => {
      receiver = await Receiver.start();
      const secret = await tenantA.post('/integrations/credentials', { name: 'zendesk-webhook-secret', kind: 'webhook-secret', value: WEBHOOK_SECRET });
      const connection = await tenantA.post('/integrations/connections', {
        providerId: 'zendesk',
        displayName: 'Zendesk webhooks',
        webhook: { secretCredentialId: secret.body.id },
      });
      expect(connection.body).toMatchObject({ status: 'Active', credentialId: null });
      inbound = connection.body.id;
      const subscription = await tenantA.post('/webhooks/subscriptions', { url: receiver.url('/zendesk-events'), eventTypes: ['com.zendesk.*'] });
      expect(subscription.status).toBe(201);
      receiver.secrets = [subscription.body.secret];
    });
    afterAll(async () => {
      await receiver?.close();
    });

    it('accepts a signed event webhook and delivers it as com.zendesk.<event> about tickets/{id}', async () => {
      const body = JSON.stringify({
        type: 'zen:event-type:ticket.created',
        account_id: 22129848,
        id: 'c1d3e5f7-0a2b-4c6d-8e0f-1a2b3c4d5e6f',
        time: now(),
        zendesk_event_version: '2022-11-06',
        subject: 'zen:ticket:35',
        detail: { id: '35', subject: 'Printer on fire', status: 'NEW' },
        event: {},
      });
      const timestamp = now();
      const ingested = await ingest(body, {
        'x-zendesk-webhook-signature': sign(body, timestamp),
        'x-zendesk-webhook-signature-timestamp': timestamp,
        'x-zendesk-webhook-id': '01GQ9X',
      });
      expect(ingested.status).toBe(202);
      const accepted = (await ingested.json()) as { deliveryId: string };
      await waitFor(() => receiver.requests.length > 0, 10_000, 'the delivery to the com.zendesk.* subscription');
      const [delivered] = receiver.requests;
      expect(delivered.verified).toBe(true);
      const event = JSON.parse(delivered.body);
      expect(event).toMatchObject({
        type: 'com.zendesk.ticket.created',
        subject: 'tickets/35',
        tenantid: 'tenant-zd-a',
        data: { detail: { id: '35', subject: 'Printer on fire' } },
      });
      expect(JSON.stringify(event)).not.toContain(WEBHOOK_SECRET);

      // Zendesk retries with the same event id (signed anew): a duplicate of the same delivery.
      const retried = now();
      const again = await ingest(body, { 'x-zendesk-webhook-signature': sign(body, retried), 'x-zendesk-webhook-signature-timestamp': retried });
      expect(again.status).toBe(200);
      expect(await again.json()).toEqual({ deliveryId: accepted.deliveryId, duplicate: true });
    });

    it('accepts a trigger’s webhook (arbitrary JSON) as com.zendesk.webhook', async () => {
      const body = JSON.stringify({ ticket: { id: 812, title: 'Printer on fire', status: 'Open' } });
      const timestamp = now();
      const ingested = await ingest(body, { 'x-zendesk-webhook-signature': sign(body, timestamp), 'x-zendesk-webhook-signature-timestamp': timestamp });
      expect(ingested.status).toBe(202);
      await waitFor(() => receiver.requests.some((request) => JSON.parse(request.body).type === 'com.zendesk.webhook'), 10_000, 'the trigger webhook');
      const event = JSON.parse(receiver.requests.find((request) => JSON.parse(request.body).type === 'com.zendesk.webhook')!.body);
      expect(event).toMatchObject({ subject: 'tickets/812', data: { ticket: { id: 812 } } });
    });

    it('answers 401 to an unsigned, a wrongly signed or a stale webhook', async () => {
      const body = JSON.stringify({ type: 'zen:event-type:ticket.created', id: 'evt-unsigned', subject: 'zen:ticket:1', detail: { id: '1' } });
      expect((await ingest(body, {})).status).toBe(401);
      const timestamp = now();
      expect((await ingest(body, { 'x-zendesk-webhook-signature': sign(body, timestamp, 'another-secret'), 'x-zendesk-webhook-signature-timestamp': timestamp })).status).toBe(401);
      const stale = new Date(Date.now() - 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      expect((await ingest(body, { 'x-zendesk-webhook-signature': sign(body, stale), 'x-zendesk-webhook-signature-timestamp': stale })).status).toBe(401);
    });
  });

  it('never answers, logs or stores a credential', async () => {
    const store = JSON.stringify(await dumpStore(platform.app.get(DataSource)));
    const basic = Buffer.from(BASIC_CREDENTIAL).toString('base64');
    for (const place of [transcript.join('\n'), platform.logs.text(), store]) {
      for (const secret of [API_TOKEN, basic, OAUTH_TOKEN, WEBHOOK_SECRET]) expect(place).not.toContain(secret);
    }
  });
});

/** Accepts another API token on the peer for the connection's test, then revokes it (Zendesk's admin deleting the token). */
const ZendeskPeerScope = {
  async withToken<T>(peer: ZendeskPeer, email: string, token: string, work: () => Promise<T>): Promise<T> {
    peer.acceptApiToken(email, token);
    const result = await work();
    peer.revokeApiToken(token);
    return result;
  },
};
