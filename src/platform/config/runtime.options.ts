import { duration, int, bytes, oneOf, str } from './codecs';
import { Env, OptionsSection } from './options';

export const NODE_ENVIRONMENTS = ['development', 'test', 'production'] as const;
export type NodeEnvironment = (typeof NODE_ENVIRONMENTS)[number];

@OptionsSection('Runtime', 'Process, roles and HTTP listener')
export class RuntimeOptions {
  @Env('APP_ROLE', str(), {
    default: 'all',
    description: 'Roles this process runs: one name, a comma list, or `all` (see Roles)',
  })
  readonly appRole: string;

  @Env('NODE_ENV', oneOf(NODE_ENVIRONMENTS), {
    default: 'development',
    description: '`production` refuses unsafe embedded defaults (no auth, generated keys)',
  })
  readonly nodeEnv: NodeEnvironment;

  @Env('PORT', int({ min: 0, max: 65535 }), { default: 3000, description: 'HTTP port for the API, `/health/*` and `/metrics`' })
  readonly port: number;

  @Env('HOST', str({ minLength: 1 }), { default: '0.0.0.0', description: 'Interface the HTTP server binds to' })
  readonly host: string;

  @Env('DATA_DIR', str({ minLength: 1 }), {
    default: './data',
    description: 'Directory of the embedded adapters (SQLite file, blobs, local secrets, generated dev keys)',
  })
  readonly dataDir: string;

  @Env('SHUTDOWN_GRACE_PERIOD', duration({ min: 0, max: 3_600_000 }), {
    default: 25_000,
    description: 'On SIGTERM, how long in-flight requests and handlers may run before the process stops anyway',
  })
  readonly shutdownGracePeriodMs: number;

  @Env('SHUTDOWN_DELAY', duration({ min: 0, max: 300_000 }), {
    default: 0,
    description: 'On SIGTERM, keep serving this long with readiness failing before closing the listener (lets load balancers stop routing first)',
  })
  readonly shutdownDelayMs: number;

  @Env('HTTP_BODY_LIMIT', bytes({ min: 1024 }), { default: 1024 * 1024, description: 'Largest JSON request body the API accepts (413 above it)' })
  readonly httpBodyLimitBytes: number;

  @Env('HTTP_JSON_MAX_DEPTH', int({ min: 2, max: 1000 }), { default: 128, description: 'Deepest nesting of arrays and objects a JSON request body may have (400 above it)' })
  readonly httpJsonMaxDepth: number;

  @Env('HTTP_HEADERS_TIMEOUT', duration({ min: 1000, max: 600_000 }), {
    default: 10_000,
    description: 'A client must send the whole request head within this time, or the connection is closed (slow-header clients)',
  })
  readonly httpHeadersTimeoutMs: number;

  @Env('HTTP_REQUEST_TIMEOUT', duration({ min: 1000, max: 3_600_000 }), {
    default: 30_000,
    description:
      'A client must send the whole request (head and body) within this time, or it is answered 408 and closed (slow-body clients); a streamed object upload must instead move at least 64 KiB in every such period',
  })
  readonly httpRequestTimeoutMs: number;

  @Env('HTTP_KEEP_ALIVE_TIMEOUT', duration({ min: 1000, max: 600_000 }), {
    default: 65_000,
    description: "How long an idle keep-alive connection stays open between requests (keep it above the load balancer's idle timeout)",
  })
  readonly httpKeepAliveTimeoutMs: number;

  @Env('HTTP_IDLE_TIMEOUT', duration({ min: 1000, max: 3_600_000 }), {
    default: 120_000,
    description: 'A connection on which nothing moves for this long is closed, whatever state it is in',
  })
  readonly httpIdleTimeoutMs: number;

  get production(): boolean {
    return this.nodeEnv === 'production';
  }
}
