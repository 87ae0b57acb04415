import { bytes, duration, int, oneOf } from '../config/codecs';
import { Env, OptionsSection } from '../config/options';

@OptionsSection('Governed vendor access', 'The pipeline every vendor call goes through: connections, credentials, rate budgets, runs')
export class IntegrationsOptions {
  @Env('CONNECTION_CACHE_TTL', duration({ min: 0, max: 60_000 }), {
    default: 1_000,
    description: 'How long a process reuses a connection it has read (a retire or health change elsewhere is seen within this)',
  })
  readonly connectionCacheTtlMs: number;

  @Env('GOVERNED_REQUEST_TIMEOUT', duration({ min: 100 }), { default: 30_000, description: 'Timeout of one vendor call when the caller sets none' })
  readonly requestTimeoutMs: number;

  @Env('GOVERNED_MAX_REQUEST_BODY', bytes({ min: 1024 }), { default: 1_048_576, description: 'Largest request body a governed call (or a stored async run) may carry' })
  readonly maxRequestBodyBytes: number;

  @Env('RATE_LIMIT_CONNECTION_RPS', int({ min: 1, max: 100_000 }), {
    default: 50,
    description: 'Default budget of one connection, requests per second (a connection’s rateLimitBudget overrides it)',
  })
  readonly connectionRequestsPerSecond: number;

  @Env('RATE_LIMIT_CONNECTION_BURST', int({ min: 1, max: 100_000 }), { default: 100, description: 'Default burst of one connection’s budget' })
  readonly connectionBurst: number;

  @Env('RATE_LIMIT_PROVIDER_RPS', int({ min: 1, max: 1_000_000 }), {
    default: 500,
    description: 'Default budget of one tenant towards one provider endpoint, requests per second (a registered client’s rateLimitProfile overrides it)',
  })
  readonly providerRequestsPerSecond: number;

  @Env('RATE_LIMIT_PROVIDER_BURST', int({ min: 1, max: 1_000_000 }), { default: 1_000, description: 'Default burst of a provider endpoint budget' })
  readonly providerBurst: number;

  @Env('OAUTH_REFRESH_LEEWAY', duration({ min: 0 }), { default: 300_000, description: 'Refresh OAuth2 access tokens this long before they expire' })
  readonly oauthRefreshLeewayMs: number;

  @Env('OAUTH_REFRESH_WAIT', duration({ min: 100, max: 120_000 }), {
    default: 15_000,
    description: 'How long a replica waits for another replica’s token refresh before failing the call',
  })
  readonly oauthRefreshWaitMs: number;

  @Env('RUN_JOURNAL_MODE', oneOf(['commit', 'background'] as const), {
    default: 'commit',
    description:
      'Synchronous calls: `commit` answers after the run is stored (group commit); `background` answers at once and stores runs within RUN_JOURNAL_FLUSH_INTERVAL (more throughput, a crash can lose that window of audit rows)',
  })
  readonly runJournalMode: 'commit' | 'background';

  @Env('RUN_JOURNAL_FLUSH_INTERVAL', duration({ min: 1, max: 10_000 }), { default: 20, description: 'Background run journal: longest time a finished run waits to be stored' })
  readonly runJournalFlushIntervalMs: number;

  @Env('HEALTH_UNHEALTHY_AFTER', int({ min: 1, max: 100 }), {
    default: 3,
    description: 'Failed probes in a row that make a connection Unhealthy (and open its provider endpoint’s breaker)',
  })
  readonly unhealthyAfterFailures: number;

  @Env('HEALTH_DEGRADED_LATENCY', duration({ min: 1 }), { default: 2_000, description: 'A passing probe slower than this reports the connection Degraded' })
  readonly degradedLatencyMs: number;
}
