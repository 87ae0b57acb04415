import { IntegrationError } from '../../platform/resilience/failure-classifier';
import type { SendSmsCommand } from '../../platform/messages/message-contracts';
import type { MessageDraft } from '../../platform/messages/message-records';

/**
 * A SendSms (from the bus or POST /sms/messages) checked before anything is queued: throws a Validation
 * IntegrationError naming the field. Answers the normalised command and its record's draft.
 */
export function parseSendSms(raw: unknown): { command: SendSmsCommand; draft: MessageDraft } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid('body', 'must be a JSON object');
  const input = raw as Record<string, unknown>;
  if (typeof input.to !== 'string' || !/^\+[1-9]\d{6,14}$/.test(input.to)) throw invalid('to', 'must be an E.164 number (+ and up to 15 digits)');
  if (typeof input.body !== 'string' || input.body.length === 0) throw invalid('body', 'must be a non-empty string');
  const connectionId = typeof input.connectionId === 'string' ? input.connectionId : undefined;
  const routeName = typeof input.routeName === 'string' ? input.routeName : undefined;
  if (!connectionId === !routeName) throw invalid('connectionId', 'exactly one of connectionId and routeName is required');
  const idempotencyKey = typeof input.idempotencyKey === 'string' ? input.idempotencyKey : undefined;
  const command: SendSmsCommand = {
    ...(connectionId ? { connectionId } : { routeName }),
    to: input.to,
    ...(typeof input.from === 'string' ? { from: input.from } : {}),
    body: input.body,
    ...(idempotencyKey ? { idempotencyKey } : {}),
  };
  return {
    command,
    draft: {
      channel: 'sms',
      connectionId: connectionId ?? null,
      routeName: routeName ?? null,
      recipients: [input.to],
      subject: null,
      size: 1,
      idempotencyKey: idempotencyKey ?? null,
    },
  };
}

function invalid(field: string, problem: string): IntegrationError {
  return IntegrationError.validation('invalid_sms', `${field} ${problem}`);
}
