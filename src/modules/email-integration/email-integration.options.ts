import { bytes, duration, int, str } from '../../platform/config/codecs';
import { Env, OptionsSection } from '../../platform/config/options';

@OptionsSection('Email', 'Options of the EmailIntegrationService role')
export class EmailIntegrationOptions {
  @Env('EMAIL_DEFAULT_FROM', str({ pattern: /^[^@\s]+@[^@\s]+$/, patternHint: 'an e-mail address' }), { description: 'Sender used when a SendEmail command names none' })
  readonly defaultFrom?: string;

  @Env('EMAIL_CONCURRENCY', int({ min: 1, max: 256 }), { default: 8, description: 'SendEmail commands handled at once per process' })
  readonly concurrency: number;

  @Env('EMAIL_MAX_MESSAGE_BYTES', bytes({ min: 1024, max: 40 * 1024 * 1024 }), {
    default: 10 * 1024 * 1024,
    description: 'Largest email accepted: bodies and decoded attachments together',
  })
  readonly maxMessageBytes: number;

  @Env('EMAIL_OPERATION_POLL_TIMEOUT', duration({ min: 1000, max: 3_600_000 }), {
    default: 60_000,
    description: 'How long a send waits for an Azure Communication Services email operation to end; still running then, the message stays Sent and its delivery report settles it',
  })
  readonly operationPollTimeoutMs: number;

  @Env('EMAIL_OPERATION_POLL_INTERVAL', duration({ min: 10, max: 60_000 }), {
    default: 1000,
    description: 'Wait between polls of an email operation when the answer has no Retry-After',
  })
  readonly operationPollIntervalMs: number;
}
