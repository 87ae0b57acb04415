/** The records the Zendesk peer keeps: users, tickets and their comments, as Zendesk's JSON has them. */

export interface PeerUser {
  id: number;
  url: string;
  name: string;
  email: string | null;
  role: 'end-user' | 'agent' | 'admin';
  active: boolean;
  suspended: boolean;
  organization_id: number | null;
  external_id: string | null;
  phone: string | null;
  time_zone: string;
  created_at: string;
  updated_at: string;
}

export interface PeerComment {
  id: number;
  type: 'Comment';
  author_id: number;
  body: string;
  html_body: string;
  plain_body: string;
  public: boolean;
  attachments: unknown[];
  audit_id: number;
  via: { channel: string };
  created_at: string;
}

export interface PeerTicket {
  id: number;
  url: string;
  external_id: string | null;
  type: string | null;
  subject: string | null;
  raw_subject: string | null;
  description: string | null;
  priority: string | null;
  status: string;
  requester_id: number;
  submitter_id: number;
  assignee_id: number | null;
  organization_id: number | null;
  group_id: number | null;
  collaborator_ids: number[];
  tags: string[];
  custom_fields: Array<{ id: number; value: unknown }>;
  due_at: string | null;
  via: { channel: string };
  created_at: string;
  updated_at: string;
  /** Seconds: what the incremental export orders and filters by (Zendesk's generated_timestamp). */
  generated_timestamp: number;
}

/** Zendesk's timestamps: ISO 8601, whole seconds, UTC. */
export function zendeskTime(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

export class ZendeskState {
  readonly users: PeerUser[] = [];
  readonly tickets: PeerTicket[] = [];
  readonly comments = new Map<number, PeerComment[]>();
  private nextId = 1000;

  constructor(private readonly apiUrl: () => string) {}

  id(): number {
    return (this.nextId += 1);
  }

  addUser(fields: Partial<PeerUser> & { name: string }, at = Date.now()): PeerUser {
    const id = fields.id ?? this.id();
    const user: PeerUser = {
      url: `${this.apiUrl()}/api/v2/users/${id}.json`,
      email: null,
      role: 'end-user',
      active: true,
      suspended: false,
      organization_id: null,
      external_id: null,
      phone: null,
      time_zone: 'UTC',
      created_at: zendeskTime(at),
      updated_at: zendeskTime(at),
      ...fields,
      id,
    };
    this.users.push(user);
    return user;
  }

  user(id: number): PeerUser | undefined {
    return this.users.find((user) => user.id === id);
  }

  userByEmail(email: string): PeerUser | undefined {
    return this.users.find((user) => user.email?.toLowerCase() === email.toLowerCase());
  }

  ticket(id: number): PeerTicket | undefined {
    return this.tickets.find((ticket) => ticket.id === id);
  }

  addTicket(fields: Partial<PeerTicket> & { requester_id: number; submitter_id: number }, at = Date.now()): PeerTicket {
    const id = this.id();
    const ticket: PeerTicket = {
      url: `${this.apiUrl()}/api/v2/tickets/${id}.json`,
      external_id: null,
      type: null,
      subject: null,
      raw_subject: fields.subject ?? null,
      description: null,
      priority: null,
      status: 'new',
      assignee_id: null,
      organization_id: null,
      group_id: null,
      collaborator_ids: [],
      tags: [],
      custom_fields: [],
      due_at: null,
      via: { channel: 'api' },
      created_at: zendeskTime(at),
      updated_at: zendeskTime(at),
      generated_timestamp: Math.floor(at / 1000),
      ...fields,
      id,
    };
    this.tickets.push(ticket);
    this.comments.set(id, []);
    return ticket;
  }

  /** Marks a ticket changed at `at` (its updated_at and generated_timestamp move on). */
  touch(ticket: PeerTicket, at = Date.now()): void {
    ticket.updated_at = zendeskTime(at);
    ticket.generated_timestamp = Math.floor(at / 1000);
  }

  addComment(ticket: PeerTicket, fields: { author_id: number; body?: string; html_body?: string; public?: boolean }, auditId: number, at = Date.now()): PeerComment {
    const plain = fields.body ?? (fields.html_body ?? '').replace(/<[^>]*>/g, '');
    const comment: PeerComment = {
      id: this.id(),
      type: 'Comment',
      author_id: fields.author_id,
      body: plain,
      html_body: fields.html_body ?? `<div class="zd-comment" dir="auto"><p dir="auto">${plain}</p></div>`,
      plain_body: plain,
      public: fields.public ?? true,
      attachments: [],
      audit_id: auditId,
      via: { channel: 'api' },
      created_at: zendeskTime(at),
    };
    this.comments.get(ticket.id)!.push(comment);
    return comment;
  }
}
