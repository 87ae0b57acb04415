import { bytes, int, str } from '../../platform/config/codecs';
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
}
