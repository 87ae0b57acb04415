import type { Type } from '@nestjs/common';
import type { OptionsClass } from './platform/config/options';

export type RoleKind = 'http' | 'http+grpc' | 'bus-consumer' | 'worker';

/** A route whose body the role reads as raw bytes (webhook signatures), with its own size limit. */
export interface RawBodyRoute {
  readonly path: string;
  readonly limitBytes: () => number;
}

/** A role's Nest module; it names the options classes it binds so boot can validate them up front. */
export type RoleModule = Type<unknown> & {
  readonly options: readonly OptionsClass[];
  readonly rawBodyRoutes?: readonly RawBodyRoute[];
  /** Route prefixes whose bodies the handler streams itself (object uploads). */
  readonly streamBodyRoutes?: readonly string[];
};

export interface RoleDefinition {
  readonly name: string;
  readonly kind: RoleKind;
  readonly owns: string;
  /** Loaded lazily so a process only pays for the code of the roles it runs. */
  readonly load: () => RoleModule;
}

/* eslint-disable @typescript-eslint/no-require-imports -- lazy per-role loading */
export const ROLES: readonly RoleDefinition[] = [
  {
    name: 'VendorApiClientRegistryService',
    kind: 'http',
    owns: 'providers, versioned API clients, connections, credentials',
    load: () => require('./modules/vendor-api-client-registry/vendor-api-client-registry.module').VendorApiClientRegistryModule,
  },
  {
    name: 'WebhookGatewayService',
    kind: 'http',
    owns: 'inbound ingestion and verification, outbound subscriptions, event matching',
    load: () => require('./modules/webhook-gateway/webhook-gateway.module').WebhookGatewayModule,
  },
  {
    name: 'GitHubIntegrationService',
    kind: 'http',
    owns: 'repos, PRs, Actions, checks; GitHub event normalisation',
    load: () => require('./modules/github-integration/github-integration.module').GitHubIntegrationModule,
  },
  {
    name: 'AzureDevOpsIntegrationService',
    kind: 'http',
    owns: 'repos, PRs, pipelines, work items; service-hook normalisation',
    load: () => require('./modules/azure-devops-integration/azure-devops-integration.module').AzureDevOpsIntegrationModule,
  },
  {
    name: 'OpenAIIntegrationService',
    kind: 'http+grpc',
    owns: 'Complete / Embed / Stream against OpenAI',
    load: () => require('./modules/openai-integration/openai-integration.module').OpenAIIntegrationModule,
  },
  {
    name: 'AzureOpenAIIntegrationService',
    kind: 'http+grpc',
    owns: 'Complete / Embed / Stream against Azure OpenAI deployments',
    load: () => require('./modules/azure-openai-integration/azure-openai-integration.module').AzureOpenAIIntegrationModule,
  },
  {
    name: 'OllamaIntegrationService',
    kind: 'http+grpc',
    owns: 'Complete / Embed / Stream against Ollama',
    load: () => require('./modules/ollama-integration/ollama-integration.module').OllamaIntegrationModule,
  },
  {
    name: 'McpConnectorService',
    kind: 'http+grpc',
    owns: 'ListTools / InvokeTool over MCP tool servers',
    load: () => require('./modules/mcp-connector/mcp-connector.module').McpConnectorModule,
  },
  {
    name: 'CloudProviderAdapterService',
    kind: 'http',
    owns: 'cloud provider operations (object storage first)',
    load: () => require('./modules/cloud-provider-adapter/cloud-provider-adapter.module').CloudProviderAdapterModule,
  },
  {
    name: 'EmailIntegrationService',
    kind: 'http',
    owns: 'SendEmail (SMTP, Azure Communication Services)',
    load: () => require('./modules/email-integration/email-integration.module').EmailIntegrationModule,
  },
  {
    name: 'SmsIntegrationService',
    kind: 'http',
    owns: 'SendSms (Twilio, Azure Communication Services, 019)',
    load: () => require('./modules/sms-integration/sms-integration.module').SmsIntegrationModule,
  },
  {
    name: 'PaymentIntegrationService',
    kind: 'http',
    owns: 'payments (Stripe first): charges, refunds, payment webhooks',
    load: () => require('./modules/payment-integration/payment-integration.module').PaymentIntegrationModule,
  },
  {
    name: 'CrmIntegrationService',
    kind: 'http',
    owns: 'CRM contacts, companies, deals (HubSpot first)',
    load: () => require('./modules/crm-integration/crm-integration.module').CrmIntegrationModule,
  },
  {
    name: 'SupportIntegrationService',
    kind: 'http',
    owns: 'support tickets (Zendesk first)',
    load: () => require('./modules/support-integration/support-integration.module').SupportIntegrationModule,
  },
  {
    name: 'WebhookDeliveryWorker',
    kind: 'worker',
    owns: 'signs and POSTs outbound webhooks; retries, dead-letters',
    load: () => require('./workers/webhook-delivery/webhook-delivery.worker.module').WebhookDeliveryWorkerModule,
  },
  {
    name: 'IntegrationSyncWorker',
    kind: 'worker',
    owns: 'scheduled / on-demand pulls of external state, cursor-resumable',
    load: () => require('./workers/integration-sync/integration-sync.worker.module').IntegrationSyncWorkerModule,
  },
  {
    name: 'CredentialRotationWorker',
    kind: 'worker',
    owns: 'new secret version, verification run, keep old on failure',
    load: () => require('./workers/credential-rotation/credential-rotation.worker.module').CredentialRotationWorkerModule,
  },
  {
    name: 'ExternalApiHealthWorker',
    kind: 'worker',
    owns: 'probes providers and connections, sets health, opens circuits',
    load: () => require('./workers/external-api-health/external-api-health.worker.module').ExternalApiHealthWorkerModule,
  },
  {
    name: 'IntegrationRetryWorker',
    kind: 'worker',
    owns: 'retries failed runs by policy, poison to dead-letter',
    load: () => require('./workers/integration-retry/integration-retry.worker.module').IntegrationRetryWorkerModule,
  },
];
/* eslint-enable @typescript-eslint/no-require-imports */

export const ALL_ROLES = 'all';

export class UnknownRoleError extends Error {
  constructor(readonly unknown: readonly string[]) {
    super(`Unknown APP_ROLE ${unknown.map((name) => `"${name}"`).join(', ')}. Valid roles: ${ALL_ROLES}, ${ROLES.map((role) => role.name).join(', ')}`);
    this.name = 'UnknownRoleError';
  }
}

/**
 * Parses APP_ROLE: one role, a comma list, or `all` (also the meaning of an unset or empty value).
 * Names match case-insensitively; the result keeps the table's order and has no duplicates.
 */
export function resolveRoles(selection: string | undefined): RoleDefinition[] {
  const requested = (selection ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
  if (requested.length === 0 || requested.some((name) => name.toLowerCase() === ALL_ROLES)) return [...ROLES];
  const byName = new Map(ROLES.map((role) => [role.name.toLowerCase(), role]));
  const unknown = requested.filter((name) => !byName.has(name.toLowerCase()));
  if (unknown.length > 0) throw new UnknownRoleError(unknown);
  const wanted = new Set(requested.map((name) => name.toLowerCase()));
  return ROLES.filter((role) => wanted.has(role.name.toLowerCase()));
}

/** Whether the selection runs a gRPC listener: one per process, shared by its http+grpc roles. */
export function servesGrpc(roles: readonly RoleDefinition[]): boolean {
  return roles.some((role) => role.kind === 'http+grpc');
}

/** How the selection is named in logs and metrics: `all`, or the role names joined by commas. */
export function roleLabel(roles: readonly RoleDefinition[]): string {
  return roles.length === ROLES.length ? ALL_ROLES : roles.map((role) => role.name).join(',');
}
