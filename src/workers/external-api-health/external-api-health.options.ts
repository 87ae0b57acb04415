import { duration, int } from '../../platform/config/codecs';
import { Env, OptionsSection } from '../../platform/config/options';

@OptionsSection('External API health worker', 'Options of the ExternalApiHealthWorker role')
export class ExternalApiHealthOptions {
  @Env('HEALTH_PROBE_INTERVAL', duration({ min: 100 }), { default: 60_000, description: 'Cadence of probes per connection (jittered ±10 %)' })
  readonly probeIntervalMs: number;

  @Env('HEALTH_PROBE_TIMEOUT', duration({ min: 100 }), { default: 10_000, description: 'Timeout of one probe' })
  readonly probeTimeoutMs: number;

  @Env('HEALTH_PROBE_CONCURRENCY', int({ min: 1, max: 256 }), { default: 8, description: 'Probes in flight at once per process' })
  readonly concurrency: number;
}
