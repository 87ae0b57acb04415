import { bool, oneOf } from './codecs';
import { Env, OptionsSection } from './options';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

@OptionsSection('Observability', 'Logs, metrics and tracing')
export class ObservabilityOptions {
  @Env('LOG_LEVEL', oneOf(LOG_LEVELS), { default: 'info', description: 'Lowest level written to the log on stdout' })
  readonly logLevel: LogLevel;

  @Env('LOG_FORMAT', oneOf(['json', 'pretty'] as const), {
    defaultText: 'pretty on a terminal, else json',
    description: 'json: one JSON object per line (for log pipelines); pretty: short lines and a start banner with a console link, for a person at a terminal',
  })
  private readonly requestedLogFormat?: 'json' | 'pretty';

  get logFormat(): 'json' | 'pretty' {
    return this.requestedLogFormat ?? (process.stdout.isTTY ? 'pretty' : 'json');
  }

  @Env('LOG_HTTP_REQUESTS', bool(), { default: true, description: 'Log one line per completed HTTP request and gRPC call' })
  readonly logHttpRequests: boolean;

  @Env('METRICS_ENABLED', bool(), { default: true, description: 'Serve `GET /metrics` (Prometheus text format)' })
  readonly metricsEnabled: boolean;
}
