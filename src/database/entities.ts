import { Message } from '../platform/messages/message.entity';
import { MessageRoute } from '../platform/messages/message-route.entity';
import { ModelRoute } from '../platform/models/routes/model-route.entity';
import { ExternalApiClient } from '../platform/integrations/entities/external-api-client.entity';
import { IntegrationConnection } from '../platform/integrations/entities/integration-connection.entity';
import { IntegrationCredential } from '../platform/integrations/entities/integration-credential.entity';
import { IntegrationProvider } from '../platform/integrations/entities/integration-provider.entity';
import { DeliveryAttempt } from '../platform/webhooks/entities/delivery-attempt.entity';
import { WebhookDelivery } from '../platform/webhooks/entities/webhook-delivery.entity';
import { WebhookSubscription } from '../platform/webhooks/entities/webhook-subscription.entity';
import { ConnectionHealthCheck } from '../platform/integrations/entities/connection-health-check.entity';
import { CredentialRotation } from '../platform/integrations/entities/credential-rotation.entity';
import { OAuthToken } from '../platform/integrations/entities/oauth-token.entity';
import { OutboxMessage } from '../platform/messaging/outbox/outbox-message.entity';
import { IntegrationFailure } from '../platform/runs/entities/integration-failure.entity';
import { IntegrationRunAttempt } from '../platform/runs/entities/integration-run-attempt.entity';
import { IntegrationRun } from '../platform/runs/entities/integration-run.entity';
import { ExternalRecord } from '../platform/integrations/syncs/external-record.entity';
import { IntegrationSync } from '../platform/integrations/syncs/integration-sync.entity';
import { SyncPageEntry } from '../platform/integrations/syncs/sync-page.entity';

/** Every table of the one relational store, whichever roles a process runs (the schema is shared). */
export const ENTITIES = [
  IntegrationProvider,
  ExternalApiClient,
  IntegrationConnection,
  IntegrationCredential,
  WebhookSubscription,
  WebhookDelivery,
  DeliveryAttempt,
  IntegrationRun,
  IntegrationRunAttempt,
  IntegrationFailure,
  CredentialRotation,
  OAuthToken,
  ConnectionHealthCheck,
  OutboxMessage,
  IntegrationSync,
  ExternalRecord,
  SyncPageEntry,
  ModelRoute,
  Message,
  MessageRoute,
];
