import type { CloudEvent } from '../events/cloud-event';
import type { MessageStatusChangedData, SendEmailCommand, SendSmsCommand } from '../messages/message-contracts';
import type { ExternalApiHealthChangedData } from '../integrations/connections/connection-health';
import type { RotateCredentialCommand } from '../integrations/credentials/credential-rotations';
import type { ExternalRecordsChangedData, RunSyncCommand } from '../integrations/syncs/sync-events';
import type { IntegrationFailedData, IntegrationRunCompletedData } from '../runs/run-recorder';
import type { DeliverWebhookCommand, WebhookDeliveredData, WebhookDeliveryFailedData } from '../webhooks/deliver-webhook.command';

/**
 * The bus contract: every command and event by name with the type of what it carries, declared once
 * beside the topology. Publishers and handlers are typed by it (`BusPublisher.send('RotateCredential',
 * body)` only compiles with a RotateCredentialCommand), and the topology routes exactly these names.
 */

export interface ExecuteIntegrationRunCommand {
  runId: string;
}

export interface RetryIntegrationRunCommand {
  runId: string;
  /** The attempt this command makes (1-based): a command for an attempt already made is a no-op. */
  attempt: number;
}

/** A raw inbound webhook handed over by a trusted edge for asynchronous ingestion. */
export interface IngestWebhookCommand {
  connectionId: string;
  vendorDeliveryId: string;
  eventType: string;
  payload: unknown;
}

export interface CommandContracts {
  DeliverWebhook: DeliverWebhookCommand;
  IngestWebhook: IngestWebhookCommand;
  ExecuteIntegrationRun: ExecuteIntegrationRunCommand;
  RetryIntegrationRun: RetryIntegrationRunCommand;
  RotateCredential: RotateCredentialCommand;
  SendEmail: SendEmailCommand;
  SendSms: SendSmsCommand;
  RunSync: RunSyncCommand;
}

export interface IntegrationConnectionEstablishedData {
  connectionId: string;
  providerId: string;
  projectId: string | null;
  displayName: string;
  establishedAt: string;
  /** Null for an inbound-only connection (it calls no vendor to become Active). */
  testRunId: string | null;
}

export interface IntegrationConnectionRetiredData {
  connectionId: string;
  providerId: string;
  retiredAt: string;
}

export interface IntegrationProviderRegisteredData {
  id: string;
  displayName: string;
  category: string;
  authModel: string;
  webhookVerifier: string | null;
}

export interface ExternalApiClientRegisteredData {
  clientId: string;
  providerId: string;
  version: number;
  baseUrl: string;
  apiVersion: string | null;
}

export interface CredentialRotatedData {
  credentialId: string;
  rotationId: string;
  version: string;
  previousVersion: string;
  fingerprint: string;
  previousVersionValidUntil: string;
  verifiedConnections: string[];
}

/** The `data` of each event's CloudEvent. */
export interface EventContracts {
  IntegrationFailed: IntegrationFailedData | WebhookDeliveryFailedData;
  IntegrationRunCompleted: IntegrationRunCompletedData;
  IntegrationConnectionEstablished: IntegrationConnectionEstablishedData;
  IntegrationConnectionRetired: IntegrationConnectionRetiredData;
  IntegrationProviderRegistered: IntegrationProviderRegisteredData;
  ExternalApiClientRegistered: ExternalApiClientRegisteredData;
  /** The vendor's payload; the CloudEvent's `type` is the normalised vendor event. */
  WebhookReceived: unknown;
  WebhookDelivered: WebhookDeliveredData;
  CredentialRotated: CredentialRotatedData;
  ExternalApiHealthChanged: ExternalApiHealthChangedData;
  ExternalRecordsChanged: ExternalRecordsChangedData;
  MessageStatusChanged: MessageStatusChangedData;
}

export type CommandName = keyof CommandContracts;
export type EventName = keyof EventContracts;
/** What travels on the bus for an event: its CloudEvent. */
export type EventMessage<E extends EventName> = CloudEvent<EventContracts[E]>;

const names = <T extends string>(list: readonly T[]): { readonly [K in T]: K } => Object.fromEntries(list.map((name) => [name, name])) as { readonly [K in T]: K };

/** Command names as values (handler decorators, topology): `COMMANDS.RotateCredential`. */
export const COMMANDS = names<CommandName>([
  'DeliverWebhook',
  'IngestWebhook',
  'ExecuteIntegrationRun',
  'RetryIntegrationRun',
  'RotateCredential',
  'SendEmail',
  'SendSms',
  'RunSync',
]);

export const EVENTS = names<EventName>([
  'IntegrationFailed',
  'IntegrationRunCompleted',
  'IntegrationConnectionEstablished',
  'IntegrationConnectionRetired',
  'IntegrationProviderRegistered',
  'ExternalApiClientRegistered',
  'WebhookReceived',
  'WebhookDelivered',
  'CredentialRotated',
  'ExternalApiHealthChanged',
  'ExternalRecordsChanged',
  'MessageStatusChanged',
]);
