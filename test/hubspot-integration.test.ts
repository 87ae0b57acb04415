import { createHmac } from 'node:crypto';
import { DataSource } from 'typeorm';
import { dumpStore, REGISTRY_SCOPES, TenantApi, until, waitFor, WEBHOOK_SCOPES } from './support/governed-api';
import { HubSpotPeer, startHubSpotPeer } from './support/hubspot-peer';
import { InProcessPlatform, startInProcess } from './support/platform-app';
import { newJwtSecret } from './support/tokens';
import { Receiver } from './support/webhook-receiver';

/**
 * The HubSpot module end to end against the HubSpot peer (HubSpot's CRM wire format): operations under
 * /hubspot through the governed pipeline for contacts, companies, deals and associations, HubSpot's 429
 * feeding the connection's budget, the OAuth refresh grant, the three sync sources through the
 * IntegrationSyncWorker (the search window restarted from the last modification date), and HubSpot's
 * signed webhooks reaching a `com.hubspot.*` subscription. One instance on the embedded store.
 */

const PRIVATE_APP_TOKEN = 'pat-na1-7f3c2a9e-0b1d-4c55-9e21-peer00000001';
const CLIENT_ID = 'c1d2e3f4-hubspot-peer-app';
const CLIENT_SECRET = 'hs-client-secret-5b9e0a77d2';
const PUBLIC_BASE_URL = 'https://crm.example.test';
const SCOPES = `${REGISTRY_SCOPES} ${WEBHOOK_SCOPES}`;

type Sync = {
  state: string;
  lastPass: { number: number; kind: string; pages: number; seen: number; created: number; updated: number; deleted: number } | null;
  lastError: unknown;
};

describe('HubSpot integration (one instance, SQLite)', () => {
  const jwtSecret = newJwtSecret();
  const transcript: string[] = [];
  const secrets = new Set([PRIVATE_APP_TOKEN, CLIENT_SECRET]);
  let peer: HubSpotPeer;
  let platform: InProcessPlatform;
  let tenantA: TenantApi;
  let tenantB: TenantApi;
  let connectionId: string;

  const run = (api: TenantApi, connection: string, name: string, input: unknown, extra: Record<string, unknown> = {}) =>
    api.post(`/hubspot/connections/${connection}/operations/${name}`, { input, ...extra });

  const tokenConnection = async (api: TenantApi, name: string, target: HubSpotPeer, configuration: Record<string, unknown> = {}) => {
    const credentialId = await api.createCredential(name, PRIVATE_APP_TOKEN);
    const created = await api.post('/integrations/connections', {
      providerId: 'hubspot',
      displayName: name,
      credentialId,
      configuration: { baseUrl: target.url, ...configuration },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'Active', authMode: 'bearer', lastTest: { passed: true } });
    return created.body.id as string;
  };

  beforeAll(async () => {
    peer = await startHubSpotPeer({ tokens: [PRIVATE_APP_TOKEN], apps: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }] });
    platform = await startInProcess({
      AUTH_JWT_SECRET: jwtSecret,
      EGRESS_ALLOW_LIST: '127.0.0.1',
      PUBLIC_BASE_URL,
      BUS_POLL_INTERVAL: '20ms',
      SYNC_TICK: '50ms',
      HEALTH_PROBE_INTERVAL: '1h',
    });
    tenantA = await TenantApi.create(platform.url, jwtSecret, 'tenant-hs-a', transcript, SCOPES);
    tenantB = await TenantApi.create(platform.url, jwtSecret, 'tenant-hs-b', transcript, SCOPES);
    connectionId = await tokenConnection(tenantA, 'hubspot-private-app', peer);
  });

  afterAll(async () => {
    await platform?.close();
    await peer?.close();
  });

  afterEach(() => peer.clearRequests());

  describe('the connection and GET /hubspot/operations', () => {
    it('is Active once the account details answer to the private app token', async () => {
      const connection = await tenantA.get(`/integrations/connections/${connectionId}`);
      expect(connection.body).toMatchObject({ status: 'Active', providerId: 'hubspot', authMode: 'bearer' });
      // The probe of a fresh connection, sent with the token.
      const probe = await tenantA.post(`/integrations/connections/${connectionId}/test`);
      expect(probe.body).toMatchObject({ status: 'Active', lastTest: { passed: true, status: 200 } });
      const [sent] = peer.requestsTo('/account-info/v3/details', 'GET');
      expect(sent.headers.authorization).toBe(`Bearer ${PRIVATE_APP_TOKEN}`);
    });

    it('lists every HubSpot operation with its JSON Schemas, under integration.runs.read', async () => {
      const answer = await tenantA.get('/hubspot/operations');
      expect(answer.status).toBe(200);
      const names = answer.body.items.map((item: { name: string }) => item.name);
      for (const type of ['contacts', 'companies', 'deals']) {
        for (const verb of ['create', 'get', 'update', 'archive', 'search']) expect(names).toContain(`hubspot.${type}.${verb}`);
      }
      expect(names).toEqual(expect.arrayContaining(['hubspot.associations.create', 'hubspot.associations.list']));
      expect(names.every((name: string) => name.startsWith('hubspot.'))).toBe(true);
      expect(answer.body.items.find((item: { name: string }) => item.name === 'hubspot.contacts.create')).toMatchObject({
        providerId: 'hubspot',
        effect: 'write',
        input: { type: 'object', required: ['properties'], additionalProperties: false },
        output: { type: 'object', properties: { id: { type: 'string' }, archived: { type: 'boolean' } } },
      });
      const unscoped = await TenantApi.create(platform.url, jwtSecret, 'tenant-hs-a', [], 'integration.connections.read');
      expect((await unscoped.get('/hubspot/operations')).status).toBe(403);
    });
  });

  describe('operations', () => {
    it('creates, gets, updates, searches and archives a contact, one recorded run per call', async () => {
      const created = await run(tenantA, connectionId, 'hubspot.contacts.create', { properties: { email: 'bcooper@biglytics.net', firstname: 'Bryan', lastname: 'Cooper' } });
      expect(created.status).toBe(200);
      const contact = created.body.output;
      expect(contact).toEqual({
        id: expect.stringMatching(/^\d+$/),
        properties: expect.objectContaining({ email: 'bcooper@biglytics.net', firstname: 'Bryan', lastmodifieddate: expect.any(String) }),
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        archived: false,
      });
      const [sent] = peer.requestsTo('/crm/v3/objects/contacts', 'POST');
      expect(sent.headers).toMatchObject({ authorization: `Bearer ${PRIVATE_APP_TOKEN}`, 'content-type': 'application/json' });
      expect(JSON.parse(sent.body)).toEqual({ properties: { email: 'bcooper@biglytics.net', firstname: 'Bryan', lastname: 'Cooper' } });
      expect((await tenantA.get(`/integrations/runs/${created.body.runId}`)).body).toMatchObject({
        operation: 'hubspot.contacts.create',
        state: 'Completed',
        responseStatus: 201,
        providerId: 'hubspot',
        connectionId,
      });

      const duplicate = await run(tenantA, connectionId, 'hubspot.contacts.create', { properties: { email: 'BCooper@biglytics.net' } });
      expect(duplicate.status).toBe(409);
      expect(duplicate.body.message).toBe(`HubSpot answered HTTP 409: Contact already exists. Existing ID: ${contact.id}`);

      const got = await run(tenantA, connectionId, 'hubspot.contacts.get', { id: contact.id, properties: ['email', 'phone'] });
      expect(got.body.output).toMatchObject({ id: contact.id, properties: { email: 'bcooper@biglytics.net', phone: null } });
      expect(peer.requestsTo(`/crm/v3/objects/contacts/${contact.id}`, 'GET')[0].query.get('properties')).toBe('email,phone');
      const byEmail = await run(tenantA, connectionId, 'hubspot.contacts.get', { id: 'bcooper@biglytics.net', idProperty: 'email' });
      expect(byEmail.body.output.id).toBe(contact.id);

      const updated = await run(tenantA, connectionId, 'hubspot.contacts.update', { id: contact.id, properties: { phone: '+1 555 0100', lifecyclestage: 'lead' } });
      expect(updated.status).toBe(200);
      expect(updated.body.output.properties).toMatchObject({ phone: '+1 555 0100' });
      expect(Date.parse(updated.body.output.updatedAt)).toBeGreaterThan(Date.parse(contact.updatedAt));

      for (const [email, firstname] of [
        ['jdoe@biglytics.net', 'Jane'],
        ['mlee@example.org', 'Min'],
      ]) {
        expect((await run(tenantA, connectionId, 'hubspot.contacts.create', { properties: { email, firstname } })).status).toBe(200);
      }
      const search = (after?: string) =>
        run(tenantA, connectionId, 'hubspot.contacts.search', {
          filterGroups: [{ filters: [{ propertyName: 'email', operator: 'CONTAINS_TOKEN', value: '*@biglytics.net' }] }],
          sorts: [{ propertyName: 'firstname', direction: 'ASCENDING' }],
          properties: ['email', 'firstname'],
          limit: 1,
          ...(after ? { after } : {}),
        });
      const first = await search();
      expect(first.body.output).toMatchObject({ total: 2, after: '1', items: [{ properties: { firstname: 'Bryan' } }] });
      const second = await search(first.body.output.after);
      expect(second.body.output).toMatchObject({ total: 2, after: null, items: [{ properties: { firstname: 'Jane' } }] });

      const archived = await run(tenantA, connectionId, 'hubspot.contacts.archive', { id: contact.id });
      expect(archived.status).toBe(200);
      expect(archived.body.output).toEqual({ id: contact.id, archived: true });
      expect((await tenantA.get(`/integrations/runs/${archived.body.runId}`)).body).toMatchObject({ state: 'Completed', responseStatus: 204 });
      const gone = await run(tenantA, connectionId, 'hubspot.contacts.get', { id: contact.id });
      expect(gone.status).toBe(404);
      expect(gone.body.message).toBe('HubSpot answered HTTP 404: Object not found.  objectId are usually numeric.');
      expect((await search()).body.output.total).toBe(1);
    });

    it('creates companies and deals, searches them, and associates them with contacts both ways', async () => {
      const company = (await run(tenantA, connectionId, 'hubspot.companies.create', { properties: { name: 'Biglytics', domain: 'biglytics.net', numberofemployees: 120 } })).body
        .output;
      expect(company).toMatchObject({ id: expect.stringMatching(/^\d+$/), properties: { name: 'Biglytics', domain: 'biglytics.net', hs_lastmodifieddate: expect.any(String) } });
      expect(JSON.parse(peer.requestsTo('/crm/v3/objects/companies', 'POST')[0].body).properties.numberofemployees).toBe('120');
      await run(tenantA, connectionId, 'hubspot.companies.create', { properties: { name: 'Tiny Co', numberofemployees: 3 } });
      const bigCompanies = await run(tenantA, connectionId, 'hubspot.companies.search', {
        filterGroups: [{ filters: [{ propertyName: 'numberofemployees', operator: 'GTE', value: 100 }] }],
        properties: ['name'],
      });
      expect(bigCompanies.body.output).toMatchObject({ total: 1, after: null, items: [{ id: company.id, properties: { name: 'Biglytics' } }] });

      const contact = (await run(tenantA, connectionId, 'hubspot.contacts.create', { properties: { email: 'buyer@biglytics.net' } })).body.output;
      // A deal created already associated with the contact (v3 create's associations: deal → contact is type 3).
      const deal = await run(tenantA, connectionId, 'hubspot.deals.create', {
        properties: { dealname: 'Biglytics renewal', amount: 12000, dealstage: 'appointmentscheduled', pipeline: 'default' },
        associations: [{ toId: contact.id, types: [{ category: 'HUBSPOT_DEFINED', typeId: 3 }] }],
      });
      expect(deal.status).toBe(200);
      expect(deal.body.output.properties).toMatchObject({ dealname: 'Biglytics renewal', amount: '12000' });
      const deals = await run(tenantA, connectionId, 'hubspot.deals.search', {
        filterGroups: [
          { filters: [{ propertyName: 'dealstage', operator: 'EQ', value: 'appointmentscheduled' }] },
          { filters: [{ propertyName: 'amount', operator: 'BETWEEN', value: 10000, highValue: 20000 }] },
        ],
      });
      expect(deals.body.output).toMatchObject({ total: 1, items: [{ id: deal.body.output.id }] });

      const associated = await run(tenantA, connectionId, 'hubspot.associations.create', { fromType: 'contacts', fromId: contact.id, toType: 'companies', toId: company.id });
      expect(associated.status).toBe(200);
      expect(associated.body.output).toEqual({ fromId: contact.id, toId: company.id, types: [{ category: 'HUBSPOT_DEFINED', typeId: 279, label: null }] });
      expect(peer.requestsTo(`/crm/v4/objects/contacts/${contact.id}/associations/default/companies/${company.id}`, 'PUT')).toHaveLength(1);

      const ofCompany = await run(tenantA, connectionId, 'hubspot.associations.list', { fromType: 'companies', fromId: company.id, toType: 'contacts' });
      expect(ofCompany.body.output).toEqual({ items: [{ toObjectId: contact.id, types: [{ category: 'HUBSPOT_DEFINED', typeId: 280, label: null }] }], after: null });
      const ofContact = await run(tenantA, connectionId, 'hubspot.associations.list', { fromType: 'contacts', fromId: contact.id, toType: 'deals' });
      expect(ofContact.body.output.items).toEqual([{ toObjectId: deal.body.output.id, types: [{ category: 'HUBSPOT_DEFINED', typeId: 4, label: null }] }]);
      const withAssociations = await run(tenantA, connectionId, 'hubspot.contacts.get', { id: contact.id, associations: ['companies', 'deals'] });
      expect(withAssociations.body.output.associations).toEqual({
        companies: [{ id: company.id, type: 'contact_to_company' }],
        deals: [{ id: deal.body.output.id, type: 'contact_to_deal' }],
      });

      const missing = await run(tenantA, connectionId, 'hubspot.associations.create', { fromType: 'deals', fromId: deal.body.output.id, toType: 'companies', toId: '999999' });
      expect(missing.status).toBe(404);
    });

    it('answers 400 naming the field for input that fails the schema, before any call', async () => {
      const answer = await run(tenantA, connectionId, 'hubspot.contacts.update', { id: '1/../2', properties: { email: 'x@example.com' } });
      expect(answer.status).toBe(400);
      expect(answer.body.message).toContain('input/id must match pattern');
      expect((await run(tenantA, connectionId, 'hubspot.deals.search', { limit: 500 })).body.message).toContain('input/limit must be <= 200');
      expect((await run(tenantA, connectionId, 'hubspot.companies.create', { properties: {} })).status).toBe(400);
      expect((await run(tenantA, connectionId, 'hubspot.tickets.create', { properties: { subject: 'x' } })).status).toBe(404);
      expect(peer.requests).toEqual([]);
    });

    it('answers 502 naming auth when HubSpot refuses the token, and passes HubSpot’s validation message through', async () => {
      const revoked = await tenantA.post('/integrations/connections', {
        providerId: 'hubspot',
        displayName: 'hubspot-revoked',
        credentialId: await tenantA.createCredential('hubspot-wrong-token', 'pat-na1-not-a-token-the-peer-knows'),
        configuration: { baseUrl: peer.url },
      });
      expect(revoked.body).toMatchObject({ status: 'Pending', lastTest: { passed: false, category: 'Auth' } });

      const invalid = await run(tenantA, connectionId, 'hubspot.contacts.search', {
        filterGroups: [{ filters: [{ propertyName: 'email', operator: 'EQ', value: 'x' }] }],
        after: '99999',
      });
      expect(invalid.status).toBe(400);
      expect(invalid.body.message).toBe('HubSpot answered HTTP 400: Paging beyond 10000 results is not supported');

      peer.failNext('/crm/v3/objects/deals', 502, 'Bad Gateway');
      const failed = await run(tenantA, connectionId, 'hubspot.deals.get', { id: '101' });
      expect(failed.status).toBe(502);
      expect(failed.body.message).toBe('HubSpot failed (HTTP 502: Bad Gateway)');
    });

    it('reads HubSpot’s 429 (TEN_SECONDLY_ROLLING) as a rate limit: 429 with the interval as the wait, held by the connection’s budget', async () => {
      const limited = await tokenConnection(tenantA, 'hubspot-limited', peer);
      peer.rateLimitNext('TEN_SECONDLY_ROLLING');
      const answer = await run(tenantA, limited, 'hubspot.contacts.create', { properties: { email: 'fast@example.com' } });
      expect(answer.status).toBe(429);
      expect(answer.headers.get('retry-after')).toBe('10');
      expect(answer.body.message).toContain('You have reached your ten_secondly_rolling limit.');
      const [refused] = peer.requestsTo('/crm/v3/objects/contacts', 'POST');
      expect(refused).toBeDefined();
      expect((await tenantA.get(`/integrations/runs/${answer.headers.get('x-integration-run-id')}`)).body).toMatchObject({
        state: 'Failed',
        responseStatus: 429,
        failure: { category: 'RateLimited', code: 'burst_rate_limit' },
      });
      // Until HubSpot's window is over the connection's budget holds every call back, without calling HubSpot.
      peer.clearRequests();
      const held = await run(tenantA, limited, 'hubspot.contacts.get', { id: '101' });
      expect(held.status).toBe(429);
      expect(Number(held.headers.get('retry-after'))).toBeGreaterThan(5);
      expect(peer.requests).toEqual([]);
      // Another connection has a budget of its own.
      expect((await run(tenantA, connectionId, 'hubspot.deals.search', {})).status).toBe(200);
    });

    it('holds the budget when a successful answer spent the window (X-HubSpot-RateLimit-Remaining: 0), before HubSpot answers 429', async () => {
      const tight = await startHubSpotPeer({ tokens: [PRIVATE_APP_TOKEN], maxPerInterval: 3 });
      try {
        // The connection's test is the first of the three calls in the window.
        const connection = await tokenConnection(tenantA, 'hubspot-tight', tight);
        // (HubSpot's search answers carry no rate-limit headers; a create does.)
        expect((await run(tenantA, connection, 'hubspot.contacts.create', { properties: { email: 'quota-1@example.com' } })).status).toBe(200);
        const last = await run(tenantA, connection, 'hubspot.contacts.create', { properties: { email: 'quota-2@example.com' } });
        expect(last.status).toBe(200);
        tight.clearRequests();
        const held = await run(tenantA, connection, 'hubspot.contacts.search', {});
        expect(held.status).toBe(429);
        expect(Number(held.headers.get('retry-after'))).toBeGreaterThan(5);
        expect(tight.requests).toEqual([]);
      } finally {
        await tight.close();
      }
    });
  });

  describe('OAuth2 (refresh token)', () => {
    it('needs the client in the form, as HubSpot’s token endpoint takes it', async () => {
      const credentialId = await tenantA.createCredential(
        'hubspot-oauth-basic',
        JSON.stringify({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, refreshToken: 'na1-x' }),
        'oauth2-refresh-token',
      );
      const refused = await tenantA.post('/integrations/connections', {
        providerId: 'hubspot',
        displayName: 'oauth without post',
        credentialId,
        configuration: { baseUrl: peer.url, auth: 'oauth2-refresh-token', tokenUrl: peer.tokenUrl },
      });
      expect(refused.status).toBe(400);
      expect(refused.body.message).toContain('client_secret_post');
    });

    it('refreshes an expired access token once for concurrent calls, under the shared lock', async () => {
      const refreshToken = peer.oauth.issueRefreshToken(CLIENT_ID);
      secrets.add(refreshToken);
      const credentialId = await tenantA.createCredential(
        'hubspot-oauth',
        JSON.stringify({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, refreshToken }),
        'oauth2-refresh-token',
      );
      const created = await tenantA.post('/integrations/connections', {
        providerId: 'hubspot',
        displayName: 'hubspot-oauth',
        credentialId,
        configuration: { baseUrl: peer.url, auth: 'oauth2-refresh-token', tokenUrl: peer.tokenUrl, tokenAuthMethod: 'client_secret_post' },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ status: 'Active', authMode: 'oauth2-refresh-token' });
      const oauthConnection = created.body.id as string;
      expect(peer.oauth.grants).toBe(1);
      const [grant] = peer.requestsTo('/oauth/v1/token', 'POST');
      expect(Object.fromEntries(new URLSearchParams(grant.body))).toEqual({
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
      });
      expect(grant.headers.authorization).toBeUndefined();

      expect((await run(tenantA, oauthConnection, 'hubspot.deals.search', {})).status).toBe(200);
      expect(peer.oauth.grants).toBe(1);

      // HubSpot's 30 minutes are up: every call in flight is refused with EXPIRED_AUTHENTICATION, one refresh renews the token for all.
      peer.oauth.expireAccessTokens();
      peer.oauth.delayMs = 150;
      peer.clearRequests();
      const answers = await Promise.all(Array.from({ length: 5 }, () => run(tenantA, oauthConnection, 'hubspot.companies.search', { limit: 1 })));
      expect(answers.map((answer) => [answer.status, answer.body.message])).toEqual(Array(5).fill([200, undefined]));
      expect(peer.oauth.grants).toBe(2);
      expect(peer.requestsTo('/oauth/v1/token')).toHaveLength(1);
      const [, renewed] = peer.oauth.issuedAccessTokens();
      peer.oauth.issuedAccessTokens().forEach((token) => secrets.add(token));
      const authorizations = new Set(peer.requestsTo('/crm/v3/objects/companies/search').map((request) => request.headers.authorization));
      expect(authorizations.has(`Bearer ${renewed}`)).toBe(true);
      peer.oauth.delayMs = 0;
    });
  });

  describe('sync sources', () => {
    let syncPeer: HubSpotPeer;
    let syncConnection: string;
    const SEARCH_WINDOW = 120;
    const syncPath = (name: string) => `/integrations/connections/${syncConnection}/syncs/${name}`;
    const runPass = async (name: string, number: number): Promise<Sync> => {
      expect((await tenantA.post(`${syncPath(name)}/run`)).status).toBe(202);
      return until(
        async () => (await tenantA.get(syncPath(name))).body as Sync,
        (state) => (state.lastPass?.number ?? 0) >= number || state.state === 'Failed',
        20_000,
        `pass ${number} of ${name}`,
      );
    };
    const records = async (name: string) => {
      const items: Array<{ externalId: string; deletedAt: string | null; data: { id: string; properties: Record<string, string | null> } }> = [];
      let cursor: string | null = null;
      do {
        const answer = await tenantA.get(`${syncPath(name)}/records?limit=500${cursor ? `&cursor=${cursor}` : ''}`);
        items.push(...answer.body.items);
        cursor = answer.body.nextCursor;
      } while (cursor);
      return items;
    };
    const searches = (type: string) => syncPeer.requestsTo(`/crm/v3/objects/${type}/search`, 'POST').map((request) => JSON.parse(request.body));
    const at = (second: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, second)).toISOString();

    beforeAll(async () => {
      // A portal of its own, with a search window of 120 results standing in for HubSpot's 10,000.
      syncPeer = await startHubSpotPeer({ tokens: [PRIVATE_APP_TOKEN], searchResultLimit: SEARCH_WINDOW });
      for (let index = 1; index <= 250; index++) syncPeer.crm.seed('contacts', { email: `c${index}@example.com`, firstname: `Contact ${index}` }, at(index));
      for (let index = 1; index <= 30; index++) syncPeer.crm.seed('companies', { name: `Company ${index}` }, at(1000 + index));
      for (let index = 1; index <= 12; index++) syncPeer.crm.seed('deals', { dealname: `Deal ${index}`, amount: String(index * 100) }, at(2000 + index));
      syncConnection = await tokenConnection(tenantA, 'hubspot-sync', syncPeer, { pageSize: 50, searchResultLimit: SEARCH_WINDOW });
      for (const name of ['contacts', 'companies', 'deals']) expect((await tenantA.request('PUT', syncPath(name), { enabled: false, intervalMs: 3_600_000 })).status).toBe(200);
    });
    afterAll(async () => {
      await syncPeer?.close();
    });

    it('pages every contact past the search window, then narrows the next pass to what changed since the last modification seen', async () => {
      const first = await runPass('contacts', 1);
      // 0, 50, 100 (the window ends at 120), then again from the 120th modification date: 0, 50, 100 (to the 239th), then from the 239th: 0.
      expect(first).toMatchObject({ lastError: null, lastPass: { number: 1, kind: 'full', pages: 7, created: 250 } });
      const stored = await records('contacts');
      expect(stored.map((record) => Number(record.externalId)).sort((a, b) => a - b)).toEqual(Array.from({ length: 250 }, (_, index) => 101 + index));
      expect(stored.find((record) => record.externalId === '101')!.data).toMatchObject({ id: '101', properties: { email: 'c1@example.com', lastmodifieddate: at(1) } });

      const bodies = searches('contacts');
      expect(bodies.every((body) => body.after === undefined || Number(body.after) < SEARCH_WINDOW)).toBe(true);
      expect(bodies[0]).toMatchObject({ filterGroups: [], sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }], limit: 50 });
      expect(bodies[3]).toMatchObject({ filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: String(Date.parse(at(120))) }] }] });
      expect(bodies[3].after).toBeUndefined();

      syncPeer.clearRequests();
      syncPeer.crm.touch('contacts', '110', { firstname: 'Contact 10, renamed' }, '2025-02-01T00:00:00.000Z');
      const second = await runPass('contacts', 2);
      expect(second).toMatchObject({ lastError: null, lastPass: { number: 2, kind: 'incremental', created: 0, updated: 1 } });
      const [incremental] = searches('contacts');
      // From the newest modification the first pass saw (the 250th contact's).
      expect(incremental.filterGroups).toEqual([{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: String(Date.parse(at(250))) }] }]);
      expect((await records('contacts')).find((record) => record.externalId === '110')!.data.properties.firstname).toBe('Contact 10, renamed');

      syncPeer.clearRequests();
      const third = await runPass('contacts', 3);
      expect(third.lastPass).toMatchObject({ kind: 'incremental', created: 0, updated: 0 });
      expect(searches('contacts')[0].filterGroups[0].filters[0].value).toBe(String(Date.parse('2025-02-01T00:00:00.000Z')));
    });

    it('pages companies and deals by hs_lastmodifieddate, and resumes incrementally', async () => {
      const companies = await runPass('companies', 1);
      expect(companies).toMatchObject({ lastError: null, lastPass: { kind: 'full', pages: 1, created: 30 } });
      const deals = await runPass('deals', 1);
      expect(deals).toMatchObject({ lastError: null, lastPass: { kind: 'full', pages: 1, created: 12 } });
      expect((await records('deals')).map((record) => record.data.properties.dealname)).toEqual(expect.arrayContaining(['Deal 1', 'Deal 12']));
      expect(searches('deals')[0]).toMatchObject({ sorts: [{ propertyName: 'hs_lastmodifieddate', direction: 'ASCENDING' }] });

      // An archived deal leaves HubSpot's search: the next full pass marks it deleted.
      expect((await tenantA.request('PUT', syncPath('deals'), { enabled: false, intervalMs: 3_600_000, fullPassEvery: 1 })).status).toBe(200);
      const archived = [...syncPeer.crm.objects.deals.values()][0];
      archived.archived = true;
      const full = await runPass('deals', 2);
      expect(full).toMatchObject({ lastError: null, lastPass: { number: 2, kind: 'full', seen: 11, deleted: 1 } });
      expect((await records('deals')).find((record) => record.externalId === archived.id)).toMatchObject({ deletedAt: expect.any(String) });

      syncPeer.clearRequests();
      syncPeer.crm.seed('companies', { name: 'Company 31' }, '2025-03-01T00:00:00.000Z');
      const again = await runPass('companies', 2);
      expect(again.lastPass).toMatchObject({ kind: 'incremental', created: 1 });
      expect(searches('companies')[0].filterGroups).toEqual([{ filters: [{ propertyName: 'hs_lastmodifieddate', operator: 'GTE', value: String(Date.parse(at(1030))) }] }]);
    });

    it('keeps another tenant out of the connection’s syncs', async () => {
      expect((await tenantB.get(syncPath('contacts'))).status).toBe(404);
      expect((await tenantB.post(`${syncPath('contacts')}/run`)).status).toBe(404);
    });
  });

  describe('webhooks', () => {
    let receiver: Receiver;
    let inbound: string;
    const WEBHOOK_PATH = () => `/webhooks/ingest/${inbound}`;
    const deliver = (events: unknown[], options: { timestamp?: number; secret?: string } = {}) => {
      const body = JSON.stringify(events);
      const timestamp = String(options.timestamp ?? Date.now());
      const signature = createHmac('sha256', options.secret ?? CLIENT_SECRET)
        .update(`POST${PUBLIC_BASE_URL}${WEBHOOK_PATH()}${body}${timestamp}`)
        .digest('base64');
      return fetch(`${platform.url}${WEBHOOK_PATH()}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': timestamp, 'x-hubspot-signature-version': 'v3' },
        body,
      });
    };
    const event = (eventId: number, subscriptionType: string, objectId: number, extra: Record<string, unknown> = {}) => ({
      eventId,
      subscriptionId: 2201,
      portalId: 62515,
      appId: 1160452,
      occurredAt: Date.now() - 1000,
      subscriptionType,
      attemptNumber: 0,
      objectId,
      changeSource: 'CRM',
      ...extra,
    });

    beforeAll(async () => {
      receiver = await Receiver.start();
      const secret = await tenantA.post('/integrations/credentials', { name: 'hubspot-client-secret', kind: 'webhook-secret', value: CLIENT_SECRET });
      const connection = await tenantA.post('/integrations/connections', {
        providerId: 'hubspot',
        displayName: 'HubSpot webhooks',
        webhook: { secretCredentialId: secret.body.id },
      });
      expect(connection.body).toMatchObject({ status: 'Active', credentialId: null });
      inbound = connection.body.id;
      const subscription = await tenantA.post('/webhooks/subscriptions', { url: receiver.url('/hubspot-events'), eventTypes: ['com.hubspot.*'] });
      expect(subscription.status).toBe(201);
      receiver.secrets = [subscription.body.secret];
    });
    afterAll(async () => {
      await receiver?.close();
    });

    it('accepts a signed delivery and delivers it as com.hubspot.<subscriptionType> about the object', async () => {
      const ingested = await deliver([event(5001, 'contact.propertyChange', 123, { propertyName: 'email', propertyValue: 'new@example.com' })]);
      expect(ingested.status).toBe(202);
      await waitFor(() => receiver.requests.length > 0, 10_000, 'the delivery to the com.hubspot.* subscription');
      const delivered = JSON.parse(receiver.requests[0].body);
      expect(receiver.requests[0].verified).toBe(true);
      expect(delivered).toMatchObject({
        type: 'com.hubspot.contact.propertyChange',
        subject: 'contacts/123',
        tenantid: 'tenant-hs-a',
        data: [{ eventId: 5001, objectId: 123, propertyName: 'email', propertyValue: 'new@example.com' }],
      });
      expect(JSON.stringify(delivered)).not.toContain(CLIENT_SECRET);
    });

    it('delivers a batch of events as one com.hubspot.batch, subject the portal', async () => {
      receiver.requests.length = 0;
      const ingested = await deliver([event(5002, 'deal.creation', 77), event(5003, 'company.propertyChange', 9, { propertyName: 'name', propertyValue: 'Biglytics' })]);
      expect(ingested.status).toBe(202);
      await waitFor(() => receiver.requests.length > 0, 10_000, 'the batch delivery');
      expect(JSON.parse(receiver.requests[0].body)).toMatchObject({ type: 'com.hubspot.batch', subject: 'portals/62515', data: [{ eventId: 5002 }, { eventId: 5003 }] });
    });

    it('refuses a bad signature and a stale timestamp with 401', async () => {
      expect((await deliver([event(5004, 'contact.creation', 1)], { secret: 'not-the-client-secret' })).status).toBe(401);
      expect((await deliver([event(5005, 'contact.creation', 1)], { timestamp: Date.now() - 6 * 60_000 })).status).toBe(401);
      const unsigned = await fetch(`${platform.url}${WEBHOOK_PATH()}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[]' });
      expect(unsigned.status).toBe(401);
    });
  });

  it('keeps tenants apart: another tenant’s connection is not found, and calls nothing', async () => {
    const answer = await run(tenantB, connectionId, 'hubspot.contacts.search', {});
    expect(answer.status).toBe(404);
    expect(answer.body.message).toContain(connectionId);
    expect((await run(tenantB, connectionId, 'hubspot.contacts.create', { properties: { email: 'x@example.com' } }, { async: true })).status).toBe(404);
    expect(peer.requests).toEqual([]);
  });

  it('never shows a token, client secret or refresh token in answers, logs or rows', async () => {
    const store = JSON.stringify(await dumpStore(platform.app.get(DataSource)));
    for (const secret of secrets) {
      for (const place of [transcript.join('\n'), platform.logs.text(), store]) expect(place).not.toContain(secret);
    }
  });
});
