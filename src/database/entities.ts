import { ExternalApiClient } from '../modules/vendor-api-client-registry/entities/external-api-client.entity';
import { IntegrationConnection } from '../modules/vendor-api-client-registry/entities/integration-connection.entity';
import { IntegrationCredential } from '../modules/vendor-api-client-registry/entities/integration-credential.entity';
import { IntegrationProvider } from '../modules/vendor-api-client-registry/entities/integration-provider.entity';
import { DeliveryAttempt } from '../modules/webhook-gateway/entities/delivery-attempt.entity';
import { WebhookDelivery } from '../modules/webhook-gateway/entities/webhook-delivery.entity';
import { WebhookSubscription } from '../modules/webhook-gateway/entities/webhook-subscription.entity';
import { IntegrationFailure } from '../platform/runs/entities/integration-failure.entity';
import { IntegrationRunAttempt } from '../platform/runs/entities/integration-run-attempt.entity';
import { IntegrationRun } from '../platform/runs/entities/integration-run.entity';

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
];
