/** The scopes of the public API contract (src/platform/auth/scopes.ts), and what each console control needs. */
export type Scope =
  | 'integration.providers.write'
  | 'integration.providers.read'
  | 'integration.connections.write'
  | 'integration.connections.read'
  | 'integration.credentials.write'
  | 'integration.credentials.rotate'
  | 'integration.runs.read'
  | 'integration.runs.execute'
  | 'webhooks.subscriptions.write'
  | 'webhooks.subscriptions.read'
  | 'webhooks.events.publish'
  | 'webhooks.deliveries.ingest'
  | 'webhooks.deliveries.read';

/** Controls and the scope the server requires for the call behind them. */
export const CONTROL_SCOPES = {
  viewOverview: 'integration.connections.read',
  viewConnections: 'integration.connections.read',
  createConnection: 'integration.connections.write',
  testConnection: 'integration.connections.write',
  retireConnection: 'integration.connections.write',
  viewProviders: 'integration.providers.read',
  createCredential: 'integration.credentials.write',
  viewCredentials: 'integration.credentials.write',
  rotateCredential: 'integration.credentials.rotate',
  viewSubscriptions: 'webhooks.subscriptions.read',
  writeSubscriptions: 'webhooks.subscriptions.write',
  viewDeliveries: 'webhooks.deliveries.read',
  replayDeliveries: 'webhooks.subscriptions.write',
  viewRuns: 'integration.runs.read',
  viewSyncs: 'integration.connections.read',
  configureSyncs: 'integration.connections.write',
  runSyncs: 'integration.runs.execute',
  viewModelUsage: 'integration.runs.read',
  listTools: 'integration.runs.read',
  invokeTools: 'integration.runs.execute',
} as const satisfies Record<string, Scope>;

export type Control = keyof typeof CONTROL_SCOPES;

export function hasScope(granted: readonly string[], scope: string): boolean {
  return granted.includes(scope);
}

export function can(granted: readonly string[], control: Control): boolean {
  return hasScope(granted, CONTROL_SCOPES[control]);
}
