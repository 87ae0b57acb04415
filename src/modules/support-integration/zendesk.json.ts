import type { JsonSchema, VendorAnswer } from '../../platform/vendors/vendor-descriptor';

/** Zendesk JSON as it comes: read field by field and mapped to the operation's own shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Zendesk's payloads are read field by field
export type ZendeskJson = Record<string, any>;

export const ID = { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } as const;
export const NULLABLE_ID = { type: ['integer', 'null'] } as const;
export const NULLABLE_STRING = { type: ['string', 'null'] } as const;
export const DATE_TIME = { type: 'string', format: 'date-time' } as const;
export const TICKET_ID = { ...ID, description: 'The ticket id' } as const;
export const PRIORITY = { type: 'string', enum: ['urgent', 'high', 'normal', 'low'] } as const;
export const TICKET_TYPE = { type: 'string', enum: ['problem', 'incident', 'question', 'task'] } as const;
export const STATUS = { type: 'string', enum: ['new', 'open', 'pending', 'hold', 'solved', 'closed'] } as const;
export const TAGS = { type: 'array', maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 80, pattern: '^[^\\s,]+$' } } as const;
export const EXTERNAL_ID = { type: 'string', minLength: 1, maxLength: 255 } as const;
export const CUSTOM_FIELDS = {
  type: 'array',
  maxItems: 200,
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'value'],
    properties: {
      id: ID,
      value: { anyOf: [{ type: ['string', 'number', 'boolean', 'null'] }, { type: 'array', items: { type: 'string' } }] },
    },
  },
} as const;
export const PAGE_INPUT = {
  pageSize: { type: 'integer', minimum: 1, maximum: 100, description: 'Results per page (page[size]; Zendesk default 100)' },
  after: { type: 'string', minLength: 1, maxLength: 1000, description: 'The afterCursor of the previous page (page[after])' },
} as const;

const BODY = { type: 'string', minLength: 1, maxLength: 65_536 } as const;

/** A comment to add: plain `body` or `htmlBody`, public (visible to the requester) unless said otherwise. */
export const COMMENT_INPUT = {
  type: 'object',
  additionalProperties: false,
  properties: {
    body: { ...BODY, description: 'Plain text (Markdown-like formatting as Zendesk renders it)' },
    htmlBody: { ...BODY, description: 'HTML, instead of body' },
    public: { type: 'boolean', description: 'Visible to the requester (default true); false is an internal note' },
    authorId: { ...ID, description: 'The user the comment is from (default: the authenticated user)' },
  },
  oneOf: [{ required: ['body'] }, { required: ['htmlBody'] }],
} as const;

export interface CommentInput {
  body?: string;
  htmlBody?: string;
  public?: boolean;
  authorId?: number;
}

export function objectSchema(properties: Record<string, JsonSchema>, required: readonly string[] = Object.keys(properties)): JsonSchema {
  return { type: 'object', additionalProperties: false, required: [...required], properties };
}

export const TICKET_OUTPUT = objectSchema({
  id: { type: 'integer' },
  url: { ...NULLABLE_STRING, description: 'The ticket in the API' },
  subject: NULLABLE_STRING,
  description: { ...NULLABLE_STRING, description: 'The first comment’s text' },
  status: { type: 'string' },
  priority: NULLABLE_STRING,
  type: NULLABLE_STRING,
  tags: { type: 'array', items: { type: 'string' } },
  requesterId: NULLABLE_ID,
  submitterId: NULLABLE_ID,
  assigneeId: NULLABLE_ID,
  groupId: NULLABLE_ID,
  organizationId: NULLABLE_ID,
  externalId: NULLABLE_STRING,
  customFields: { type: 'array', items: objectSchema({ id: { type: 'integer' }, value: {} }) },
  createdAt: { type: 'string' },
  updatedAt: { type: 'string' },
});

export const COMMENT_OUTPUT = objectSchema({
  id: { type: 'integer' },
  type: { type: 'string' },
  body: NULLABLE_STRING,
  htmlBody: NULLABLE_STRING,
  plainBody: NULLABLE_STRING,
  public: { type: 'boolean' },
  authorId: NULLABLE_ID,
  createdAt: NULLABLE_STRING,
  attachments: {
    type: 'array',
    items: objectSchema({ id: { type: 'integer' }, fileName: NULLABLE_STRING, contentUrl: NULLABLE_STRING, contentType: NULLABLE_STRING, size: NULLABLE_ID }),
  },
});

export const USER_OUTPUT = objectSchema({
  id: { type: 'integer' },
  name: NULLABLE_STRING,
  email: NULLABLE_STRING,
  role: NULLABLE_STRING,
  active: { type: 'boolean' },
  suspended: { type: 'boolean' },
  organizationId: NULLABLE_ID,
  externalId: NULLABLE_STRING,
  phone: NULLABLE_STRING,
  timeZone: NULLABLE_STRING,
  createdAt: NULLABLE_STRING,
  updatedAt: NULLABLE_STRING,
});

/** `{items, hasMore, afterCursor}`: one page of a cursor-paginated list; pass afterCursor as `after` for the next. */
export function pageSchema(item: JsonSchema): JsonSchema {
  return objectSchema({ items: { type: 'array', items: item }, hasMore: { type: 'boolean' }, afterCursor: NULLABLE_STRING });
}

export function bodyOf(answer: VendorAnswer): ZendeskJson {
  return typeof answer.body === 'object' && answer.body !== null && !Array.isArray(answer.body) ? (answer.body as ZendeskJson) : {};
}

export function listOf(value: unknown): ZendeskJson[] {
  return Array.isArray(value) ? value.filter((item): item is ZendeskJson => typeof item === 'object' && item !== null && !Array.isArray(item)) : [];
}

export function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

export function idOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) ? value : null;
}

/** `/api/v2/<segments>.json`, each segment percent-encoded. */
export function apiPath(...segments: Array<string | number>): string {
  return `/api/v2/${segments.map((segment) => encodeURIComponent(String(segment))).join('/')}.json`;
}

/** A JSON body with undefined fields left out. */
export function jsonBody(values: Record<string, unknown>): { headers: Record<string, string>; body: string } {
  return { headers: { 'content-type': 'application/json' }, body: JSON.stringify(values) };
}

/** Zendesk's cursor pagination parameters (`page[size]`, `page[after]`). */
export function pageQuery(input: { pageSize?: number; after?: string }): Record<string, string> {
  const query: Record<string, string> = {};
  if (input.pageSize !== undefined) query['page[size]'] = String(input.pageSize);
  if (input.after !== undefined) query['page[after]'] = input.after;
  return query;
}

/** `meta.has_more` and `meta.after_cursor` of a cursor-paginated answer (no cursor once there is no more). */
export function pageOf(body: ZendeskJson): { hasMore: boolean; afterCursor: string | null } {
  const hasMore = body.meta?.has_more === true;
  return { hasMore, afterCursor: hasMore ? stringOrNull(body.meta?.after_cursor) : null };
}

export function toComment(body: CommentInput): Record<string, unknown> {
  return { body: body.body, html_body: body.htmlBody, public: body.public ?? true, author_id: body.authorId };
}

export function toTicket(ticket: ZendeskJson) {
  return {
    id: ticket.id,
    url: stringOrNull(ticket.url),
    subject: stringOrNull(ticket.subject),
    description: stringOrNull(ticket.description),
    status: String(ticket.status ?? 'new'),
    priority: stringOrNull(ticket.priority),
    type: stringOrNull(ticket.type),
    tags: Array.isArray(ticket.tags) ? ticket.tags.filter((tag: unknown): tag is string => typeof tag === 'string') : [],
    requesterId: idOrNull(ticket.requester_id),
    submitterId: idOrNull(ticket.submitter_id),
    assigneeId: idOrNull(ticket.assignee_id),
    groupId: idOrNull(ticket.group_id),
    organizationId: idOrNull(ticket.organization_id),
    externalId: stringOrNull(ticket.external_id),
    customFields: listOf(ticket.custom_fields)
      .filter((field) => typeof field.id === 'number')
      .map((field) => ({ id: field.id as number, value: field.value ?? null })),
    createdAt: String(ticket.created_at ?? ''),
    updatedAt: String(ticket.updated_at ?? ''),
  };
}

export function toCommentOutput(comment: ZendeskJson) {
  return {
    id: comment.id,
    type: String(comment.type ?? 'Comment'),
    body: stringOrNull(comment.body),
    htmlBody: stringOrNull(comment.html_body),
    plainBody: stringOrNull(comment.plain_body),
    public: comment.public !== false,
    authorId: idOrNull(comment.author_id),
    createdAt: stringOrNull(comment.created_at),
    attachments: listOf(comment.attachments).map((attachment) => ({
      id: attachment.id,
      fileName: stringOrNull(attachment.file_name),
      contentUrl: stringOrNull(attachment.content_url),
      contentType: stringOrNull(attachment.content_type),
      size: idOrNull(attachment.size),
    })),
  };
}

export function toUser(user: ZendeskJson) {
  return {
    id: user.id,
    name: stringOrNull(user.name),
    email: stringOrNull(user.email),
    role: stringOrNull(user.role),
    active: user.active !== false,
    suspended: user.suspended === true,
    organizationId: idOrNull(user.organization_id),
    externalId: stringOrNull(user.external_id),
    phone: stringOrNull(user.phone),
    timeZone: stringOrNull(user.time_zone),
    createdAt: stringOrNull(user.created_at),
    updatedAt: stringOrNull(user.updated_at),
  };
}
