import { MessageSource, QUEUES, sourcePath, sourcesConsumedBy, TOPICS } from '../../../src/platform/messaging/topology';
import { ROLES, RoleKind } from '../../../src/roles';
import { kubernetesName } from './naming';

export type SecretsAccess = 'officer' | 'user';
export type BlobAccess = 'contributor' | 'reader';

/**
 * Roles whose code writes to the secrets port (`SecretStore.set` / `disableVersion`). Every other role
 * only reads: Key Vault Secrets User, which also covers the readiness ping (listing secret properties).
 */
const SECRET_WRITERS: ReadonlySet<string> = new Set([
  // Credentials: store and bind values, the fingerprint key on first use, cached OAuth access tokens.
  'VendorApiClientRegistryService',
  // Outbound subscriptions: create and rotate their signing secrets.
  'WebhookGatewayService',
  // New credential versions; failed candidates are disabled.
  'CredentialRotationWorker',
  // Its probes go through the governed client, which caches OAuth access tokens (and a vendor-rotated
  // refresh token) in the secrets port.
  'ExternalApiHealthWorker',
]);

/** Roles that touch the payloads container (`BlobStore`); the rest get no storage role at all. */
const BLOB_ACCESS: ReadonlyMap<string, BlobAccess> = new Map([
  // Stores inbound webhook payloads and fanned-out events, deletes the payload of a failed ingestion.
  ['WebhookGatewayService', 'contributor'],
  // Only reads the payload each delivery points to.
  ['WebhookDeliveryWorker', 'reader'],
]);

export interface RoleAccess {
  readonly role: string;
  readonly kind: RoleKind;
  /** Kubernetes ServiceAccount (and Deployment) name given by the Helm chart. */
  readonly serviceAccount: string;
  /** The queues and topic subscriptions this role consumes, per the topology. */
  readonly receives: readonly MessageSource[];
  readonly secrets: SecretsAccess;
  readonly blob?: BlobAccess;
}

/** What each role may do in Azure, derived from the role table and the bus topology. */
export function roleAccess(): RoleAccess[] {
  const roleNames = new Set(ROLES.map((role) => role.name));
  const strangers = [...SECRET_WRITERS, ...BLOB_ACCESS.keys(), ...consumers()].filter((name) => !roleNames.has(name));
  if (strangers.length > 0) throw new Error(`Access rules name roles that src/roles.ts does not define: ${[...new Set(strangers)].join(', ')}`);
  return ROLES.map((role) => ({
    role: role.name,
    kind: role.kind,
    serviceAccount: kubernetesName(role.name),
    receives: sourcesConsumedBy(role.name),
    secrets: SECRET_WRITERS.has(role.name) ? 'officer' : 'user',
    blob: BLOB_ACCESS.get(role.name),
  }));
}

/** A stable key for a source in resource names: `deliver-webhook`, `integration-failed--IntegrationRetryWorker`. */
export function sourceKey(source: MessageSource): string {
  return sourcePath(source).replace('/Subscriptions/', '--');
}

function consumers(): string[] {
  return [...QUEUES.map((queue) => queue.consumer), ...TOPICS.flatMap((topic) => topic.subscriptions.map((subscription) => subscription.consumer))];
}
