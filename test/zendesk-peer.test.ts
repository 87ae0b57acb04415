import { startZendeskPeer, ZendeskPeer } from './support/zendesk-peer';

/** The Zendesk peer itself: the wire behaviour the Zendesk suite relies on, asked for with plain fetch. */

const EMAIL = 'agent@acme.example';
const TOKEN = 'peerApiToken9x';
const basic = (value: string) => `Basic ${Buffer.from(value).toString('base64')}`;

describe('Zendesk peer', () => {
  let peer: ZendeskPeer;
  const get = (path: string, authorization = basic(`${EMAIL}/token:${TOKEN}`)) => fetch(`${peer.url}${path}`, { headers: { authorization } });

  beforeEach(async () => {
    peer = await startZendeskPeer({ apiTokens: [{ email: EMAIL, token: TOKEN }], oauthTokens: ['oauth-1'], rateLimit: 5 });
  });
  afterEach(async () => {
    await peer.close();
  });

  it('takes Basic {email}/token:{token} and Bearer, and refuses a password, another token or none as Zendesk does', async () => {
    expect((await get('/api/v2/users/me.json')).status).toBe(200);
    expect((await get('/api/v2/users/me.json', 'Bearer oauth-1')).status).toBe(200);
    for (const authorization of [basic(`${EMAIL}:${TOKEN}`), basic(`${EMAIL}/token:other`), 'Bearer other', '']) {
      const refused = await get('/api/v2/users/me.json', authorization);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toEqual({ error: "Couldn't authenticate you" });
    }
  });

  it('counts the minute in X-Rate-Limit-Remaining and answers 429 with Retry-After once it is spent', async () => {
    const answers = [];
    for (let index = 0; index < 6; index++) answers.push(await get('/api/v2/users/search.json?query=agent'));
    expect(answers.slice(0, 5).map((answer) => answer.headers.get('x-rate-limit-remaining'))).toEqual(['4', '3', '2', '1', '0']);
    expect(answers[4].headers.get('ratelimit-remaining')).toBe('0');
    expect(Number(answers[4].headers.get('ratelimit-reset'))).toBeGreaterThan(0);
    expect(answers[5].status).toBe(429);
    expect(Number(answers[5].headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await answers[5].json()).toEqual({ error: 'APIRateLimitExceeded', description: 'Number of allowed API requests per minute exceeded' });
  });

  it('exports tickets by start_time then cursor until end_of_stream, and refuses a start_time under a minute old', async () => {
    peer.exportPageSize = 2;
    const tickets = peer.seedTickets(3, Date.now() - 3600_000);
    const first = (await (await get('/api/v2/incremental/tickets/cursor.json?start_time=0')).json()) as {
      tickets: Array<{ id: number }>;
      after_cursor: string;
      end_of_stream: boolean;
    };
    expect(first.tickets.map((ticket) => ticket.id)).toEqual([tickets[0].id, tickets[1].id]);
    expect(first.end_of_stream).toBe(false);
    const second = (await (await get(`/api/v2/incremental/tickets/cursor.json?cursor=${encodeURIComponent(first.after_cursor)}`)).json()) as typeof first;
    expect(second.tickets.map((ticket) => ticket.id)).toEqual([tickets[2].id]);
    expect(second.end_of_stream).toBe(true);
    // The end's cursor is where later changes appear.
    peer.state.touch(tickets[0], Date.now() - 600_000);
    const later = (await (await get(`/api/v2/incremental/tickets/cursor.json?cursor=${encodeURIComponent(second.after_cursor)}`)).json()) as typeof first;
    expect(later.tickets.map((ticket) => ticket.id)).toEqual([tickets[0].id]);

    const recent = await get(`/api/v2/incremental/tickets/cursor.json?start_time=${Math.floor(Date.now() / 1000) - 10}`);
    expect(recent.status).toBe(400);
    expect(await recent.json()).toEqual({ error: 'InvalidValue', description: 'Too recent start_time. Use a start_time older than 1 minute' });
  });

  it('refuses cursor parameters on user search, which pages by offset', async () => {
    const refused = await get('/api/v2/users/search.json?query=agent&page[size]=2');
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { title: 'Invalid attribute' } });
  });
});
