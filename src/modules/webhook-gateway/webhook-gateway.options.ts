import { bytes, duration, int } from '../../platform/config/codecs';
import { Env, OptionsSection } from '../../platform/config/options';

@OptionsSection('Webhook gateway', 'WebhookGatewayService: inbound verification, subscriptions, fan-out')
export class WebhookGatewayOptions {
  @Env('WEBHOOK_MAX_BODY_BYTES', bytes({ min: 1024 }), { default: 5 * 1024 * 1024, description: 'Largest inbound webhook body accepted (413 above it)' })
  readonly maxBodyBytes: number;

  @Env('WEBHOOK_INLINE_PAYLOAD_MAX', bytes({ min: 0, max: 1024 * 1024 }), {
    default: 64 * 1024,
    description:
      'Inbound bodies and outbound event envelopes up to this size are kept in their delivery row, committed with it; larger ones go to the blob store (0: always the blob store)',
  })
  readonly inlinePayloadMaxBytes: number;

  @Env('WEBHOOK_TIMESTAMP_TOLERANCE', duration({ min: 1000 }), { default: 300_000, description: 'How far a signed timestamp may be from now before the webhook is rejected' })
  readonly timestampToleranceMs: number;

  @Env('WEBHOOK_SECRET_OVERLAP', duration({ min: 0 }), {
    default: 86_400_000,
    description: 'After a signing-secret rotation, how long the previous secret keeps signing and verifying',
  })
  readonly secretOverlapMs: number;

  @Env('WEBHOOK_EVENTS_BATCH_LIMIT', int({ min: 1, max: 1000 }), { default: 100, description: 'Most events in one batch published to POST /webhooks/events (400 above it)' })
  readonly eventsBatchLimit: number;
}
