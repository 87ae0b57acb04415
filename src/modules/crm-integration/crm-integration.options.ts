import { int, url } from '../../platform/config/codecs';
import { Env, OptionsSection } from '../../platform/config/options';

@OptionsSection('CRM', 'Options of the CrmIntegrationService role')
export class CrmIntegrationOptions {
  @Env('HUBSPOT_API_URL', url({ protocols: ['https', 'http'] }), { default: 'https://api.hubapi.com', description: 'HubSpot API base URL' })
  readonly hubspotApiUrl: string;

  @Env('CRM_PAGE_SIZE', int({ min: 1, max: 100 }), { default: 100, description: 'Records fetched per page when listing' })
  readonly pageSize: number;
}
