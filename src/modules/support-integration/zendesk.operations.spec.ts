import { OperationSchemas } from '../../platform/integrations/operations/operation-schemas';
import type { VendorAnswer, VendorOperation } from '../../platform/vendors/vendor-descriptor';
import { ZENDESK_OPERATIONS } from './zendesk.operations';

/**
 * Each operation's request as Zendesk's Support API v2 documents it (path, query, JSON body), and its
 * output, mapped from an answer shaped like the API reference's examples, through the output schema.
 */
const CONTEXT = { connectionId: 'conn-1', configuration: { subdomain: 'acme' } };
const schemas = new OperationSchemas();

const TICKET = {
  url: 'https://acme.zendesk.com/api/v2/tickets/35.json',
  id: 35,
  external_id: 'ahg35h3jh',
  type: 'incident',
  subject: 'Help, my printer is on fire!',
  raw_subject: 'Help, my printer is on fire!',
  description: 'The smoke is very colorful.',
  priority: 'high',
  status: 'open',
  requester_id: 20978392,
  submitter_id: 76872,
  assignee_id: 235323,
  organization_id: 509974,
  group_id: 98738,
  collaborator_ids: [35334, 234],
  tags: ['enterprise', 'other_tag'],
  custom_fields: [
    { id: 27642, value: '745' },
    { id: 27648, value: 'yes' },
  ],
  created_at: '2009-07-20T22:55:29Z',
  updated_at: '2011-05-05T10:38:52Z',
  via: { channel: 'api' },
};
const AUDIT = {
  id: 2127301143,
  ticket_id: 35,
  created_at: '2011-05-05T10:38:52Z',
  author_id: 235323,
  events: [
    { id: 2127301148, type: 'Comment', author_id: 235323, body: 'Thanks for your help!', html_body: '<div class="zd-comment"><p>Thanks for your help!</p></div>', public: true },
    { id: 2127301149, type: 'Change', field_name: 'status', value: 'pending', previous_value: 'open' },
  ],
};
const COMMENT = {
  id: 1274,
  type: 'Comment',
  body: 'Thanks for your help!',
  html_body: '<p>Thanks for your help!</p>',
  plain_body: 'Thanks for your help!',
  public: true,
  author_id: 123123,
  attachments: [{ id: 498483, file_name: 'crash.log', content_url: 'https://acme.zendesk.com/attachments/crash.log', content_type: 'text/plain', size: 2532 }],
  created_at: '2009-07-20T22:55:29Z',
};
const USER = {
  id: 35436,
  name: 'Johnny Agent',
  email: 'johnny@example.com',
  role: 'agent',
  active: true,
  suspended: false,
  organization_id: 57542,
  external_id: 'sai989sur98w9',
  phone: null,
  time_zone: 'Copenhagen',
  created_at: '2009-07-20T22:55:29Z',
  updated_at: '2011-05-05T10:38:52Z',
};

interface Case {
  input: Record<string, unknown>;
  request: { method: string; path: string; query?: Record<string, string>; body?: unknown };
  answer: unknown;
  output: Record<string, unknown>;
}

const CASES: Record<string, Case> = {
  'zendesk.tickets.create': {
    input: {
      subject: 'Help, my printer is on fire!',
      comment: { body: 'The smoke is very colorful.' },
      requester: { email: 'jane@example.com', name: 'Jane' },
      priority: 'high',
      type: 'incident',
      tags: ['enterprise'],
      externalId: 'ahg35h3jh',
      customFields: [{ id: 27642, value: '745' }],
    },
    request: {
      method: 'POST',
      path: '/api/v2/tickets.json',
      body: {
        ticket: {
          subject: 'Help, my printer is on fire!',
          priority: 'high',
          type: 'incident',
          tags: ['enterprise'],
          external_id: 'ahg35h3jh',
          custom_fields: [{ id: 27642, value: '745' }],
          comment: { body: 'The smoke is very colorful.', public: true },
          requester: { email: 'jane@example.com', name: 'Jane' },
        },
      },
    },
    answer: { ticket: TICKET, audit: AUDIT },
    output: {
      id: 35,
      subject: 'Help, my printer is on fire!',
      status: 'open',
      priority: 'high',
      type: 'incident',
      requesterId: 20978392,
      externalId: 'ahg35h3jh',
      customFields: [
        { id: 27642, value: '745' },
        { id: 27648, value: 'yes' },
      ],
      tags: ['enterprise', 'other_tag'],
    },
  },
  'zendesk.tickets.get': {
    input: { ticketId: 35 },
    request: { method: 'GET', path: '/api/v2/tickets/35.json' },
    answer: { ticket: TICKET },
    output: { id: 35, url: TICKET.url, assigneeId: 235323, groupId: 98738, organizationId: 509974, updatedAt: '2011-05-05T10:38:52Z' },
  },
  'zendesk.tickets.update': {
    input: { ticketId: 35, status: 'solved', assigneeId: 235323, comment: { htmlBody: '<p>Fixed</p>', public: false }, updatedStamp: '2011-05-05T10:38:52Z' },
    request: {
      method: 'PUT',
      path: '/api/v2/tickets/35.json',
      body: {
        ticket: { status: 'solved', assignee_id: 235323, comment: { html_body: '<p>Fixed</p>', public: false }, safe_update: true, updated_stamp: '2011-05-05T10:38:52Z' },
      },
    },
    answer: { ticket: { ...TICKET, status: 'solved' }, audit: AUDIT },
    output: { id: 35, status: 'solved' },
  },
  'zendesk.tickets.comments.list': {
    input: { ticketId: 35, pageSize: 2, after: 'eyJvIjoiaWQiLCJ2IjoiYVFFQUFBQUFBQUFBIn0=' },
    request: { method: 'GET', path: '/api/v2/tickets/35/comments.json', query: { 'page[size]': '2', 'page[after]': 'eyJvIjoiaWQiLCJ2IjoiYVFFQUFBQUFBQUFBIn0=' } },
    answer: {
      comments: [COMMENT],
      meta: { has_more: true, after_cursor: 'xyz', before_cursor: 'abc' },
      links: { next: 'https://acme.zendesk.com/api/v2/tickets/35/comments.json?page%5Bafter%5D=xyz&page%5Bsize%5D=2', prev: null },
    },
    output: {
      hasMore: true,
      afterCursor: 'xyz',
      items: [
        {
          id: 1274,
          type: 'Comment',
          body: 'Thanks for your help!',
          htmlBody: '<p>Thanks for your help!</p>',
          plainBody: 'Thanks for your help!',
          public: true,
          authorId: 123123,
          createdAt: '2009-07-20T22:55:29Z',
          attachments: [{ id: 498483, fileName: 'crash.log', contentUrl: 'https://acme.zendesk.com/attachments/crash.log', contentType: 'text/plain', size: 2532 }],
        },
      ],
    },
  },
  'zendesk.tickets.comments.create': {
    input: { ticketId: 35, body: 'Thanks for your help!', status: 'pending' },
    request: { method: 'PUT', path: '/api/v2/tickets/35.json', body: { ticket: { comment: { body: 'Thanks for your help!', public: true }, status: 'pending' } } },
    answer: { ticket: { ...TICKET, status: 'pending' }, audit: AUDIT },
    output: {
      ticketId: 35,
      auditId: 2127301143,
      commentId: 2127301148,
      body: 'Thanks for your help!',
      htmlBody: '<div class="zd-comment"><p>Thanks for your help!</p></div>',
      public: true,
      authorId: 235323,
      createdAt: '2011-05-05T10:38:52Z',
      status: 'pending',
    },
  },
  'zendesk.users.search': {
    input: { query: 'email:johnny@example.com', perPage: 10, page: 2 },
    request: { method: 'GET', path: '/api/v2/users/search.json', query: { query: 'email:johnny@example.com', per_page: '10', page: '2' } },
    answer: {
      users: [USER],
      next_page: 'https://acme.zendesk.com/api/v2/users/search.json?page=3&per_page=10&query=email%3Ajohnny%40example.com',
      previous_page: 'https://acme.zendesk.com/api/v2/users/search.json?page=1&per_page=10&query=email%3Ajohnny%40example.com',
      count: 21,
    },
    output: {
      nextPage: 3,
      count: 21,
      items: [
        {
          id: 35436,
          name: 'Johnny Agent',
          email: 'johnny@example.com',
          role: 'agent',
          active: true,
          suspended: false,
          organizationId: 57542,
          externalId: 'sai989sur98w9',
          phone: null,
          timeZone: 'Copenhagen',
          createdAt: '2009-07-20T22:55:29Z',
          updatedAt: '2011-05-05T10:38:52Z',
        },
      ],
    },
  },
};

const answerOf = (body: unknown, status = 200): VendorAnswer => ({ status, headers: { 'content-type': 'application/json; charset=utf-8' }, body, runId: 'run-1' });

describe('Zendesk operations', () => {
  it('covers every operation', () => {
    expect(ZENDESK_OPERATIONS.map((operation) => operation.name).sort()).toEqual(Object.keys(CASES).sort());
  });

  it.each(ZENDESK_OPERATIONS.map((operation) => [operation.name, operation] as const))('%s: request, output and schemas', (name, operation: VendorOperation) => {
    const { input, request, answer, output } = CASES[name];
    expect(() => schemas.assertInput(operation, input)).not.toThrow();
    const sent = operation.request!(input, CONTEXT);
    expect({ method: sent.method, path: sent.path, ...(sent.query && Object.keys(sent.query).length > 0 ? { query: sent.query } : {}) }).toEqual({
      method: request.method,
      path: request.path,
      ...(request.query ? { query: request.query } : {}),
    });
    if (request.body === undefined) expect(sent.body).toBeUndefined();
    else {
      expect(sent.headers).toMatchObject({ 'content-type': 'application/json' });
      expect(JSON.parse(String(sent.body))).toEqual(request.body);
    }
    const mapped = operation.result!(answerOf(answer), input);
    expect(mapped).toMatchObject(output);
    const validate = schemas.compile(operation.output);
    expect(validate(mapped) ? [] : validate.errors).toEqual([]);
  });

  const refused = (name: string, input: unknown) => {
    const operation = ZENDESK_OPERATIONS.find((candidate) => candidate.name === name)!;
    try {
      schemas.assertInput(operation, input);
    } catch (error) {
      return (error as Error).message;
    }
    return undefined;
  };

  it('refuses input Zendesk would refuse, before any call', () => {
    expect(refused('zendesk.tickets.create', { subject: 'x' })).toContain("must have required property 'comment'");
    expect(refused('zendesk.tickets.create', { comment: {} })).toContain('input/comment');
    expect(refused('zendesk.tickets.create', { comment: { body: 'a', htmlBody: '<p>a</p>' } })).toContain('input/comment must match exactly one schema');
    expect(refused('zendesk.tickets.create', { comment: { body: 'a' }, requesterId: 1, requester: { email: 'a@example.com' } })).toContain('must NOT be valid');
    expect(refused('zendesk.tickets.create', { comment: { body: 'a' }, tags: ['two words'] })).toContain('input/tags/0');
    expect(refused('zendesk.tickets.create', { comment: { body: 'a' }, priority: 'critical' })).toContain('input/priority');
    expect(refused('zendesk.tickets.create', { comment: { body: 'a' }, colour: 'red' })).toContain("unknown property 'colour'");
    expect(refused('zendesk.tickets.update', { ticketId: 35 })).toContain('must NOT have fewer than 2 properties');
    expect(refused('zendesk.tickets.get', { ticketId: '35/../1' })).toContain('input/ticketId must be integer');
    expect(refused('zendesk.tickets.comments.list', { ticketId: 35, pageSize: 101 })).toContain('input/pageSize must be <= 100');
    expect(refused('zendesk.tickets.comments.create', { ticketId: 35 })).toContain('must match exactly one schema');
    expect(refused('zendesk.users.search', {})).toContain('must match exactly one schema');
    expect(refused('zendesk.users.search', { externalId: 'sai989sur98w9' })).toBeUndefined();
    expect(refused('zendesk.users.search', { query: 'x', page: 11 })).toContain('input/page must be <= 10');
  });

  it('maps a sparse answer to the stable shape, never to Zendesk’s raw JSON', () => {
    const get = ZENDESK_OPERATIONS.find((operation) => operation.name === 'zendesk.tickets.get')!;
    const mapped = get.result!(answerOf({ ticket: { id: 7, status: 'new', created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', raw_subject: 'x' } }), {
      ticketId: 7,
    });
    expect(mapped).toEqual({
      id: 7,
      url: null,
      subject: null,
      description: null,
      status: 'new',
      priority: null,
      type: null,
      tags: [],
      requesterId: null,
      submitterId: null,
      assigneeId: null,
      groupId: null,
      organizationId: null,
      externalId: null,
      customFields: [],
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:00:00Z',
    });
  });
});
