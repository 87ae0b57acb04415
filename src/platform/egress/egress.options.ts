import { bytes, Codec, duration, int, InvalidValueError, list } from '../config/codecs';
import { Env, OptionsSection } from '../config/options';
import { InvalidAllowListEntryError, normalizeAllowListEntry } from './address-policy';

const allowListEntry = (): Codec<string> => ({
  type: 'host, *.domain, IP or CIDR',
  parse(raw) {
    try {
      return normalizeAllowListEntry(raw);
    } catch (error) {
      if (error instanceof InvalidAllowListEntryError) throw new InvalidValueError(error.message);
      throw error;
    }
  },
});

@OptionsSection('Egress', 'Outbound HTTP of vendor calls and webhook deliveries: which destinations are reachable, timeouts and limits')
export class EgressOptions {
  @Env('EGRESS_ALLOW_LIST', list(allowListEntry()), {
    default: [],
    description:
      'Hosts (`api.internal`, `*.corp.example` for sub-domains), IP addresses and CIDRs (`10.0.0.0/8`) that may be reached although they resolve to loopback, private, link-local or metadata addresses',
  })
  readonly allowList: string[];

  @Env('EGRESS_CONNECT_TIMEOUT', duration({ min: 100, max: 300_000 }), { default: 5_000, description: 'How long opening a TCP (and TLS) connection may take' })
  readonly connectTimeoutMs: number;

  @Env('EGRESS_REQUEST_TIMEOUT', duration({ min: 100 }), {
    default: 30_000,
    description: 'How long a whole request (connect, response headers and body) may take when the caller sets no timeout',
  })
  readonly requestTimeoutMs: number;

  @Env('EGRESS_MAX_RESPONSE_BYTES', bytes({ min: 1 }), {
    default: 10 * 1024 * 1024,
    description: 'Largest response body read when the caller sets no limit; a larger one fails the call',
  })
  readonly maxResponseBytes: number;

  @Env('EGRESS_MAX_CONNECTIONS_PER_ORIGIN', int({ min: 1, max: 10_000 }), { default: 64, description: 'Keep-alive connections per destination origin' })
  readonly maxConnectionsPerOrigin: number;

  @Env('EGRESS_MAX_STREAMS_PER_ORIGIN', int({ min: 1, max: 100_000 }), {
    default: 4096,
    description: 'Streamed responses (model completions) open at once per destination origin; each holds its own connection for the length of the stream',
  })
  readonly maxStreamsPerOrigin: number;

  @Env('EGRESS_STREAM_IDLE_TIMEOUT', duration({ min: 100, max: 3_600_000 }), {
    default: 60_000,
    description: 'How long a streamed response may stay silent between two chunks when the caller sets no limit',
  })
  readonly streamIdleTimeoutMs: number;
}
