import { int, oneOf } from '../../platform/config/codecs';
import { Env, OptionsSection } from '../../platform/config/options';

@OptionsSection('SMS', 'Options of the SmsIntegrationService role')
export class SmsIntegrationOptions {
  @Env('SMS_DEFAULT_PROVIDER', oneOf(['twilio', 'azure-communication-services', 'sms019'] as const), {
    default: 'twilio',
    description: 'SMS gateway used when a SendSms command names no connection',
  })
  readonly defaultProvider: string;

  @Env('SMS_CONCURRENCY', int({ min: 1, max: 256 }), { default: 8, description: 'SendSms commands handled at once per process' })
  readonly concurrency: number;
}
