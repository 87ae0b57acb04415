/** Every scope of the public API contract. */
export const SCOPES = [
  'integration.providers.write',
  'integration.providers.read',
  'integration.connections.write',
  'integration.connections.read',
  'integration.credentials.write',
  'integration.credentials.rotate',
  'integration.runs.read',
  'integration.runs.execute',
  'webhooks.subscriptions.write',
  'webhooks.subscriptions.read',
  'webhooks.events.publish',
  'webhooks.deliveries.ingest',
  'webhooks.deliveries.read',
] as const;

export type Scope = (typeof SCOPES)[number];
