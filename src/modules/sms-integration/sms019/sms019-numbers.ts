import { parsePhoneNumberWithError } from 'libphonenumber-js';
import { IntegrationError } from '../../../platform/resilience/failure-classifier';

/** 019 sends to Israeli numbers written locally (`05xxxxxxxx`): +972501234567 becomes 0501234567. */
export function toSms019Local(e164: string, field: string): string {
  const number = parsePhoneNumberWithError(e164);
  if (number.countryCallingCode !== '972') {
    throw IntegrationError.validation('sms019_destination_unsupported', `${field} ${e164} is not an Israeli number (+972): 019 sends only to Israeli numbers`);
  }
  return `0${number.nationalNumber}`;
}

/** 019's `source`: up to 11 digits (no +) or English letters; an E.164 sender is written locally like a destination. */
export function toSms019Source(sender: string): string {
  const source = sender.startsWith('+') ? toSms019Local(sender, 'from') : sender;
  if (!/^[A-Za-z0-9]{1,11}$/.test(source)) {
    throw IntegrationError.validation('sms019_source_invalid', 'from must be up to 11 digits or English letters (no spaces) for 019');
  }
  return source;
}
