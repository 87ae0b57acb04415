import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** `external_health_status` values (Prometheus has no enums). */
export const HEALTH_STATUS_VALUE = { Unknown: 0, Healthy: 1, Degraded: 2, Unhealthy: 3 } as const;
/** `circuit_breaker_state` values. */
export const BREAKER_STATE_VALUE = { closed: 0, halfOpen: 1, open: 2 } as const;

/**
 * Every platform metric, registered once per process in its own registry (labelled with the role), so
 * `GET /metrics` shows the same series names on every role whether or not that role has moved them yet.
 */
export class PlatformMetrics {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, matched route and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpRequestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency from first byte in to response finished',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly grpcRequests = new Counter({
    name: 'grpc_requests_total',
    help: 'gRPC calls answered, by method (service/method) and status code name',
    labelNames: ['method', 'code'] as const,
    registers: [this.registry],
  });

  readonly grpcRequestDuration = new Histogram({
    name: 'grpc_request_duration_seconds',
    help: 'gRPC call latency from the call arriving to its status (a stream: its whole length)',
    labelNames: ['method', 'code'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly inFlight = new Gauge({
    name: 'inflight_work',
    help: 'Units of work in progress (HTTP requests, gRPC calls, bus handlers, scheduled ticks); drained on shutdown',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly integrationRuns = new Counter({
    name: 'integration_runs_total',
    help: 'Governed outbound runs finished, by provider and outcome (Completed, Failed, DeadLettered)',
    labelNames: ['provider', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly integrationRunDuration = new Histogram({
    name: 'integration_run_duration_seconds',
    help: 'Latency of one vendor call made by a governed run',
    labelNames: ['provider', 'operation'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly integrationFailures = new Counter({
    name: 'integration_failures_total',
    help: 'Classified failures of runs and deliveries, by provider and category',
    labelNames: ['provider', 'category'] as const,
    registers: [this.registry],
  });

  readonly webhooksReceived = new Counter({
    name: 'webhooks_received_total',
    help: 'Inbound vendor webhooks, by verifier and outcome (accepted, duplicate, rejected, invalid)',
    labelNames: ['verifier', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly webhookDeliveries = new Counter({
    name: 'webhook_deliveries_total',
    help: 'Outbound webhook deliveries finished, by outcome (Delivered, DeadLettered)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly webhookDeliveryAttemptDuration = new Histogram({
    name: 'webhook_delivery_attempt_duration_seconds',
    help: 'Latency of one outbound webhook POST, by result class (2xx, 4xx, 5xx, timeout, refused)',
    labelNames: ['result'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly busMessages = new Counter({
    name: 'bus_messages_total',
    help: 'Bus messages handled, by entity and outcome (completed, abandoned, deadlettered)',
    labelNames: ['entity', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly busHandlerDuration = new Histogram({
    name: 'bus_handler_duration_seconds',
    help: 'Time a bus handler took, by entity',
    labelNames: ['entity'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly busQueueDepth = new Gauge({
    name: 'bus_queue_depth',
    help: 'Messages waiting in a queue or subscription',
    labelNames: ['entity'] as const,
    registers: [this.registry],
  });

  readonly externalHealthStatus = new Gauge({
    name: 'external_health_status',
    help: 'external.health.status of a provider or connection: 0 Unknown, 1 Healthy, 2 Degraded, 3 Unhealthy',
    labelNames: ['provider', 'target'] as const,
    registers: [this.registry],
  });

  readonly circuitBreakerState = new Gauge({
    name: 'circuit_breaker_state',
    help: 'State of a circuit breaker: 0 closed, 1 half-open, 2 open',
    labelNames: ['breaker'] as const,
    registers: [this.registry],
  });

  readonly rateLimitRejections = new Counter({
    name: 'rate_limit_rejections_total',
    help: 'Calls held back by a rate-limit budget, by scope (connection, provider)',
    labelNames: ['scope'] as const,
    registers: [this.registry],
  });

  readonly credentialRotations = new Counter({
    name: 'credential_rotations_total',
    help: 'Credential rotations finished, by outcome (rotated, failed, skipped)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly modelTokens = new Counter({
    name: 'model_tokens_total',
    help: 'Tokens of model calls as the vendor counted them, by provider, model and kind (prompt, completion)',
    labelNames: ['provider', 'model', 'kind'] as const,
    registers: [this.registry],
  });

  readonly modelTimeToFirstToken = new Histogram({
    name: 'model_time_to_first_token_seconds',
    help: 'Streamed model calls: from sending the request to the first token, by provider and model',
    labelNames: ['provider', 'model'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [this.registry],
  });

  readonly modelFallbacks = new Counter({
    name: 'model_fallbacks_total',
    help: 'Model calls moved to the next target of a route before their first token, by the failure category that moved them',
    labelNames: ['category'] as const,
    registers: [this.registry],
  });

  constructor(role: string, collectProcessMetrics = true) {
    this.registry.setDefaultLabels({ role });
    if (collectProcessMetrics) collectDefaultMetrics({ register: this.registry });
  }
}
