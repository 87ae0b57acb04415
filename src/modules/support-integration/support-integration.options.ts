import { duration, int } from '../../platform/config/codecs';
import { Env, OptionsSection } from '../../platform/config/options';

@OptionsSection('Support', 'Options of the SupportIntegrationService role')
export class SupportIntegrationOptions {
  @Env('SUPPORT_PAGE_SIZE', int({ min: 1, max: 100 }), { default: 100, description: 'Tickets fetched per page when listing (Zendesk cursor pagination)' })
  readonly pageSize: number;

  @Env('SUPPORT_REQUEST_TIMEOUT', duration({ min: 1000 }), { default: 30_000, description: 'Timeout of one support-system call' })
  readonly requestTimeoutMs: number;
}
