import { parsePhoneNumberWithError } from 'libphonenumber-js';
import type { SendSmsCommand } from '../../platform/messages/message-contracts';
import type { MessageDraft } from '../../platform/messages/message-records';
import { IntegrationError } from '../../platform/resilience/failure-classifier';
import { countSegments } from './sms-segments';

export interface SmsLimits {
  /** SMS_MAX_SEGMENTS. */
  maxSegments: number;
}

/** An alphanumeric sender id: up to 11 letters, digits and spaces, at least one letter (all digits would be read as a number). */
const ALPHANUMERIC_SENDER = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/;
const SHORT_CODE = /^\d{3,8}$/;
const PRINTABLE_KEY = /^[\x20-\x7e]{1,256}$/;

/**
 * A SendSms (from the bus or POST /sms/messages) checked before anything is queued: throws a Validation
 * IntegrationError naming the field. Answers the normalised command (numbers in E.164) and its record's
 * draft, whose size is the number of SMS segments the body takes.
 */
export function parseSendSms(raw: unknown, limits: SmsLimits): { command: SendSmsCommand; draft: MessageDraft } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid('body', 'must be a JSON object');
  const input = raw as Record<string, unknown>;
  const connectionId = optionalString(input, 'connectionId', 128);
  const routeName = optionalString(input, 'routeName', 128);
  if ((connectionId === undefined) === (routeName === undefined)) throw invalid('connectionId', 'or routeName: exactly one of them is required');
  const to = e164(input.to, 'to');
  const from = input.from === undefined ? undefined : sender(input.from);
  if (typeof input.body !== 'string' || input.body.length === 0) throw invalid('body', 'must be a non-empty string');
  const { segments, encoding } = countSegments(input.body);
  if (segments > limits.maxSegments) {
    throw invalid('body', `takes ${segments} ${encoding} segments, more than the ${limits.maxSegments} allowed (SMS_MAX_SEGMENTS)`);
  }
  const idempotencyKey = input.idempotencyKey === undefined ? undefined : key(input.idempotencyKey);
  const command: SendSmsCommand = {
    ...(connectionId !== undefined ? { connectionId } : { routeName }),
    to,
    ...(from !== undefined ? { from } : {}),
    body: input.body,
    ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
  };
  return {
    command,
    draft: {
      channel: 'sms',
      connectionId: connectionId ?? null,
      routeName: routeName ?? null,
      recipients: [to],
      subject: null,
      size: segments,
      idempotencyKey: idempotencyKey ?? null,
    },
  };
}

function optionalString(input: Record<string, unknown>, field: string, maxLength: number): string | undefined {
  const value = input[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) throw invalid(field, `must be a string of 1 to ${maxLength} characters`);
  return value;
}

/** A valid number given in E.164 (`+` and the country code), answered normalised. */
function e164(value: unknown, field: string): string {
  if (typeof value !== 'string') throw invalid(field, 'must be a phone number in E.164 form (+ and the country code), as a string');
  if (!/^\+\d/.test(value.trim())) throw invalid(field, 'must be given in E.164 form: + and the country code first');
  try {
    const number = parsePhoneNumberWithError(value);
    if (!number.isValid()) throw invalid(field, 'is not a valid phone number');
    return number.number;
  } catch (error) {
    if (error instanceof IntegrationError) throw error;
    throw invalid(field, 'is not a valid phone number in E.164 form');
  }
}

/** A number in E.164, an alphanumeric sender id or a short code. */
function sender(value: unknown): string {
  if (typeof value !== 'string') throw invalid('from', 'must be a string');
  if (value.startsWith('+')) return e164(value, 'from');
  if (SHORT_CODE.test(value) || ALPHANUMERIC_SENDER.test(value)) return value;
  throw invalid('from', 'must be an E.164 number, a short code (3 to 8 digits) or an alphanumeric sender id (1 to 11 letters, digits or spaces, at least one letter)');
}

function key(value: unknown): string {
  if (typeof value !== 'string' || !PRINTABLE_KEY.test(value)) throw invalid('idempotencyKey', 'must be 1 to 256 printable ASCII characters');
  return value;
}

function invalid(field: string, problem: string): IntegrationError {
  return IntegrationError.validation('invalid_sms', `${field} ${problem}`);
}
