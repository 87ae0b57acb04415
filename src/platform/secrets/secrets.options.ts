import { Codec, duration, InvalidValueError, str, url } from '../config/codecs';
import { CrossFieldValidation, EnvironmentContext, Env, OptionsProblem, OptionsSection } from '../config/options';

export const MASTER_KEY_BYTES = 32;

/** A base64 (or base64url) encoded AES-256 key. Never echoes the raw value: it is the key. */
const masterKey = (): Codec<Buffer> => ({
  type: `base64 of ${MASTER_KEY_BYTES} bytes`,
  parse(raw) {
    const text = raw.trim();
    const key = Buffer.from(text, 'base64');
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text) || key.length !== MASTER_KEY_BYTES) {
      throw new InvalidValueError(`must be the base64 of ${MASTER_KEY_BYTES} random bytes (e.g. \`openssl rand -base64 32\`)`);
    }
    return key;
  },
});

@OptionsSection('Secrets', 'Azure Key Vault when KEYVAULT_URL is set, otherwise an AES-256-GCM encrypted file store in DATA_DIR')
export class SecretsOptions implements CrossFieldValidation {
  @Env('KEYVAULT_URL', url({ protocols: ['https'] }), {
    description:
      'Azure Key Vault URL (`https://<vault>.vault.azure.net`), reached with DefaultAzureCredential (managed / workload identity, or AZURE_TENANT_ID + AZURE_CLIENT_ID + AZURE_CLIENT_SECRET); unset = encrypted files in DATA_DIR',
  })
  readonly keyVaultUrl?: string;

  @Env('SECRETS_MASTER_KEY', masterKey(), {
    secret: true,
    defaultText: 'generated into SECRETS_DIR (not in production)',
    description: 'Key of the local secret store: base64 of 32 random bytes (`openssl rand -base64 32`); ignored with KEYVAULT_URL',
  })
  readonly masterKey?: Buffer;

  @Env('SECRETS_DIR', str({ minLength: 1 }), {
    default: 'secrets',
    description: 'Directory of the local secret store, relative to DATA_DIR (or absolute)',
  })
  readonly directory: string;

  @Env('SECRETS_CACHE_TTL', duration({ min: 0, max: 3_600_000 }), {
    default: 30_000,
    description: 'How long a read secret is kept in process memory (never in Redis); `0` disables the cache',
  })
  readonly cacheTtlMs: number;

  get backend(): 'key-vault' | 'local' {
    return this.keyVaultUrl ? 'key-vault' : 'local';
  }

  validate({ production }: EnvironmentContext): OptionsProblem[] {
    const problems: OptionsProblem[] = [];
    if (this.keyVaultUrl) {
      const vault = new URL(this.keyVaultUrl);
      if ((vault.pathname !== '/' && vault.pathname !== '') || vault.search || vault.hash || vault.username) {
        problems.push({ variable: 'KEYVAULT_URL', message: 'must be the vault base URL only, such as https://<vault>.vault.azure.net' });
      }
    } else if (production && !this.masterKey) {
      problems.push({
        variable: 'SECRETS_MASTER_KEY',
        message:
          'is required in production when KEYVAULT_URL is unset: the local secret store refuses a generated key file there (set KEYVAULT_URL for Azure Key Vault, or SECRETS_MASTER_KEY to the base64 of 32 random bytes)',
      });
    }
    return problems;
  }
}
