import { domainToASCII } from 'node:url';
import { IntegrationError } from '../../platform/resilience/failure-classifier';
import type { EmailAttachment, SendEmailCommand } from '../../platform/messages/message-contracts';
import type { MessageDraft } from '../../platform/messages/message-records';

export interface EmailLimits {
  defaultFrom?: string;
  maxMessageBytes: number;
}

const MAX_RECIPIENTS = 100;
const MAX_HEADERS = 50;
/** RFC 5322 atext, dot-separated (dot-atom), or a quoted string; UTF-8 allowed (RFC 6531). */
const LOCAL_PART =
  /^(?:[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uFFFF-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uFFFF-]+)*|"(?:[\x20\x21\x23-\x5B\x5D-\x7E\u0080-\uFFFF]|\\[\x20-\x7E])*")$/;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const DISPLAY_FORM = /^\s*(?:"((?:[^"\\\r\n]|\\.)*)"|([^<>"\r\n]*?))\s*<([^<>\s]+)>\s*$/;
const HEADER_NAME = /^[\x21-\x39\x3B-\x7E]{1,76}$/;
const RESERVED_HEADERS = new Set(['from', 'to', 'cc', 'bcc', 'reply-to', 'subject', 'date', 'message-id', 'mime-version', 'sender', 'return-path', 'received']);
const CONTENT_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const PRINTABLE_KEY = /^[\x21-\x7E]{1,256}$/;

/**
 * A SendEmail (from the bus or POST /email/messages) checked before anything is queued: throws a
 * Validation IntegrationError whose message starts with the field (`to[2]: …`). Answers the normalised
 * command and its record's draft.
 */
export function parseSendEmail(raw: unknown, limits: EmailLimits): { command: SendEmailCommand; draft: MessageDraft } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid('body', 'must be a JSON object');
  const input = raw as Record<string, unknown>;
  const connectionId = optionalString(input.connectionId, 'connectionId', 64);
  const routeName = optionalString(input.routeName, 'routeName', 128);
  if (!connectionId === !routeName) throw invalid('connectionId', 'exactly one of connectionId and routeName is required');
  const to = addressList(input.to, 'to', true);
  const cc = addressList(input.cc, 'cc', false);
  const bcc = addressList(input.bcc, 'bcc', false);
  if (to.length + cc.length + bcc.length > MAX_RECIPIENTS) throw invalid('to', `to, cc and bcc together name at most ${MAX_RECIPIENTS} recipients`);
  const from = input.from === undefined || input.from === null ? limits.defaultFrom : address(input.from, 'from');
  if (!from) throw invalid('from', 'is required (no EMAIL_DEFAULT_FROM is configured)');
  const replyTo = input.replyTo === undefined || input.replyTo === null ? undefined : address(input.replyTo, 'replyTo');
  if (typeof input.subject !== 'string') throw invalid('subject', 'must be a string');
  if (input.subject.length > 998 || /[\r\n]/.test(input.subject)) throw invalid('subject', 'must be one line of at most 998 characters');
  const text = optionalString(input.text, 'text');
  const html = optionalString(input.html, 'html');
  if (text === undefined && html === undefined) throw invalid('text', 'at least one of text and html is required');
  const headers = headersOf(input.headers);
  const attachments = attachmentsOf(input.attachments);
  const idempotencyKey = optionalString(input.idempotencyKey, 'idempotencyKey', 256);
  if (idempotencyKey !== undefined && !PRINTABLE_KEY.test(idempotencyKey)) throw invalid('idempotencyKey', 'must be 1–256 printable ASCII characters');

  const size =
    Buffer.byteLength(text ?? '') +
    Buffer.byteLength(html ?? '') +
    attachments.reduce((total, attachment) => total + (attachment.contentBase64 ? Math.floor((attachment.contentBase64.length * 3) / 4) : 0), 0);
  if (size > limits.maxMessageBytes) throw invalid('attachments', `the message (bodies and attachments) exceeds EMAIL_MAX_MESSAGE_BYTES (${limits.maxMessageBytes} bytes)`);

  const command: SendEmailCommand = {
    ...(connectionId ? { connectionId } : { routeName }),
    to,
    ...(cc.length ? { cc } : {}),
    ...(bcc.length ? { bcc } : {}),
    from,
    ...(replyTo ? { replyTo } : {}),
    subject: input.subject,
    ...(text !== undefined ? { text } : {}),
    ...(html !== undefined ? { html } : {}),
    ...(attachments.length ? { attachments } : {}),
    ...(headers ? { headers } : {}),
    ...(idempotencyKey ? { idempotencyKey } : {}),
  };
  return {
    command,
    draft: {
      channel: 'email',
      connectionId: connectionId ?? null,
      routeName: routeName ?? null,
      recipients: [...to, ...cc, ...bcc].map(addrSpecOf),
      subject: input.subject,
      size,
      idempotencyKey: idempotencyKey ?? null,
    },
  };
}

/** An address as RFC 5322 has it: `local@domain`, optionally as `"Display Name" <local@domain>`; the domain may be internationalised. */
export function address(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 998) throw invalid(field, 'must be an e-mail address');
  if (/[\r\n]/.test(value)) throw invalid(field, 'must not contain line breaks');
  const display = DISPLAY_FORM.exec(value);
  const spec = display ? display[3] : value.trim();
  const at = spec.lastIndexOf('@');
  if (at <= 0 || at === spec.length - 1) throw invalid(field, `${JSON.stringify(value.slice(0, 80))} is not an e-mail address (local@domain)`);
  const local = spec.slice(0, at);
  const domain = spec.slice(at + 1);
  if (Buffer.byteLength(local) > 64 || !LOCAL_PART.test(local)) throw invalid(field, 'has an invalid local part (before the @)');
  const ascii = domainToASCII(domain.replace(/\.$/, ''));
  const labels = ascii.split('.');
  if (!ascii || ascii.length > 253 || labels.length < 2 || !labels.every((label) => LABEL.test(label))) {
    throw invalid(field, `has an invalid domain ${JSON.stringify(domain.slice(0, 80))}`);
  }
  return value.trim();
}

function addrSpecOf(value: string): string {
  const display = DISPLAY_FORM.exec(value);
  return display ? display[3] : value;
}

function addressList(value: unknown, field: string, required: boolean): string[] {
  if (value === undefined || value === null) {
    if (required) throw invalid(field, 'must name at least one recipient');
    return [];
  }
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list)) throw invalid(field, 'must be an address or a list of addresses');
  if (required && list.length === 0) throw invalid(field, 'must name at least one recipient');
  return list.map((item, index) => address(item, `${field}[${index}]`));
}

function headersOf(value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid('headers', 'must be an object of header names to strings');
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_HEADERS) throw invalid('headers', `must have at most ${MAX_HEADERS} entries`);
  for (const [name, text] of entries) {
    if (!HEADER_NAME.test(name)) throw invalid(`headers.${name.slice(0, 40)}`, 'is not a valid header name');
    const lower = name.toLowerCase();
    if (RESERVED_HEADERS.has(lower) || lower.startsWith('content-')) throw invalid(`headers.${name}`, 'is set by the platform from the message’s fields');
    if (typeof text !== 'string' || text.length > 998 || /[\r\n]/.test(text)) throw invalid(`headers.${name}`, 'must be one line of at most 998 characters');
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

function attachmentsOf(value: unknown): EmailAttachment[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalid('attachments', 'must be a list');
  return value.map((item, index) => {
    const field = `attachments[${index}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw invalid(field, 'must be an object');
    const { filename, contentType, blobRef, contentBase64 } = item as Record<string, unknown>;
    if (typeof filename !== 'string' || filename.length === 0 || filename.length > 255 || /[/\\\r\n\0]/.test(filename)) {
      throw invalid(`${field}.filename`, 'must be a file name (no path separators or line breaks, at most 255 characters)');
    }
    if (typeof contentType !== 'string' || !CONTENT_TYPE.test(contentType)) throw invalid(`${field}.contentType`, 'must be a media type (type/subtype)');
    if ((blobRef === undefined) === (contentBase64 === undefined)) throw invalid(field, 'needs exactly one of blobRef and contentBase64');
    if (contentBase64 !== undefined) {
      if (typeof contentBase64 !== 'string' || !BASE64.test(contentBase64)) throw invalid(`${field}.contentBase64`, 'must be base64 (RFC 4648, padded)');
      return { filename, contentType, contentBase64 };
    }
    if (typeof blobRef !== 'string' || blobRef.length === 0 || blobRef.length > 1024) throw invalid(`${field}.blobRef`, 'must name a blob of the tenant');
    return { filename, contentType, blobRef };
  });
}

function optionalString(value: unknown, field: string, maxLength?: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid(field, 'must be a string');
  if (maxLength !== undefined && (value.length === 0 || value.length > maxLength)) throw invalid(field, `must be 1–${maxLength} characters`);
  return value;
}

function invalid(field: string, problem: string): IntegrationError {
  return IntegrationError.validation('invalid_email', `${field}: ${problem}`);
}
