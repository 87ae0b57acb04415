import { int } from '../../platform/config/codecs';
import { Env, OptionsSection } from '../../platform/config/options';

@OptionsSection('SMS', 'Options of the SmsIntegrationService role')
export class SmsIntegrationOptions {
  @Env('SMS_CONCURRENCY', int({ min: 1, max: 256 }), { default: 8, description: 'SendSms commands handled at once per process' })
  readonly concurrency: number;

  @Env('SMS_MAX_SEGMENTS', int({ min: 1, max: 255 }), {
    default: 10,
    description: 'Most SMS segments one message may take (GSM-7: 153 characters a part, UCS-2: 67); longer bodies are a 400',
  })
  readonly maxSegments: number;
}
