import { IntegrationError } from '../../platform/resilience/failure-classifier';
import type { SendEmailCommand } from '../../platform/messages/message-contracts';
import type { MessageDraft } from '../../platform/messages/message-records';

export interface EmailLimits {
  defaultFrom?: string;
}

/**
 * A SendEmail (from the bus or POST /email/messages) checked before anything is queued: throws a
 * Validation IntegrationError naming the field. Answers the normalised command and its record's draft.
 */
export function parseSendEmail(raw: unknown, limits: EmailLimits): { command: SendEmailCommand; draft: MessageDraft } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid('body', 'must be a JSON object');
  const input = raw as Record<string, unknown>;
  const to = addresses(input.to, 'to');
  if (to.length === 0) throw invalid('to', 'must name at least one recipient');
  if (typeof input.subject !== 'string') throw invalid('subject', 'must be a string');
  const connectionId = typeof input.connectionId === 'string' ? input.connectionId : undefined;
  const routeName = typeof input.routeName === 'string' ? input.routeName : undefined;
  if (!connectionId === !routeName) throw invalid('connectionId', 'exactly one of connectionId and routeName is required');
  const from = typeof input.from === 'string' ? input.from : limits.defaultFrom;
  const idempotencyKey = typeof input.idempotencyKey === 'string' ? input.idempotencyKey : undefined;
  const command: SendEmailCommand = {
    ...(connectionId ? { connectionId } : { routeName }),
    to,
    ...(from ? { from } : {}),
    subject: input.subject,
    ...(typeof input.text === 'string' ? { text: input.text } : {}),
    ...(typeof input.html === 'string' ? { html: input.html } : {}),
    ...(idempotencyKey ? { idempotencyKey } : {}),
  };
  const size = Buffer.byteLength(command.text ?? '') + Buffer.byteLength(command.html ?? '');
  return {
    command,
    draft: {
      channel: 'email',
      connectionId: connectionId ?? null,
      routeName: routeName ?? null,
      recipients: to,
      subject: command.subject,
      size,
      idempotencyKey: idempotencyKey ?? null,
    },
  };
}

function addresses(value: unknown, field: string): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || !list.every((item) => typeof item === 'string')) throw invalid(field, 'must be an address or a list of addresses');
  return list as string[];
}

function invalid(field: string, problem: string): IntegrationError {
  return IntegrationError.validation('invalid_email', `${field} ${problem}`);
}
