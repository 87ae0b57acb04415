import { duration, int, oneOf, str, url } from '../config/codecs';
import { CrossFieldValidation, EnvironmentContext, Env, OptionsProblem, OptionsSection } from '../config/options';

@OptionsSection('Relational store', 'PostgreSQL when DATABASE_URL is set, otherwise SQLite in DATA_DIR')
export class DatabaseOptions implements CrossFieldValidation {
  @Env('DATABASE_URL', url({ protocols: ['postgres', 'postgresql'] }), {
    secret: true,
    description: 'PostgreSQL connection URL; unset = embedded SQLite file in DATA_DIR',
  })
  readonly url?: string;

  @Env('DATABASE_SCHEMA', str({ pattern: /^[a-z_][a-z0-9_]{0,62}$/, patternHint: 'a lower-case SQL identifier' }), {
    default: 'public',
    description: 'PostgreSQL schema holding the platform tables (created if missing)',
  })
  readonly schema: string;

  @Env('DATABASE_POOL_SIZE', int({ min: 1, max: 200 }), { default: 10, description: 'PostgreSQL connections per process' })
  readonly poolSize: number;

  @Env('DATABASE_SSL', oneOf(['off', 'require', 'verify'] as const), {
    default: 'off',
    description: 'PostgreSQL TLS: `require` encrypts, `verify` also checks the server certificate',
  })
  readonly ssl: 'off' | 'require' | 'verify';

  @Env('DATABASE_MIGRATIONS', oneOf(['run', 'skip'] as const), {
    default: 'run',
    description: '`run` applies pending migrations at boot (under a lock, once across processes); `skip` leaves it to a deploy job',
  })
  readonly migrations: 'run' | 'skip';

  @Env('DATABASE_CONNECT_TIMEOUT', duration({ min: 100 }), { default: 10_000, description: 'How long to wait for a PostgreSQL connection' })
  readonly connectTimeoutMs: number;

  @Env('SQLITE_FILE', str({ minLength: 1 }), { default: 'platform.sqlite', description: 'SQLite file name, relative to DATA_DIR' })
  readonly sqliteFile: string;

  get dialect(): 'postgres' | 'sqlite' {
    return this.url ? 'postgres' : 'sqlite';
  }

  validate({ production }: EnvironmentContext): OptionsProblem[] {
    if (production && this.url && this.ssl === 'off' && !/sslmode=/.test(this.url) && !isLoopbackUrl(this.url)) {
      return [{ variable: 'DATABASE_SSL', message: 'must be require or verify in production for a non-local PostgreSQL server' }];
    }
    return [];
  }
}

function isLoopbackUrl(value: string): boolean {
  const host = new URL(value).hostname;
  return host === 'localhost' || host === '::1' || host === '[::1]' || host.startsWith('127.');
}
