import type { JsonSchema, VendorOperation } from '../../platform/vendors/vendor-descriptor';
import {
  apiPath,
  bodyOf,
  COMMENT_INPUT,
  COMMENT_OUTPUT,
  CommentInput,
  CUSTOM_FIELDS,
  DATE_TIME,
  EXTERNAL_ID,
  ID,
  idOrNull,
  jsonBody,
  listOf,
  NULLABLE_ID,
  NULLABLE_STRING,
  objectSchema,
  PAGE_INPUT,
  pageOf,
  pageQuery,
  pageSchema,
  PRIORITY,
  STATUS,
  stringOrNull,
  TAGS,
  TICKET_ID,
  TICKET_OUTPUT,
  TICKET_TYPE,
  toComment,
  toCommentOutput,
  toTicket,
  toUser,
  USER_OUTPUT,
  ZendeskJson,
} from './zendesk.json';

type Priority = 'urgent' | 'high' | 'normal' | 'low';
type TicketType = 'problem' | 'incident' | 'question' | 'task';
type Status = 'new' | 'open' | 'pending' | 'hold' | 'solved' | 'closed';

/** The ticket fields create and update share (Zendesk's names, camel-cased). */
interface TicketFields {
  subject?: string;
  priority?: Priority;
  type?: TicketType;
  status?: Status;
  tags?: string[];
  externalId?: string;
  customFields?: Array<{ id: number; value: unknown }>;
  assigneeId?: number;
  groupId?: number;
  organizationId?: number;
  dueAt?: string;
}

const TICKET_FIELDS: Record<string, JsonSchema> = {
  subject: { type: 'string', minLength: 1, maxLength: 1000 },
  priority: PRIORITY,
  type: TICKET_TYPE,
  status: STATUS,
  tags: { ...TAGS, description: 'Replaces the ticket’s tags' },
  externalId: { ...EXTERNAL_ID, description: 'Your own id for the ticket (external_id)' },
  customFields: { ...CUSTOM_FIELDS, description: 'Ticket field values: [{id, value}]' },
  assigneeId: ID,
  groupId: ID,
  organizationId: ID,
  dueAt: { ...DATE_TIME, description: 'When a task is due (type task only)' },
};

function ticketFields(input: TicketFields): Record<string, unknown> {
  return {
    subject: input.subject,
    priority: input.priority,
    type: input.type,
    status: input.status,
    tags: input.tags,
    external_id: input.externalId,
    custom_fields: input.customFields,
    assignee_id: input.assigneeId,
    group_id: input.groupId,
    organization_id: input.organizationId,
    due_at: input.dueAt,
  };
}

interface CreateTicketInput extends TicketFields {
  comment: CommentInput;
  requester?: { email: string; name?: string; localeId?: number };
  requesterId?: number;
  submitterId?: number;
}

export const CREATE_TICKET: VendorOperation<CreateTicketInput> = {
  name: 'zendesk.tickets.create',
  description: 'Creates a ticket: its first comment is the description; the requester by id, or by email (created when Zendesk does not know it)',
  effect: 'write',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['comment'],
    properties: {
      ...TICKET_FIELDS,
      comment: COMMENT_INPUT,
      requester: {
        type: 'object',
        additionalProperties: false,
        required: ['email'],
        properties: { email: { type: 'string', format: 'email', maxLength: 254 }, name: { type: 'string', minLength: 1, maxLength: 255 }, localeId: ID },
      },
      requesterId: ID,
      submitterId: ID,
    },
    not: { required: ['requester', 'requesterId'] },
  },
  output: TICKET_OUTPUT,
  request: (input) => ({
    method: 'POST',
    path: apiPath('tickets'),
    ...jsonBody({
      ticket: {
        ...ticketFields(input),
        comment: toComment(input.comment),
        requester: input.requester ? { email: input.requester.email, name: input.requester.name, locale_id: input.requester.localeId } : undefined,
        requester_id: input.requesterId,
        submitter_id: input.submitterId,
      },
    }),
  }),
  result: (answer) => toTicket(bodyOf(answer).ticket ?? {}),
};

export const GET_TICKET: VendorOperation<{ ticketId: number }> = {
  name: 'zendesk.tickets.get',
  description: 'Gets a ticket',
  effect: 'read',
  input: objectSchema({ ticketId: TICKET_ID }),
  output: TICKET_OUTPUT,
  request: (input) => ({ method: 'GET', path: apiPath('tickets', input.ticketId) }),
  result: (answer) => toTicket(bodyOf(answer).ticket ?? {}),
};

interface UpdateTicketInput extends TicketFields {
  ticketId: number;
  comment?: CommentInput;
  updatedStamp?: string;
}

export const UPDATE_TICKET: VendorOperation<UpdateTicketInput> = {
  name: 'zendesk.tickets.update',
  description: 'Updates a ticket’s fields (and adds a comment when given); with updatedStamp, Zendesk refuses (409) an update of a ticket changed since',
  effect: 'write',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['ticketId'],
    minProperties: 2,
    properties: {
      ticketId: TICKET_ID,
      ...TICKET_FIELDS,
      comment: COMMENT_INPUT,
      updatedStamp: { ...DATE_TIME, description: 'The updatedAt the change was based on: a safe update (safe_update, updated_stamp)' },
    },
  },
  output: TICKET_OUTPUT,
  request: (input) => ({
    method: 'PUT',
    path: apiPath('tickets', input.ticketId),
    ...jsonBody({
      ticket: {
        ...ticketFields(input),
        comment: input.comment ? toComment(input.comment) : undefined,
        ...(input.updatedStamp ? { safe_update: true, updated_stamp: input.updatedStamp } : {}),
      },
    }),
  }),
  result: (answer) => toTicket(bodyOf(answer).ticket ?? {}),
};

export const LIST_TICKET_COMMENTS: VendorOperation<{ ticketId: number; pageSize?: number; after?: string }> = {
  name: 'zendesk.tickets.comments.list',
  description: 'Lists a ticket’s comments, oldest first, a page at a time (cursor pagination: pass afterCursor as after)',
  effect: 'read',
  input: objectSchema({ ticketId: TICKET_ID, ...PAGE_INPUT }, ['ticketId']),
  output: pageSchema(COMMENT_OUTPUT),
  request: (input) => ({ method: 'GET', path: apiPath('tickets', input.ticketId, 'comments'), query: pageQuery(input) }),
  result: (answer) => {
    const body = bodyOf(answer);
    return { items: listOf(body.comments).map(toCommentOutput), ...pageOf(body) };
  },
};

type CreateCommentInput = { ticketId: number; status?: Status } & CommentInput;

/** The comment event of an update's audit. */
function commentOf(audit: ZendeskJson): ZendeskJson {
  return listOf(audit.events).find((event) => event.type === 'Comment') ?? {};
}

export const CREATE_TICKET_COMMENT: VendorOperation<CreateCommentInput> = {
  name: 'zendesk.tickets.comments.create',
  description: 'Adds a comment to a ticket (public reply, or an internal note with public: false), optionally moving its status',
  effect: 'write',
  input: {
    ...COMMENT_INPUT,
    required: ['ticketId'],
    properties: { ticketId: TICKET_ID, ...COMMENT_INPUT.properties, status: STATUS },
  },
  output: objectSchema({
    ticketId: { type: 'integer' },
    auditId: NULLABLE_ID,
    commentId: NULLABLE_ID,
    body: NULLABLE_STRING,
    htmlBody: NULLABLE_STRING,
    public: { type: 'boolean' },
    authorId: NULLABLE_ID,
    createdAt: NULLABLE_STRING,
    status: { type: 'string' },
  }),
  // Zendesk adds comments through a ticket update: the answer's audit holds the comment event.
  request: (input) => ({
    method: 'PUT',
    path: apiPath('tickets', input.ticketId),
    ...jsonBody({ ticket: { comment: toComment(input), status: input.status } }),
  }),
  result: (answer, input) => {
    const body = bodyOf(answer);
    const audit: ZendeskJson = body.audit ?? {};
    const comment = commentOf(audit);
    return {
      ticketId: input.ticketId,
      auditId: idOrNull(audit.id),
      commentId: idOrNull(comment.id),
      body: stringOrNull(comment.body) ?? input.body ?? null,
      htmlBody: stringOrNull(comment.html_body),
      public: comment.public === undefined ? input.public !== false : comment.public !== false,
      authorId: idOrNull(comment.author_id) ?? idOrNull(audit.author_id),
      createdAt: stringOrNull(audit.created_at),
      status: String(body.ticket?.status ?? ''),
    };
  },
};

interface SearchUsersInput {
  query?: string;
  externalId?: string;
  perPage?: number;
  page?: number;
}

/** The `page` of an offset-paginated answer's `next_page` URL, null on the last page. */
function nextPageOf(body: ZendeskJson): number | null {
  if (typeof body.next_page !== 'string') return null;
  try {
    const page = Number(new URL(body.next_page, 'http://relative.invalid').searchParams.get('page'));
    return Number.isInteger(page) && page > 0 ? page : null;
  } catch {
    return null;
  }
}

/** Search Users takes offset pagination only (`page`, `per_page`): it refuses `page[size]`. */
export const SEARCH_USERS: VendorOperation<SearchUsersInput> = {
  name: 'zendesk.users.search',
  description: 'Finds users by a search query (an email, a name, or Zendesk search syntax such as role:agent) or by externalId, a page at a time',
  effect: 'read',
  input: {
    ...objectSchema(
      {
        query: { type: 'string', minLength: 1, maxLength: 1000, description: 'Zendesk user search: email, name, phone, or field:value terms' },
        externalId: EXTERNAL_ID,
        perPage: { type: 'integer', minimum: 1, maximum: 100, description: 'Results per page (Zendesk default 100)' },
        page: { type: 'integer', minimum: 1, maximum: 10, description: 'Page number, from 1 (Zendesk returns at most 1,000 results)' },
      },
      [],
    ),
    oneOf: [{ required: ['query'] }, { required: ['externalId'] }],
  },
  output: objectSchema({
    items: { type: 'array', items: USER_OUTPUT },
    nextPage: { type: ['integer', 'null'], minimum: 1 },
    count: { type: ['integer', 'null'], description: 'Every match, past the pages Zendesk returns too' },
  }),
  request: (input) => {
    const query: Record<string, string> = {};
    if (input.query !== undefined) query.query = input.query;
    if (input.externalId !== undefined) query.external_id = input.externalId;
    if (input.perPage !== undefined) query.per_page = String(input.perPage);
    if (input.page !== undefined) query.page = String(input.page);
    return { method: 'GET', path: apiPath('users', 'search'), query };
  },
  result: (answer) => {
    const body = bodyOf(answer);
    return { items: listOf(body.users).map(toUser), nextPage: nextPageOf(body), count: idOrNull(body.count) };
  },
};

/** Zendesk's named operations, as `GET /zendesk/operations` lists them. */
export const ZENDESK_OPERATIONS: readonly VendorOperation[] = [CREATE_TICKET, GET_TICKET, UPDATE_TICKET, LIST_TICKET_COMMENTS, CREATE_TICKET_COMMENT, SEARCH_USERS];
