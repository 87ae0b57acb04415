import { bool, oneOf } from './codecs';
import { Env, OptionsSection } from './options';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

@OptionsSection('Observability', 'Logs, metrics and tracing')
export class ObservabilityOptions {
  @Env('LOG_LEVEL', oneOf(LOG_LEVELS), { default: 'info', description: 'Lowest level written to the JSON log on stdout' })
  readonly logLevel: LogLevel;

  @Env('LOG_HTTP_REQUESTS', bool(), { default: true, description: 'Log one line per completed HTTP request and gRPC call' })
  readonly logHttpRequests: boolean;

  @Env('METRICS_ENABLED', bool(), { default: true, description: 'Serve `GET /metrics` (Prometheus text format)' })
  readonly metricsEnabled: boolean;
}
