/** The API's answers, as far as the console reads them (see the controllers' views). */
import type { JsonSchema } from './schema';

export interface Provider {
  id: string;
  displayName: string;
  category: string;
  capabilities: string[];
  authModel: string;
  authModes: string[] | null;
  webhookVerifier: string | null;
  defaultBaseUrl: string | null;
  docsUrl: string | null;
  status: string;
  scope: string;
  /** When the descriptor publishes one: the JSON Schema of the connection's `configuration`. */
  configurationSchema?: JsonSchema | null;
  /** When published: per auth mode, the credential kinds it takes. */
  credentialKinds?: Record<string, string[]> | null;
}

export interface Connection {
  id: string;
  projectId: string | null;
  providerId: string;
  displayName: string;
  authMode: string;
  credentialId: string | null;
  webhook: { secretCredentialId: string; verifierOptions?: Record<string, string>; url?: string } | null;
  status: string;
  health: string;
  configuration: Record<string, unknown>;
  lastTest: { passed: boolean; at: string; runId: string | null; status?: number; category?: string; code?: string; message?: string } | null;
  lastCheckedAt: string | null;
  establishedAt: string | null;
  retiredAt: string | null;
  createdAt: string;
}

export interface Credential {
  id: string;
  name: string;
  kind: string;
  origin: string;
  secretRef: string;
  version: string;
  fingerprint: string;
  rotationPolicy: { intervalMs?: number; overlapMs?: number } | null;
  status: string;
  previousVersion: string | null;
  previousVersionValidUntil: string | null;
  lastRotatedAt: string | null;
  nextRotationAt: string | null;
  createdAt: string;
  rotations?: Array<{
    rotationId: string;
    trigger: string;
    status: string;
    attempts: number;
    failureCode: string | null;
    failureMessage: string | null;
    createdAt: string;
    completedAt: string | null;
  }>;
}

export interface Subscription {
  id: string;
  url: string;
  eventTypes: string[];
  description: string | null;
  status: string;
  disabledReason: string | null;
  consecutiveDeadLetters: number;
  secretRotatedUntil: string | null;
  createdAt: string;
  updatedAt: string;
  secret?: string;
}

export interface Delivery {
  id: string;
  direction: 'in' | 'out';
  connectionId: string | null;
  subscriptionId: string | null;
  vendorDeliveryId: string | null;
  eventId: string;
  eventType: string;
  status: string;
  attemptCount: number;
  series: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  completedAt: string | null;
  createdAt: string;
  attempts?: Array<{ attempt: number; attemptedAt: string; statusCode: number | null; latencyMs: number; error: string | null; responseExcerpt: string | null }>;
}

export interface Run {
  id: string;
  connectionId: string;
  providerId: string;
  operation: string;
  state: string;
  mode: string;
  purpose: string;
  attempts: number;
  latencyMs: number | null;
  responseStatus: number | null;
  externalRef: string | null;
  failure: { category: string; code: string } | null;
  traceId: string | null;
  model?: { name: string | null; promptTokens: number | null; completionTokens: number | null; totalTokens: number | null } | null;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  attemptHistory?: Array<{ attempt: number; startedAt: string; latencyMs: number; statusCode: number | null; failureCategory: string | null; error: string | null }>;
  failures?: Array<{ category: string; code: string; message: string; retryable: boolean; occurredAt: string }>;
}

export interface PassCounts {
  pages: number;
  seen: number;
  created: number;
  updated: number;
  deleted: number;
}

export interface Sync {
  name: string;
  description: string;
  incremental: boolean;
  configured: boolean;
  enabled: boolean;
  intervalMs: number;
  state: string;
  fullPassEvery: number;
  pass: { number: number; kind: string | null; since: string | null; cursor: string | null; counts: PassCounts } | null;
  watermark: string | null;
  lastPass: (PassCounts & { number: number; kind: string; completedAt: string }) | null;
  lastError: { category: string; code: string; message: string; at: string } | null;
  lastRunAt: string | null;
  lastCompletedAt: string | null;
  nextRunAt: string | null;
  runRequestedAt: string | null;
}

export interface Overview {
  connections: {
    total: number;
    byStatus: Record<string, number>;
    byHealth: Record<string, number>;
    degraded: Array<{
      id: string;
      displayName: string;
      providerId: string;
      status: string;
      health: string;
      lastCheckedAt: string | null;
      lastFailure: { category: string; code: string; message: string } | null;
    }>;
  };
  circuits: Array<{ name: string; connectionId: string | null; state: 'open' | 'halfOpen' }>;
  queues: Array<{ name: string; depth: number | null }>;
  failuresLastHour: { runs: number; deliveries: number; byCategory: Record<string, number> };
}

export interface McpTool {
  name: string;
  title?: string;
  description?: string;
  inputSchema: JsonSchema;
}

export const FAILURE_CATEGORIES = ['Transient', 'RateLimited', 'Auth', 'Validation', 'Poison'] as const;
export const RUN_STATES = ['Pending', 'Running', 'Completed', 'Failed', 'Retrying', 'DeadLettered'] as const;
export const DELIVERY_STATUSES = ['Pending', 'Delivered', 'DeadLettered', 'Failed'] as const;
