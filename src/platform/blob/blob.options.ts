import { bool, Codec, InvalidValueError, str, url } from '../config/codecs';
import { CrossFieldValidation, EnvironmentContext, Env, OptionsProblem, OptionsSection } from '../config/options';

/** Azure's container rule: 3-63 lower-case letters, digits and single inner hyphens. */
const CONTAINER_NAME = /^(?=.{3,63}$)[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** The well-known Azurite / storage emulator account, whose key is public. */
const DEVELOPMENT_ACCOUNT = /(^|;)\s*(UseDevelopmentStorage\s*=\s*true|AccountName\s*=\s*devstoreaccount1)\s*(;|$)/i;

/** `key=value` pairs separated by `;` naming an account or endpoint; never echoes the value (it holds a key). */
const connectionString = (): Codec<string> => ({
  type: 'connection string',
  parse(raw) {
    const value = raw.trim();
    const keys = value
      .split(';')
      .filter((part) => part.trim() !== '')
      .map((part) => {
        const separator = part.indexOf('=');
        if (separator <= 0) throw new InvalidValueError('must be an Azure Storage connection string (`Key=value;…` pairs)');
        return part.slice(0, separator).trim().toLowerCase();
      });
    if (!keys.some((key) => key === 'accountname' || key === 'blobendpoint' || key === 'usedevelopmentstorage')) {
      throw new InvalidValueError('must be an Azure Storage connection string naming AccountName, BlobEndpoint or UseDevelopmentStorage');
    }
    return value;
  },
});

@OptionsSection('Blob store', 'Azure Blob Storage when a connection string or account URL is set, otherwise files under DATA_DIR')
export class BlobOptions implements CrossFieldValidation {
  @Env('AZURE_STORAGE_CONNECTION_STRING', connectionString(), {
    secret: true,
    description: 'Azure Storage connection string (account key or SAS); unset = AZURE_STORAGE_ACCOUNT_URL or the embedded file store',
  })
  readonly connectionString?: string;

  @Env('AZURE_STORAGE_ACCOUNT_URL', url({ protocols: ['https'] }), {
    description: 'Blob endpoint of the storage account (`https://<account>.blob.core.windows.net`), authenticated with DefaultAzureCredential',
  })
  readonly accountUrl?: string;

  @Env('AZURE_STORAGE_CONTAINER', str({ pattern: CONTAINER_NAME, patternHint: 'an Azure container name (3-63 lower-case letters, digits and single hyphens)' }), {
    default: 'payloads',
    description: 'Container holding the payloads (`tenants/<tenantId>/…` inside it)',
  })
  readonly container: string;

  @Env('AZURE_STORAGE_CREATE_CONTAINER', bool(), {
    defaultText: '`true`; `false` when NODE_ENV=production',
    description:
      'Create the container on first use if it is missing. Off in production by default: the container is provisioned, and a mistyped name must fail readiness instead of starting empty',
  })
  readonly createContainer?: boolean;

  @Env('BLOB_FILE_SYNC', bool(), {
    default: false,
    description:
      'Embedded blob store: fsync every blob and its directory (survives power loss; off matches the embedded SQLite store, which survives process crashes and fsyncs at checkpoints)',
  })
  readonly fileSync: boolean;

  @Env('BLOB_DIR', str({ minLength: 1 }), { default: 'blobs', description: 'Directory of the embedded blob store, relative to DATA_DIR' })
  readonly blobDir: string;

  get backend(): 'azure' | 'filesystem' {
    return this.connectionString || this.accountUrl ? 'azure' : 'filesystem';
  }

  shouldCreateContainer(production: boolean): boolean {
    return this.createContainer ?? !production;
  }

  validate({ production }: EnvironmentContext): OptionsProblem[] {
    const problems: OptionsProblem[] = [];
    if (this.connectionString && this.accountUrl) {
      problems.push({ variable: 'AZURE_STORAGE_ACCOUNT_URL', message: 'must not be set together with AZURE_STORAGE_CONNECTION_STRING: choose one' });
    }
    if (this.accountUrl) {
      const endpoint = new URL(this.accountUrl);
      if (endpoint.username || endpoint.password || endpoint.search || endpoint.hash || (endpoint.pathname !== '/' && endpoint.pathname !== '')) {
        problems.push({
          variable: 'AZURE_STORAGE_ACCOUNT_URL',
          message: 'must be the bare account endpoint without path, query or SAS token (a SAS belongs in AZURE_STORAGE_CONNECTION_STRING)',
        });
      }
    }
    if (production && this.connectionString && DEVELOPMENT_ACCOUNT.test(this.connectionString)) {
      problems.push({ variable: 'AZURE_STORAGE_CONNECTION_STRING', message: 'must not use the public development account (Azurite) in production' });
    }
    return problems;
  }
}
