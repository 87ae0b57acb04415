import type { Scope } from '../auth/scopes';

/** Events about deliveries, inbound or outbound, and any event a tenant or a vendor sent. */
const DELIVERIES: Scope = 'webhooks.deliveries.read';

const SCOPE_BY_TYPE: Readonly<Record<string, Scope>> = {
  IntegrationRunCompleted: 'integration.runs.read',
  IntegrationFailed: 'integration.runs.read',
  MessageStatusChanged: 'integration.runs.read',
  ExternalRecordsChanged: 'integration.runs.read',
  IntegrationConnectionEstablished: 'integration.connections.read',
  IntegrationConnectionRetired: 'integration.connections.read',
  ExternalApiHealthChanged: 'integration.connections.read',
  CredentialRotated: 'integration.connections.read',
  IntegrationProviderRegistered: 'integration.providers.read',
  ExternalApiClientRegistered: 'integration.providers.read',
};

/** The scope a token needs to see a live event: the one that reads what the event is about. */
export function scopeToSee(type: string): Scope {
  return SCOPE_BY_TYPE[type] ?? DELIVERIES;
}
